#!/usr/bin/env python3
"""A scripted DHCP server for one client, for tap.sh's renewal test: run
inside the test's own network namespace, bound to its bridge, so nothing
leaves the namespace.

    dhcp_server.py IFACE SERVER_IP CLIENT_IP LEASE_S SECONDS

Offers CLIENT_IP for LEASE_S seconds, acknowledges requests for it, and
prints one line per message it gets ("DISCOVER at -", "REQUEST selecting
from 0.0.0.0 to 255.255.255.255 ciaddr 0.0.0.0 at -", "REQUEST renewing
from 192.168.77.50 to 192.168.77.1 ciaddr 192.168.77.50 at 30.0" ...) with
the seconds since its last ACK, then exits after SECONDS.
"""
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


def reply(request, kind, server, client, lease):
    head = bytearray(request[:240])
    head[0] = 2                                             # BOOTREPLY
    head[16:20] = socket.inet_aton(client)                  # yiaddr
    head[20:24] = socket.inet_aton(server)                  # siaddr
    opts = bytes([53, 1, kind]) + bytes([54, 4]) + socket.inet_aton(server)
    opts += bytes([51, 4]) + struct.pack("!I", lease) + bytes([1, 4]) + socket.inet_aton("255.255.255.0")
    opts += bytes([3, 4]) + socket.inet_aton(server) + bytes([255])
    return bytes(head) + opts


def main():
    iface, server, client, lease, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)   # each message's destination
    s.bind(("0.0.0.0", 67))
    end = time.monotonic() + seconds
    leased_at = None
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
        if kind == 1:
            print("DISCOVER at %s" % since, flush=True)
            s.sendto(reply(data, 2, server, client, lease), ("255.255.255.255", 68))
        elif kind == 3:
            state = "renewing" if ciaddr != "0.0.0.0" and src != "0.0.0.0" else "selecting"
            print("REQUEST %s from %s to %s ciaddr %s at %s" % (state, src, dst, ciaddr, since), flush=True)
            to = (ciaddr, 68) if state == "renewing" else ("255.255.255.255", 68)
            s.sendto(reply(data, 5, server, client, lease), to)
            leased_at = time.monotonic()
        else:
            print("%s at %s" % (TYPES.get(kind, kind), since), flush=True)


if __name__ == "__main__":
    main()
