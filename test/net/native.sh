#!/bin/bash
# Runs an app's client checks against its native Linux build.
#   native.sh httpd|echo PATH-TO-BINARY
# Starts the server on a free port on 127.0.0.1, waits for its ready line
# ("<app>: listening on port N"), runs http_checks.py or echo_checks.py, and exits
# with the checks' status (1 as well if the server died on the way). Only the
# process started here is ever killed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
app=${1:?usage: native.sh httpd|echo BINARY}
bin=${2:?usage: native.sh httpd|echo BINARY}
log=$(mktemp)
pid=
checks_pid=

stop_server() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
}
# On any exit, a signal from ctest's timeout included: stop what we started.
trap '[ -z "$checks_pid" ] || kill "$checks_pid" 2>/dev/null; stop_server; rm -f "$log"' EXIT
trap 'exit 143' TERM INT

case $app in
httpd) checks=http_checks.py server_args=(--idle-timeout 1) check_args=(--idle-timeout-check 1) ;;
echo) checks=echo_checks.py server_args=() check_args=() ;;
*) echo "native.sh: unknown app $app" >&2; exit 2 ;;
esac

# The port was free a moment ago; another process may take it first, so a
# failed start is retried on a new one.
for attempt in 1 2 3; do
	port=$(python3 "$here/netlib.py" free-port) || exit 1
	"$bin" --port "$port" --bind 127.0.0.1 "${server_args[@]}" >"$log" 2>&1 &
	pid=$!
	if python3 "$here/netlib.py" wait-line "$log" "^$app: listening on port $port\$" 10 "$pid"; then
		break
	fi
	echo "native.sh: $app did not get ready on port $port (attempt $attempt):"
	cat "$log"
	stop_server
done
[ -n "$pid" ] || exit 1
echo "native.sh: $app (pid $pid) listening on 127.0.0.1:$port"

# In the background so that a signal stops the checks too, not only us.
python3 "$here/$checks" --host 127.0.0.1 --port "$port" "${check_args[@]}" &
checks_pid=$!
wait "$checks_pid"
status=$?
checks_pid=
if ! kill -0 "$pid" 2>/dev/null; then
	echo "native.sh: $app exited during the checks"
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "native.sh: server output:"
	cat "$log"
fi
exit "$status"
