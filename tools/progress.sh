# tools/progress.sh: with_progress, for long steps of tools/setup (sourced; bash).
# shellcheck shell=bash
#
# with_progress LABEL LOG COMMAND [ARG...]
#   Runs COMMAND in the background with stdin from /dev/null and its stdout and stderr in LOG,
#   and while it runs prints a line on stdout every $PROGRESS_INTERVAL seconds (default 5):
#       setup: LABEL: DETAIL (40 s)
#   The first comes that long after the last line printed by with_progress or noted by
#   progress_said (so a quiet short step followed by a long one never leaves a gap of twice the
#   interval), else that long after COMMAND started; the time shown is COMMAND's own.
#   DETAIL comes from what LOG holds so far: a ninja build's latest "[n/m]" ("312/1008 build
#   steps"), an English apt-get install's "newly installed" count and its packages downloaded,
#   unpacked and set up so far ("72 packages: 38 unpacked, 0 set up"), else "still running".
#   The prefix is $PROGRESS_PREFIX (default setup). Returns COMMAND's status; on failure it
#   first prints the end of LOG and its path on stderr. SIGINT, SIGTERM or SIGHUP while it
#   waits stops COMMAND (SIGTERM, then SIGKILL after 5 s) and is sent again with the caller's
#   traps back: the shell dies of it, unless a trap of the caller's takes it (with_progress
#   then returns the stopped command's status). Ctrl-C alone would not stop COMMAND, as a
#   background command of a non-interactive shell ignores SIGINT. It does not rely on
#   `set -e` and works with or without it.

# Sets _progress_ms to a clock in milliseconds (EPOCHREALTIME's decimal point follows the locale).
_progress_clock() {
    local t=${EPOCHREALTIME:-}
    if [[ -n $t ]]; then
        t=${t//[.,]/}
        _progress_ms=$((10#$t / 1000))
    else
        _progress_ms=$((SECONDS * 1000))
    fi
}

# progress_said: note that a line of progress was just printed (tools/setup's say calls it).
progress_said() {
    _progress_clock
    _progress_last_ms=$_progress_ms
}

# Prints what LOG says about the command's progress, or nothing.
_progress_detail() {
    awk '
        match($0, /^\[[0-9]+\/[0-9]+\]/) { steps = substr($0, 2, RLENGTH - 2) }
        /^[0-9]+ upgraded, [0-9]+ newly installed/ { total = $3 }
        /^Get:[0-9]+ / { got++ }
        /^Unpacking / { unpacked++ }
        /^Setting up / { setup++ }
        END {
            if (steps != "") print steps " build steps"
            else if (total && (unpacked || setup)) print total " packages: " unpacked + 0 " unpacked, " setup + 0 " set up"
            else if (total) print total " packages: " got + 0 " downloaded"
        }
    ' "$1" 2>/dev/null || true
}

# The trap's work: stop the command, then restore the caller's traps and send the signal again,
# so that the shell dies of it (or the caller's own trap runs; if that returns, so does
# with_progress, with the stopped command's status).
_progress_abort() {
    local sig=$1 i
    if [[ -n ${_progress_pid:-} ]]; then
        kill -TERM "$_progress_pid" 2>/dev/null || true
        for ((i = 0; i < 20; i++)); do
            kill -0 "$_progress_pid" 2>/dev/null || break
            sleep 0.25 || true
        done
        kill -KILL "$_progress_pid" 2>/dev/null || true
        _progress_status=0
        wait "$_progress_pid" 2>/dev/null || _progress_status=$?
        _progress_pid=
    fi
    trap - INT TERM HUP
    eval "$_progress_traps"
    kill -s "$sig" "$BASHPID"
}

with_progress() {
    local label=$1 log=$2
    shift 2
    local prefix=${PROGRESS_PREFIX:-setup} interval_ms=$((${PROGRESS_INTERVAL:-5} * 1000))
    local start next detail status=0 pid
    _progress_traps=$(trap -p INT TERM HUP) _progress_status=
    trap '_progress_abort INT' INT
    trap '_progress_abort TERM' TERM
    trap '_progress_abort HUP' HUP
    "$@" </dev/null >"$log" 2>&1 &
    pid=$!
    _progress_pid=$pid
    _progress_clock
    start=$_progress_ms
    next=$((${_progress_last_ms:-$start} + interval_ms))
    # Polled rather than waited for, to print on time; a trap runs within a quarter second.
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.25 || true
        _progress_clock
        if ((_progress_ms >= next)) && kill -0 "$pid" 2>/dev/null; then
            detail=$(_progress_detail "$log")
            echo "$prefix: $label: ${detail:-still running} ($(((_progress_ms - start) / 1000)) s)"
            _progress_last_ms=$_progress_ms
            next=$((next + interval_ms))
            ((next > _progress_ms)) || next=$((_progress_ms + interval_ms))
        fi
    done
    if [[ -n $_progress_status ]]; then      # stopped and waited for by _progress_abort
        status=$_progress_status
    else
        wait "$pid" || status=$?
        _progress_pid=
        trap - INT TERM HUP
        eval "$_progress_traps"
    fi
    if ((status != 0)); then
        tail -n 30 "$log" >&2
        echo "$prefix: error: $label: '$*' failed with status $status; full log: $log" >&2
    fi
    return "$status"
}
