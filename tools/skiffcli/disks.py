"""Disks: `skiff run --disk FILE[:ro]` (checked before boot, given to QEMU as
virtio-blk, mounted at /data when it is the only one) and `skiff disk
create` (an ext4 or ext2 image made by Debian's mke2fs, optionally filled
from a directory)."""
import os
import re
import shutil
import subprocess

from .errors import failure, usage_error
from .machines import option_value


class Disk:
    def __init__(self, path, read_only):
        self.path, self.read_only = path, read_only

    def __str__(self):
        return self.path + (":ro" if self.read_only else "")


def parse_disk(spec):
    """--disk FILE[:ro|:rw]."""
    path, ro = spec, False
    m = re.fullmatch(r"(.*):(ro|rw)", spec)
    if m:
        path, ro = m.group(1), m.group(2) == "ro"
    if not path:
        raise usage_error(f"bad --disk '{spec}' (FILE[:ro])")
    return Disk(path, ro)


def check(disks):
    """Before boot: every image exists, is a file or a block device, and is
    writable unless :ro; no image twice."""
    seen = {}
    for d in disks:
        if not os.path.exists(d.path):
            raise failure(f"--disk {d.path}: no such file (make one with `skiff disk create`)", 2)
        if os.path.isdir(d.path):
            raise failure(f"--disk {d.path}: a directory; share it with --dir, or make an image of it "
                          "with `skiff disk create IMAGE --from DIR`", 2)
        real = os.path.realpath(d.path)
        if real in seen:
            raise failure(f"--disk {d.path}: given twice", 2)
        seen[real] = True
        if not d.read_only and not os.access(d.path, os.W_OK):
            raise failure(f"--disk {d.path}: not writable here; add :ro to use it read-only", 2)
        if not os.access(d.path, os.R_OK):
            raise failure(f"--disk {d.path}: not readable here", 2)


def serial_of(path):
    """The disk's serial (virtio-blk get-id: at most 20 bytes): the image's
    file name, reduced to characters QEMU takes as they are."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(path))
    return name[:20] or "disk"


def qemu_args(disks, device):
    """-drive/-device pairs, vda first. format=raw is explicit: QEMU would
    otherwise guess, and refuse writes to block 0 of a guessed raw image."""
    args = []
    for i, d in enumerate(disks):
        fmt = "qcow2" if d.path.endswith(".qcow2") else "raw"
        drive = f"file={option_value(os.path.abspath(d.path))},if=none,id=disk{i},format={fmt}"
        if d.read_only:
            drive += ",readonly=on"
        args += ["-drive", drive, "-device", f"{device},drive=disk{i},serial={serial_of(d.path)}"]
    return args


def mount_options(disks, append):
    """The mount= a lone disk gets (at /data) unless the kernel options
    already name it."""
    if len(disks) != 1 or re.search(r"(^|\s)mount=vda:", append):
        return []
    return ["mount=vda:/data" + (":ro" if disks[0].read_only else "")]


_MKE2FS_TYPES = ("ext4", "ext2")


def _mke2fs():
    for candidate in (shutil.which("mke2fs"), "/sbin/mke2fs", "/usr/sbin/mke2fs"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise failure("mke2fs is missing (Debian package e2fsprogs; tools/setup installs it)")


def create(image, size, source, fs_type, force):
    """`skiff disk create IMAGE --size SIZE [--from DIR] [--type ext4|ext2]`."""
    if fs_type not in _MKE2FS_TYPES:
        raise usage_error(f"disk create: unknown --type '{fs_type}' ({', '.join(_MKE2FS_TYPES)})")
    if source and not os.path.isdir(source):
        raise usage_error(f"disk create: --from {source}: not a directory")
    if os.path.exists(image) and not force:
        raise failure(f"disk create: {image} exists; add --force to replace it", 2)
    if size < 1 << 20:
        raise usage_error("disk create: --size must be at least 1M")
    argv = [_mke2fs(), "-q", "-F", "-t", fs_type, "-L", "skiff"]
    if source:
        argv += ["-d", source]
    tmp = image + ".tmp"
    argv += [tmp, f"{size // 1024}k"]
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
        why = lines[-1] if lines else f"status {r.returncode}"
        raise failure(f"disk create: mke2fs failed: {why}")
    os.replace(tmp, image)
    what = f"from {source}" if source else "empty"
    print(f"skiff: {image}: {fs_type}, {size >> 20} MiB, {what}")
    return 0
