#!/usr/bin/env bash
# Disks through virtio-blk and the block cache, as /dev/vda (a raw device,
# no file system): the host's bytes read back, a write across partial
# blocks lands exactly (checked on the host) and survives into the next
# boot, ENOSPC past the end, EROFS on a read-only disk, the serial is the
# image's name. The lone disk skiff mounts at /data holds no file system:
# that is one line naming the device and what it found, and the app runs on.
# $1: the machine (virtio-mmio or PCI).
. "$(dirname "$0")/lib.sh"
machine=${1:-$MAIN_MACHINE}
python3 - "$work/disk.img" "$work/ro.img" <<'PY'
import sys
size = 4 * 1024 * 1024 + 512           # not a whole number of 4 KiB blocks
data = bytes(((i * 7 + (i >> 12)) & 0xFF) for i in range(size))
for path in sys.argv[1:]:
    with open(path, "wb") as f:
        f.write(data)
PY
cp "$work/disk.img" "$work/orig.img"
boot blkraw --machine "$machine" --disk "$work/disk.img" --disk "$work/ro.img:ro" --append loglevel=debug
expect_status 0
expect_line "blkraw: 0 failures"
expect_line "ok write to the read-only disk: EROFS"
expect_line "ok the whole disk in one read"
expect_match "vda: .*, 8193 sectors, read-write.*serial 'disk.img'"
expect_match "vdb: .*read-only.*serial 'ro.img'"
python3 - "$work/disk.img" "$work/orig.img" <<'PY' || fail "the image on the host is not what the guest wrote"
import sys
WRITE_AT, WRITE_LEN = 1000003, 300001
new, old = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert len(new) == len(old), "size changed"
want = bytes(((i * 13 + 5) & 0xFF) for i in range(WRITE_AT, WRITE_AT + WRITE_LEN))
assert new[WRITE_AT:WRITE_AT + WRITE_LEN] == want, "written range differs"
assert new[:WRITE_AT] == old[:WRITE_AT], "bytes before the range changed"
tail = WRITE_AT + WRITE_LEN
assert new[tail:-1] == old[tail:-1], "bytes after the range changed"
assert new[-1:] == b"a", "the short write at the end"
PY
pass
# The next boot reads the writes back; the lone disk is offered at /data.
boot blkraw --machine "$machine" --disk "$work/disk.img" -- verify
expect_status 0
expect_line "blkraw: 0 failures"
expect_line "ok the last boot's writes are on the disk"
expect_match "skiff: mount=vda:/data: vda holds no file system this image knows \(magic 0x.... at 1080; types here: .*\); not mounted"
# A device error reaches the caller as EIO (QEMU's blkdebug fails the I/O
# of chosen sectors): reads at once, writes at the fsync that writes them
# back, every fsync until they succeed.
cat >"$work/fail.cfg" <<'CFG'
[inject-error]
event = "read_aio"
errno = "5"
sector = "4096"

[inject-error]
event = "write_aio"
errno = "5"
sector = "6144"
CFG
device=virtio-blk-pci
[ "$machine" != microvm ] && [ "$machine" != virt ] || device=virtio-blk-device
SKIFF_QEMU_ARGS="-drive file=blkdebug:$work/fail.cfg:$work/disk.img,if=none,id=bad,format=raw -device $device,drive=bad" \
	boot blkraw --machine "$machine" -- eio
expect_line "ok a failing read: EIO"
expect_line "ok its write-back fails: fsync EIO"
expect_line "ok and the next fsync again"
expect_line "blkraw: 0 failures"
expect_status 0
done_ok
