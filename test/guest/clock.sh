#!/usr/bin/env bash
# Time: CLOCK_REALTIME agrees with the host's clock (QEMU's RTC starts at
# host UTC), CLOCK_MONOTONIC never goes back, nanosleep is accurate, an
# interval of CLOCK_MONOTONIC agrees with the host's (the measured rate is
# right, wraps of the PIT that measured it counted), and an idle guest
# halts: QEMU burns much less CPU than the wall time it sleeps.
# The guest idles twice between three marks; the host notes when each
# mark's line arrives, and the CPU time QEMU (skiff run's whole process
# tree) has used by then. One of the three intervals must agree: a host
# stall that delays one line spoils the two intervals it ends or starts,
# while a wrong rate spoils all three.
. "$(dirname "$0")/lib.sh"
idle_ms=1500
before=$(date +%s)
# The host notes when each console line arrives, for the interval check,
# and at marks 0 and 2 the CPU time of skiff run's process tree (QEMU and
# its parents): the CPU used while the guest idled, without the boot's.
read -r user_sys wall idle_cpu idle_wall host_marks < <(python3 - "$SKIFF" "$ARCH" "$idle_ms" "$work/raw" <<'PY'
import os, resource, subprocess, sys, time
skiff, arch, idle_ms, out = sys.argv[1:]
tick = os.sysconf("SC_CLK_TCK")

def tree_cpu(root):
    """CPU seconds used so far by root and its descendants: each live
    process's own time plus that of the children it has reaped."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()   # from field 3 (state) on
            procs[int(name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += procs.get(pid, (0, 0))[1]
        todo += [p for p, (ppid, _) in procs.items() if ppid == pid]
    return total / tick

start = time.monotonic()
seen, cpu = {}, {}
with open(out, "wb") as f:
    guest = subprocess.Popen([skiff, "run", "--arch", arch, "--timeout", "60", "clock", "--", idle_ms],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    for line in guest.stdout:
        if line.startswith(b"monotonic mark ") and line.rstrip().endswith(b" us"):
            mark = int(line.split()[2])
            seen[mark] = time.monotonic()
            if mark in (0, 2):
                cpu[mark] = tree_cpu(guest.pid)
        f.write(line)
    guest.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
marks = ",".join("%d" % (seen.get(m, 0) * 1e6) for m in range(3))   # arrival, host us
idle = (cpu[2] - cpu[0], seen[2] - seen[0]) if len(cpu) == 2 else (-1, -1)
print("%.3f %.3f %.3f %.3f %s" % ((usage.ru_utime + usage.ru_stime, time.monotonic() - start) + idle + (marks,)))
PY
)
after=$(date +%s)
tr -d '\r' <"$work/raw" >"$output"
expect_match "^nanosleep 200 ms took [0-9]+ ms$"
expect_no_line "monotonic went back"
expect_line "idled $((2 * idle_ms)) ms"
guest_marks=$(sed -n 's/^monotonic mark [0-2] \([0-9]*\) us$/\1/p' "$output" | paste -sd, -)
# Within 1% and 40 ms. The 40 ms are for the host's side: a console line
# reaches the host a few ms late, and tens of ms late when QEMU or this
# script waits for a CPU on a loaded machine (other QEMUs running). A PIT
# wrap (55 ms) miscounted while measuring the TSC, over a measure of under
# 0.9 s, puts the rate off by over 6%: 90 ms over 1.5 s, 180 over 3 s, past
# the 55 and 70 ms allowed.
verdict=$(python3 -c "
g, h = [$guest_marks], [$host_marks]
assert len(g) == 3 and all(h), 'marks missing'
pairs = [(a, b, g[b] - g[a], h[b] - h[a]) for a, b in ((0, 1), (1, 2), (0, 2))]
ok = [p for p in pairs if abs(p[2] - p[3]) <= p[3] / 100 + 40000]
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
echo "QEMU used ${user_sys}s of CPU in ${wall}s of wall time, ${idle_cpu}s in the ${idle_wall}s the guest idled"
# Between marks 0 and 2 the guest only sleeps (twice $idle_ms ms). A guest
# that halts uses a few % of that time (timer interrupts); one that spins
# uses a whole CPU: all of the period on an idle host, and still 2/3 of it
# with two other busy QEMUs on two cores. Half the period tolerates load
# but not spinning. (The whole run's CPU is no measure: booting under TCG
# takes a CPU-bound second or so, more on a loaded machine.)
verdict=$(python3 -c "
c, w, want = $idle_cpu, $idle_wall, 2 * $idle_ms / 1000
if w < 0: print('no CPU times at marks 0 and 2')
elif w < want * 0.9: print('the guest idled %.3fs, not %.1fs' % (w, want))
elif c >= w / 2: print('idle guest used %.3fs of CPU in %.3fs (halting idle uses far less)' % (c, w))
else: print('ok')
" 2>&1)
[ "$verdict" = ok ] || fail "$verdict"
pass
done_ok
