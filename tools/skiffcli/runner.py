"""One guest run: QEMU started with its console on a pipe, the tagged
console split into stdout, stderr and control lines, port forwards opened
when the guest listens, signals turned into a stopped guest and the
conventional status (130, 143, 129), and the guest's exit status returned.

QEMU runs in a session of its own, so a terminal's Ctrl-C reaches skiff
only, and with PR_SET_PDEATHSIG, so no QEMU outlives its skiff even when
skiff itself is killed."""
import ctypes
import errno
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time

from . import console
from .errors import failure
from .qemu import explain
from .qmp import Qmp, QmpError

SIGNAL_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
PR_SET_PDEATHSIG = 1
STOP_GRACE = 3.0


def _die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def reserve_port(fwd):
    """Binds the forward's host port now, so that a port in use is found
    before boot and nobody takes it before the guest listens. The socket is
    closed just before QEMU opens the forward."""
    kind = socket.SOCK_STREAM if fwd.proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as libslirp does
    try:
        s.bind((fwd.host_ip, fwd.host_port))
    except OSError as e:
        s.close()
        why = "is in use" if e.errno == errno.EADDRINUSE else f"cannot be used: {e.strerror}"
        raise failure(f"port {fwd.host_port}/{fwd.proto} on {fwd.host_ip} {why} (-p {fwd.host_port}:"
                      f"{fwd.guest_port}); pick another host port", 1) from None
    return s


class Output:
    """Writes to a file descriptor, dropping output once the reader left
    (skiff run ... | head) instead of failing the run."""

    def __init__(self, fd):
        self.fd, self.open = fd, True

    def write(self, data):
        while data and self.open:
            try:
                n = os.write(self.fd, data)
                data = data[n:]
            except BrokenPipeError:
                self.open = False
            except InterruptedError:
                continue


class Session:
    """Runs one QEMU. `forwards`: the TCP forwards opened on listen (the
    netdev is net0), each with its reserved socket."""

    def __init__(self, launch, forwards=(), timeout=0, on_started=None, stdout_fd=1, stderr_fd=2):
        self.launch, self.timeout = launch, timeout
        self.pending = {f.guest_port: f for f in forwards}
        self.reserved = {f.guest_port: reserve_port(f) for f in forwards}
        self.on_started = on_started
        self.out, self.err = Output(stdout_fd), Output(stderr_fd)
        self.demux = console.Demux()
        self.qmp = None
        self.qemu_stderr = bytearray()
        self.stop_reason = None      # ('signal', n) | ('timeout',) | ('error', message)

    # ---- the loop -------------------------------------------------------
    def run(self):
        rfd, wfd = os.pipe()
        os.set_blocking(wfd, False)
        old_wakeup = signal.set_wakeup_fd(wfd)
        old = {s: signal.signal(s, lambda *_: None) for s in SIGNAL_STATUS}
        try:
            self.qemu = subprocess.Popen(self.launch.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=self.launch.env(),
                                         start_new_session=True, preexec_fn=_die_with_parent)
        except FileNotFoundError:
            raise failure(f"{self.launch.argv()[0]} is not installed (run skiff setup)", 1) from None
        try:
            if self.on_started:
                self.on_started(self.qemu.pid)
            self._pump(rfd)
        finally:
            self._stop_qemu()
            for s, h in old.items():
                signal.signal(s, h)
            signal.set_wakeup_fd(old_wakeup)
            os.close(rfd)
            os.close(wfd)
            for s in self.reserved.values():
                s.close()
            if self.qmp:
                self.qmp.close()
        return self._status()

    def _pump(self, wake_fd):
        sel = selectors.DefaultSelector()
        sel.register(self.qemu.stdout, selectors.EVENT_READ, self._on_console)
        sel.register(self.qemu.stderr, selectors.EVENT_READ, self._on_qemu_stderr)
        sel.register(wake_fd, selectors.EVENT_READ, self._on_signal)
        deadline = time.monotonic() + self.timeout if self.timeout else None
        open_pipes = 2
        while open_pipes and not self.stop_reason:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            events = sel.select(wait)
            if not events and deadline is not None and time.monotonic() >= deadline:
                self.stop_reason = ("timeout",)
                break
            for key, _ in events:
                if key.data(key.fileobj) is False:
                    sel.unregister(key.fileobj)
                    open_pipes -= 1
        sel.close()

    def _on_console(self, pipe):
        data = os.read(pipe.fileno(), 65536)
        if not data:
            return False
        for stream, payload in self.demux.feed(data):
            if stream == console.STDOUT:
                self.out.write(payload)
            elif stream == console.CONTROL:
                self._on_control(payload)
            else:
                self.err.write(payload)
        return True

    def _on_qemu_stderr(self, pipe):
        data = os.read(pipe.fileno(), 65536)
        if not data:
            return False
        self.qemu_stderr += data
        return True

    def _on_signal(self, fd):
        for b in os.read(fd, 64):
            if b in SIGNAL_STATUS.keys():
                self.stop_reason = ("signal", b)
        return True

    # ---- control lines --------------------------------------------------
    def _on_control(self, line):
        m = re.fullmatch(r"listen tcp (\d+)", line)
        if m and int(m.group(1)) in self.pending:
            self._open_forward(self.pending.pop(int(m.group(1))))

    def _open_forward(self, fwd):
        """hostfwd_add through QEMU's monitor, right after the guest said it
        listens: QEMU then never accepts a client before the guest can."""
        try:
            if self.qmp is None:
                self.qmp = Qmp(self.launch.qmp_path)
            self.reserved.pop(fwd.guest_port).close()
            text = self.qmp.hmp(f"hostfwd_add net0 {fwd.hostfwd()}")
        except (QmpError, OSError) as e:
            text = str(e) or "no answer"
        if text.strip():
            why = "is in use" if "could not set up" in text.lower() else f"could not be forwarded ({text.strip()})"
            self.stop_reason = ("error", f"port {fwd.host_port}/{fwd.proto} on {fwd.host_ip} {why}; "
                                         "the guest was stopped")

    # ---- the end ------------------------------------------------------
    def _stop_qemu(self):
        if self.qemu.poll() is None:
            try:
                os.killpg(self.qemu.pid, signal.SIGTERM)
                self.qemu.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                os.killpg(self.qemu.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.qemu.wait()
        for pipe in (self.qemu.stdout, self.qemu.stderr):
            pipe.close()

    def _status(self):
        reason = self.stop_reason
        if reason and reason[0] == "signal":
            return SIGNAL_STATUS[reason[1]]
        if reason and reason[0] == "timeout":
            self.err.write(f"skiff: guest stopped after the {self.timeout:g}s timeout\n".encode())
            return 124
        if reason and reason[0] == "error":
            self.err.write(f"skiff: {reason[1]}\n".encode())
            return 1
        status = read_exit_status(self.launch.status_path)
        if status is not None:
            noise = b"terminating on signal"
            self.err.write(b"".join(line for line in self.qemu_stderr.splitlines(True) if noise not in line))
            return status & 255
        if self.qemu.returncode < 0:
            sig = -self.qemu.returncode
            raise failure(f"QEMU was killed by signal {sig} ({signal.Signals(sig).name})", 128 + sig)
        stderr = self.qemu_stderr.decode("utf-8", "replace")
        said = explain(stderr)
        if said:
            raise failure(said, 1)
        if stderr.strip():
            self.err.write(self.qemu_stderr)
        raise failure(f"QEMU ended (status {self.qemu.returncode}) without a guest exit status", 1)


def read_exit_status(path):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
    except OSError:
        return None
    found = re.findall(r"^skiff-exit (-?\d+)$", text, re.M)
    return int(found[-1]) if found else None


def flush_std():
    sys.stdout.flush()
    sys.stderr.flush()
