# QEMU profile for aarch64 guests (sourced by qemu/launch).
# Machine: virt (GICv2 by default, gic-version=3 selectable, or with EL2 so
# the kernel is entered at EL2 and drops to EL1, or with its NICs on PCIe).
# The ELF is loaded by its program headers; the device tree QEMU builds
# carries memory, -append and -initrd.
qemu_binary=qemu-system-aarch64
qemu_default_machine=virt
qemu_machines="virt virt-gicv3 virt-el2 virt-pci"
# The CPU under TCG: "max", QEMU 7.2's only model with RNDR (FEAT_RNG),
# the generator getentropy() and the TCP key need (kernel/random.h). The
# image is built for plain ARMv8.0 and turns on none of max's extensions.
qemu_tcg_cpu=max

# $1 machine -> extra arguments
qemu_machine_args() {
	case $1 in
	virt|virt-pci) echo "-M virt" ;;
	virt-gicv3) echo "-M virt,gic-version=3" ;;
	virt-el2) echo "-M virt,virtualization=on" ;;   # entered at EL2
	esac
}

# The exit-status channel of arch/aarch64/exit.c: semihosting, whose
# console (SYS_WRITE0) writes "skiff-exit N" into the file $1 and whose
# SYS_EXIT makes QEMU exit with the status. Semihosting also lets a guest
# open host files, which is why only this launcher turns it on (README).
qemu_exit_args() {
	echo "-chardev file,id=skiffexit,path=$1 -semihosting-config enable=on,target=native,chardev=skiffexit"
}

# The NIC model: virtio-mmio (the virt machine's transports), or
# virtio-pci behind virt's PCIe host bridge on virt-pci.
qemu_nic_device() {
	case $1 in
	virt-pci) echo virtio-net-pci ;;
	*) echo virtio-net-device ;;
	esac
}
