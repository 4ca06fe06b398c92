#!/usr/bin/env bash
# The same hello.elf boots from a GRUB ISO (grub-mkrescue, `multiboot`
# command) on -M pc, with its command line and exit status intact.
. "$(dirname "$0")/lib.sh"
[ "$ARCH" = x86_64 ] || { echo "GRUB ISO is an x86_64 (BIOS) test"; exit 0; }
make -s -C "$repo" ARCH=x86_64 build/x86_64/hello.elf
"$repo/tools/mkiso" "$repo/build/x86_64/hello.elf" "$work/hello.iso" FROM=grub -- booted by grub --exit 3
status=0
timeout -k 5 "$GUEST_TIMEOUT" "$repo/qemu/launch" --arch x86_64 --machine pc --mem 64M \
	--cdrom "$work/hello.iso" --status-file "$work/status" </dev/null >"$work/raw" 2>&1 || status=$?
tr -d '\r' <"$work/raw" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >"$output"
[ "$status" != 124 ] || fail "GRUB boot did not finish within ${GUEST_TIMEOUT}s"
expect_line "hello from skiff"
expect_line "argv[1]=booted"
expect_line "argv[3]=grub"
expect_line "env FROM=grub"
grep -qx "skiff-exit 3" "$work/status" || fail "debug console status: $(cat "$work/status")"
pass
[ "$status" = 7 ] || fail "QEMU status $status, expected 7 (2*3+1 from isa-debug-exit)"
pass
done_ok
