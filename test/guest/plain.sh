#!/usr/bin/env bash
# The image boots with a bare QEMU command line, no skiff involved: the
# DESIGN.md convention that the host sees status 2n+1 from isa-debug-exit.
# Usage: plain.sh MACHINE N
. "$(dirname "$0")/lib.sh"
machine=$1 n=$2
make -s -C "$repo" ARCH=x86_64 build/x86_64/hello.elf
status=0
timeout -k 5 "$GUEST_TIMEOUT" qemu-system-x86_64 -M "$machine" -display none -serial stdio \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$repo/build/x86_64/hello.elf" \
	-append "X=1 -- --exit $n" </dev/null >"$work/raw" 2>&1 || status=$?
tr -d '\r' <"$work/raw" >"$output"
expect_line "hello from skiff"
expect_line "env X=1"
expect_status $((2 * n + 1))
done_ok
