#!/usr/bin/env bash
# Host directories over virtio-9p (skiff run --dir; test/guest/apps/share,
# test/guest/share_tree.py). share.sh CASE [MACHINE]:
#   rw       the guest reads what the host made (byte-exact, a file larger
#            than msize, 1500 entries), and writes, creates, renames,
#            unlinks, links and fsyncs files that the host then checks
#            byte by byte; the same app first runs natively on Linux, so
#            its expectations are Linux's own
#   ro       a :ro share: reads work, every write gives EROFS, the host
#            directory is unchanged
#   missing  a mount= naming a tag no device has: a one-line error, and
#            the app runs on
#   legacy   rw over a legacy (virtio 0.9.5) PCI device (MACHINE: a PCI one)
#   modern-mmio  rw over a virtio 1.x MMIO device (QEMU's MMIO devices are
#            legacy unless told otherwise; MACHINE: an MMIO one)
. "$(dirname "$0")/lib.sh"
case_=$1
machine=${2:-$MAIN_MACHINE}
tree() { python3 "$repo/test/guest/share_tree.py" "$@"; }
mkdir "$work/host"
tree make "$work/host"
# Under TCG the app's 1500-entry listing and 500 KB of I/O take a while.
GUEST_TIMEOUT=100
case $case_ in
rw | legacy | modern-mmio)
	if [ "$case_" = modern-mmio ]; then
		export SKIFF_QEMU_ARGS="-global virtio-mmio.force-legacy=false"
	elif [ "$case_" = rw ]; then
		mkdir "$work/native"
		tree make "$work/native"
		cc -std=gnu11 -Wall -Wextra -Werror -pthread -o "$work/share" "$repo/test/guest/apps/share/main.c"
		SHARE_DIR=$work/native SHARE_MODE=rw "$work/share" >"$output" || fail "the checks fail natively on Linux"
		expect_line "share: 0 failures"
		tree check "$work/native" >"$output" || fail "the host's checks fail after the native run"
	else
		# QEMU's PCI devices are transitional; this one offers only the
		# legacy interface.
		export SKIFF_QEMU_ARGS="-global virtio-9p-pci.disable-modern=on -global virtio-9p-pci.disable-legacy=off"
	fi
	boot share --machine "$machine" --dir "$work/host:/host" -e SHARE_DIR=/host -e SHARE_MODE=rw
	expect_status 0
	expect_line "skiff: 9p share0 on /host"
	expect_line "share: 0 failures"
	expect_line "ok read file larger than msize"
	expect_line "ok readdir many entries"
	expect_line "ok write file larger than msize"
	expect_line "ok rename open file"
	expect_line "ok concurrent readers"
	expect_no_line "FAIL"
	tree check "$work/host" >"$output" || fail "the host sees something else than the guest wrote"
	expect_line "host: 0 problems"
	;;
ro)
	tree listing "$work/host" >"$work/before"
	boot share --machine "$machine" --dir "$work/host:/host:ro" -e SHARE_DIR=/host -e SHARE_MODE=ro
	expect_status 0
	expect_line "skiff: 9p share0 on /host (read-only)"
	expect_line "ok create gives EROFS"
	expect_line "ok unlink gives EROFS"
	expect_line "share: 0 failures"
	tree listing "$work/host" >"$work/after"
	cmp -s "$work/before" "$work/after" || fail "the read-only share changed on the host"
	pass
	;;
missing)
	boot share --machine "$machine" --dir "$work/host:/host" --append "mount=9p:nosuch:/missing" \
		-e SHARE_DIR=/missing -e SHARE_MODE=missing
	expect_status 0
	expect_line "skiff: mount=9p:nosuch:/missing: no 9p share tagged 'nosuch' (shares here: share0); not mounted"
	expect_line "share: still running"
	expect_line "share: 0 failures"
	;;
*) fail "unknown case $case_" ;;
esac
done_ok
