#!/usr/bin/env bash
# A burst of connections from the guest before the gateway's MAC address is
# known: 32 SYNs wait together for one ARP answer. Through QEMU's user
# networking the guest's 10.0.2.2 is the host's 127.0.0.1, where a listener
# with a deep backlog takes them all. Every one must connect within 1.5 s;
# a stack that queues one packet per unresolved neighbour sends a single SYN
# and leaves the rest to lwIP's 3 s SYN retransmission. The guest's gateway
# is QEMU's other address, 10.0.2.3: the kernel asks for the gateway's MAC
# at boot, and 10.0.2.2's must still be unknown when the burst starts.
# Usage: burst.sh MACHINE
. "$(dirname "$0")/lib.sh"
machine=$1
listener_pid=
trap '[ -z "$listener_pid" ] || kill "$listener_pid" 2>/dev/null; rm -rf "$work"' EXIT
python3 "$repo/test/net/netlib.py" listen "$((GUEST_TIMEOUT + 10))" >"$work/port" &
listener_pid=$!
python3 "$repo/test/net/netlib.py" wait-line "$work/port" '^[0-9]+$' 10 "$listener_pid" ||
	fail "the host listener did not start"
port=$(head -n1 "$work/port")
boot burst --machine "$machine" --net user --ip 10.0.2.15/24,10.0.2.3 -- 10.0.2.2 "$port" 32 1500
expect_status 0
expect_match "^burst: 32 of 32 connected in [0-9]+ ms$"
done_ok
