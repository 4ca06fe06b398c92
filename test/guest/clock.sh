#!/usr/bin/env bash
# Time: CLOCK_REALTIME agrees with the host's clock (QEMU's RTC starts at
# host UTC), CLOCK_MONOTONIC never goes back, nanosleep is accurate, and an
# idle guest halts: QEMU burns much less CPU than the wall time it sleeps.
. "$(dirname "$0")/lib.sh"
idle_ms=1500
before=$(date +%s)
read -r user_sys wall < <(python3 - "$SKIFF" "$ARCH" "$idle_ms" "$work/raw" <<'PY'
import resource, subprocess, sys, time
skiff, arch, idle_ms, out = sys.argv[1:]
start = time.monotonic()
with open(out, "wb") as f:
    subprocess.run([skiff, "run", "--arch", arch, "--timeout", "60", "clock", "--", idle_ms],
                   stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f" % (usage.ru_utime + usage.ru_stime, time.monotonic() - start))
PY
)
after=$(date +%s)
tr -d '\r' <"$work/raw" >"$output"
expect_match "^nanosleep 200 ms took [0-9]+ ms$"
expect_no_line "monotonic went back"
expect_line "idled $idle_ms ms"
for word in realtime gettimeofday time; do
	guest=$(sed -n "s/^$word \([0-9]*\)$/\1/p" "$output")
	[ -n "$guest" ] && [ "$guest" -ge $((before - 2)) ] && [ "$guest" -le $((after + 2)) ] ||
		fail "$word says $guest, host clock was $before..$after"
	pass
done
echo "QEMU used ${user_sys}s of CPU in ${wall}s of wall time"
# Sleeping 1.7 s in all: a spinning idle loop would use about that much CPU.
python3 -c "import sys; sys.exit(0 if float('$user_sys') < 0.8 else 1)" ||
	fail "idle guest used ${user_sys}s of CPU in ${wall}s (halting idle uses far less)"
pass
done_ok
