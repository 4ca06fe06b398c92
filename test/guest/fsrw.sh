#!/usr/bin/env bash
# The writable root over the VFS (test/guest/apps/fsrw): files, names,
# directories and the current directory behave as on Linux, and a file of
# the initrd can be written (copied on first write). The same program is
# first run natively in a scratch directory, so every expectation it has
# is Linux's own.
. "$(dirname "$0")/lib.sh"
mkdir -p "$work/native" "$work/tree/etc"
cc -std=gnu11 -Wall -Wextra -Werror -o "$work/fsrw" "$repo"/test/guest/apps/fsrw/*.c
FSRW_DIR=$work/native "$work/fsrw" >"$output" || fail "the checks fail natively on Linux"
expect_line "fsrw: 0 failures"
printf 'hello initrd\n' >"$work/tree/etc/motd"
boot fsrw --initrd "$work/tree" -e FSRW_INITRD=1
expect_status 0
expect_line "fsrw: 0 failures"
expect_line "ok rename replaces"
expect_line "ok data lives until close"
expect_line "ok getcwd"
expect_line "ok initrd file copied on write"
expect_line "ok openat creates in the dirfd"
expect_line "ok mkstemp"
expect_line "ok futimens"
expect_line "ok UTIME_OMIT, UTIME_NOW"
expect_line "ok fcntl F_GETLK"
expect_line "ok dup3"
expect_line "ok munmap writes back"
expect_line "ok MAP_PRIVATE writes stay private"
expect_line "ok statvfs"
expect_no_line "FAIL"
# mount= on the command line: tmpfs mounts (a limit, read-only), and a bad
# one reported while the app still runs.
boot fsrw -e FSRW_MOUNTS=1 --append \
	"mount=tmpfs:/scratch:size=64K mount=tmpfs:/frozen:ro mount=vdz:/data:ext4 mount=tmpfs:relative"
expect_status 0
expect_line "fsrw: 0 failures"
expect_line "ok size limit ENOSPC"
expect_line "ok '..' leaves the mount"
expect_line "skiff: mount=vdz:/data:ext4: no disk named 'vdz' (0 disks found); not mounted"
expect_line "skiff: mount=tmpfs:relative: the target must be an absolute path; not mounted"
done_ok
