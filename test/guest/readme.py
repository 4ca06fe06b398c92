#!/usr/bin/env python3
"""The README's plain QEMU command lines, run exactly as printed (from the
repository's root, under a timeout): each must boot hello, pass its
arguments and environment, and end with the status the README's exit
conventions give (x86_64: 2n+1 from isa-debug-exit; aarch64: n).
Usage: readme.py ARCH"""
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
arch = sys.argv[1]
binary = f"qemu-system-{arch}"
with open(os.path.join(REPO, "README.md")) as f:
    readme = f.read()
commands = []
for block in re.findall(r"```\n(.*?)```", readme, re.S):
    text = block.replace("\\\n", " ")
    commands += [line.strip() for line in text.splitlines() if line.strip().startswith(binary + " ")
                 and "hello.elf" in line]
if not commands:
    print(f"FAIL: the README shows no plain {binary} line for hello")
    sys.exit(1)
checks = 0
for cmd in commands:
    r = subprocess.run(["bash", "-c", cmd], cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    out = r.stdout.decode("utf-8", "replace").replace("\r", "")
    want_status = 1 if arch == "x86_64" else 0
    for line in ["hello from skiff", "argv[1]=one", "argv[2]=two", "env GREETING=hi"]:
        if line not in out.splitlines():
            print(f"FAIL: `{cmd}` did not print {line!r}:\n{out}{r.stderr.decode()}")
            sys.exit(1)
        checks += 1
    if r.returncode != want_status:
        print(f"FAIL: `{cmd}` ended with {r.returncode}, the README's conventions say {want_status}")
        sys.exit(1)
    checks += 1
print(f"{checks} passed, 0 failed")
