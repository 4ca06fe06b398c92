# Helpers for guest tests (sourced). Each test boots a guest with `skiff run`
# under a timeout and asserts on its serial output and exit status.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SKIFF=$repo/skiff
ARCH=${SKIFF_TEST_ARCH:-x86_64}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-60}
# Each architecture's default machine, whose NICs are virtio-mmio.
case $ARCH in
x86_64) MAIN_MACHINE=microvm ;;
aarch64) MAIN_MACHINE=virt ;;
*) echo "lib.sh: unknown architecture $ARCH" >&2; exit 2 ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/skiff-test.XXXXXX")
# A guest a test starts in the background runs in its own process group
# (setsid) with its PID in guest_pid: stop_guest stops skiff and its QEMU,
# as the test's exit does.
guest_pid=
stop_guest() {
	[ -z "$guest_pid" ] || kill -- "-$guest_pid" 2>/dev/null || true
	guest_pid=
}
trap 'stop_guest; rm -rf "$work"' EXIT
output=$work/output
status=0
checks=0

fail() {
	echo "FAIL: $*"
	echo "---- guest output ----"
	cat "$output" 2>/dev/null || true
	echo "----------------------"
	exit 1
}

# boot [skiff run arguments...]: output (CR stripped) -> $output, status -> $status
boot() {
	status=0
	"$SKIFF" run --arch "$ARCH" --timeout "$GUEST_TIMEOUT" "$@" </dev/null >"$work/raw" 2>&1 || status=$?
	tr -d '\r' <"$work/raw" >"$output"
	[ "$status" != 124 ] || fail "guest did not finish within ${GUEST_TIMEOUT}s"
}

# serve_forwarded GUEST_PORT READY_REGEX [skiff run arguments...]: boots a
# server app in the background (guest_pid) with 127.0.0.1:$port forwarded
# to GUEST_PORT and waits for its ready line in $work/raw. A port found free
# may be taken before QEMU binds it, so it tries three ports, then fails.
serve_forwarded() {
	local guest_port=$1 ready=$2 attempt
	shift 2
	for attempt in 1 2 3; do
		port=$(python3 "$repo/test/net/netlib.py" free-port)
		setsid "$SKIFF" run --arch "$ARCH" -p "$port:$guest_port" "$@" </dev/null >"$work/raw" 2>&1 &
		guest_pid=$!
		if python3 "$repo/test/net/netlib.py" wait-line "$work/raw" "$ready" 60 "$guest_pid"; then
			return 0
		fi
		stop_guest
	done
	tr -d '\r' <"$work/raw" >"$output"
	fail "no ready line ($ready) on three ports"
}

pass() { checks=$((checks + 1)); }

expect_status() {
	[ "$status" = "$1" ] || fail "exit status $status, expected $1"
	pass
}

# The exact line must appear.
expect_line() {
	grep -qxF -- "$1" "$output" || fail "missing line: $1"
	pass
}

expect_no_line() {
	! grep -qxF -- "$1" "$output" || fail "unexpected line: $1"
	pass
}

# An extended regular expression must match some line.
expect_match() {
	grep -qE -- "$1" "$output" || fail "no line matches: $1"
	pass
}

# The lines matching REGEX, in order, must be exactly the following arguments.
expect_lines_matching() {
	local regex=$1
	shift
	local want got
	want=$(printf '%s\n' "$@")
	got=$(grep -E -- "$regex" "$output" || true)
	[ "$got" = "$want" ] || fail "lines matching '$regex' were:
$got
expected:
$want"
	pass
}

done_ok() { echo "$checks passed, 0 failed"; }
