# QEMU profile for x86_64 guests (sourced by qemu/launch).
# Machines: pc (i440FX, SeaBIOS), q35 (ICH9), microvm (no PCI, no firmware
# tables, fastest to boot). All take the ELF through multiboot (-kernel).
qemu_binary=qemu-system-x86_64
qemu_default_machine=microvm
qemu_machines="pc q35 microvm"
# The CPU under TCG: QEMU's default with RDRAND added, so that getentropy()
# and the TCP key have a real generator (kernel/random.h) and nothing else
# the guest sees changes. Under KVM launch passes the host's CPU instead.
qemu_tcg_cpu=qemu64,+rdrand

# $1 machine -> extra arguments
qemu_machine_args() {
	case $1 in
	microvm) echo "-M microvm" ;;
	pc) echo "-M pc" ;;
	q35) echo "-M q35" ;;
	esac
}

# The exit-status channels of arch/x86_64/exit.c: isa-debug-exit (QEMU's
# status 2n+1) and the debug console port 0xE9, which carries the exact
# status as "skiff-exit N" into the file $1.
qemu_exit_args() {
	echo "-device isa-debug-exit,iobase=0xf4,iosize=0x04 -debugcon file:$1"
}

# The NIC model: virtio-mmio on microvm (no PCI), virtio-pci elsewhere.
qemu_nic_device() {
	case $1 in
	microvm) echo virtio-net-device ;;
	*) echo virtio-net-pci ;;
	esac
}
