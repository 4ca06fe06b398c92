#!/usr/bin/env python3
"""A scripted DHCP server for one client, for tap.sh's DHCP tests: run
inside the test's own network namespace, bound to its bridge, so nothing
leaves the namespace.

    dhcp_server.py IFACE SERVER_IP CLIENT_IP LEASE_S SECONDS [--nak-renewal-then NEW_IP | --silent-after-lease]

Offers CLIENT_IP for LEASE_S seconds, acknowledges requests for it, and
prints one line per message it gets ("DISCOVER at -", "REQUEST selecting
from 0.0.0.0 to 255.255.255.255 ciaddr 0.0.0.0 at -", "REQUEST renewing
from 192.168.77.50 to 192.168.77.1 ciaddr 192.168.77.50 at 30.0", "REQUEST
rebinding ..." for one broadcast from a leased address) with the seconds
since its last ACK, then exits after SECONDS. With --nak-renewal-then it
refuses (NAK) the lease's renewal or rebinding and leases NEW_IP to the
client's next DISCOVER; with --silent-after-lease it answers nothing after
its first ACK, so the lease runs out.
"""
import argparse
import select
import socket
import struct
import sys
import time

COOKIE = b"\x63\x82\x53\x63"
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)   # Linux's value; Python may not name it
TYPES = {1: "DISCOVER", 3: "REQUEST", 4: "DECLINE", 7: "RELEASE", 8: "INFORM"}


def options(data):
    opts, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        code, n = data[i], data[i + 1]
        opts[code] = data[i + 2:i + 2 + n]
        i += 2 + n
    return opts


OFFER, ACK, NAK = 2, 5, 6


def reply(request, kind, server, client, lease):
    head = bytearray(request[:240])
    head[0] = 2                                             # BOOTREPLY
    if kind == NAK:
        head[12:16] = bytes(4)                              # ciaddr
    head[16:20] = socket.inet_aton(client if kind != NAK else "0.0.0.0")   # yiaddr
    head[20:24] = socket.inet_aton(server)                  # siaddr
    opts = bytes([53, 1, kind]) + bytes([54, 4]) + socket.inet_aton(server)
    if kind != NAK:
        opts += bytes([51, 4]) + struct.pack("!I", lease) + bytes([1, 4]) + socket.inet_aton("255.255.255.0")
        opts += bytes([3, 4]) + socket.inet_aton(server)
    return bytes(head) + opts + bytes([255])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("iface", "server", "client"):
        ap.add_argument(name)
    ap.add_argument("lease", type=int)
    ap.add_argument("seconds", type=float)
    after = ap.add_mutually_exclusive_group()
    after.add_argument("--nak-renewal-then", metavar="NEW_IP")
    after.add_argument("--silent-after-lease", action="store_true")
    args = ap.parse_args()
    server, client, lease = args.server, args.client, args.lease
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.iface.encode())
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)   # each message's destination
    s.bind(("0.0.0.0", 67))
    end = time.monotonic() + args.seconds
    leased_at = None
    refused = False     # --nak-renewal-then: the first lease was refused
    print("ready", flush=True)
    while time.monotonic() < end:
        if not select.select([s], [], [], 0.5)[0]:
            continue
        data, ancillary, _, (src, _) = s.recvmsg(2048, 64)
        dst = "?"
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(value) >= 12:
                dst = socket.inet_ntoa(value[8:12])             # in_pktinfo.ipi_addr
        if len(data) < 240 or data[236:240] != COOKIE or data[0] != 1:
            continue
        opts = options(data)
        kind = opts.get(53, b"\0")[0]
        ciaddr = socket.inet_ntoa(data[12:16])
        since = "%.1f" % (time.monotonic() - leased_at) if leased_at else "-"
        silent = args.silent_after_lease and leased_at is not None
        if kind == 1:
            print("DISCOVER at %s" % since, flush=True)
            if not silent:
                s.sendto(reply(data, OFFER, server, client, lease), ("255.255.255.255", 68))
        elif kind == 3:
            if ciaddr == "0.0.0.0" or src == "0.0.0.0":
                state = "selecting"
            else:
                state = "renewing" if dst == server else "rebinding"
            print("REQUEST %s from %s to %s ciaddr %s at %s" % (state, src, dst, ciaddr, since), flush=True)
            if silent:
                continue
            if state != "selecting" and args.nak_renewal_then and not refused:
                # The client's old lease is over: NAKs go out broadcast.
                s.sendto(reply(data, NAK, server, client, lease), ("255.255.255.255", 68))
                print("NAK sent", flush=True)
                refused, client = True, args.nak_renewal_then
                continue
            to = (ciaddr, 68) if state != "selecting" else ("255.255.255.255", 68)
            s.sendto(reply(data, ACK, server, client, lease), to)
            leased_at = time.monotonic()
        else:
            print("%s at %s" % (TYPES.get(kind, kind), since), flush=True)


if __name__ == "__main__":
    main()
