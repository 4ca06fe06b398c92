#!/usr/bin/env bash
# The crash test: appendlog (test/guest/apps/appendlog) appends records to
# /data/log on an ext4 disk with fsync after each and prints "ack N" once
# record N is durable. QEMU is killed with SIGKILL at a random moment (at
# boot, mid-append, mid-fsync) CRASH_TRIALS times (20 by default; more by
# hand). After every kill, on the host: `e2fsck -fy` repairs what the cut
# left, `e2fsck -fn` then finds nothing, and every acknowledged record is
# in the log byte for byte (read with debugfs, which does not trust our
# code). The next boot goes on appending to the same log, after checking
# it itself. $1: the machine.
. "$(dirname "$0")/lib.sh"
machine=${1:-$MAIN_MACHINE}
trials=${CRASH_TRIALS:-20}
seed=${CRASH_SEED:-$RANDOM}
echo "crash: $trials trials, seed $seed"
RANDOM=$seed
"$SKIFF" build --arch "$ARCH" appendlog >/dev/null 2>"$work/build.err" || { cat "$work/build.err"; fail "build"; }
image=$work/disk.img
"$SKIFF" disk create "$image" --size 16M >/dev/null
kernel=$repo/build/$ARCH/appendlog.elf
[ "$ARCH" = aarch64 ] || true
export PATH=$PATH:/sbin:/usr/sbin
acked_total=-1
for trial in $(seq 1 "$trials"); do
	log=$work/console.$trial
	"$repo/qemu/launch" --arch "$ARCH" --machine "$machine" --kernel "$kernel" --disk "$image" \
		--append "mount=vda:/data -- 1000000" >"$log" 2>&1 &
	qemu=$!
	# A random moment: 0-3 s after the first ack (a few kills land in the
	# boot, before any).
	delay=$((RANDOM % 3000))
	if ((RANDOM % 8 == 0)); then
		sleep "0.$((RANDOM % 10))"
	else
		for _ in $(seq 1 600); do
			grep -q '^ack ' "$log" 2>/dev/null && break
			kill -0 "$qemu" 2>/dev/null || break
			sleep 0.1
		done
		sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
	fi
	kill -9 "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	tr -d '\r' <"$log" >"$output"
	if grep -q "CORRUPT\|FAIL\|panic" "$output"; then
		fail "trial $trial: the guest found its log damaged"
	fi
	last=$(grep -E '^ack [0-9]+$' "$output" | tail -1 | cut -d' ' -f2 || true)
	[ -z "$last" ] || acked_total=$last
	rc=0
	e2fsck -fy "$image" >"$work/fsck.$trial" 2>&1 || rc=$?
	((rc <= 1)) || { cat "$work/fsck.$trial"; fail "trial $trial: e2fsck -fy status $rc"; }
	e2fsck -fn "$image" >"$work/fsck2.$trial" 2>&1 || { cat "$work/fsck2.$trial"; fail "trial $trial: e2fsck -fn not clean after repair"; }
	debugfs -R "cat /log" "$image" >"$work/log.copy" 2>/dev/null || true
	python3 - "$work/log.copy" "$acked_total" <<'PY' || fail "trial $trial: an acknowledged record is missing or damaged"
import sys
data, acked = open(sys.argv[1], "rb").read(), int(sys.argv[2])
def record(n):
    body = "%010u " % n + "".join(chr(97 + (n * 31 + j * 7) % 26) for j in range(40))
    h = 2166136261
    for c in body.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return ("%s %08x\n" % (body, h)).encode()
for n in range(acked + 1):
    if data[n * 61:(n + 1) * 61] != record(n):
        print(f"record {n} of {acked + 1} acknowledged is not intact", file=sys.stderr)
        sys.exit(1)
PY
	echo "crash: trial $trial: killed after ack $last (acknowledged so far: $((acked_total + 1))); e2fsck -fy status $rc"
	pass
done
# A last boot runs to the end: the log it finds is whole, and it finishes.
"$repo/qemu/launch" --arch "$ARCH" --machine "$machine" --kernel "$kernel" --disk "$image" \
	--status-file "$work/status" --append "mount=vda:/data -- $((acked_total + 30))" >"$work/raw" 2>&1 || true
tr -d '\r' <"$work/raw" >"$output"
expect_match "^appendlog: [0-9]+ records intact$"
expect_line "appendlog: done, $((acked_total + 30)) records"
e2fsck -fn "$image" >/dev/null 2>&1 || fail "e2fsck -fn after a clean exit"
pass
done_ok
