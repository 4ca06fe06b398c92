#!/usr/bin/env bash
# Time: CLOCK_REALTIME agrees with the host's clock (QEMU's RTC starts at
# host UTC), CLOCK_MONOTONIC never goes back, nanosleep is accurate, an
# interval of CLOCK_MONOTONIC agrees with the host's (the measured rate is
# right, wraps of the PIT that measured it counted), and an idle guest
# halts: QEMU burns much less CPU than the wall time it sleeps.
# The guest idles twice between three marks; the host notes when each
# mark's line arrives. One of the three intervals must agree: a host stall
# that delays one line spoils the two intervals it ends or starts, while a
# wrong rate spoils all three.
. "$(dirname "$0")/lib.sh"
idle_ms=1500
before=$(date +%s)
# The host notes when each console line arrives, for the interval check.
read -r user_sys wall host_marks < <(python3 - "$SKIFF" "$ARCH" "$idle_ms" "$work/raw" <<'PY'
import resource, subprocess, sys, time
skiff, arch, idle_ms, out = sys.argv[1:]
start = time.monotonic()
seen = {}
with open(out, "wb") as f:
    guest = subprocess.Popen([skiff, "run", "--arch", arch, "--timeout", "60", "clock", "--", idle_ms],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    for line in guest.stdout:
        if line.startswith(b"monotonic mark ") and line.rstrip().endswith(b" us"):
            seen[int(line.split()[2])] = time.monotonic()
        f.write(line)
    guest.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
marks = ",".join("%d" % (seen.get(m, 0) * 1e6) for m in range(3))   # arrival, host us
print("%.3f %.3f %s" % (usage.ru_utime + usage.ru_stime, time.monotonic() - start, marks))
PY
)
after=$(date +%s)
tr -d '\r' <"$work/raw" >"$output"
expect_match "^nanosleep 200 ms took [0-9]+ ms$"
expect_no_line "monotonic went back"
expect_line "idled $((2 * idle_ms)) ms"
guest_marks=$(sed -n 's/^monotonic mark [0-2] \([0-9]*\) us$/\1/p' "$output" | paste -sd, -)
# Within 1% and 20 ms (console lines reach the host a few ms late): a PIT
# wrap miscounted while measuring the TSC would be off by 55 ms.
verdict=$(python3 -c "
g, h = [$guest_marks], [$host_marks]
assert len(g) == 3 and all(h), 'marks missing'
pairs = [(a, b, g[b] - g[a], h[b] - h[a]) for a, b in ((0, 1), (1, 2), (0, 2))]
ok = [p for p in pairs if abs(p[2] - p[3]) <= p[3] / 100 + 20000]
print('ok' if ok else '; '.join('marks %d-%d: guest %d us, host %d us' % p for p in pairs))
" 2>&1)
[ "$verdict" = ok ] || fail "the guest's monotonic clock disagrees with the host's: $verdict"
pass
for word in realtime gettimeofday time; do
	guest=$(sed -n "s/^$word \([0-9]*\)$/\1/p" "$output")
	[ -n "$guest" ] && [ "$guest" -ge $((before - 2)) ] && [ "$guest" -le $((after + 2)) ] ||
		fail "$word says $guest, host clock was $before..$after"
	pass
done
echo "QEMU used ${user_sys}s of CPU in ${wall}s of wall time"
# Sleeping 3.2 s in all: a spinning idle loop would use about that much CPU.
python3 -c "import sys; sys.exit(0 if float('$user_sys') < 0.8 else 1)" ||
	fail "idle guest used ${user_sys}s of CPU in ${wall}s (halting idle uses far less)"
pass
done_ok
