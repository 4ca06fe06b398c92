#!/usr/bin/env bash
# A guest on a tap device: inside a network namespace this test creates
# (bridge br0 192.168.77.1/24 with tap0), the guest gets a static address
# with --net tap:tap0 --ip, and the namespace reaches it. No traffic leaves
# the namespace. Skipped (status 77) where namespaces or tun are not allowed.
# dhcp-renew: the guest leases its address from test/net/dhcp_server.py on
# the bridge (60 s, the least the client takes) and renews it by unicast at
# half time, which QEMU's user networking (a 24 h lease) never shows.
# dhcp-nak: the server refuses that renewal; the guest drops the address,
# says so, leases another and says which. dhcp-expiry: the server falls
# silent after the first lease; the guest renews, rebinds by broadcast and,
# when the lease runs out, drops the address, says so and starts over.
# timewait-raw: hand-made SYNs against a connection in TIME_WAIT (one with a
# wrong checksum ends nothing).
# Usage: tap.sh ping | http | timewait-raw | dhcp-renew | dhcp-nak | dhcp-expiry
. "$(dirname "$0")/lib.sh"
ns=skiff-tap-$$
guest_ip=192.168.77.2
cleanup() {
	# The guest runs in its own process group: stop skiff and its QEMU.
	[ -z "${guest_pid:-}" ] || kill -- "-$guest_pid" 2>/dev/null || true
	[ -z "${server_pid:-}" ] || kill "$server_pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
# Waits up to SECONDS for a line of FILE matching REGEX (netlib.py); the
# checks after it say what was missing.
wait_line() { python3 "$repo/test/net/netlib.py" wait-line "$@"; }
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! ip netns add "$ns" 2>/dev/null; then
	echo "skipped: needs root, /dev/net/tun and network namespaces"
	exit 77
fi
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" link set tap0 master br0
ip -n "$ns" addr add 192.168.77.1/24 dev br0
ip -n "$ns" link set br0 up
ip -n "$ns" link set tap0 up

# lease_from_script LEASED_IP SECONDS [dhcp_server.py options]: the scripted
# DHCP server on the bridge (60 s leases), for SECONDS; then netinfo_by_dhcp
# STAY TIMEOUT: netinfo leasing its address on tap0 and staying up STAY s.
lease_from_script() {
	local leased=$1 seconds=$2
	shift 2
	ip netns exec "$ns" python3 "$repo/test/net/dhcp_server.py" br0 192.168.77.1 "$leased" 60 "$seconds" "$@" \
		>"$work/dhcp" 2>&1 &
	server_pid=$!
	wait_line "$work/dhcp" "^ready" 5 "$server_pid" || fail "the DHCP server did not start: $(cat "$work/dhcp")"
}
netinfo_by_dhcp() {
	setsid ip netns exec "$ns" "$SKIFF" run --arch "$ARCH" --timeout "$2" netinfo \
		--net tap:tap0 -- --stay "$1" </dev/null >"$work/raw" 2>&1 &
	guest_pid=$!
}

case $1 in
ping)
	setsid ip netns exec "$ns" "$SKIFF" run --arch "$ARCH" --timeout "$GUEST_TIMEOUT" netinfo \
		--net tap:tap0 --ip "$guest_ip/24,192.168.77.1" -- --stay 20 </dev/null >"$work/raw" 2>&1 &
	guest_pid=$!
	wait_line "$work/raw" "netinfo: staying up" 10 || true
	tr -d '\r' <"$work/raw" >"$output"
	expect_match "^skiff: en0 \\(virtio1@mmio[0-9a-f]+\\): $guest_ip netmask 255.255.255.0 gateway 192.168.77.1 \\(static\\)$"
	ip netns exec "$ns" ping -c 3 -i 0.2 -W 2 "$guest_ip" >"$work/ping" 2>&1 || fail "no ping reply: $(cat "$work/ping")"
	pass
	;;
http)
	setsid ip netns exec "$ns" "$SKIFF" run --arch "$ARCH" --timeout "$GUEST_TIMEOUT" httpd \
		--net tap:tap0 --ip "$guest_ip/24,192.168.77.1" -- --port 8080 </dev/null >"$work/raw" 2>&1 &
	guest_pid=$!
	wait_line "$work/raw" "httpd: listening on port 8080" 30 || true
	tr -d '\r' <"$work/raw" >"$output"
	expect_line "httpd: listening on port 8080"
	ip netns exec "$ns" curl -sS --max-time 10 "http://$guest_ip:8080/" >"$work/body" 2>&1 ||
		fail "curl failed: $(cat "$work/body")"
	[ "$(cat "$work/body")" = "Hello World from skiff!" ] || fail "body: $(cat "$work/body")"
	pass
	# A bigger exchange exercises the NIC's checksum offload on a tap.
	ip netns exec "$ns" curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://$guest_ip:8080/$(head -c 3000 /dev/zero | tr '\0' a)" >"$work/code" 2>&1 || true
	[ "$(cat "$work/code")" = 404 ] || fail "long request answered $(cat "$work/code")"
	pass
	;;
timewait-raw)
	# SYNs written by hand (test/net/timewait_raw.py) against a connection
	# in TIME_WAIT: one with a wrong checksum must not end it.
	setsid ip netns exec "$ns" "$SKIFF" run --arch "$ARCH" --timeout "$GUEST_TIMEOUT" httpd \
		--net tap:tap0 --ip "$guest_ip/24,192.168.77.1" -- --port 8080 </dev/null >"$work/raw" 2>&1 &
	guest_pid=$!
	wait_line "$work/raw" "^httpd: listening on port 8080" 30 "$guest_pid" || true
	tr -d '\r' <"$work/raw" >"$output"
	expect_match "^httpd: listening on port 8080"
	ip netns exec "$ns" python3 "$repo/test/net/timewait_raw.py" br0 "$guest_ip" 8080 >"$work/tw" 2>&1 ||
		fail "raw SYNs against a TIME_WAIT: $(cat "$work/tw")"
	pass
	;;
dhcp-renew)
	leased_ip=192.168.77.50
	lease_from_script "$leased_ip" 50
	netinfo_by_dhcp 45 "$GUEST_TIMEOUT"
	wait_line "$work/raw" "netinfo: staying up" 10 || true
	tr -d '\r' <"$work/raw" >"$output"
	expect_match "^skiff: en0 \\(virtio1@mmio[0-9a-f]+\\): $leased_ip netmask 255.255.255.0 gateway 192.168.77.1 \\(dhcp\\)$"
	pass
	# T1 is half the lease: the renewal comes about 30 s after the ACK,
	# straight to the server (a unicast from the leased address).
	wait_line "$work/dhcp" "^REQUEST renewing" 45 || true
	renewal=$(grep -m1 "^REQUEST renewing" "$work/dhcp") || fail "no renewal within 45 s: $(cat "$work/dhcp")"
	[[ $renewal =~ ^REQUEST\ renewing\ from\ $leased_ip\ to\ 192\.168\.77\.1\ ciaddr\ $leased_ip\ at\ ([0-9]+)\. ]] &&
		(( BASH_REMATCH[1] >= 27 && BASH_REMATCH[1] <= 36 )) || fail "renewal: $renewal"
	pass
	sleep 0.5
	ip netns exec "$ns" ping -c 2 -i 0.2 -W 2 "$leased_ip" >"$work/ping" 2>&1 ||
		fail "no ping reply after the renewal: $(cat "$work/ping")"
	pass
	! grep -q "^DISCOVER at [0-9]" "$work/dhcp" || fail "the guest started over: $(cat "$work/dhcp")"
	pass
	;;
dhcp-nak)
	leased_ip=192.168.77.50 next_ip=192.168.77.51
	lease_from_script "$leased_ip" 50 --nak-renewal-then "$next_ip"
	netinfo_by_dhcp 50 90
	# The renewal at half the lease (30 s) gets the NAK; a new lease follows.
	wait_line "$work/raw" "new address $next_ip " 48 || true
	tr -d '\r' <"$work/raw" >"$output"
	expect_match "^skiff: en0 \\(virtio1@mmio[0-9a-f]+\\): $leased_ip netmask 255.255.255.0 gateway 192.168.77.1 \\(dhcp\\)$"
	grep -q "^NAK sent" "$work/dhcp" || fail "the server refused nothing: $(cat "$work/dhcp")"
	pass
	expect_lines_matching "^skiff: warning: en0: " \
		"skiff: warning: en0: its address is gone (its DHCP lease ended or was refused)" \
		"skiff: warning: en0: new address $next_ip netmask 255.255.255.0 gateway 192.168.77.1 (dhcp)"
	sed -n '/^NAK sent/,$p' "$work/dhcp" | grep -q "^DISCOVER at" ||
		fail "the guest did not start over after the NAK: $(cat "$work/dhcp")"
	pass
	ip netns exec "$ns" ping -c 2 -i 0.2 -W 2 "$next_ip" >"$work/ping" 2>&1 ||
		fail "no ping reply from the new address: $(cat "$work/ping")"
	pass
	;;
dhcp-expiry)
	leased_ip=192.168.77.50
	lease_from_script "$leased_ip" 80 --silent-after-lease
	netinfo_by_dhcp 75 90
	wait_line "$work/raw" "its address is gone" 75 || true
	tr -d '\r' <"$work/raw" >"$output"
	expect_match "^skiff: en0 \\(virtio1@mmio[0-9a-f]+\\): $leased_ip netmask 255.255.255.0 gateway 192.168.77.1 \\(dhcp\\)$"
	expect_line "skiff: warning: en0: its address is gone (its DHCP lease ended or was refused)"
	# Renewing from half the lease (unicast), rebinding from 7/8 (52 s in
	# whole seconds, broadcast), and a fresh start once the 60 s are over.
	grep -qE "^REQUEST renewing from $leased_ip to 192\.168\.77\.1 ciaddr $leased_ip at (2[7-9]|3[0-6])\." "$work/dhcp" ||
		fail "no renewal at half time: $(cat "$work/dhcp")"
	pass
	grep -qE "^REQUEST rebinding from $leased_ip to 255\.255\.255\.255 ciaddr $leased_ip at (51\.[5-9]|5[2-9]\.)" "$work/dhcp" ||
		fail "no rebinding at 7/8 of the lease: $(cat "$work/dhcp")"
	pass
	wait_line "$work/dhcp" "^DISCOVER at (59|6[0-9])\." 5 || true
	grep -qE "^DISCOVER at (59|6[0-9])\." "$work/dhcp" || fail "no new DISCOVER when the lease ended: $(cat "$work/dhcp")"
	pass
	! ip netns exec "$ns" ping -c 1 -W 1 "$leased_ip" >/dev/null 2>&1 || fail "the guest still answers on its old address"
	pass
	kill -0 "$guest_pid" 2>/dev/null || fail "the guest stopped when its lease ended"
	pass
	;;
*) echo "unknown case $1"; exit 2 ;;
esac
done_ok
