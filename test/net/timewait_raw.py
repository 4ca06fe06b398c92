#!/usr/bin/env python3
"""What a guest's httpd does with SYNs that meet a connection in TIME_WAIT,
sent as raw frames. For tap.sh only: run as root inside the test's own
network namespace, on its bridge, so nothing leaves the namespace.

    timewait_raw.py BRIDGE GUEST_IP PORT

A connection from this side (a real one, the kernel's) asks for / with
HTTP/1.0; the server closes first and keeps the connection in TIME_WAIT.
Then, from the same port, as raw frames:
  1. a SYN beyond the old connection but with a wrong TCP checksum, and
  2. one with a wrong IPv4 header checksum: neither may end anything;
  3. a right SYN that is not beyond it: the TIME_WAIT answers it with a bare
     ACK (had 1 or 2 ended the TIME_WAIT, the listener would answer SYN-ACK);
  4. a right SYN beyond it: now the TIME_WAIT ends and the listener answers
     SYN-ACK (that the answers differ is what makes 3 mean anything).
The namespace's kernel, which has no socket left on the port, answers the
guest's ACK and SYN-ACK with RSTs; lwIP's TIME_WAIT ignores RSTs, so they
change nothing here. Prints one line per step and exits 1 if any went
otherwise. Refuses to run outside a network namespace of its own.
"""
import os
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import netlib  # noqa: E402

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
SYN, RST, ACK, FIN = netlib.TCP_SYN, netlib.TCP_RST, netlib.TCP_ACK, netlib.TCP_FIN


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn_frame(dst_mac, src_mac, src_ip, dst_ip, sport, dport, seq, spoil=None):
    """A SYN; spoil "tcp" or "ip" makes that checksum wrong."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, SYN, 64240, 0, 0)
    pseudo = socket.inet_aton(src_ip) + socket.inet_aton(dst_ip) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp_sum = checksum(pseudo + tcp) ^ (0x0101 if spoil == "tcp" else 0)
    tcp = tcp[:16] + struct.pack("!H", tcp_sum) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0x1234, 0x4000, 64, 6, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip) ^ (0x0101 if spoil == "ip" else 0)) + ip[12:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + ip + tcp


class Tap:
    """Every IPv4 TCP frame on the bridge, both ways, with a way to send."""

    def __init__(self, bridge):
        # Bound before it listens: nothing from other interfaces gets in.
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.sock.bind((bridge, ETH_P_ALL))
        self.sock.settimeout(0.2)
        self.mac = self.sock.getsockname()[4]
        self.seen, self.lock = [], threading.Lock()
        self.running = True
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        while self.running:
            try:
                frame = self.sock.recv(2048)
            except socket.timeout:
                continue
            fields = netlib.tcp_fields(frame)
            if fields:
                with self.lock:
                    self.seen.append(fields)

    def segments(self):
        """netlib.tcp_fields of every TCP segment seen so far."""
        with self.lock:
            return list(self.seen)


def in_named_namespace():
    """Whether this process runs in a namespace made by `ip netns add`
    (which keeps each one's handle in /run/netns)."""
    mine = os.stat("/proc/self/ns/net").st_ino
    try:
        names = os.listdir("/run/netns")
    except FileNotFoundError:
        return False
    return any(os.stat(os.path.join("/run/netns", n)).st_ino == mine for n in names)


def main():
    bridge, guest, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not in_named_namespace():
        print("timewait_raw.py sends hand-made frames: run it only inside a test's own network namespace")
        return 2
    tap = Tap(bridge)
    with socket.create_connection((guest, port), timeout=5) as s:
        here, sport = s.getsockname()
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while s.recv(4096):
            pass
    time.sleep(0.3)     # the last ACKs; the guest is in TIME_WAIT now
    mine = [x for x in tap.segments() if x[1] == here and x[3] == sport]
    theirs = [x for x in tap.segments() if x[1] == guest and x[4] == sport]
    if not mine or not theirs:
        print("FAIL no capture of the first connection")
        return 1
    guest_mac = theirs[0][0]
    # Everything the old connection sent from here, its FIN included,
    # counted from its SYN (sequence numbers wrap).
    isn = next((seq for _, _, _, _, _, seq, flags, _ in mine if flags & SYN), None)
    if isn is None:
        print("FAIL no SYN of the first connection in the capture")
        return 1
    last = (isn + max((seq - isn) % (1 << 32) + length + (1 if flags & (SYN | FIN) else 0)
                      for _, _, _, _, _, seq, flags, length in mine)) % (1 << 32)
    failed = 0
    before_new = len(tap.segments())

    def send_and_see(seq, spoil=None):
        """The guest's answers: the first within 5 s (a loaded TCG guest
        is slow), and what follows in the next 0.3 s; a SYN that should get
        none waits 1 s."""
        seen = len(tap.segments())
        tap.sock.send(syn_frame(guest_mac, tap.mac, here, guest, sport, port, seq % (1 << 32), spoil))
        give_up = time.monotonic() + (1.0 if spoil else 5.0)
        answers = []
        while time.monotonic() < give_up:
            time.sleep(0.05)
            answers = [flags for _, src, _, _, dport, _, flags, _ in tap.segments()[seen:]
                       if src == guest and dport == sport]
            if answers:
                give_up = min(give_up, time.monotonic() + 0.3)
        return answers

    def step(name, answers, expected, why):
        nonlocal failed
        ok = expected(answers)
        failed += not ok
        print("%s %s: answers %s%s" % ("ok  " if ok else "FAIL", name,
                                        [("SYN-ACK" if f & SYN else "RST" if f & RST else "ACK") for f in answers],
                                        "" if ok else " (%s)" % why))

    nothing = lambda a: a == []  # noqa: E731
    step("bad_tcp_checksum_ends_nothing", send_and_see(last + 100000, "tcp"), nothing,
         "a SYN with a wrong TCP checksum was answered")
    step("bad_ip_checksum_ends_nothing", send_and_see(last + 100000, "ip"), nothing,
         "a SYN with a wrong IPv4 checksum was answered")
    step("old_syn_meets_timewait", send_and_see(last - 5000),
         lambda a: a and all(f & (SYN | RST) == 0 and f & ACK for f in a), "expected the TIME_WAIT's bare ACK")
    # However late an answer came, the listener must not have answered
    # before the SYN that was meant to reach it.
    early = [flags for _, src, _, _, dport, _, flags, _ in tap.segments()[before_new:]
             if src == guest and dport == sport and flags & SYN]
    step("no_listener_before_new_syn", early, nothing, "the listener answered an earlier SYN")
    step("new_syn_ends_timewait", send_and_see(last + 100000), lambda a: any(f & SYN for f in a),
         "expected the listener's SYN-ACK")
    tap.running = False
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
