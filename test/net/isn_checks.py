#!/usr/bin/env python3
"""Checks of the first sequence numbers a guest's httpd gives its TCP
connections, read from QEMU's dump of the guest's frames (-object
filter-dump on the NIC behind the forward).

RFC 6528 makes a number a clock that ticks every 4 us plus a keyed hash of
the connection's addresses and ports. The dump's timestamps give the clock's
share between two numbers (250,000 a second), so the checks can tell the
hash's share from it:

  - reuse_starts_beyond_old: a client back on the port of a connection the
    server closed (whose TIME_WAIT the new SYN ends) gets a connection that
    starts exactly 65,537 past the old one's next number (RFC 1122
    4.2.2.13, with Linux's margin), where the clock alone would have given
    less;
  - ports_spread: connections from different ports differ by more than the
    clock explains (the hash covers the ports);
  - with --record FILE this boot's share of the hash for the reuse check's
    port is written there; with --compare FILE it must differ from what
    another boot recorded for the same ports (another boot, another key).

Loopback only: the forward on 127.0.0.1.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import netlib  # noqa: E402
from netlib import CheckFailed, expect  # noqa: E402

SEQ_SPACE = 1 << 32
TICKS_PER_S = 250000    # RFC 6528's clock
FLOOR_GAP = 65537       # how far past the old connection a reused one starts
# How near the clock's share may leave two numbers of unrelated hashes: 65
# ms of disagreement between the guest's clock and the dump's timestamps.
# Random 32-bit hashes come that near once in 130,000 pairs.
FAR = 1 << 14


def signed(d):
    """A sequence-space difference as a signed number."""
    d %= SEQ_SPACE
    return d - SEQ_SPACE if d >= SEQ_SPACE // 2 else d


def clock(seconds):
    return int(seconds * TICKS_PER_S)


class IsnChecks:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.guest_port = self.pcap = None
        self.hash_share = None  # (port, number less the clock's share since the first frame)

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

    def sent_to(self, client_port):
        """(seconds, flags, sequence number) of what the guest sent to
        client_port."""
        return [(when, flags, seq) for when, sport, dport, flags, seq in netlib.tcp_segments(self.pcap)
                if sport == self.guest_port and dport == client_port]

    @staticmethod
    def starts(sent):
        """(seconds, number) of each connection's SYN-ACK, a resent one
        counted once."""
        syn_ack = netlib.TCP_SYN | netlib.TCP_ACK
        seen, out = set(), []
        for when, flags, seq in sent:
            if flags & syn_ack == syn_ack and seq not in seen:
                seen.add(seq)
                out.append((when, seq))
        return out

    def reuse_starts_beyond_old(self, source_port):
        # A connection started more than a quarter second after the old one
        # is beyond it by the clock alone: then the floor cannot be seen,
        # and the pair is tried again.
        for attempt in range(3):
            holder = netlib.reserved_port(self.host) if source_port is None else None
            try:
                port = source_port or holder.getsockname()[1]
                self.fetch(port)
                self.fetch(port)    # on the first one's port, its TIME_WAIT in the guest
            finally:
                if holder:
                    holder.close()
            sent = self.sent_to(port)
            starts = self.starts(sent)[-2:]
            expect(len(starts) == 2, "%d connections to port %d in the dump, expected 2" % (len(starts), port))
            (t_old, old), (t_new, new) = starts
            fins = [seq for when, flags, seq in sent if t_old <= when <= t_new and flags & netlib.TCP_FIN]
            expect(fins, "the server's FIN of the first connection is not in the dump")
            old_next = (fins[-1] + 1) % SEQ_SPACE      # the FIN takes one number
            by_clock = signed(old + clock(t_new - t_old) - old_next)
            if by_clock < FLOOR_GAP - FAR:
                got = signed(new - old_next)
                expect(got == FLOOR_GAP, "the new connection starts %d past the old one's next number %d "
                       "(expected %d; the clock alone gives %d)" % (got, old_next, FLOOR_GAP, by_clock))
                self.record_share(port)
                return
        raise CheckFailed("three reconnections each came too late to see where the floor put them")

    def record_share(self, port):
        """This boot's number for port less the clock's share since the
        guest's first frame (its DHCP DISCOVER or ARP, some 20 ms after its
        clock started): what is left is the hash, within a few ms of
        clock."""
        records = netlib.pcap_records(self.pcap)
        first_frame = records[0][0]
        when, number = self.starts(self.sent_to(port))[0]
        self.hash_share = (port, signed(number - clock(when - first_frame)) % SEQ_SPACE)

    def ports_spread(self):
        holders = [netlib.reserved_port(self.host) for _ in range(4)]
        try:
            ports = [h.getsockname()[1] for h in holders]
            for p in ports:
                self.fetch(p)
        finally:
            for h in holders:
                h.close()
        firsts = []
        for p in ports:
            found = self.starts(self.sent_to(p))
            expect(len(found) == 1, "%d connections to port %d in the dump" % (len(found), p))
            firsts.append(found[0])
        for i in range(len(firsts)):
            for j in range(i):
                (ti, ni), (tj, nj) = firsts[i], firsts[j]
                beyond_clock = signed(ni - nj - clock(ti - tj))
                expect(abs(beyond_clock) >= FAR,
                       "connections from ports %d and %d start %d apart beyond what the clock explains"
                       % (ports[j], ports[i], beyond_clock))

    def other_boot(self, path):
        expect(self.hash_share, "no number of this boot's first connection")
        with open(path) as f:
            port, share = (int(x) for x in f.read().split())
        if port != self.hash_share[0]:
            raise CheckFailed("the other boot's record is for port %d, this boot used %d" % (port, self.hash_share[0]))
        apart = signed(share - self.hash_share[1])
        expect(abs(apart) >= FAR, "the same ports got hashes %d apart in two boots: the same key?" % apart)


def main():
    def arguments(ap):
        ap.add_argument("--guest-port", type=int, default=8080, help="httpd's port inside the guest")
        ap.add_argument("--pcap", required=True, help="QEMU's filter-dump file of the guest's NIC")
        ap.add_argument("--source-port", type=int,
                        help="client port of the reuse check (one held free), so that boots can be compared")
        ap.add_argument("--record", help="write the reuse check's port and hash share here")
        ap.add_argument("--compare", help="a --record file of another boot")

    args, checks, r, ready = netlib.start_checks(__doc__, "httpd", IsnChecks, arguments)
    checks.guest_port, checks.pcap = args.guest_port, args.pcap
    if ready:
        r.run("reuse_starts_beyond_old", checks.reuse_starts_beyond_old, args.source_port)
        r.run("ports_spread", checks.ports_spread)
        if args.compare:
            r.run("other_boot", checks.other_boot, args.compare)
        if args.record and checks.hash_share:
            with open(args.record + ".tmp", "w") as f:
                f.write("%d %d\n" % checks.hash_share)
            os.replace(args.record + ".tmp", args.record)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
