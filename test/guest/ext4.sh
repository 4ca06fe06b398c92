#!/usr/bin/env bash
# ext4 on a virtio-blk disk (fs/ext4.c over libext2fs), checked with the
# host's e2fsprogs. The host makes the image (mke2fs -t ext4 -d, Debian's
# default features, a journal included) from a tree of known bytes; skiff
# mounts the lone disk at /data; the app (apps/ext4files) reads the tree
# back and writes its own files. Cases ($2):
#   rw       the host's files read back exactly; after the app's writes
#            `e2fsck -fn` is clean and `debugfs -R 'cat ...'` prints exactly
#            what was written; a second boot reads it all back;
#   ro       a read-only disk (--disk IMG:ro): reads work, changes EROFS;
#   corrupt  a damaged superblock: one line naming the mount, the app runs.
# $1: the machine.
. "$(dirname "$0")/lib.sh"
machine=${1:-$MAIN_MACHINE}
case_=${2:-rw}
img=$work/disk.img
python3 - "$work/src" <<'PY'
import os, sys
root = sys.argv[1]
def pattern(n, mul, add):
    return bytes(((i * mul + i // 4096 + add) & 0xFF) for i in range(n))
os.makedirs(f"{root}/host/deep/er")
os.makedirs(f"{root}/host/many")
open(f"{root}/host/big.bin", "wb").write(pattern(1000000, 7, 1))
open(f"{root}/host/deep/er/small.bin", "wb").write(pattern(5000, 13, 9))
open(f"{root}/host/hello.txt", "w").write("hello from the host\n")
os.symlink("hello.txt", f"{root}/host/link")
for i in range(200):
    open(f"{root}/host/many/name-{i:03d}", "w").write(f"{i}\n")
PY
PATH=$PATH:/sbin:/usr/sbin
mke2fs -q -F -t ext4 -d "$work/src" "$img" 32M || fail "mke2fs failed"

# e2fsck -fn must find nothing to fix.
fsck_clean() {
    e2fsck -fn "$img" >"$work/fsck.out" 2>&1 || { cat "$work/fsck.out"; fail "e2fsck -fn: $1"; }
    pass
}

case $case_ in
rw)
    boot ext4files --machine "$machine" --disk "$img" -- write
    expect_status 0
    expect_line "ext4files: 0 failures"
    expect_match "skiff: ext4 vda on /data"
    fsck_clean "after the guest's writes"
    for f in /out/big.bin /out/moved/small.txt /out/old.txt /out/hard /out/trunc.bin; do
        debugfs -R "cat $f" "$img" >"$work/$(basename "$f").cat" 2>/dev/null || fail "debugfs cat $f"
    done
    [ "$(debugfs -R 'stat /out/sym' "$img" 2>/dev/null | grep -c 'Fast link dest: "moved/small.txt"')" = 1 ] ||
        fail "the symlink's target on the host"
    python3 - "$work" <<'PY' || fail "debugfs does not show what the guest wrote"
import sys
w = sys.argv[1]
def pattern(n, mul, add, start=0):
    return bytes((((i * mul + i // 4096 + add) & 0xFF) for i in range(start, start + n)))
big = open(f"{w}/big.bin.cat", "rb").read()
assert len(big) == (5 << 20) + 4096, f"big.bin size {len(big)}"
assert big[:3 << 20] == pattern(3 << 20, 31, 3), "big.bin's first 3 MiB"
assert big[3 << 20:5 << 20] == bytes(2 << 20), "big.bin's hole reads as zeros"
assert big[5 << 20:] == pattern(4096, 31, 3, 5 << 20), "big.bin's last block"
assert open(f"{w}/small.txt.cat", "rb").read() == b"small text\n", "moved/small.txt"
assert open(f"{w}/old.txt.cat", "rb").read() == b"new\n", "old.txt (renamed over)"
assert open(f"{w}/hard.cat", "rb").read() == b"new\n", "the hard link"
assert open(f"{w}/trunc.bin.cat", "rb").read() == pattern(12345, 5, 0), "trunc.bin"
PY
    pass
    boot ext4files --machine "$machine" --disk "$img" -- verify
    expect_status 0
    expect_line "ext4files: 0 failures"
    fsck_clean "after the second boot"
    ;;
ro)
    boot ext4files --machine "$machine" --disk "$img:ro" -- ro
    expect_status 0
    expect_line "ext4files: 0 failures"
    expect_match "skiff: ext4 vda on /data \(read-only\)"
    fsck_clean "after a read-only mount"
    ;;
corrupt)
    # The superblock's inode count zeroed: libext2fs refuses the image.
    python3 - "$img" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1024)
    f.write(bytes(4))
PY
    boot ext4files --machine "$machine" --disk "$img" -- nodisk
    expect_status 0
    expect_line "ext4files: still running"
    expect_line "ext4files: 0 failures"
    expect_match "skiff: mount=vda:/data.*not a usable ext2/3/4 file system.*; not mounted"
    ;;
*) fail "unknown case '$case_'" ;;
esac
done_ok
