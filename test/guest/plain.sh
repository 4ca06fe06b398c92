#!/usr/bin/env bash
# The image boots with a bare QEMU command line, no skiff involved, with
# the exit conventions of docs/ARCHITECTURE.md: on x86_64 the host sees status 2n+1 from
# isa-debug-exit; on aarch64 semihosting's SYS_EXIT gives n itself, and
# without semihosting PSCI powers the VM off (status 0: the code is lost).
# Usage: plain.sh MACHINE N [psci|panic-psci]
. "$(dirname "$0")/lib.sh"
machine=$1 n=$2
make -s -C "$repo" ARCH="$ARCH" "build/$ARCH/hello.elf"
image=$repo/build/$ARCH/hello.elf
status=0
# On aarch64, the machine's QEMU words (virt-gicv3 is "-M virt,gic-version=3")
# and the CPU launch uses: virt's default CPU is a 32-bit one.
if [ "$ARCH" = aarch64 ]; then
	case $machine in
	virt|virt-pci) machine_args=(-M virt) ;;
	virt-gicv3) machine_args=(-M virt,gic-version=3) ;;
	virt-el2) machine_args=(-M virt,virtualization=on) ;;
	esac
	machine_args+=(-cpu max)
fi
if [ "$ARCH" = x86_64 ]; then
	timeout -k 5 "$GUEST_TIMEOUT" qemu-system-x86_64 -M "$machine" -display none -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$image" \
		-append "X=1 -- --exit $n" </dev/null >"$work/raw" 2>&1 || status=$?
	want=$((2 * n + 1))
elif [ "${3:-}" = panic-psci ]; then
	# A panic without semihosting: one report, then PSCI powers off (an
	# exit that trapped again once looped here, overwriting memory).
	make -s -C "$repo" ARCH="$ARCH" "build/$ARCH/traps.elf"
	timeout -k 5 "$GUEST_TIMEOUT" qemu-system-aarch64 "${machine_args[@]}" -display none \
		-serial stdio -kernel "$repo/build/$ARCH/traps.elf" \
		-append "-- null" </dev/null >"$work/raw" 2>&1 || status=$?
	[ "$status" != 124 ] || fail "QEMU did not end within ${GUEST_TIMEOUT}s"
	tr -d '\r' <"$work/raw" >"$output"
	expect_match "^null pointer dereference: read at address 0x0+$"
	[ "$(grep -c 'halted by panic' "$output")" = 1 ] || fail "expected one panic report"
	pass
	expect_status 0
	done_ok
	exit 0
else
	semihosting=(-semihosting) want=$n
	[ "${3:-}" != psci ] || { semihosting=() want=0; }
	timeout -k 5 "$GUEST_TIMEOUT" qemu-system-aarch64 "${machine_args[@]}" -display none \
		-serial stdio "${semihosting[@]}" -kernel "$image" \
		-append "X=1 -- --exit $n" </dev/null >"$work/raw" 2>&1 || status=$?
fi
[ "$status" != 124 ] || fail "QEMU did not end within ${GUEST_TIMEOUT}s"
tr -d '\r' <"$work/raw" >"$output"
expect_line "hello from skiff"
expect_line "env X=1"
expect_status "$want"
done_ok
