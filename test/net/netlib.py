"""Shared pieces of the network client checks (http_checks.py, echo_checks.py).

Python 3 standard library only. Every socket operation has a short timeout and
every check runs under an overall time limit, so a server that hangs makes a
check fail instead of making the run hang.

Network safety: the checks talk to loopback addresses only (127.0.0.0/8 or
::1); any other --host is refused before a single packet is sent.

Also a small command line for the shell runners:
    python3 netlib.py free-port
        prints a TCP port that was free on 127.0.0.1 a moment ago
    python3 netlib.py wait-line FILE REGEX SECONDS [PID]
        waits until a line of FILE matches REGEX (exit 0), or fails (exit 1)
        after SECONDS or as soon as process PID has exited
    python3 netlib.py listen SECONDS
        listens on a free port of 127.0.0.1 with a backlog of 128, prints the
        port, and holds whatever connects (the kernel completes the
        handshakes) for SECONDS, for guests that test their client side
    python3 netlib.py reserve SECONDS
        holds a free port of 127.0.0.1 bound (reserved_port) for SECONDS and
        prints it: no connect() on the machine takes it meanwhile, and
        connect_from can still use it, from this process or another
    python3 netlib.py arp-frames PCAP
        prints the ARP frames of a pcap file (QEMU's filter-dump)
"""

import argparse
import errno
import ipaddress
import os
import re
import socket
import struct
import sys
import threading
import time
import traceback

CONNECT_TIMEOUT = 2.0  # seconds for one connect attempt
RECV_TIMEOUT = 5.0  # seconds for one send or recv


class CheckFailed(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise CheckFailed(message)


def require_loopback(host):
    """Exits unless host is a literal loopback address."""
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.stderr.write("refusing --host %r: the checks only talk to loopback "
                         "addresses (127.0.0.0/8, ::1)\n" % host)
        sys.exit(2)


def tcp_socket(host):
    return socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)


def connect(host, port, timeout=RECV_TIMEOUT, source_port=None):
    """A connected TCP socket whose later operations time out after timeout;
    from source_port (SO_REUSEADDR) if given."""
    s = tcp_socket(host)
    try:
        if source_port is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, source_port))
        s.settimeout(CONNECT_TIMEOUT)
        s.connect((host, port))
        s.settimeout(timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        s.close()
        raise
    return s


def reserved_port(host):
    """A socket bound to a free port of host (SO_REUSEADDR) and never
    connected: while it is open, no connect() elsewhere on the machine (a
    test running alongside) takes that port, and connect_from can still
    bind it."""
    s = tcp_socket(host)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    return s


def connect_from(host, port, source_port, within=2.0):
    """connect() from source_port of host (held by reserved_port). The
    port's last connection may still be closing on our side for a moment
    (LAST_ACK), when the kernel refuses the same four-tuple: retried for
    `within` seconds."""
    give_up = time.monotonic() + within
    while True:
        try:
            return connect(host, port, source_port=source_port)
        except OSError as e:
            if e.errno != errno.EADDRNOTAVAIL or time.monotonic() > give_up:
                raise
            time.sleep(0.05)


def reset_close(s):
    """Closes with a RST instead of a FIN, as a crashed client would."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()


def recv_until_eof(s, limit=1 << 20):
    """Everything the peer sends until it closes (bounded by limit bytes)."""
    data = b""
    while len(data) <= limit:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
    raise CheckFailed("more than %d bytes before EOF" % limit)


def wait_until_ready(probe, seconds, what):
    """Retries probe() (which raises or returns False when not ready) with short
    attempts until it succeeds or seconds pass. Under QEMU's SLIRP a connect
    can succeed before the guest listens, so the probe is a whole exchange,
    not just a connect."""
    deadline = time.monotonic() + seconds
    last = "no attempt made"
    while time.monotonic() < deadline:
        try:
            if probe():
                return True
            last = "unexpected answer"
        except (OSError, CheckFailed) as e:
            last = "%s: %s" % (type(e).__name__, e)
        time.sleep(0.2)
    print("FAIL ready: %s not answering after %gs (%s)" % (what, seconds, last))
    sys.stdout.flush()
    return False


class Runner:
    """Runs checks one after another, each in its own thread bounded by
    limit seconds, printing one line per check and the totals at the end."""

    def __init__(self, limit):
        self.limit = limit
        self.passed = 0
        self.failed = 0

    def run(self, name, fn, *args):
        result = {}

        def body():
            try:
                fn(*args)
                result["ok"] = True
            except CheckFailed as e:
                result["error"] = str(e)
            except Exception as e:  # a socket error or a bug: report it
                result["error"] = "%s: %s" % (type(e).__name__, e)
                if os.environ.get("NETCHECK_TRACE"):
                    traceback.print_exc()

        t = threading.Thread(target=body, name=name, daemon=True)
        start = time.monotonic()
        t.start()
        t.join(self.limit)
        took = time.monotonic() - start
        if t.is_alive():
            result["error"] = "did not finish within %gs" % self.limit
        if result.get("ok"):
            self.passed += 1
            print("ok   %s (%.2fs)" % (name, took))
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, result.get("error", "no result")))
        sys.stdout.flush()

    def fail(self, name, message):
        self.failed += 1
        print("FAIL %s: %s" % (name, message))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.stdout.flush()
        return 1 if self.failed else 0


def start_checks(doc, what, make_checks, add_arguments=None):
    """The command line and start shared by the client-check scripts:
    --host (loopback only), --port, --ready-timeout, --check-timeout, plus
    what add_arguments(parser) adds; then the checks object, a Runner, and
    a wait for the server. Returns (args, checks, runner, ready); when not
    ready the runner already counts one failure."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    if add_arguments:
        add_arguments(ap)
    ap.add_argument("--ready-timeout", type=float, default=30, metavar="SECONDS")
    ap.add_argument("--check-timeout", type=float, default=60, metavar="SECONDS",
                    help="limit for one check")
    args = ap.parse_args()
    require_loopback(args.host)
    checks = make_checks(args.host, args.port)
    runner = Runner(args.check_timeout)
    ready = wait_until_ready(checks.probe, args.ready_timeout, "%s at %s:%d" % (what, args.host, args.port))
    if not ready:
        runner.failed += 1
    return args, checks, runner, ready


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) still "exists".
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def wait_line(path, pattern, seconds, pid=None):
    """True once a line of the file at path matches pattern."""
    regex = re.compile(pattern)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with open(path, errors="replace") as f:
                if any(regex.search(line) for line in f):
                    return True
        except FileNotFoundError:
            pass
        if pid is not None and not pid_alive(pid):
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def listen_for(seconds):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(128)
        print(s.getsockname()[1])
        sys.stdout.flush()
        time.sleep(seconds)


def pcap_records(path):
    """(seconds, frame) of each Ethernet frame of a classic pcap file
    (QEMU's filter-dump), in order; seconds as the dumper's clock read
    them when the frame passed."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"):
        raise ValueError("%s: not a pcap file" % path)
    order = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    records, off = [], 24
    while off + 16 <= len(data):
        sec, usec, caplen = struct.unpack(order + "III", data[off:off + 12])
        records.append((sec + usec / 1e6, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return records


def pcap_frames(path):
    """The Ethernet frames of a classic pcap file, in order."""
    return [frame for _, frame in pcap_records(path)]


def arp_frames(path):
    """(operation, sender MAC, sender IP, target IP) of each ARP frame in a
    classic pcap file of Ethernet frames."""
    frames = []
    for frame in pcap_frames(path):
        if len(frame) >= 42 and frame[12:14] == b"\x08\x06":
            op = {1: "request", 2: "reply"}.get(struct.unpack(">H", frame[20:22])[0], "other")
            mac = ":".join("%02x" % b for b in frame[22:28])
            frames.append((op, mac, str(ipaddress.IPv4Address(frame[28:32])),
                           str(ipaddress.IPv4Address(frame[38:42]))))
    return frames


TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10


def tcp_fields(frame):
    """(source MAC, source IP, destination IP, source port, destination
    port, sequence number, flags, payload bytes) of an Ethernet frame that
    holds a whole IPv4 TCP segment, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 15) * 4
    total = struct.unpack(">H", frame[16:18])[0]
    if ihl < 20 or total < ihl + 20 or 14 + total > len(frame):
        return None
    tcp = frame[14 + ihl:14 + total]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    return (frame[6:12], socket.inet_ntoa(frame[26:30]), socket.inet_ntoa(frame[30:34]), sport, dport, seq,
            tcp[13], len(tcp) - (tcp[12] >> 4) * 4)


def tcp_segments(path):
    """(seconds, source port, destination port, flags, sequence number) of
    each IPv4 TCP segment in a classic pcap file of Ethernet frames."""
    segments = []
    for when, frame in pcap_records(path):
        fields = tcp_fields(frame)
        if fields:
            _, _, _, sport, dport, seq, flags, _ = fields
            segments.append((when, sport, dport, flags, seq))
    return segments


def reserve_for(seconds):
    with reserved_port("127.0.0.1") as s:
        print(s.getsockname()[1])
        sys.stdout.flush()
        time.sleep(seconds)


def main(argv):
    if len(argv) == 2 and argv[1] == "free-port":
        print(free_port())
        return 0
    if len(argv) == 3 and argv[1] == "listen":
        listen_for(float(argv[2]))
        return 0
    if len(argv) == 3 and argv[1] == "reserve":
        reserve_for(float(argv[2]))
        return 0
    if len(argv) == 3 and argv[1] == "arp-frames":
        for op, mac, sender, target in arp_frames(argv[2]):
            print("%s %s %s -> %s" % (op, mac, sender, target))
        return 0
    if len(argv) in (5, 6) and argv[1] == "wait-line":
        pid = int(argv[5]) if len(argv) == 6 else None
        return 0 if wait_line(argv[2], argv[3], float(argv[4]), pid) else 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
