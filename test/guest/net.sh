#!/usr/bin/env bash
# Network bring-up: virtio-net on each transport (PCI modern with MSI-X,
# PCI legacy with INTx, MMIO legacy and modern), DHCP from QEMU's user
# networking, static ip=, two NICs in order, the bounded DHCP wait, and the
# ARP frames sent when an address is set (captured by QEMU's filter-dump).
# Usage: net.sh dhcp MACHINE | legacy-pci | modern-mmio | static | two-nics | five-nics | no-lease |
#        arp | pci-msi | pci-intx | pci-bridge | pci-bridge-intx (aarch64)
. "$(dirname "$0")/lib.sh"
dhcp_line() { echo "skiff: en$1 \\(virtio1@$2\\): $3 netmask 255.255.255.0 gateway $4 \\($5\\)"; }
case $1 in
dhcp)
	boot netinfo --machine "$2" --net user
	bus=mmio; [[ $2 =~ ^(pc|q35|virt-pci)$ ]] && bus=pci
	expect_match "^$(dhcp_line 0 "$bus[0-9a-f:.]+" 10.0.2.15 10.0.2.2 dhcp)$"
	;;
legacy-pci)
	# aarch64: the I/O BAR through the host bridge's I/O window, INTx
	# through its interrupt-map.
	machine=pc irq_line="^skiff: irq line [0-9]+ -> vector 0x[0-9a-f]+ \\(level\\)$"
	[ "$ARCH" = x86_64 ] || { machine=virt-pci irq_line="^skiff: irq INTID [0-9]+ \\(level\\)$"; }
	SKIFF_QEMU_ARGS="-global virtio-net-pci.disable-modern=on" boot netinfo --machine "$machine" --net user --append loglevel=7
	expect_match "mac 52:54:00:12:34:56 mtu 1500, [0-9]+\\+[0-9]+ buffers, legacy$"
	expect_match "$irq_line"
	expect_match "^$(dhcp_line 0 'pci[0-9:.]+' 10.0.2.15 10.0.2.2 dhcp)$"
	;;
pci-msi|pci-intx)
	# aarch64 virtio-pci: MSI-X through the GICv2m frame (GICv2), or the
	# INTx line where the GIC has no frame (GICv3 without an ITS driver).
	if [ "$1" = pci-msi ]; then
		boot netinfo --machine virt-pci --net user --append loglevel=7
		expect_match "^skiff: msi -> INTID [0-9]+ \\(GICv2m\\)$"
	else
		SKIFF_QEMU_ARGS="-M virt,gic-version=3" boot netinfo --machine virt-pci --net user --append loglevel=7
		expect_match "^skiff: GICv3, "
		expect_match "^skiff: irq INTID [0-9]+ \\(level\\)$"
	fi
	expect_match "mac 52:54:00:12:34:56 mtu 1500, [0-9]+\\+[0-9]+ buffers, virtio 1.x$"
	expect_match "^$(dhcp_line 0 'pci[0-9:.]+' 10.0.2.15 10.0.2.2 dhcp)$"
	;;
pci-bridge|pci-bridge-intx)
	# aarch64: a NIC behind a PCIe root port, which the kernel numbers and
	# gives windows (no firmware); interrupts by MSI, or INTx swizzled
	# through the port on GICv3.
	gic=""; [ "$1" = pci-bridge-intx ] && gic="-M virt,gic-version=3"
	SKIFF_QEMU_ARGS="$gic -device pcie-root-port,id=rp1,chassis=1 -netdev user,id=behind \
-device virtio-net-pci,netdev=behind,bus=rp1" boot netinfo --net none --append loglevel=7
	if [ "$1" = pci-bridge ]; then
		expect_match "^skiff: msi -> INTID [0-9]+ \\(GICv2m\\)$"
	else
		expect_match "^skiff: irq INTID [0-9]+ \\(level\\)$"
	fi
	expect_match "^$(dhcp_line 0 'pci1:0.0' 10.0.2.15 10.0.2.2 dhcp)$"
	;;
modern-mmio)
	SKIFF_QEMU_ARGS="-global virtio-mmio.force-legacy=false" boot netinfo --machine "$MAIN_MACHINE" --net user --append loglevel=7
	expect_match "mac 52:54:00:12:34:56 mtu 1500, [0-9]+\\+[0-9]+ buffers, virtio 1.x$"
	expect_match "^$(dhcp_line 0 'mmio[0-9a-f]+' 10.0.2.15 10.0.2.2 dhcp)$"
	;;
static)
	boot netinfo --net user --ip 10.0.2.42/24,10.0.2.2
	expect_match "^$(dhcp_line 0 'mmio[0-9a-f]+' 10.0.2.42 10.0.2.2 static)$"
	;;
two-nics)
	# The second NIC's network differs, so the order is visible.
	# x86_64 on pc (virtio-pci), aarch64 on virt (virtio-mmio).
	machine=pc device=virtio-net-pci bus='pci[0-9:.]+'
	[ "$ARCH" = x86_64 ] || { machine=$MAIN_MACHINE device=virtio-net-device bus='mmio[0-9a-f]+'; }
	SKIFF_QEMU_ARGS="-netdev user,id=second,net=10.0.3.0/24 -device $device,netdev=second,mac=52:54:00:00:00:02" \
		boot netinfo --machine "$machine" --net user --append 'loglevel=7 ip=dhcp ip=10.0.3.9::10.0.3.2:255.255.255.0'
	expect_match "^$(dhcp_line 0 "$bus" 10.0.2.15 10.0.2.2 dhcp)$"
	expect_match "^$(dhcp_line 1 "$bus" 10.0.3.9 10.0.3.2 static)$"
	expect_match "^skiff: virtio1@$bus: mac 52:54:00:00:00:02 "
	;;
five-nics)
	# One NIC past the table (NETDEV_MAX 4): the fifth is reported, never
	# dropped silently, and the four others work.
	machine=pc device=virtio-net-pci bus='pci[0-9:.]+'
	[ "$ARCH" = x86_64 ] || { machine=$MAIN_MACHINE device=virtio-net-device bus='mmio[0-9a-f]+'; }
	extra=
	for i in 2 3 4 5; do
		extra+=" -netdev user,id=n$i,net=10.0.$((i + 1)).0/24 -device $device,netdev=n$i"
	done
	SKIFF_QEMU_ARGS=$extra boot netinfo --machine "$machine" --net user
	expect_status 0
	expect_match "^skiff: virtio1@$bus: a network device past the 4th is not used$"
	expect_match "^skiff: virtio1@$bus: virtio-net driver failed \\(error -28\\); device not used$"
	expect_match "^$(dhcp_line 3 "$bus" 10.0.5.15 10.0.5.2 dhcp)$"
	expect_no_line "skiff: en4"
	;;
arp)
	# Whether the address is static or leased, it is announced (a
	# gratuitous ARP: sender and target are our address) and the gateway is
	# asked for its MAC, so the first answer does not wait for ARP. netinfo
	# exits at once: the frames still get out (the exit waits for the NIC
	# to take them), the later one only kicked to the device at the exit.
	for how in static dhcp; do
		address=10.0.2.42 ip=(--ip 10.0.2.42/24,10.0.2.2)
		[ "$how" = dhcp ] && { address=10.0.2.15 ip=(); }
		rm -f "$work/frames.pcap"
		SKIFF_QEMU_ARGS="-object filter-dump,id=capture,netdev=net0,file=$work/frames.pcap" \
			boot netinfo --net user "${ip[@]}"
		expect_status 0
		python3 "$repo/test/net/netlib.py" arp-frames "$work/frames.pcap" >"$work/arp" ||
			fail "no capture of the guest's frames ($how)"
		grep -qxF "request 52:54:00:12:34:56 $address -> $address" "$work/arp" ||
			fail "no gratuitous ARP for $address ($how); ARP frames: $(cat "$work/arp")"
		pass
		grep -qxF "request 52:54:00:12:34:56 $address -> 10.0.2.2" "$work/arp" ||
			fail "the gateway 10.0.2.2 was not asked for ($how); ARP frames: $(cat "$work/arp")"
		pass
	done
	;;
no-lease)
	# A NIC on an empty hub: nobody answers DHCP.
	SKIFF_QEMU_ARGS="-netdev hubport,id=lonely,hubid=7 -device virtio-net-device,netdev=lonely" \
		boot netinfo --net none
	expect_line "skiff: warning: en0: no DHCP lease after 5 s; it has no address"
	expect_line "netinfo: main reached"
	;;
*) echo "unknown case $1"; exit 2 ;;
esac
expect_status 0
done_ok
