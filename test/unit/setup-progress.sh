#!/usr/bin/env bash
# tools/progress.sh's with_progress (the progress lines of tools/setup), on fake commands:
#  - a 12 s command printing ninja-style "[n/m]" lines gets a progress line at least every 6 s
#    (5 s plus slack for a loaded machine), from its start to its end, with a rising n;
#  - the figure shown is the log's latest "[n/m]" at the start of a line, not an earlier one nor
#    one inside a line;
#  - a failing command's status comes back (and stops a `set -e` shell with that status), with
#    the log's tail and path on stderr;
#  - nothing is left running afterwards, and SIGTERM or Ctrl-C (SIGINT to the process group)
#    to the shell stops the command too.
# Takes about 20 s. Prints "N passed, M failed"; exits 1 if any failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
progress_sh=$here/../../tools/progress.sh
# shellcheck source=../../tools/progress.sh
. "$progress_sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/setup-progress.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# A marker in the fake commands' arguments, to look for them among the processes afterwards.
marker=setup-progress-test-$$
left_running() { ps -eo args= | grep -F -- "$1" | grep -v grep; }

# ---- 12 s of [n/m] lines: when the progress lines come and what they say -----------------------
now() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t / 1000)); }
start=$(now)
with_progress "building fake" "$work/build.log" \
    bash -c 'for i in $(seq 1 12); do echo "[$i/12] Compiling C object x$i.o"; sleep 1; done' "$marker" |
    while IFS= read -r line; do echo "$(now) $line"; done >"$work/lines"
status=${PIPESTATUS[0]}
end=$(now)
check "12 s command: status $status, expected 0" [ "$status" = 0 ]
check "12 s command: left running: $(left_running "$marker")" eval '[ -z "$(left_running "$marker")" ]'
check "12 s command: jobs left: $(jobs -p)" [ -z "$(jobs -p)" ]
count=$(wc -l <"$work/lines")
check "12 s command: $count progress lines, expected 2 or 3:
$(cat "$work/lines")" between "$count" 2 3
last=$start last_n=0 n=0
while read -r t line; do
    gap=$((t - last))
    check "gap of $gap ms before '$line'" [ "$gap" -le 6000 ]
    [[ $line =~ ^setup:\ building\ fake:\ ([0-9]+)/12\ build\ steps\ \(([0-9]+)\ s\)$ ]] ||
        { bad "unexpected progress line: $line"; continue; }
    n=${BASH_REMATCH[1]} shown_s=${BASH_REMATCH[2]}
    # Line n is written at about n-1 s; allow a second or two of scheduling either way.
    check "'$line' shows step $n after $gap ms, expected it to rise from $last_n" [ "$n" -gt "$last_n" ]
    check "'$line': step $n at ${shown_s} s" between "$n" "$shown_s" $((shown_s + 3))
    last=$t last_n=$n
done <"$work/lines"
gap=$((end - last))
check "gap of $gap ms between the last progress line and the end" [ "$gap" -le 6000 ]

# ---- the latest figure, not an earlier one nor one within a line --------------------------------
with_progress "building fake" "$work/latest.log" bash -c '
    printf "%s\n" "[1/9] cc a" "[2/9] cc b" "In file included from x.c: [8/9] not a step" "[3/9] cc c" \
        "x.c:1: warning: unused [7/9]"
    sleep 6' "$marker" >"$work/latest"
status=$?
check "latest: status $status, expected 0" [ "$status" = 0 ]
check "latest: progress line was '$(cat "$work/latest")'" \
    grep -qx 'setup: building fake: 3/9 build steps (5 s)' "$work/latest"

# ---- a failing command --------------------------------------------------------------------------
status=0
with_progress "failing fake" "$work/fail.log" bash -c 'echo "tail line"; exit 7' "$marker" \
    >"$work/fail.out" 2>"$work/fail.err" || status=$?
check "failing command: status $status, expected 7" [ "$status" = 7 ]
check "failing command: stderr was '$(cat "$work/fail.err")'" \
    grep -q "^setup: error: failing fake: .* failed with status 7; full log: $work/fail.log$" "$work/fail.err"
check "failing command: stderr lacks the log's tail" grep -qx "tail line" "$work/fail.err"
check "failing command: stdout was '$(cat "$work/fail.out")'" [ ! -s "$work/fail.out" ]
# Under set -e (as in tools/setup), the shell stops with the command's status. (A shell of its
# own: a subshell on the left of || would run with set -e ignored.)
status=0
bash -c 'set -euo pipefail; . "$1"; with_progress "failing fake" "$2" bash -c "exit 9"; echo reached' \
    _ "$progress_sh" "$work/fail.log" >"$work/sete.out" 2>/dev/null || status=$?
check "set -e: status $status, expected 9" [ "$status" = 9 ]
check "set -e: the shell went on after the failure" [ ! -s "$work/sete.out" ]
# A command that cannot be run at all fails too (127, as the shell says).
status=0
with_progress "missing" "$work/missing.log" "/nonexistent/$marker" 2>/dev/null || status=$?
check "missing command: status $status, expected 127" [ "$status" = 127 ]
check "failing commands: left running: $(left_running "$marker")" eval '[ -z "$(left_running "$marker")" ]'

# ---- signals: the command goes with the shell ---------------------------------------------------
# SIGTERM to the shell alone (as a parent stopping setup sends), then SIGINT to its process group
# (Ctrl-C). Job control gives the shell its own process group and leaves SIGINT at its default
# (a background job of a non-interactive shell would ignore it).
# The command, found by its own command line (sleep takes fractions; the wrapper lacks the text).
sleeper="sleep 30.$$"
for sig in TERM INT; do
    set -m
    bash -c '. "$1"; with_progress sleeping "$2" sleep "30.$3"; echo reached' _ "$progress_sh" \
        "$work/sig.log" "$$" >"$work/sig.out" 2>&1 &
    pid=$!
    set +m
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -n "$(left_running "$sleeper")" ] && break; sleep 0.2; done
    check "$sig: the command never started" eval '[ -n "$(left_running "$sleeper")" ]'
    if [ "$sig" = INT ]; then kill -INT -- "-$pid"; else kill -TERM "$pid"; fi
    status=0
    wait "$pid" 2>/dev/null || status=$?
    want=$((128 + $(kill -l "$sig")))
    check "$sig: shell's status $status, expected $want" [ "$status" = "$want" ]
    check "$sig: the shell went on: $(cat "$work/sig.out")" eval '! grep -q reached "$work/sig.out"'
    check "$sig: the command is left running" eval '[ -z "$(left_running "$sleeper")" ]'
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
