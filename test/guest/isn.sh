#!/usr/bin/env bash
# TCP's first sequence numbers in the guest (test/net/isn_checks.py), seen
# in QEMU's dump of the guest's frames: beyond the old connection's when a
# client reuses a port in TIME_WAIT, far apart between ports, and far apart
# between two boots for the same ports.
# Usage: isn.sh MACHINE
. "$(dirname "$0")/lib.sh"
machine=$1
net=$repo/test/net
make -s -C "$repo" ARCH="$ARCH" "build/$ARCH/httpd.elf"

# The same client port in both boots, so that the guest sees the same
# addresses and ports twice; held bound meanwhile, so that no other test's
# connect() takes it.
holder_pid=
trap '[ -z "$holder_pid" ] || kill "$holder_pid" 2>/dev/null; stop_guest; rm -rf "$work"' EXIT
python3 "$net/netlib.py" reserve 110 >"$work/source-port" &
holder_pid=$!
python3 "$net/netlib.py" wait-line "$work/source-port" "^[0-9]+$" 10 "$holder_pid" ||
	fail "no client port to hold"
source_port=$(cat "$work/source-port")
for boot in 1 2; do
	# QEMU truncates the dump when it opens it, on each attempt too.
	export SKIFF_QEMU_ARGS="-object filter-dump,id=capture,netdev=net0,file=$work/frames.pcap"
	serve_forwarded 8080 "^httpd: listening on port 8080" --machine "$machine" --timeout 100 \
		--mem 64M httpd -- --port 8080
	other=()
	[ "$boot" = 1 ] || other=(--compare "$work/first")
	python3 "$net/isn_checks.py" --port "$port" --pcap "$work/frames.pcap" --source-port "$source_port" \
		--record "$work/first.$boot" "${other[@]}" || {
		tr -d '\r' <"$work/raw" >"$output"
		fail "sequence-number checks failed (boot $boot)"
	}
	pass
	[ "$boot" = 2 ] || mv "$work/first.1" "$work/first"
	stop_guest
done
done_ok
