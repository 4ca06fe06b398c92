#!/usr/bin/env python3
"""difffuzz.py DIFF_EXEC WASM_OPT (--count N | --seconds S) [--seed K] [--keep DIR]
   difffuzz.py DIFF_EXEC --check DIR

Differential fuzzing: binaryen's translate-to-fuzz (`wasm-opt -ttf`) turns random bytes
into a valid module (with NaNs instrumented away: their bits are nondeterministic);
binaryen's interpreter (`--fuzz-exec-before`) and ours
(skiffwasm-diff) run every export; their reports must agree once what WebAssembly leaves
open is normalised: NaN sign and payload (in vector lanes too), and the wording of trap messages (a trap must
still be a trap, at the same call).  Inputs come from a seeded generator, so a run is
reproducible; a difference is saved to --keep as NAME.wasm with binaryen's report
NAME.expected, which is how it becomes a regression test (--check DIR replays them).
Exit status 1 on any difference.

Known false alarm: --denan does not reach into vectors, so a SIMD float op on two NaNs
(whose payload each engine may choose) can store different bits to memory, and the
memory hash (hashMemory export) then differs; triage a difference before filing it."""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time

FEATURES = ["--enable-sign-ext", "--enable-nontrapping-float-to-int", "--enable-bulk-memory",
            "--enable-mutable-globals", "--enable-simd", "--enable-multivalue"]


def norm_value(v):
    v = v.strip()
    if v.startswith("(") and v.endswith(")"):
        return "(" + ", ".join(norm_value(x) for x in v[1:-1].split(", ")) + ")"
    if v.startswith("i32x4 "):
        return v
    if "nan" in v:
        return "nan"
    return v


def normalise(text):
    out = []
    for line in text.splitlines():
        if line.startswith("[trap"):
            out.append("[trap]")
        elif line.startswith("[LoggingExternalInterface logging "):
            out.append("log " + norm_value(line[len("[LoggingExternalInterface logging "):-1]))
        elif line.startswith("[fuzz-exec] note result: "):
            name, _, val = line[len("[fuzz-exec] note result: "):].partition(" => ")
            out.append("result %s %s" % (name, norm_value(val)))
        elif line.startswith("[fuzz-exec] calling "):
            out.append(line)
    return out


TOKEN = re.compile(r"[(),\s]+")


def token_eq(a, b):
    """equal text, or numbers printed differently: binaryen prints a float with an
    integral value as an integer, we print every float with %.17g; both name the same
    double (pure integers on both sides are compared exactly: they may be i64s)"""
    if a == b:
        return True
    try:
        if re.fullmatch(r"-?\d+", a) and re.fullmatch(r"-?\d+", b):
            return False
        return float(a) == float(b)
    except ValueError:
        return False


def nan64(x):
    return (x >> 52) & 0x7ff == 0x7ff and x & ((1 << 52) - 1)


def nan32(x):
    return (x >> 23) & 0xff == 0xff and x & ((1 << 23) - 1)


def v128_eq(wa, wb):
    """four 32-bit words each: equal, except where both sides hold a NaN of the same
    width in the same f64 or f32 lane (--denan does not reach into vectors)"""
    wa, wb = [int(w, 16) for w in wa], [int(w, 16) for w in wb]
    for h in (0, 2):
        xa, xb = wa[h] | wa[h + 1] << 32, wb[h] | wb[h + 1] << 32
        if xa == xb or (nan64(xa) and nan64(xb)):
            continue
        if not all(wa[k] == wb[k] or (nan32(wa[k]) and nan32(wb[k])) for k in (h, h + 1)):
            return False
    return True


def line_eq(a, b):
    ta, tb = TOKEN.split(a), TOKEN.split(b)
    if len(ta) != len(tb):
        return False
    i = 0
    while i < len(ta):
        if ta[i] == "i32x4" and tb[i] == "i32x4":
            if not v128_eq(ta[i + 1:i + 5], tb[i + 1:i + 5]):
                return False
            i += 5
            continue
        if not token_eq(ta[i], tb[i]):
            return False
        i += 1
    return True


def same(ref, ours):
    return len(ref) == len(ours) and all(line_eq(a, b) for a, b in zip(ref, ours))


def reference(wasm_opt, wasm):
    r = subprocess.run([wasm_opt, wasm, "--fuzz-exec-before"] + FEATURES, capture_output=True, timeout=120)
    return r.stdout.decode(errors="replace")


def ours(diff_exec, wasm):
    r = subprocess.run([diff_exec, wasm], capture_output=True, timeout=120)
    return r.stdout.decode(errors="replace")


def one(args, rng, tmp, i):
    data = os.path.join(tmp, "in.dat")
    wasm = os.path.join(tmp, "m.wasm")
    with open(data, "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(rng.randint(1000, 20000))))
    # NaN payloads (and so anything computed from their bits) may differ between correct
    # engines: --denan turns NaNs into 0 at run time, as binaryen's own fuzzer does
    subprocess.run([args.wasm_opt, "-ttf", data, "--denan", "-o", wasm] + FEATURES, capture_output=True, check=True,
                   timeout=120)
    ref, got = reference(args.wasm_opt, wasm), ours(args.diff_exec, wasm)
    if same(normalise(ref), normalise(got)):
        return True
    print("DIFFERENCE at case %d (seed %d)" % (i, args.seed))
    for a, b in zip(normalise(ref) + [""] * 9999, normalise(got) + [""] * 9999):
        if not line_eq(a, b):
            print("  binaryen: %s\n  skiff:    %s" % (a, b))
            break
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        base = os.path.join(args.keep, "case-%d-%d" % (args.seed, i))
        os.replace(wasm, base + ".wasm")
        with open(base + ".expected", "w") as f:
            f.write(ref)
    return False


def check(args):
    bad = 0
    cases = sorted(f[:-5] for f in os.listdir(args.check) if f.endswith(".wasm"))
    for c in cases:
        with open(os.path.join(args.check, c + ".expected")) as f:
            ref = f.read()
        if not same(normalise(ref), normalise(ours(args.diff_exec, os.path.join(args.check, c + ".wasm")))):
            print("REGRESSION %s" % c)
            bad += 1
    print("%d regression cases, %d differ" % (len(cases), bad))
    return 1 if bad or not cases else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("diff_exec")
    p.add_argument("wasm_opt", nargs="?")
    p.add_argument("--count", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep")
    p.add_argument("--check")
    args = p.parse_args()
    if args.check:
        return check(args)
    rng = random.Random(args.seed)
    end = time.time() + args.seconds if args.seconds else None
    n = diffs = 0
    with tempfile.TemporaryDirectory() as tmp:
        while (args.count is None or n < args.count) and (end is None or time.time() < end):
            if not one(args, rng, tmp, n):
                diffs += 1
            n += 1
    print("%d modules, %d differences" % (n, diffs))
    return 1 if diffs or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
