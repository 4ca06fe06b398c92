#!/bin/sh
# run-c.sh SKIFF_WASM SRCDIR NAME STATUS SYSROOT - build SRCDIR/NAME.c with pthreads for
# wasm32-wasi-threads (a threads-enabled wasi-libc in SYSROOT; the memory is imported,
# shared, as wasi-threads wants), run it under skiff-wasm and require exit status
# STATUS.  The programs check themselves; the timeout bounds a lost wake-up.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clang --target=wasm32-wasi-threads --sysroot="$5" -O2 -pthread "$2/$3.c" -o "$tmp/$3.wasm" \
    -Wl,--import-memory,--export-memory,--max-memory=67108864
st=0
timeout 60 "$1" "$tmp/$3.wasm" > "$tmp/out" 2>&1 || st=$?
cat "$tmp/out"
[ "$st" = "$4" ] || { echo "FAIL: $3: status $st, want $4"; exit 1; }
echo "PASS: $3 exited $st"
