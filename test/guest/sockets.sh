#!/usr/bin/env bash
# POSIX sockets through libc-shim over lwIP: the guest app talks to itself
# on 127.0.0.1 (TCP between threads, UDP, poll/select, options, names and
# Linux's errno values) and exits 0 only if every check passed.
# Usage: sockets.sh MACHINE [none]   (microvm: virtio-mmio NIC, pc: virtio-pci;
# none: no NIC at all, so socket() starts lwIP itself for loopback)
. "$(dirname "$0")/lib.sh"
if [ "${2:-}" = none ]; then
	boot sockets --machine "$1" --net none
	expect_status 0
	! grep -q '^skiff: en0' "$output" || fail "a NIC appeared with --net none"
else
	boot sockets --machine "$1" --net user
	expect_status 0
	expect_match "^skiff: en0 \\(virtio1@(pci|mmio)[0-9a-f:.]+\\): 10\\.0\\.2\\.15 "
fi
for what in "inet_pton IPv4" "inet_pton/ntop IPv6" "getaddrinfo numeric" "getaddrinfo localhost" \
	"tcp write/read round trip" "1 MiB echoed byte-exact (non-blocking, poll)" \
	"getsockname/getpeername" "shutdown SHUT_WR, EOF" "write after shutdown is EPIPE" \
	"EPIPE writing after the peer closed" "EADDRINUSE on a second bind" \
	"ECONNREFUSED from a closed port" "AF_INET6 is EAFNOSUPPORT" \
	"unknown option is ENOPROTOOPT" "TCP_NODELAY" "poll POLLOUT after connect, SO_ERROR 0" \
	"EAGAIN on a non-blocking recv" "FIONREAD counts pending bytes" \
	"SO_RCVTIMEO times out with EAGAIN" "select: console writable, socket quiet" \
	"select times out on a quiet socket (50 ms)" "select: socket readable after data" \
	"select: stdin readable next to a socket" "udp recvfrom gives data and sender" \
	"udp recvmsg" "MSG_PEEK leaves the data" "shutdown SHUT_RD wakes a blocked recv with 0" \
	"POLLHUP once both directions are closed" \
	"refused non-blocking connect: POLLERR, SO_ERROR ECONNREFUSED" \
	"udp: one datagram per recv, MSG_TRUNC when it does not fit" \
	"an accepted socket inherits TCP_NODELAY" "shutdown of a listener wakes accept with EINVAL" \
	"connect again after a refusal" "writev on UDP sends one datagram"; do
	expect_line "ok $what"
done
! grep -q '^FAIL' "$output" || fail "$(grep -m1 '^FAIL' "$output")"
expect_line "sockets: 0 failures"
done_ok
