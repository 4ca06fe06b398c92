"""QEMU's argument vector for one guest, built the same way for `skiff run`,
qemu/launch, the guest tests and the benchmarks, so they boot identical
machines; and QEMU's own error messages turned into one line of ours."""
import os
import re

from .machines import option_value, profile
from .units import format_kib

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LISTEN_PRELOAD = os.path.join(REPO, "build", "qemu", "listen-backlog.so")


class Launch:
    """One guest's QEMU: the fields say what, argv() says how. (A plain
    class: dataclasses costs `skiff run` 5 ms of imports.)"""

    def __init__(self, arch="x86_64", machine="", mem_kib=32 * 1024, kernel="", initrd="", append="",
                 kvm=False, status_path=os.devnull, nics=(), cdrom="", qmp_path="", gdb_port=0, extra=(),
                 disks=(), shares=()):
        self.arch, self.machine, self.mem_kib = arch, machine, mem_kib
        self.kernel, self.initrd, self.append, self.kvm = kernel, initrd, append, kvm
        self.status_path = status_path
        self.nics = list(nics)          # -netdev descriptions without id
        self.shares = list(shares)      # (host directory, mount tag, read-only)
        self.cdrom = cdrom
        self.qmp_path = qmp_path        # a QMP socket skiff connects to (forwards)
        self.gdb_port = gdb_port        # gdb stub, guest held at its first instruction
        self.extra = list(extra)
        self.disks = list(disks)        # disks.Disk, vda first

    def argv(self):
        prof = profile(self.arch)
        machine = self.machine or prof.default_machine
        args = [prof.binary, "-nodefaults", "-no-user-config", "-display", "none",
                "-serial", "stdio", "-no-reboot", "-m", format_kib(self.mem_kib)]
        args += prof.machine_args(machine) + prof.exit_args(self.status_path)
        for i, nic in enumerate(self.nics):
            args += ["-netdev", f"{nic},id=net{i}", "-device", f"{prof.nic_device(machine)},netdev=net{i}"]
        if self.disks:
            from .disks import qemu_args
            args += qemu_args(self.disks, prof.blk_device(machine))
        for i, (host, tag, read_only) in enumerate(self.shares):
            # security_model=none: QEMU opens the files as the user it runs
            # as, root or not, and keeps no xattrs; what the guest makes is
            # an ordinary file of that user with the mode the guest gave.
            # A read-only share is also read-only in QEMU.
            args += ["-fsdev", f"local,id=fsdev{i},path={option_value(host)},security_model=none"
                     + (",readonly=on" if read_only else ""),
                     "-device", f"{prof.ninep_device(machine)},fsdev=fsdev{i},mount_tag={option_value(tag)}"]
        args += ["-accel", "kvm", "-cpu", "host"] if self.kvm else ["-accel", "tcg", "-cpu", prof.tcg_cpu]
        if self.cdrom:
            args += ["-cdrom", self.cdrom, "-boot", "d"]
        else:
            args += ["-kernel", self.kernel]
            if self.initrd:
                args += ["-initrd", self.initrd]
            if self.append:
                args += ["-append", self.append]
        if self.qmp_path:
            args += ["-qmp", f"unix:{option_value(self.qmp_path)},server=on,wait=off"]
        if self.gdb_port:
            args += ["-gdb", f"tcp:127.0.0.1:{self.gdb_port}", "-S"]
        return args + list(self.extra)

    def env(self):
        """QEMU's environment: with port forwards, libslirp's listen() backlog
        of 1 is widened by qemu/listen-backlog.c (built by make)."""
        env = dict(os.environ)
        if self.qmp_path or any("hostfwd=" in n for n in self.nics):
            if os.path.exists(LISTEN_PRELOAD):
                env["LD_PRELOAD"] = LISTEN_PRELOAD + (":" + env["LD_PRELOAD"] if env.get("LD_PRELOAD") else "")
        return env


_EXPLAINED = [
    (re.compile(r"Could not set up host forwarding rule '(?:tcp|udp):([^:]*):(\d+)"),
     lambda m: f"port {m.group(2)} on {m.group(1) or '0.0.0.0'} is in use (or not ours to take): "
               "pick another with -p"),
    (re.compile(r"could not load (?:kernel|multiboot) '([^']*)'|Error loading uncompressed kernel"),
     lambda m: "QEMU could not load the image as a kernel"),
    (re.compile(r"cannot set up guest memory|Cannot allocate memory"),
     lambda m: "this machine cannot give QEMU that much memory (--mem)"),
    (re.compile(r"failed to initialize kvm|Could not access KVM kernel module"),
     lambda m: "KVM is not usable here; run without --kvm (TCG)"),
    (re.compile(r"Is another process using the image \[([^]]*)\]"),
     lambda m: f"disk {m.group(1)} is in use by another QEMU (QEMU's lock): stop that one first"),
    (re.compile(r"Failed to get \"(?:write|consistent read)\" lock"),
     lambda m: "a disk is in use by another QEMU (QEMU's lock): stop that one first"),
    (re.compile(r"could not open disk image|Could not open '([^']*)'"),
     lambda m: f"QEMU could not open {m.group(1) or 'a file'}"),
    (re.compile(r"invalid accelerator|-accel"),
     lambda m: "QEMU refused the accelerator"),
]


def explain(stderr_text):
    """One line of ours for QEMU's error output, or None when we do not
    recognise it (the caller then shows QEMU's own lines)."""
    for pattern, say in _EXPLAINED:
        m = pattern.search(stderr_text)
        if m:
            return say(m)
    return None
