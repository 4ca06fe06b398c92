#!/bin/sh
# run-threads.sh SKIFF_WASM DIR NAME STATUS - assemble DIR/NAME.wat (wabt, threads
# enabled), run it under skiff-wasm and require exit status STATUS.  The programs check
# themselves (see each .wat); the timeout bounds a lost wake-up, it is not a speed test.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wat2wasm --enable-threads "$2/$3.wat" -o "$tmp/$3.wasm"
st=0
timeout 60 "$1" "$tmp/$3.wasm" > "$tmp/out" 2>&1 || st=$?
cat "$tmp/out"
[ "$st" = "$4" ] || { echo "FAIL: $3: status $st, want $4"; exit 1; }
echo "PASS: $3 exited $st"
