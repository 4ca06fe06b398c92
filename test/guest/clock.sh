#!/usr/bin/env bash
# Time: CLOCK_REALTIME agrees with the host's clock (QEMU's RTC starts at
# host UTC), CLOCK_MONOTONIC never goes back, nanosleep is accurate, an
# interval of CLOCK_MONOTONIC agrees with the host's (the measured rate is
# right, wraps of the PIT that measured it counted), and an idle guest
# halts: QEMU burns much less CPU than the wall time it sleeps.
. "$(dirname "$0")/lib.sh"
idle_ms=1500
before=$(date +%s)
# The host notes when each console line arrives, for the interval check.
read -r user_sys wall host_idle_us < <(python3 - "$SKIFF" "$ARCH" "$idle_ms" "$work/raw" <<'PY'
import resource, subprocess, sys, time
skiff, arch, idle_ms, out = sys.argv[1:]
start = time.monotonic()
seen = {}
with open(out, "wb") as f:
    guest = subprocess.Popen([skiff, "run", "--arch", arch, "--timeout", "60", "clock", "--", idle_ms],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    for line in guest.stdout:
        if line.startswith(b"monotonic ") and line.rstrip().endswith(b" us"):
            seen[line.rsplit(b" ", 2)[0]] = time.monotonic()   # "monotonic before idling"
        f.write(line)
    guest.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
idle = seen.get(b"monotonic after idling", 0) - seen.get(b"monotonic before idling", 0)
print("%.3f %.3f %d" % (usage.ru_utime + usage.ru_stime, time.monotonic() - start, idle * 1e6))
PY
)
after=$(date +%s)
tr -d '\r' <"$work/raw" >"$output"
expect_match "^nanosleep 200 ms took [0-9]+ ms$"
expect_no_line "monotonic went back"
expect_line "idled $idle_ms ms"
guest_idle_us=$(( $(sed -n 's/^monotonic after idling \([0-9]*\) us$/\1/p' "$output") -
	$(sed -n 's/^monotonic before idling \([0-9]*\) us$/\1/p' "$output") ))
# Within 1% and 20 ms (console lines reach the host a few ms late): a PIT
# wrap miscounted while measuring the TSC would be off by 55 ms.
python3 -c "import sys; g, h = $guest_idle_us, $host_idle_us; sys.exit(0 if abs(g - h) <= h / 100 + 20000 else 1)" ||
	fail "the guest's monotonic clock measured ${guest_idle_us} us of idling, the host ${host_idle_us} us"
pass
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
