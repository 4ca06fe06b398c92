#!/usr/bin/env python3
"""run.py SKIFF_WASM SUITE_DIR LANG/NAME - run one program of the WASI test suite
(../shared/wasi-testsuite) under skiff-wasm as its SPECIFICATION.md says, and exit 0
only if every expectation holds.

A specification (NAME.json, or the default when absent) is either the legacy form
(args, env, root, exit_code, stdout, stderr) or a list of operations; the legacy form is
turned into run/read/wait operations first, as the suite's own executor does.  "root"
is copied to a scratch directory (the suite's folder is never written) and preopened as
the guest's "/".  The environment holds exactly the listed variables.  Network
operations (connect/send/recv) are not used by the preview 1 programs and fail here."""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def operations(spec):
    if "operations" in spec:
        return spec["operations"]
    ops = [{"type": "run", "args": spec.get("args", []), "env": spec.get("env", {}), "root": spec.get("root")}]
    for stream in ("stdout", "stderr"):
        if stream in spec:
            ops.append({"type": "read", "id": stream, "payload": spec[stream]})
    ops.append({"type": "wait", "exit_code": spec.get("exit_code", 0)})
    return ops


def command(skiff, wasm, run, scratch, testdir):
    cmd = [skiff]
    root = run.get("root")
    if root:
        dst = os.path.join(scratch, "root")
        shutil.copytree(os.path.join(testdir, root), dst, symlinks=True)
        cmd += ["--dir", dst + "::/"]
    for k, v in run.get("env", {}).items():
        cmd += ["--env", "%s=%s" % (k, v)]
    return cmd + [wasm] + [str(a) for a in run.get("args", [])]


def main():
    skiff, suite, name = sys.argv[1:4]
    testdir = os.path.join(suite, os.path.dirname(name))
    base = os.path.join(suite, name)
    spec = {}
    if os.path.exists(base + ".json"):
        with open(base + ".json") as f:
            spec = json.load(f)
    failures = []
    result = None
    with tempfile.TemporaryDirectory() as scratch:
        for op in operations(spec):
            kind = op["type"]
            if kind == "run":
                cmd = command(skiff, base + ".wasm", op, scratch, testdir)
                result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            elif kind == "read" and result is not None:
                got = getattr(result, op.get("id", "stdout")).decode(errors="replace")
                if got != op.get("payload", ""):
                    failures.append("%s: got %r, want %r" % (op.get("id", "stdout"), got, op.get("payload", "")))
            elif kind == "wait" and result is not None:
                if result.returncode != op.get("exit_code", 0):
                    failures.append("exit code %d, want %d" % (result.returncode, op.get("exit_code", 0)))
            else:
                failures.append("unsupported operation %r" % kind)
    if result is not None and failures:
        sys.stdout.write(result.stdout.decode(errors="replace"))
        sys.stdout.write(result.stderr.decode(errors="replace"))
    for f in failures:
        print("FAIL %s: %s" % (name, f))
    if not failures:
        print("PASS %s" % name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
