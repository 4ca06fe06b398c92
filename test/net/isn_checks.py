#!/usr/bin/env python3
"""Checks of the first sequence numbers a guest's httpd gives its TCP
connections, read from QEMU's dump of the guest's frames (-object
filter-dump on the NIC behind the forward).

  - reuse_starts_beyond_old: a client back on the port of a connection the
    server closed (whose TIME_WAIT the new SYN ends) gets a connection that
    starts beyond everything the old one sent, by more than a 64 KiB
    window (RFC 1122 4.2.2.13);
  - ports_spread: connections from different ports start far apart (RFC
    6528: a keyed hash of the addresses and ports plus a clock, not one
    counter for all);
  - with --record FILE the first connection's number is written there;
    with --compare FILE it must lie far from the number another boot
    recorded for the same ports (another boot, another key).

Loopback only: the forward on 127.0.0.1.
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import netlib  # noqa: E402
from netlib import CheckFailed, expect  # noqa: E402

SEQ_SPACE = 1 << 32
# How close two unrelated numbers may come: for random 32-bit numbers the
# chance is 2 in a million a pair; lwIP's own counter gives every
# connection of a boot numbers within a few thousand of each other.
FAR = 4096


def distance(a, b):
    """How far apart two sequence numbers are, either way round."""
    d = (a - b) % SEQ_SPACE
    return min(d, SEQ_SPACE - d)


class IsnChecks:
    def __init__(self, host, port, guest_port, pcap):
        self.host, self.port, self.guest_port, self.pcap = host, port, guest_port, pcap
        self.first = None       # (source port, first sequence number) of the reuse check

    def fetch(self, source_port=None):
        """One HTTP/1.0 GET /, which the server answers and closes."""
        s = (netlib.connect_from(self.host, self.port, source_port) if source_port
             else netlib.connect(self.host, self.port))
        with s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            reply = netlib.recv_until_eof(s)
        expect(reply.startswith(b"HTTP/1.1 200"), "reply %r" % reply[:40])

    def probe(self):
        self.fetch()
        return True

    def guest_segments(self, client_port):
        """(flags, sequence number) of what the guest sent to client_port."""
        # The dump is written as frames pass; give the last ones a moment.
        time.sleep(0.2)
        return [(flags, seq) for sport, dport, flags, seq in netlib.tcp_segments(self.pcap)
                if sport == self.guest_port and dport == client_port]

    def first_numbers(self, client_port):
        syn_ack = netlib.TCP_SYN | netlib.TCP_ACK
        return [seq for flags, seq in self.guest_segments(client_port) if flags & syn_ack == syn_ack]

    def reuse_starts_beyond_old(self, source_port):
        holder = netlib.reserved_port(self.host) if source_port is None else None
        try:
            port = source_port or holder.getsockname()[1]
            self.fetch(port)
            self.fetch(port)    # on the first one's port, its TIME_WAIT in the guest
        finally:
            if holder:
                holder.close()
        sent = self.guest_segments(port)
        starts = [i for i, (flags, _) in enumerate(sent)
                  if flags & (netlib.TCP_SYN | netlib.TCP_ACK) == netlib.TCP_SYN | netlib.TCP_ACK]
        expect(len(starts) == 2, "%d SYN-ACKs to port %d in the dump, expected 2" % (len(starts), port))
        fins = [seq for flags, seq in sent[starts[0]:starts[1]] if flags & netlib.TCP_FIN]
        expect(fins, "the server's FIN of the first connection is not in the dump")
        old_next = (fins[-1] + 1) % SEQ_SPACE      # the FIN takes one number
        new = sent[starts[1]][1]
        beyond = (new - old_next) % SEQ_SPACE
        expect(65537 <= beyond < SEQ_SPACE // 2,
               "the new connection starts %d past the old one's next number %d (expected at least 65537)"
               % (beyond if beyond < SEQ_SPACE // 2 else beyond - SEQ_SPACE, old_next))
        self.first = (port, sent[starts[0]][1])

    def ports_spread(self):
        holders = [netlib.reserved_port(self.host) for _ in range(4)]
        try:
            ports = [h.getsockname()[1] for h in holders]
            for p in ports:
                self.fetch(p)
        finally:
            for h in holders:
                h.close()
        numbers = []
        for p in ports:
            found = self.first_numbers(p)
            expect(len(found) == 1, "%d SYN-ACKs to port %d in the dump" % (len(found), p))
            numbers.append(found[0])
        for i in range(len(numbers)):
            for j in range(i):
                expect(distance(numbers[i], numbers[j]) >= FAR,
                       "connections from ports %d and %d start %d apart (%d and %d)"
                       % (ports[j], ports[i], distance(numbers[i], numbers[j]), numbers[j], numbers[i]))

    def other_boot(self, path):
        expect(self.first, "no number of this boot's first connection")
        with open(path) as f:
            port, number = (int(x) for x in f.read().split())
        if port != self.first[0]:
            raise CheckFailed("the other boot's record is for port %d, this boot used %d" % (port, self.first[0]))
        expect(distance(number, self.first[1]) >= FAR,
               "the same ports started at %d in one boot and %d in the other" % (number, self.first[1]))


def main():
    def arguments(ap):
        ap.add_argument("--guest-port", type=int, default=8080, help="httpd's port inside the guest")
        ap.add_argument("--pcap", required=True, help="QEMU's filter-dump file of the guest's NIC")
        ap.add_argument("--source-port", type=int,
                        help="client port of the reuse check (one that is free), so that boots can be compared")
        ap.add_argument("--record", help="write the reuse check's port and first number here")
        ap.add_argument("--compare", help="a --record file of another boot")

    args, checks, r, ready = netlib.start_checks(
        __doc__, "httpd", lambda host, port: IsnChecks(host, port, None, None), arguments)
    checks.guest_port, checks.pcap = args.guest_port, args.pcap
    if ready:
        r.run("reuse_starts_beyond_old", checks.reuse_starts_beyond_old, args.source_port)
        r.run("ports_spread", checks.ports_spread)
        if args.compare:
            r.run("other_boot", checks.other_boot, args.compare)
        if args.record and checks.first:
            with open(args.record + ".tmp", "w") as f:
                f.write("%d %d\n" % checks.first)
            os.replace(args.record + ".tmp", args.record)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
