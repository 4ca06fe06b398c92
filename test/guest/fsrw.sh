#!/usr/bin/env bash
# The writable root over the VFS (test/guest/apps/fsrw): files, names,
# directories and the current directory behave as on Linux, and a file of
# the initrd can be written (copied on first write). The same program is
# first run natively in a scratch directory, so every expectation it has
# is Linux's own.
. "$(dirname "$0")/lib.sh"
mkdir -p "$work/native" "$work/tree/etc"
cc -std=gnu11 -Wall -Wextra -Werror -o "$work/fsrw" "$repo/test/guest/apps/fsrw/main.c"
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
expect_no_line "FAIL"
done_ok
