"""Detached instances (`skiff run -d`): each is a directory under the
runtime directory ($SKIFF_RUNTIME_DIR, else $XDG_RUNTIME_DIR/skiff, else
/tmp/skiff-UID) holding its description (instance.json), its console log
(log), the supervisor's and QEMU's PIDs and, once it ended, its exit status
(exit). The supervisor is `skiff run` itself, left running in a session of
its own with its output in the log; QEMU dies with it (PR_SET_PDEATHSIG)."""
import json
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import time

from .errors import failure, usage_error

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


def runtime_dir():
    """The directory of instance states, made 0700 and checked to be ours:
    in a shared /tmp another user could otherwise make it first and read
    our logs or plant links where we write."""
    base = os.environ.get("SKIFF_RUNTIME_DIR")
    if not base:
        xdg = os.environ.get("XDG_RUNTIME_DIR")
        base = os.path.join(xdg, "skiff") if xdg else f"/tmp/skiff-{os.getuid()}"
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError as e:
        raise failure(f"runtime directory {base}: {e.strerror}") from None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise failure(f"runtime directory {base} is not a private directory of ours "
                      "(owner, mode 0700, no symbolic link); remove it or set SKIFF_RUNTIME_DIR")
    return base


def new_instance(name, app):
    if name is None:
        name = f"{re.sub(r'[^A-Za-z0-9_.-]', '-', app)[:40]}-{secrets.token_hex(3)}"
    elif not NAME.fullmatch(name):
        raise usage_error(f"bad --name '{name}' (letters, digits, '_', '.', '-'; at most 63)")
    path = os.path.join(runtime_dir(), name)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        raise usage_error(f"an instance named '{name}' exists (skiff rm {name})") from None
    return name, path


def instance_path(name):
    path = os.path.join(runtime_dir(), name)
    if not NAME.fullmatch(name) or not os.path.isdir(path):
        raise usage_error(f"no instance named '{name}' (see skiff ps)")
    return path


def _read(path, name, default=None):
    try:
        with open(os.path.join(path, name)) as f:
            return f.read().strip()
    except OSError:
        return default


def write_file(path, name, text):
    """Atomically, and never through a link someone left in our place."""
    tmp = os.path.join(path, f"{name}.{os.getpid()}.tmp")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(path, name))


def _alive(pid, path):
    """Whether `pid` is still this instance's supervisor (not a reused PID):
    its arguments hold exactly this instance's directory."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return path.encode() in f.read().split(b"\0")
    except (OSError, ValueError):
        return False


def state(path):
    """('running', None) or ('exited', status or None when unknown)."""
    status = _read(path, "exit")
    if status is not None:
        return "exited", int(status) if status.lstrip("-").isdigit() else None
    pid = _read(path, "supervisor.pid")
    if pid and pid.isdigit() and _alive(int(pid), path):
        return "running", None
    return "exited", None


def describe(name):
    path = os.path.join(runtime_dir(), name)
    try:
        with open(os.path.join(path, "instance.json")) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return None
    st, status = state(path)
    ended = _read(path, "ended")
    info.update(name=name, state=st, status=status, path=path,
                uptime=(float(ended) if ended else time.time()) - info.get("started", time.time()))
    return info


def _age(seconds):
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def ps(show_all=False):
    rows = []
    for name in sorted(os.listdir(runtime_dir())):
        info = describe(name)
        if info is None or (not show_all and info["state"] != "running"):
            continue
        if info["state"] == "running":
            st = "running"
        else:
            st = f"exited ({info['status']})" if info["status"] is not None else "exited (unknown)"
        rows.append((name, info.get("app", "?"), ",".join(info.get("ports", [])) or "-",
                     _age(info["uptime"]), st))
    header = ("NAME", "APP", "PORTS", "UPTIME", "STATE")
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(5)]
    for r in [header] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def logs(name, follow=False):
    path = instance_path(name)
    log = os.path.join(path, "log")
    out = sys.stdout.buffer
    with open(log, "rb") as f:
        while True:
            data = f.read(65536)
            if data:
                out.write(data)
                out.flush()
                continue
            if not follow or state(path)[0] != "running":
                data = f.read()
                out.write(data)
                out.flush()
                return
            time.sleep(0.1)


def stop(name, grace=10.0):
    path = instance_path(name)
    if state(path)[0] != "running":
        return
    pid = int(_read(path, "supervisor.pid", "0") or 0)
    if pid <= 0:
        return
    os.kill(pid, signal.SIGTERM)        # the supervisor stops QEMU, records 143
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _alive(pid, path):
        time.sleep(0.05)
    if _alive(pid, path):
        os.kill(pid, signal.SIGKILL)    # its QEMU dies with it (PDEATHSIG)
        write_file(path, "exit", "137")
        write_file(path, "ended", str(time.time()))
    qemu = _read(path, "qemu.pid")
    if qemu:
        for _ in range(100):
            try:
                os.kill(int(qemu), 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)


def remove(name, force=False):
    path = instance_path(name)
    if state(path)[0] == "running":
        if not force:
            raise failure(f"instance '{name}' is running (skiff stop {name}, or skiff rm -f {name})", 1)
        stop(name, grace=0)
    shutil.rmtree(path)
