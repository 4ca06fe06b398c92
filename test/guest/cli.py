#!/usr/bin/env python3
"""Guest tests of the `skiff` command itself: each case boots real guests
under QEMU (TCG) with timeouts and checks what a user sees: output streams,
exit statuses, signals, port readiness, memory checks, build failures,
detached instances and gdb. Usage: cli.py CASE (SKIFF_TEST_ARCH picks the
architecture). Prints "N passed, 0 failed" or the first failure."""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "test", "net"))
import netlib  # noqa: E402

SKIFF = os.path.join(REPO, "skiff")
ARCH = os.environ.get("SKIFF_TEST_ARCH", "x86_64")
TIMEOUT = 90
checks = 0
children = []   # Popen objects this test started, stopped at exit


class Failure(Exception):
    pass


def check(cond, message, output=None):
    global checks
    if not cond:
        raise Failure(message + (f"\n---- output ----\n{output}\n----------------" if output is not None else ""))
    checks += 1


def skiff(*args, env=None, timeout=TIMEOUT):
    """Runs skiff to the end; (status, stdout, stderr) as text."""
    r = subprocess.run([SKIFF, *args], stdin=subprocess.DEVNULL, capture_output=True, env=env,
                       timeout=timeout)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def start(*args, env=None):
    """skiff in the background, its output in files; returns the Popen with
    .out and .err paths."""
    d = tempfile.mkdtemp(prefix="skiff-cli.")
    out, err = os.path.join(d, "out"), os.path.join(d, "err")
    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.Popen([SKIFF, *args], stdin=subprocess.DEVNULL, stdout=o, stderr=e, env=env)
    p.out, p.err, p.dir = out, err, d
    children.append(p)
    return p


def text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def qemu_children(pid):
    """PIDs of the QEMUs whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if int(fields[1]) == pid and comm.startswith("qemu-system"):
                found.append(int(entry))
    return found


def gone(pid, within=10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not netlib.pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def refused(port, within=5.0):
    """Whether connections to the port are refused, within a few seconds:
    a killed QEMU's main thread shows as a zombie while its other threads
    still hold its sockets for a moment."""
    deadline = time.monotonic() + within
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def http_get(port, timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return netlib.recv_until_eof(s)


def serve_httpd(*extra):
    port = netlib.free_port()
    p = start("run", "--arch", ARCH, "httpd", "-p", f"{port}:8080", *extra)
    check(netlib.wait_line(p.out, r"listening on port 8080", TIMEOUT, p.pid), "no ready line",
          text(p.out) + text(p.err))
    return p, port


# ---- cases ---------------------------------------------------------------
def case_streams():
    """stdout exactly as written (no CR), stderr apart, arguments and
    environment values with any characters, TMPDIR with a space."""
    tmp = tempfile.mkdtemp(prefix="skiff tmp $dir ")
    envfile = os.path.join(tmp, "env file")
    with open(envfile, "w") as f:
        f.write("# comment\nFROM_FILE=a b \"c\"\n")
    tricky = ['two words', 'a "quoted" b', "back\\slash\\", "$HOME", "\u00e9t\u00e9", ""]
    env = dict(os.environ, TMPDIR=tmp)
    status, out, err = skiff("run", "--arch", ARCH, "hello", "-e", 'V=say "hi" \\ $x', "--env-file", envfile,
                             "--", *tricky, "--stderr", "oops", "--exit", "3", env=env)
    check(status == 3, f"status {status}, expected 3", out + err)
    want = "hello from skiff\n" + "".join(f"argv[{i}]={a}\n" for i, a in enumerate(tricky, 1))
    check(out.startswith(want), "argv not passed exactly", out)
    check("\r" not in out, "CR in the guest's stdout", repr(out))
    check('env V=say "hi" \\ $x\n' in out and 'env FROM_FILE=a b "c"\n' in out, "environment not exact", out)
    check("to stderr: oops" not in out, "stderr text on stdout", out)
    check("to stderr: oops\n" in err, "stderr text missing from stderr", err)
    shutil.rmtree(tmp)


def case_quiet():
    status, out, err = skiff("run", "--arch", ARCH, "netinfo")
    check(status == 0 and re.search(r"^skiff: en0 ", err, re.M), "kernel's address line missing", out + err)
    check("skiff: en0" not in out, "kernel lines on stdout", out)
    status, out, err = skiff("run", "--arch", ARCH, "-q", "netinfo")
    check(status == 0, f"status {status}", out + err)
    check("skiff: en0" not in err + out, "-q left the kernel's lines", out + err)


def case_signal(name):
    sig = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "HUP": signal.SIGHUP}[name]
    want = {"INT": 130, "TERM": 143, "HUP": 129}[name]
    p, port = serve_httpd()
    qemus = qemu_children(p.pid)
    check(len(qemus) == 1, f"expected one QEMU child of skiff, found {qemus}")
    check(b"Hello" in http_get(port), "no answer before the signal")
    p.send_signal(sig)
    status = p.wait(30)
    check(status == want, f"status {status} after SIG{name}, expected {want}", text(p.err))
    check(gone(qemus[0]), f"QEMU {qemus[0]} outlived skiff")
    check(refused(port), f"port {port} still accepts after SIG{name}")
    check("Traceback" not in text(p.err), "a Python traceback", text(p.err))


def case_blocked_reader():
    """A reader that stops reading (a full pipe) does not keep skiff from
    its signals; a guest that never stops talking still meets --timeout;
    all of a long output arrives in order."""
    r, w = os.pipe()
    p = subprocess.Popen([SKIFF, "run", "--arch", ARCH, "flood"], stdin=subprocess.DEVNULL, stdout=w,
                         stderr=subprocess.DEVNULL)
    children.append(p)
    p.dir = tempfile.mkdtemp()
    os.close(w)
    time.sleep(3)                # the pipe fills; nobody reads it
    qemus = qemu_children(p.pid)
    p.send_signal(signal.SIGTERM)
    try:
        status = p.wait(20)
    except subprocess.TimeoutExpired:
        status = None
    os.close(r)
    check(status == 143, f"SIGTERM with a blocked reader: status {status}")
    check(all(gone(q) for q in qemus), "QEMU left behind")
    t = time.monotonic()
    status, out, err = skiff("run", "--arch", ARCH, "--timeout", "3", "flood", timeout=60)
    check(status == 124 and time.monotonic() - t < 30, f"--timeout on a talkative guest: {status}", err)
    status, out, err = skiff("run", "--arch", ARCH, "flood", "--", "20000", timeout=120)
    lines = out.splitlines()
    check(status == 0 and len(lines) == 20000, f"{len(lines)} lines of 20000, status {status}", err)
    check(all(line.startswith(f"flood line {i}:") for i, line in enumerate(lines)), "lines out of order")


def case_kill9():
    p, port = serve_httpd()
    qemus = qemu_children(p.pid)
    check(len(qemus) == 1, f"expected one QEMU child of skiff, found {qemus}")
    p.send_signal(signal.SIGKILL)
    p.wait(30)
    check(gone(qemus[0]), "QEMU outlived a killed skiff")
    check(refused(port), "port still open after skiff was killed")


def case_ready():
    """A client connecting in a loop from the instant skiff starts is
    answered within 1 s of the ready line. (QEMU used to accept before the
    guest listened; such a client then waited 6.5 s for its answer.) The
    ready line is timestamped as it arrives, by a thread of its own, and a
    client's attempt may take 10 s, so an early accept shows as a late
    answer."""
    port = netlib.free_port()
    p = subprocess.Popen([SKIFF, "run", "--arch", ARCH, "httpd", "-p", f"{port}:8080"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    children.append(p)
    p.dir = tempfile.mkdtemp()
    ready = []

    def watch():
        for line in p.stdout:
            if b"listening on port 8080" in line and not ready:
                ready.append(time.monotonic())
    threading.Thread(target=watch, daemon=True).start()
    answered = None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and answered is None:
        try:
            if b"Hello" in http_get(port, timeout=10):
                answered = time.monotonic()
        except OSError:
            time.sleep(0.01)
    check(answered is not None, "never answered")
    check(ready, "no ready line")
    check(answered - ready[0] < 1.0, f"answered {answered - ready[0]:.2f} s after the ready line")


def case_two_forwards():
    """Two host ports to one guest port: both answer (docker allows it)."""
    ports = [netlib.free_port(), netlib.free_port()]
    p = start("run", "--arch", ARCH, "httpd", "-p", f"{ports[0]}:8080", "-p", f"{ports[1]}:8080")
    check(netlib.wait_line(p.out, r"listening on port 8080", TIMEOUT, p.pid), "no ready line", text(p.err))
    for port in ports:
        check(b"Hello" in http_get(port), f"no answer on {port}")


def case_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        status, out, err = skiff("run", "--arch", ARCH, "httpd", "-p", f"{port}:8080", timeout=60)
    check(status == 1, f"status {status}, expected 1", err)
    check(f"port {port}/tcp on 127.0.0.1 is in use" in err, "no port-in-use message", err)
    check(len(err.strip().splitlines()) == 1, "more than one line", err)


def case_disk():
    """--disk errors before boot, one line each: a missing image, a
    directory, an unwritable one without :ro; and an image another QEMU
    holds (QEMU's lock), named in one line with status 1."""
    d = tempfile.mkdtemp(prefix="skiff-cli-disk.")
    try:
        img = os.path.join(d, "data.img")
        status, out, err = skiff("disk", "create", img, "--size", "4M")
        check(status == 0 and os.path.getsize(img) == 4 << 20, "disk create", err)
        status, out, err = skiff("disk", "create", img, "--size", "4M")
        check(status == 2 and "exists; add --force" in err, "disk create over an image", err)
        for args, pattern in [
            (["--disk", os.path.join(d, "none.img")], r"--disk .*none.img: no such file"),
            (["--disk", d], r"--disk .*: a directory; share it with --dir"),
        ]:
            status, out, err = skiff("run", "--arch", ARCH, "hello", *args, timeout=60)
            check(status == 2 and re.search(pattern, err) and len(err.strip().splitlines()) == 1,
                  f"{args}: status {status}", err)
        p, port = serve_httpd("--disk", img)
        status, out, err = skiff("run", "--arch", ARCH, "hello", "--disk", img, timeout=60)
        check(status == 1 and "is in use by another QEMU" in err, f"a locked disk: status {status}", err)
        lines = [ln for ln in err.strip().splitlines() if not re.match(r"skiff: (linking|compiling) ", ln)]
        check(len(lines) == 1 and img in lines[0], "not one line naming the locked disk", err)
        status, out, err = skiff("run", "--arch", ARCH, "hello", "--disk", img + ":ro", timeout=60)
        check(status == 1 and "is in use by another QEMU" in err, "a locked disk, read-only too", err)
        p.terminate()
        p.wait(timeout=30)
        status, out, err = skiff("run", "--arch", ARCH, "hello", "--disk", img, timeout=60)
        check(status == 0 and "hello from skiff" in out, f"the disk free again: status {status}", err)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def case_mem():
    t = time.monotonic()
    status, out, err = skiff("run", "--arch", ARCH, "hello", "--mem", "1M", timeout=30)
    check(status == 2 and re.search(r"--mem 1M is too little for hello .* at least \d+K", err),
          "no memory message", err)
    check(time.monotonic() - t < 20, "the memory check took long (did it boot?)")
    # The kernel's own report, past skiff's check (QEMU started by hand):
    # httpd's image ends past the RAM given; on aarch64 also its boot stack.
    subprocess.run(["make", "-s", "-C", REPO, f"ARCH={ARCH}", f"build/{ARCH}/httpd.elf"], check=True)
    status_file = os.path.join(tempfile.mkdtemp(), "st")
    r = subprocess.run([os.path.join(REPO, "qemu", "launch"), "--arch", ARCH, "--mem",
                        {"x86_64": "1300K", "aarch64": "2300K"}[ARCH],
                        "--kernel", os.path.join(REPO, "build", ARCH, "httpd.elf"), "--status-file", status_file],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    out = r.stdout.decode("latin-1")
    check("out of memory" in out and "halted by panic (exit status 125)" in out, "no out-of-memory report", out)
    # QEMU's own status: 2n+1 from isa-debug-exit, n from semihosting.
    check(r.returncode == {"x86_64": 251, "aarch64": 125}[ARCH], f"QEMU exited {r.returncode}", out)
    check(text(status_file).strip() == "skiff-exit 125", "no status 125 on the exit channel")


def case_build_fail():
    d = tempfile.mkdtemp(prefix="skiff-app.")
    app = os.path.join(d, "cliapp")
    os.mkdir(app)
    with open(os.path.join(app, "main.c"), "w") as f:
        f.write('#include <stdio.h>\nint main(void) { puts("version one"); return 5; }\n')
    status, out, err = skiff("run", "--arch", ARCH, app, timeout=300)
    check(status == 5 and "version one" in out, f"first build: status {status}", out + err)
    check(len(re.findall(r"^skiff: linking .*/ext/cliapp-[0-9a-f]+\.elf$", err, re.M)) == 1,
          "not one line for the image", err)
    status, out, err = skiff("run", "--arch", ARCH, app, timeout=300)
    check(status == 5 and "skiff: linking" not in err, "an up-to-date image was rebuilt", err)
    with open(os.path.join(app, "main.c"), "w") as f:
        f.write('int main(void) { return undeclared_name; }\n')
    status, out, err = skiff("run", "--arch", ARCH, app, timeout=300)
    check(status != 0 and status != 5, f"a failed build gave status {status}", out + err)
    check("version one" not in out, "the stale image was booted", out)
    check("undeclared_name" in err, "the compiler's message is missing", err)
    # Two directories of one name, one of them named like an app of the
    # tree: each boots its own program.
    for sub in ("one", "two"):
        os.makedirs(os.path.join(d, sub, "hello"))
        with open(os.path.join(d, sub, "hello", "main.c"), "w") as f:
            f.write(f'#include <stdio.h>\nint main(void) {{ puts("I am {sub}"); return 0; }}\n')
    for sub in ("one", "two", "one"):
        status, out, err = skiff("run", "--arch", ARCH, os.path.join(d, sub, "hello"), timeout=300)
        check(status == 0 and out == f"I am {sub}\n", f"{sub}/hello booted something else", out + err)
    shutil.rmtree(d)


def case_not_image():
    d = tempfile.mkdtemp()
    wasm = os.path.join(d, "m.wasm")
    with open(wasm, "wb") as f:
        f.write(b"\0asm\1\0\0\0")
    for path, say in [(wasm, "skiff-wasm"), ("/bin/true", "Linux program"),
                      (os.path.join(REPO, "apps", "hello", "main.c"), "source code"), (d, "directory")]:
        status, out, err = skiff("run", "--arch", ARCH, path, timeout=30)
        check(status == 2 and say in err and len(err.strip().splitlines()) == 1, f"{path}: {status}", err)
    shutil.rmtree(d)


def case_detached():
    env = dict(os.environ, SKIFF_RUNTIME_DIR=tempfile.mkdtemp(prefix="skiff-rt."))
    port = netlib.free_port()
    name = f"cli-{os.getpid()}"
    status, out, err = skiff("run", "-d", "--name", name, "--arch", ARCH, "httpd", "-p", f"{port}:8080",
                             env=env, timeout=120)
    check(status == 0 and out.strip() == name, f"run -d: {status} {out!r}", err)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and "listening" not in skiff("logs", name, env=env)[1]:
        time.sleep(0.2)
    check(b"Hello" in http_get(port), "detached httpd does not answer")
    status, out, err = skiff("ps", env=env)
    row = [line for line in out.splitlines() if line.startswith(name)]
    check(row and "running" in row[0] and f"{port}->8080" in row[0] and "httpd" in row[0], "ps row", out)
    status, out, err = skiff("rm", name, env=env)
    check(status == 1 and "running" in err, "rm of a running instance", err)
    status, out, err = skiff("stop", name, env=env)
    check(status == 0, f"stop: {status}", err)
    check(refused(port), "port open after stop")
    status, out, err = skiff("ps", env=env)
    check(name not in out, "ps lists a stopped instance without -a", out)
    status, out, err = skiff("ps", "-a", env=env)
    check(re.search(rf"^{re.escape(name)} .*exited \(143\)", out, re.M), "ps -a after stop", out)
    # A QEMU that dies on its own: the instance shows as exited with a status.
    status, out, err = skiff("run", "-d", "--name", name + "b", "--arch", ARCH, "hello", "--", "--exit", "9",
                             env=env, timeout=120)
    check(status == 0, "second run -d", err)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and "exited" not in skiff("ps", "-a", env=env)[1].split(name + "b")[1]:
        time.sleep(0.2)
    out = skiff("ps", "-a", env=env)[1]
    check(re.search(rf"^{re.escape(name)}b .*exited \(9\)", out, re.M), "exited status in ps", out)
    check("argv[2]=9" in skiff("logs", name + "b", env=env)[1], "logs of the exited instance")
    # A QEMU killed from outside: exited with 128 + the signal.
    status, out, err = skiff("run", "-d", "--name", name + "c", "--arch", ARCH, "httpd", env=env, timeout=120)
    check(status == 0, "third run -d", err)
    with open(os.path.join(env["SKIFF_RUNTIME_DIR"], name + "c", "qemu.pid")) as f:
        os.kill(int(f.read()), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "exited" not in skiff("ps", "-a", env=env)[1].split(name + "c")[1]:
        time.sleep(0.2)
    out = skiff("ps", "-a", env=env)[1]
    check(re.search(rf"^{re.escape(name)}c .*exited \(137\)", out, re.M), "a killed QEMU's instance", out)
    check("killed by signal 9" in skiff("logs", name + "c", env=env)[1], "logs say how QEMU ended")
    for n in (name, name + "b", name + "c"):
        check(skiff("rm", n, env=env)[0] == 0, f"rm {n}")
    check(name not in skiff("ps", "-a", env=env)[1], "removed instance still listed")
    shutil.rmtree(env["SKIFF_RUNTIME_DIR"])


def case_gdb():
    gdb = shutil.which("gdb-multiarch")
    if not gdb:
        print("SKIP: gdb-multiarch is not installed (skiff setup installs it)")
        sys.exit(77)
    port = netlib.free_port()
    p = start("run", "--arch", ARCH, f"--gdb={port}", "hello", "--", "a", "b", "--exit", "6")
    check(netlib.wait_line(p.err, r"gdb-multiarch", 60, p.pid), "no gdb line", text(p.err))
    hint = shlex.split([line for line in text(p.err).splitlines() if "gdb-multiarch" in line][0])
    image = hint[-1]
    arch = hint[hint.index("-ex") + 1].split()[-1]
    r = subprocess.run([gdb, "-batch", "-nx", "-ex", f"set architecture {arch}",
                        "-ex", f"target remote 127.0.0.1:{port}", "-ex", "hbreak main", "-ex", "continue",
                        "-ex", "print argc", "-ex", "next", "-ex", "info line *$pc", "-ex", "continue", image],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=180)
    out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    check(re.search(r"Breakpoint 1, main \(", out), "did not stop at main", out)
    check(re.search(r"^\$1 = 5$", out, re.M), "argc is not 5", out)
    check("apps/hello/main.c" in out, "no source line after next", out)
    status = p.wait(120)
    check(status == 6, f"guest status {status}, expected 6", text(p.err))
    with socket.socket() as s:         # a gdb port in use: one line, before booting
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        status, out, err = skiff("run", "--arch", ARCH, f"--gdb={busy}", "hello", timeout=60)
    check(status == 1 and f"--gdb port {busy} on 127.0.0.1 is in use" in err, "busy gdb port", err)


CASES = {"streams": case_streams, "quiet": case_quiet, "kill9": case_kill9, "ready": case_ready,
         "port-in-use": case_port_in_use, "two-forwards": case_two_forwards, "mem": case_mem, "build-fail": case_build_fail,
         "not-image": case_not_image, "detached": case_detached, "gdb": case_gdb, "disk": case_disk,
         "blocked-reader": case_blocked_reader, "sigint": lambda: case_signal("INT"), "sigterm": lambda: case_signal("TERM"),
         "sighup": lambda: case_signal("HUP")}


def main():
    try:
        CASES[sys.argv[1]]()
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        for p in children:
            if p.poll() is None:
                p.kill()
                p.wait()
            shutil.rmtree(p.dir, ignore_errors=True)
    print(f"{checks} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
