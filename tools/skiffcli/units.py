"""Parsing the values of options: sizes, port forwards, environment entries,
static addresses, shared host directories. Pure functions (--dir also
looks at the host path), tested by test/cli/test_units.py."""
import os
import re

from .errors import usage_error

_SIZE_UNITS = {"": 1 << 20, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text):
    """'16M', '16Mi', '16MiB', '512K', '1G', '1Gi' -> bytes. A bare number is
    MiB, as QEMU's -m takes it. Units are binary whatever their spelling."""
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)(i?[bB]?)\s*", text)
    if not m or (m.group(3) and not m.group(2)):
        raise usage_error(f"bad memory size '{text}' (e.g. 64M, 64Mi, 1G, 512K)")
    value = int(m.group(1)) * _SIZE_UNITS[m.group(2).lower()]
    if value == 0:
        raise usage_error(f"bad memory size '{text}': it must be more than 0")
    return value


def format_kib(kib):
    """A size in KiB as the shortest QEMU -m spelling (1024 -> '1M')."""
    if kib % (1 << 20) == 0:
        return f"{kib >> 20}G"
    if kib % 1024 == 0:
        return f"{kib >> 10}M"
    return f"{kib}K"


class Forward:
    """One -p: proto tcp|udp, the host address and port, the guest port."""

    def __init__(self, proto, host_ip, host_port, guest_port):
        self.proto, self.host_ip = proto, host_ip
        self.host_port, self.guest_port = host_port, guest_port

    def hostfwd(self):
        """QEMU's hostfwd rule (netdev option and monitor command alike)."""
        return f"{self.proto}:{self.host_ip}:{self.host_port}-:{self.guest_port}"

    def __str__(self):
        return f"{self.host_ip}:{self.host_port}->{self.guest_port}/{self.proto}"

    def __eq__(self, other):
        return str(self) == str(other)


def _port(text, spec):
    if not re.fullmatch(r"\d{1,5}", text) or not 1 <= int(text) <= 65535:
        raise usage_error(f"bad port '{text}' in -p '{spec}' (1-65535)")
    return int(text)


def parse_publish(spec):
    """-p [IP:]HOST:GUEST[/udp|/tcp], or PORT for the same port on both sides;
    the old spelling udp:HOST:GUEST is taken too. The address defaults to
    127.0.0.1: a forward reachable from other machines must be asked for."""
    rest, proto = spec, "tcp"
    m = re.fullmatch(r"(.*)/(tcp|udp)", rest)
    if m:
        rest, proto = m.group(1), m.group(2)
    elif re.match(r"(tcp|udp):", rest):
        proto, rest = rest[:3], rest[4:]
    ip = "127.0.0.1"
    m = re.fullmatch(r"\[?([0-9.]+)\]?:(.+)", rest)
    if m and rest.count(":") == 2:
        import ipaddress
        ip, rest = m.group(1), m.group(2)
        try:
            ipaddress.IPv4Address(ip)
        except ValueError:
            raise usage_error(f"bad address '{ip}' in -p '{spec}' (an IPv4 address)") from None
    parts = rest.split(":")
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2:
        raise usage_error(f"bad -p '{spec}' ([IP:]HOST:GUEST[/udp])")
    return Forward(proto, ip, _port(parts[0], spec), _port(parts[1], spec))


_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Words before `--` that the kernel takes as its own options
# (kernel/cmdline.c's table, and those DESIGN reserves): such a KEY=VALUE
# would never reach the app's environ, so it is refused.
KERNEL_OPTIONS = ("quiet", "loglevel", "ip", "dns", "console", "mount", "hostname", "ip6")


def parse_env(entry, where="-e"):
    """KEY=VALUE with KEY a C identifier (the guest's getenv finds it);
    the value may hold any character but NUL."""
    key, eq, _ = entry.partition("=")
    if not eq or not _ENV_KEY.fullmatch(key):
        raise usage_error(f"bad environment entry '{entry}' in {where} (KEY=VALUE, KEY a C identifier)")
    if "\0" in entry:
        raise usage_error(f"environment entry {key} holds a NUL byte, which cannot be passed")
    if key in KERNEL_OPTIONS:
        raise usage_error(f"environment entry '{key}=...' in {where}: '{key}' is a kernel option "
                          "(see --append), so the app could not see it")
    return entry


def parse_env_file(path):
    """Docker's --env-file: KEY=VALUE per line, '#' comments and blank lines
    skipped, the value taken as it is (no quotes removed)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise usage_error(f"--env-file {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise usage_error(f"--env-file {path}: not UTF-8 text") from None
    entries = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entries.append(parse_env(line, f"{path}:{n}"))
    return entries


def parse_ip(value):
    """--ip ADDRESS[/PREFIX][,GATEWAY] (or the kernel's own syntax, or dhcp)
    -> the kernel's ip= value."""
    m = re.fullmatch(r"([0-9.]+)(?:/(\d{1,2}))?(?:,([0-9.]+))?", value)
    if m:
        import ipaddress
        try:
            addr = ipaddress.IPv4Address(m.group(1))
            gw = ipaddress.IPv4Address(m.group(3)) if m.group(3) else ""
        except ValueError:
            raise usage_error(f"bad --ip '{value}' (e.g. 192.168.100.2/24,192.168.100.1)") from None
        prefix = int(m.group(2) or 24)
        if prefix > 32:
            raise usage_error(f"bad prefix length /{prefix} in --ip '{value}'")
        return f"{addr}::{gw}:{prefix}"
    if value == "dhcp" or re.match(r"[0-9.]+::", value):
        return value
    raise usage_error(f"bad --ip '{value}' (e.g. 192.168.100.2/24,192.168.100.1)")


def parse_timeout(text):
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise usage_error(f"bad timeout '{text}' (seconds)")
    return float(text)


class HostDir:
    """A host directory shared with the guest (--dir HOST:GUEST[:ro])."""

    def __init__(self, host, guest, read_only):
        self.host, self.guest, self.read_only = host, guest, read_only

    def mount_option(self, tag):
        """The kernel's mount= word for this share under 9p tag `tag`."""
        return f"mount=9p:{tag}:{self.guest}" + (":ro" if self.read_only else "")


def parse_dir(spec):
    """HOST:GUEST[:ro] (or :rw). HOST may hold ':' (the last fields are
    GUEST's); GUEST is an absolute path of the guest, without ':' or blanks,
    which the kernel's mount= syntax could not carry."""
    text, read_only = spec, False
    for suffix, ro in ((":ro", True), (":rw", False)):
        if text.endswith(suffix):
            text, read_only = text[:-len(suffix)], ro
            break
    host, sep, guest = text.rpartition(":")
    if not sep or not host or not guest:
        raise usage_error(f"bad --dir '{spec}' (HOST:GUEST[:ro])")
    if not guest.startswith("/"):
        raise usage_error(f"--dir {spec}: the guest path '{guest}' must be absolute")
    if any(c in guest for c in ": \t\n\r\"\\") or len(guest.encode()) > 200:
        raise usage_error(f"--dir {spec}: the guest path '{guest}' may not hold ':', blanks, quotes "
                          "or backslashes, nor be longer than 200 bytes")
    if not os.path.exists(host):
        raise usage_error(f"--dir {spec}: no such directory '{host}' on the host")
    if not os.path.isdir(host):
        raise usage_error(f"--dir {spec}: '{host}' is not a directory")
    return HostDir(os.path.abspath(host), guest.rstrip("/") or "/", read_only)
