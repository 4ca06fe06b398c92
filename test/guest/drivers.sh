#!/usr/bin/env bash
# The device layer links a driver only when something names it: hello (no
# sockets, no files beyond the initrd) carries no driver and no bus code,
# httpd carries virtio-net and the virtio bus, each registered once.
. "$(dirname "$0")/lib.sh"
make -s -C "$repo" ARCH="$ARCH" "build/$ARCH/hello.elf" "build/$ARCH/httpd.elf"
nm_tool=nm
[ "$ARCH" = x86_64 ] || nm_tool=aarch64-linux-gnu-nm
address_of() { awk -v s="$2" '$3 == s { print $1 }' <<<"$1"; }
hello=$("$nm_tool" "$repo/build/$ARCH/hello.elf")
httpd=$("$nm_tool" "$repo/build/$ARCH/httpd.elf")
[ "$(address_of "$hello" __drivers_start)" = "$(address_of "$hello" __drivers_end)" ] ||
	fail "hello has registered drivers"
pass
[ "$(address_of "$hello" __buses_start)" = "$(address_of "$hello" __buses_end)" ] || fail "hello has buses"
pass
! grep -qE ' (virtio_|pci_scan|netdev_)' <<<"$hello" || fail "hello links driver code"
pass
grep -qE ' R virtio_net_driver$' <<<"$httpd" || fail "httpd has no virtio-net driver"
pass
start=$((16#$(address_of "$httpd" __drivers_start))) end=$((16#$(address_of "$httpd" __drivers_end)))
[ $((end - start)) = 8 ] || fail "httpd registers $(((end - start) / 8)) drivers, expected 1"
pass
done_ok
