#!/bin/sh
# bench/wasm/run.sh [SKIFF_WASM] [RUNS] - compute benchmarks under skiff-wasm, wabt's
# wasm-interp, node (a JIT, for scale) and natively (gcc -O2).  Prints a markdown
# table of median wall times (and min-max spread) and ratios to native.  Not a test:
# it reports numbers and never fails on speed.  Output mismatches are reported.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
skiff=${1:-$here/../../build/wasm/skiff-wasm}
runs=${2:-5}
out=${BENCH_OUT:-$(mktemp -d)}
mkdir -p "$out"
benches="fib nbody sha256 qsort matmul"

for b in $benches; do
    gcc -O2 "$here/$b.c" -o "$out/$b.native" -lm
    clang --target=wasm32-wasi -O2 "$here/$b.c" -o "$out/$b.wasm" -lm
    clang --target=wasm32-wasi -O2 -mexec-model=reactor -DBENCH_EXPORT "$here/$b.c" -o "$out/$b.export.wasm" -lm
done
cat > "$out/node-run.mjs" <<'JS'
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
const wasi = new WASI({ version: 'preview1', args: [process.argv[2]], env: {}, returnOnExit: true });
const mod = await WebAssembly.compile(readFileSync(process.argv[2]));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
JS

# time_cmd N CMD...: prints "median min max" seconds over N runs; output to $out/last
time_cmd() {
    n=$1; shift
    for i in $(seq "$n"); do
        s=$(date +%s.%N)
        "$@" > "$out/last" 2>/dev/null || echo "  ($* exited $?)" >&2
        e=$(date +%s.%N)
        echo "$e - $s" | bc
    done | sort -n | awk '{a[NR]=$1} END {printf "%.3f %.3f %.3f\n", a[int((NR+1)/2)], a[1], a[NR]}'
}

printf '| workload | native gcc -O2 (s) | skiff-wasm (s) | ratio | wasm-interp (s) | ratio | node (s) | ratio |\n'
printf '|---|---|---|---|---|---|---|---|\n'
ls=0; li=0; ln=0; k=0
for b in $benches; do
    set -- $(time_cmd "$runs" "$out/$b.native"); nat=$1; natr="$2-$3"
    cp "$out/last" "$out/$b.expected"
    set -- $(time_cmd "$runs" "$skiff" "$out/$b.wasm"); sk=$1; skr="$2-$3"
    cmp -s "$out/last" "$out/$b.expected" || echo "  (skiff-wasm output differs on $b)" >&2
    set -- $(time_cmd "$runs" node --no-warnings "$out/node-run.mjs" "$out/$b.wasm"); nd=$1; ndr="$2-$3"
    cmp -s "$out/last" "$out/$b.expected" || echo "  (node output differs on $b)" >&2
    if [ "${SKIP_WASM_INTERP:-0}" = 1 ]; then wi=nan; else
        set -- $(time_cmd 1 timeout 900 wasm-interp --dummy-import-func --run-all-exports "$out/$b.export.wasm"); wi=$1
    fi
    rs=$(echo "$sk / $nat" | bc -l); rn=$(echo "$nd / $nat" | bc -l)
    ri=$( [ "$wi" = nan ] && echo nan || echo "$wi / $nat" | bc -l)
    printf '| %s | %s (%s) | %s (%s) | %.1fx | %s | %s | %s (%s) | %.1fx |\n' "$b" "$nat" "$natr" "$sk" "$skr" "$rs" "$wi" \
        "$( [ "$ri" = nan ] && echo - || printf '%.0fx' "$ri")" "$nd" "$ndr" "$rn"
    ls=$(echo "$ls + l($rs)" | bc -l); ln=$(echo "$ln + l($rn)" | bc -l)
    [ "$ri" = nan ] || li=$(echo "$li + l($ri)" | bc -l)
    k=$((k + 1))
done
printf '| geometric mean | | | %.1fx | | %s | | %.1fx |\n' "$(echo "e($ls / $k)" | bc -l)" \
    "$( [ "${SKIP_WASM_INTERP:-0}" = 1 ] && echo - || printf '%.0fx' "$(echo "e($li / $k)" | bc -l)")" "$(echo "e($ln / $k)" | bc -l)"
echo
echo "runs per cell: $runs (wasm-interp: 1); medians with min-max in parentheses; built in $out"
