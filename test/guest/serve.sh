#!/usr/bin/env bash
# A server app in the guest, reached from the host through QEMU's user
# networking forward on 127.0.0.1, put through the same client checks as
# its native build (test/net/*_checks.py).
# Usage: serve.sh httpd|echo MACHINE
. "$(dirname "$0")/lib.sh"
app=$1 machine=$2
net=$repo/test/net
case $app in
# The idle timeout is short enough for the 408 checks and long enough for a
# loaded TCG guest to answer 64 clients.
httpd) checker=http_checks.py guest_port=8080 app_args=(--port 8080 --idle-timeout 5) check_args=(--idle-timeout-check 5) ;;
echo) checker=echo_checks.py guest_port=9000 app_args=(--port 9000) check_args=() ;;
*) echo "unknown app $app"; exit 2 ;;
esac
make -s -C "$repo" ARCH="$ARCH" "build/$ARCH/$app.elf"

serve_forwarded "$guest_port" "^$app: listening on port $guest_port" --machine "$machine" \
	--timeout 300 --mem 64M "$app" -- "${app_args[@]}"
tr -d '\r' <"$work/raw" >"$output"
expect_match "^skiff: en0 \\(virtio1@[a-z]+[0-9a-f:.]+\\): 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 \\(dhcp\\)$"
python3 "$net/$checker" --host 127.0.0.1 --port "$port" "${check_args[@]}" || {
	tr -d '\r' <"$work/raw" >"$output"
	fail "client checks failed against the guest"
}
pass
kill -0 "$guest_pid" 2>/dev/null || fail "the guest stopped during the checks"
pass
done_ok
