#!/usr/bin/env python3
"""bench/wasm/run.py SKIFF_WASM RUNS OUTDIR - the body of run.sh (see there).

Each workload is built natively (gcc -O2) and for wasm32-wasi twice (clang -O2, without
and with -msimd128; clang auto-vectorises the second), and run under skiff-wasm, node
and natively; wabt's wasm-interp (no WASI in Debian's build) runs an exported `bench`
entry of a reactor build, once, as it takes minutes.  Runs are interleaved: round i
runs every variant of every workload once, so a slow minute of the shared machine hits
all of them alike.  Wall times are reported as medians with min-max; ratios are to
native.  Output differing from native's is reported: a wrong answer is not a result."""
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHES = ["fib", "nbody", "sha256", "qsort", "matmul", "blend", "dot"]
NODE_RUN = """import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';
const wasi = new WASI({ version: 'preview1', args: [process.argv[2]], env: {}, returnOnExit: true });
const mod = await WebAssembly.compile(readFileSync(process.argv[2]));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
"""


def build(out):
    for b in BENCHES:
        src = os.path.join(HERE, b + ".c")
        o = os.path.join(out, b)
        subprocess.run(["gcc", "-O2", src, "-o", o + ".native", "-lm"], check=True)
        clang = ["clang", "--target=wasm32-wasi", "-O2"]
        subprocess.run(clang + [src, "-o", o + ".wasm", "-lm"], check=True)
        subprocess.run(clang + ["-msimd128", src, "-o", o + ".simd.wasm", "-lm"], check=True)
        subprocess.run(clang + ["-mexec-model=reactor", "-DBENCH_EXPORT", src, "-o", o + ".export.wasm", "-lm"],
                       check=True)
    with open(os.path.join(out, "node-run.mjs"), "w") as f:
        f.write(NODE_RUN)


def variants(skiff, out, b):
    o = os.path.join(out, b)
    node = ["node", "--no-warnings", os.path.join(out, "node-run.mjs")]
    return {"native": [o + ".native"], "skiff": [skiff, o + ".wasm"], "skiff-simd": [skiff, o + ".simd.wasm"],
            "node": node + [o + ".wasm"], "node-simd": node + [o + ".simd.wasm"]}


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True)
    return time.perf_counter() - t, r.stdout


def main():
    skiff, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    build(out)
    times = {b: {v: [] for v in variants(skiff, out, b)} for b in BENCHES}
    expected = {}
    for _ in range(runs):
        for b in BENCHES:
            for v, cmd in variants(skiff, out, b).items():
                t, stdout = timed(cmd)
                times[b][v].append(t)
                expected.setdefault(b, stdout if v == "native" else None)
                if v != "native" and stdout != expected[b]:
                    print("  (%s output differs on %s)" % (v, b), file=sys.stderr)
    interp = {}
    if os.environ.get("SKIP_WASM_INTERP") != "1":
        for b in BENCHES:
            interp[b], _ = timed(["timeout", "900", "wasm-interp", "--dummy-import-func", "--run-all-exports",
                                  os.path.join(out, b + ".export.wasm")])
    report(times, interp, runs, out)


def cell(v):
    return "%.3f (%.3f-%.3f)" % (statistics.median(v), min(v), max(v))


def report(times, interp, runs, out):
    cols = ["skiff", "skiff-simd", "node", "node-simd"]
    print("| workload | native gcc -O2 (s) | skiff-wasm (s) | ratio | skiff-wasm -msimd128 (s) | ratio | "
          "wasm-interp (s) | ratio | node (s) | ratio | node -msimd128 (s) | ratio |")
    print("|---" * 13 + "|")
    logs = {c: [] for c in cols + ["interp"]}
    for b, t in times.items():
        nat = statistics.median(t["native"])
        row = ["%s" % b, cell(t["native"])]
        for c in cols:
            r = statistics.median(t[c]) / nat
            logs[c].append(math.log(r))
            row += [cell(t[c]), "%.1fx" % r]
            if c == "skiff-simd":
                ri = interp.get(b)
                if ri is not None:
                    logs["interp"].append(math.log(ri / nat))
                row += ["%.1f" % ri if ri is not None else "-", "%.0fx" % (ri / nat) if ri is not None else "-"]
        print("| " + " | ".join(row) + " |")
    gm = {c: math.exp(sum(v) / len(v)) if v else None for c, v in logs.items()}
    print("| geometric mean | | | %.1fx | | %.1fx | | %s | | %.1fx | | %.1fx |" % (
        gm["skiff"], gm["skiff-simd"], "%.0fx" % gm["interp"] if gm["interp"] else "-", gm["node"], gm["node-simd"]))
    print()
    print("%d interleaved runs per cell (wasm-interp: 1); medians with min-max in parentheses; built in %s" % (runs, out))


if __name__ == "__main__":
    main()
