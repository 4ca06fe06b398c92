"""One guest run: QEMU started with its console on a pipe, the tagged
console split into stdout, stderr and control lines, port forwards opened
when the guest listens, signals turned into a stopped guest and the
conventional status (130, 143, 129), and the guest's exit status returned.

QEMU runs in a session of its own, so a terminal's Ctrl-C reaches skiff
only, and with PR_SET_PDEATHSIG, so no QEMU outlives its skiff even when
skiff itself is killed."""
import collections
import ctypes
import errno
import os
import re
import select
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

from . import console
from .errors import failure
from .qemu import explain
from .qmp import Qmp, QmpError

SIGNAL_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
# Output not yet written past which the console is no longer read: the
# guest then waits for its reader, as it would on a real serial line.
OUTPUT_BACKLOG = 1 << 20
PR_SET_PDEATHSIG = 1
STOP_GRACE = 3.0


def _die_with_parent(parent):
    """QEMU's preexec: SIGKILL when skiff goes. If skiff went between the
    fork and the prctl, the signal would never come: exit instead."""
    def setup():
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)
    return setup


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
    """Writes the guest's output to our stdout and stderr from a thread of
    its own, so that a reader who stops reading (a full pipe, a paused
    terminal) never keeps the run loop from signals and deadlines. One
    thread and one queue for both descriptors: when they are the same file
    (2>&1), the app's lines and the kernel's stay in the order the guest
    wrote them. Output to a descriptor is dropped once its reader left
    (skiff run ... | head) or it is unusable (closed)."""

    def __init__(self, fds=(1, 2)):
        self.open = {fd: True for fd in fds}
        self._queue = collections.deque()
        self._size = 0
        self._cond = threading.Condition()
        threading.Thread(target=self._writer, daemon=True).start()

    def write(self, fd, data):
        with self._cond:
            if self.open[fd] and data:
                self._queue.append((fd, data))
                self._size += len(data)
                self._cond.notify()

    def pending(self):
        with self._cond:
            return self._size

    def _writer(self):
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                fd, data = self._queue[0]
            try:
                n = os.write(fd, data[:65536]) if self.open[fd] else len(data)
            except InterruptedError:
                continue
            except OSError:     # EPIPE, EBADF (closed), EIO...
                self.open[fd] = False
                n = len(data)
            with self._cond:
                self._size -= n
                if n == len(data):
                    self._queue.popleft()
                else:
                    self._queue[0] = (fd, data[n:])


class Session:
    """Runs one QEMU. `forwards`: the TCP forwards opened on listen (the
    netdev is net0), each with its reserved socket."""

    def __init__(self, launch, forwards=(), timeout=0, on_started=None, stdout_fd=1, stderr_fd=2):
        self.launch, self.timeout = launch, timeout
        self.pending = {}            # guest port -> the forwards waiting for it
        for f in forwards:
            self.pending.setdefault(f.guest_port, []).append(f)
        self.reserved = {}
        try:
            for f in forwards:
                self.reserved[str(f)] = reserve_port(f)
        except BaseException:
            for s in self.reserved.values():
                s.close()
            raise
        self.on_started = on_started
        self.output = Output((stdout_fd, stderr_fd))
        self.stdout_fd, self.stderr_fd = stdout_fd, stderr_fd
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
                                         start_new_session=True, preexec_fn=_die_with_parent(os.getpid()))
        except FileNotFoundError:
            raise failure(f"{self.launch.argv()[0]} is not installed (run skiff setup)", 1) from None
        try:
            if self.on_started:
                self.on_started(self.qemu.pid)
            self._pump(rfd)
        finally:
            self._stop_qemu()
            self._drain(rfd)
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
        sel.register(self.qemu.stderr, selectors.EVENT_READ, self._on_qemu_stderr)
        sel.register(wake_fd, selectors.EVENT_READ, self._on_signal)
        deadline = time.monotonic() + self.timeout if self.timeout else None
        console_open, console_read, stderr_open = True, False, True
        while (console_open or stderr_open) and not self.stop_reason:
            backlog = self.output.pending() > OUTPUT_BACKLOG
            if console_open and console_read == backlog:     # pause or resume the console
                if backlog:
                    sel.unregister(self.qemu.stdout)
                else:
                    sel.register(self.qemu.stdout, selectors.EVENT_READ, self._on_console)
                console_read = not backlog
            wait = 0.05 if backlog else None
            if deadline is not None:
                wait = max(0.0, min(wait if wait is not None else 1e9, deadline - time.monotonic()))
            for key, _ in sel.select(wait):
                if key.data(key.fileobj) is False:
                    sel.unregister(key.fileobj)
                    if key.fileobj is self.qemu.stdout:
                        console_open = console_read = False
                    else:
                        stderr_open = False
            if deadline is not None and time.monotonic() >= deadline and not self.stop_reason:
                self.stop_reason = ("timeout",)
        sel.close()

    def _drain(self, wake_fd):
        """Waits until the guest's output is written, unless a signal comes
        first (a reader who never reads must not keep skiff alive)."""
        while self.output.pending() and not (
                self.stop_reason and self.stop_reason[0] == "signal"):
            ready, _, _ = select.select([wake_fd], [], [], 0.05)
            if ready:
                self._on_signal(wake_fd)

    def _on_console(self, pipe):
        data = os.read(pipe.fileno(), 65536)
        if not data:
            return False
        for stream, payload in self.demux.feed(data):
            if stream == console.STDOUT:
                self.output.write(self.stdout_fd, payload)
            elif stream == console.CONTROL:
                self._on_control(payload)
            else:
                self.output.write(self.stderr_fd, payload)
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
            for fwd in self.pending.pop(int(m.group(1))):
                self._open_forward(fwd)

    def _open_forward(self, fwd):
        """hostfwd_add through QEMU's monitor, right after the guest said it
        listens: QEMU then never accepts a client before the guest can."""
        try:
            if self.qmp is None:
                self.qmp = Qmp(self.launch.qmp_path)
            self.reserved.pop(str(fwd)).close()
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

    def _say(self, data):
        """After the run: straight to stderr (the writer threads may be gone)."""
        try:
            os.write(2, data)
        except OSError:
            pass

    def _status(self):
        reason = self.stop_reason
        if reason and reason[0] == "signal":
            return SIGNAL_STATUS[reason[1]]
        if reason and reason[0] == "timeout":
            self._say(f"skiff: guest stopped after the {self.timeout:g}s timeout\n".encode())
            return 124
        if reason and reason[0] == "error":
            self._say(f"skiff: {reason[1]}\n".encode())
            return 1
        status = read_exit_status(self.launch.status_path)
        if status is not None:
            noise = b"terminating on signal"
            self._say(b"".join(line for line in self.qemu_stderr.splitlines(True) if noise not in line))
            return status & 255
        if self.qemu.returncode < 0:
            sig = -self.qemu.returncode
            self._say(self.qemu_stderr)     # QEMU's own last words (an assertion, say)
            raise failure(f"QEMU was killed by signal {sig} ({signal.Signals(sig).name})", 128 + sig)
        stderr = self.qemu_stderr.decode("utf-8", "replace")
        said = explain(stderr)
        if said:
            raise failure(said, 1)
        if stderr.strip():
            self._say(self.qemu_stderr)
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
