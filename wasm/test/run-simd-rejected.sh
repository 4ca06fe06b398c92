#!/bin/sh
# run-simd-rejected.sh SKIFF_WASM SPECDIR - every module of simd_*.wast that uses v128
# must be refused at load time with a message that says SIMD, never run or crash.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for f in "$2"/simd_*.wast; do
    wast2json "$f" -o "$tmp/$(basename "$f" .wast).json" >/dev/null
done
for m in "$tmp"/*.wasm; do
    # modules that declare no v128 anywhere (rare helper modules) are skipped
    wasm2wat "$m" 2>/dev/null | grep -q 'v128\|i8x16\|i16x8\|i32x4\|i64x2\|f32x4\|f64x2' || continue
    st=0
    "$1" "$m" > "$tmp/out" 2>&1 || st=$?
    [ "$st" = 2 ] && grep -q SIMD "$tmp/out" || { echo "FAIL: $m: status $st: $(cat "$tmp/out")"; exit 1; }
    n=$((n + 1))
done
[ "$n" -gt 100 ] || { echo "FAIL: only $n SIMD modules checked"; exit 1; }
echo "PASS: $n SIMD modules rejected with a SIMD message"
