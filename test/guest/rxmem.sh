#!/usr/bin/env bash
# Receive memory goes back to free memory: 16 clients each send 40,000
# bytes (most of a receive window) that test/guest/apps/rxmem leaves unread,
# which takes some 440 receive buffers, about 180 pages; once the app has
# read and closed everything, the free pages must be back to what they were
# but for one chunk of buffers (16 pages) and a little heap.
. "$(dirname "$0")/lib.sh"
conns=16 bytes=40000 guest_port=7000
make -s -C "$repo" ARCH="$ARCH" "build/$ARCH/rxmem.elf"
serve_forwarded "$guest_port" "^rxmem: listening on port $guest_port" --timeout 120 \
	rxmem -- "$guest_port" "$conns" "$bytes"
# The clients: connect all, wait for each one's "g", send, wait for the close.
python3 - "$port" "$conns" "$bytes" <<'PY' || { tr -d '\r' <"$work/raw" >"$output"; fail "the clients failed"; }
import socket, sys
port, conns, size = (int(a) for a in sys.argv[1:])
data = bytes(i % 251 for i in range(size))
socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(conns)]
for s in socks:
    s.settimeout(30)
    if s.recv(1) != b"g":
        sys.exit("no go byte")
for s in socks:
    s.sendall(data)
for s in socks:
    while s.recv(4096):
        pass
    s.close()
PY
wait "$guest_pid" || status=$?
guest_pid=
tr -d '\r' <"$work/raw" >"$output"
expect_status 0
! grep -q '^FAIL' "$output" || fail "$(grep -m1 '^FAIL' "$output")"
read -r before holding after < <(sed -n 's/^rxmem: free pages before \([0-9]*\), holding \([0-9]*\), after \([0-9]*\)$/\1 \2 \3/p' "$output") || true
[ -n "${after:-}" ] || fail "no free-pages line"
# The data took pages (else this test shows nothing)...
[ $((before - holding)) -ge 100 ] || fail "holding the data took only $((before - holding)) pages"
pass
# ...and they came back: at most one chunk (16 pages) and 16 of heap kept.
[ $((before - after)) -le 32 ] ||
	fail "$((before - after)) pages did not come back (before $before, holding $holding, after $after)"
pass
echo "free pages: before $before, holding $holding, after $after"
done_ok
