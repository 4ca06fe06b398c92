#!/bin/sh
# run-fuzz.sh SRCDIR SPECDIR SECONDS - build the libFuzzer target with clang and
# ASan/UBSan, seed it with modules from a few spec files, and fuzz for SECONDS.
# Fails on any crash or sanitizer report.  For a longer run by hand:
#   SKIFF_FUZZ_KEEP=/tmp/fz wasm/test/run-fuzz.sh wasm ../shared/wasm-spec 3600
set -eu
src=$1
spec=$2
secs=$3
tmp=${SKIFF_FUZZ_KEEP:-$(mktemp -d)}
mkdir -p "$tmp/corpus" "$tmp/seeds"
[ -n "${SKIFF_FUZZ_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$src/include" "$src"/src/*.c "$src/test/fuzz_load.c" -lm -o "$tmp/fuzz_load"
for f in address br_table call_indirect elem data memory_grow table binary simd_lane simd_address simd_load8_lane simd_bitwise simd_i16x8_arith2; do
    wast2json "$spec/$f.wast" -o "$tmp/seeds/$f.json" >/dev/null
done
# and modules of each post-2.0 proposal (the fuzz target loads with every proposal on)
for p in threads/atomic:--enable-threads memory64/address64:--enable-memory64 multi-memory/load:--enable-multi-memory \
         tail-call/return_call:--enable-tail-call extended-const/global:--enable-extended-const; do
    f=${p%%:*}
    wast2json "${p#*:}" "$spec/proposals/$f.wast" -o "$tmp/seeds/$(echo "$f" | tr / -).json" >/dev/null
done
cp "$tmp"/seeds/*.wasm "$tmp/corpus/"
st=0
"$tmp/fuzz_load" -artifact_prefix="$tmp/" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$tmp/corpus" > "$tmp/log" 2>&1 || st=$?
tail -25 "$tmp/log"
if [ "$st" != 0 ]; then
    for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
        [ -f "$a" ] && { echo "reproducer ($a), base64:"; base64 -w0 "$a"; echo; }
    done
    echo "FAIL: fuzzer exit status $st" >&2
    exit 1
fi
echo "PASS: no crash in $secs s"
