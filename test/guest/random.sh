#!/usr/bin/env bash
# getentropy() (test/guest/apps/random) on the CPU qemu/launch gives each
# architecture, which has a random number generator (x86 RDRAND, arm RNDR):
# the app's checks hold, no warning, and two boots draw different bytes.
# On a CPU without one (QEMU's plain models) the app still works, and the
# console carries the kernel's warning exactly once, quiet or not.
# Usage: random.sh hardware | random.sh none
. "$(dirname "$0")/lib.sh"
warning="skiff: warning: the CPU gives no random numbers (no generator, or it failed); getentropy() and TCP's sequence-number key come from timing alone (QEMU: -cpu max, or -cpu host with KVM)"

case $1 in
hardware)
	boot random
	expect_status 0
	expect_line "random ok"
	expect_no_line "$warning"
	first=$(sed -n 's/^entropy \([0-9a-f]\{32\}\)$/\1/p' "$output")
	boot random
	expect_status 0
	second=$(sed -n 's/^entropy \([0-9a-f]\{32\}\)$/\1/p' "$output")
	[ -n "$first" ] && [ -n "$second" ] || fail "no entropy line"
	[ "$first" != "$second" ] || fail "two boots drew the same bytes: $first"
	pass
	;;
none)
	case $ARCH in
	x86_64) plain_cpu=qemu64 ;;
	aarch64) plain_cpu=cortex-a72 ;;
	esac
	# QEMU takes the last -cpu: this one replaces launch's.
	SKIFF_QEMU_ARGS="-cpu $plain_cpu" boot random --append quiet
	expect_status 0
	expect_line "random ok"
	[ "$(grep -cxF -- "$warning" "$output")" = 1 ] || fail "expected the warning once: $warning"
	pass
	;;
*) echo "unknown case $1"; exit 2 ;;
esac
done_ok
