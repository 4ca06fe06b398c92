#!/usr/bin/env python3
"""Client checks for apps/echo, against any build of it on a loopback port.

    python3 echo_checks.py --host 127.0.0.1 --port N
                           [--ready-timeout S] [--check-timeout S]

Waits until a short message echoes (retrying whole exchanges, not only
connects), then runs every check, prints one line per check and a last line
"N passed, M failed"; the exit status is 1 when any check failed.
"""

import concurrent.futures
import os
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import netlib  # noqa: E402
from netlib import CheckFailed, expect  # noqa: E402


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def round_trip(host, port, data, chunk=65536):
    """Sends data while receiving the echo in parallel (so neither side's
    buffers can deadlock), then checks it byte for byte."""
    s = netlib.connect(host, port)
    errors = []

    def sender():
        try:
            for i in range(0, len(data), chunk):
                s.sendall(data[i:i + chunk])
        except OSError as e:
            errors.append("send: %s: %s" % (type(e).__name__, e))

    t = threading.Thread(target=sender, daemon=True)
    got = bytearray()
    try:
        t.start()
        while len(got) < len(data):
            piece = s.recv(min(262144, len(data) - len(got)))
            if not piece:
                raise CheckFailed("EOF after %d of %d bytes" % (len(got), len(data)))
            got += piece
        t.join(netlib.RECV_TIMEOUT)
        expect(not errors, errors[0] if errors else "")
        if got != data:
            raise CheckFailed("echo differs from byte %d of %d" % (first_difference(got, data),
                                                                    len(data)))
    finally:
        s.close()


# A reading client's 10 KB round trip among the non-readers: about 0.3 s
# under TCG here, 6-9 s when the guest dropped frames.
READER_LIMIT_S = 3.0


class Checks:
    def __init__(self, host, port):
        self.host = host
        self.port = port

    def probe(self):
        s = netlib.connect(self.host, self.port, timeout=2)
        try:
            s.sendall(b"ping\n")
            got = b""
            while len(got) < 5:
                piece = s.recv(5 - len(got))
                if not piece:
                    return False
                got += piece
            return got == b"ping\n"
        finally:
            s.close()

    def small(self):
        round_trip(self.host, self.port, b"hello from the echo checks\n")

    def half_close(self):
        # After the client's FIN, what was sent still comes back, then EOF.
        data = os.urandom(100000)
        s = netlib.connect(self.host, self.port)
        try:
            t = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)),
                                 daemon=True)
            t.start()
            got = netlib.recv_until_eof(s, 2 * len(data))
            t.join(netlib.RECV_TIMEOUT)
            expect(got == data, "got %d bytes, first difference at %d"
                   % (len(got), first_difference(got, data)))
        finally:
            s.close()

    def one_mib(self):
        round_trip(self.host, self.port, os.urandom(1 << 20))

    def parallel_50(self):
        # 50 clients connect at the same moment (a storm, which QEMU's
        # forwarder admits only since qemu/launch widens its backlog), then
        # each sends 64 KiB and reads it back.
        barrier = threading.Barrier(50, timeout=15)

        def one(i):
            data = os.urandom(64 * 1024)
            barrier.wait()  # all 50 connect together
            round_trip(self.host, self.port, data, chunk=4096 + i)

        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            futures = [pool.submit(one, i) for i in range(50)]
            errors = []
            for f in futures:
                try:
                    f.result(timeout=60)
                except Exception as e:
                    errors.append("%s: %s" % (type(e).__name__, e))
        expect(not errors, "%d of 50 clients failed, first: %s" % (len(errors), errors[:1]))

    def slow_reader(self):
        # A client that sends a lot without reading fills its buffers; the
        # server must go on serving others, and hand it everything later.
        data = os.urandom(4 << 20)
        s = netlib.connect(self.host, self.port)
        sent = threading.Event()
        try:
            def sender():
                try:
                    s.sendall(data)
                finally:
                    sent.set()

            threading.Thread(target=sender, daemon=True).start()
            time.sleep(0.3)  # let the pipes fill up
            round_trip(self.host, self.port, b"meanwhile " * 1000)
            got = bytearray()
            while len(got) < len(data):
                piece = s.recv(262144)
                if not piece:
                    raise CheckFailed("EOF after %d bytes" % len(got))
                got += piece
            expect(got == data, "differs from byte %d" % first_difference(got, data))
            expect(sent.wait(netlib.RECV_TIMEOUT), "sender did not finish")
        finally:
            s.close()

    def non_readers(self):
        # Clients that send and never read hold the server's receive
        # buffers: 48 of them claim more than the guest's receive pool
        # (512 frames). A client that does read must still be served
        # promptly, with no dropped frame (which would cost it a second or
        # more of retransmission timeout), and once they have gone a storm
        # of clients is served too.
        hogs = []
        try:
            for _ in range(48):
                s = netlib.connect(self.host, self.port)
                s.setblocking(False)
                hogs.append(s)
            chunk = os.urandom(65536)
            deadline = time.monotonic() + 3  # enough to fill the server's windows
            while time.monotonic() < deadline:
                for s in hogs:
                    try:
                        s.send(chunk)
                    except BlockingIOError:
                        pass
                time.sleep(0.01)
            for _ in range(3):
                start = time.monotonic()
                round_trip(self.host, self.port, os.urandom(10000))
                took = time.monotonic() - start
                expect(took < READER_LIMIT_S, "a reading client took %.2fs" % took)
        finally:
            for s in hogs:
                s.close()
        time.sleep(1)
        self.parallel_50()

    def client_reset(self):
        # Clients that vanish (RST) with data in flight cost the server nothing.
        for _ in range(5):
            s = netlib.connect(self.host, self.port)
            s.sendall(os.urandom(200000 if _ % 2 else 10))
            netlib.reset_close(s)
        time.sleep(0.1)
        self.small()


def main():
    _, k, r, ready = netlib.start_checks(__doc__, "echo", Checks)
    if not ready:
        return r.finish()
    r.run("small", k.small)
    r.run("half_close", k.half_close)
    r.run("round_trip_1MiB", k.one_mib)
    r.run("parallel_50x64KiB", k.parallel_50)
    r.run("slow_reader", k.slow_reader)
    r.run("non_readers", k.non_readers)
    r.run("client_reset", k.client_reset)
    r.run("still_serving", k.small)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
