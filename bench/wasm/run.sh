#!/bin/sh
# bench/wasm/run.sh [SKIFF_WASM] [RUNS] - compute benchmarks under skiff-wasm (scalar and
# -msimd128 builds), wabt's wasm-interp, node (a JIT, for scale) and natively (gcc -O2).
# Prints a markdown table of median wall times (and min-max spread) over interleaved
# runs, and ratios to native.  Not a test: it reports numbers and never fails on speed.
# Output mismatches are reported.  SKIP_WASM_INTERP=1 leaves out wasm-interp (minutes).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
skiff=${1:-$here/../../build/wasm/skiff-wasm}
runs=${2:-5}
out=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$out"
exec python3 "$here/run.py" "$skiff" "$runs" "$out"
