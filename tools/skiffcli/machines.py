"""QEMU machine profiles, one per architecture: the binary, the machines
offered, the exit-status channel (DESIGN.md), the NIC model, the CPU under
TCG, and where RAM starts (for the memory check before boot)."""
from .errors import usage_error


def option_value(text):
    """A value inside a QEMU option string: commas are doubled."""
    return text.replace(",", ",,")


class Profile:
    def __init__(self, arch, binary, machines, tcg_cpu, ram_base, gdb_arch):
        self.arch, self.binary, self.machines = arch, binary, machines
        self.tcg_cpu, self.ram_base, self.gdb_arch = tcg_cpu, ram_base, gdb_arch

    @property
    def default_machine(self):
        return next(iter(self.machines))

    def machine_args(self, machine):
        return list(self.machines[machine])


class X86Profile(Profile):
    # The CPU under TCG: QEMU's default with RDRAND added, so getentropy()
    # and the TCP key have a real generator (kernel/random.h).
    def __init__(self):
        super().__init__("x86_64", "qemu-system-x86_64",
                         {"microvm": ["-M", "microvm"], "pc": ["-M", "pc"], "q35": ["-M", "q35"]},
                         "qemu64,+rdrand", 0, "i386:x86-64")

    def exit_args(self, status_path):
        # arch/x86_64/exit.c: isa-debug-exit (QEMU exits 2n+1) and the debug
        # console port 0xE9 carrying "skiff-exit N" into the status file.
        # A -chardev, whose path may hold any character (commas doubled);
        # -debugcon file:PATH takes the path as it is, commas and all.
        return ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-chardev", "file,id=skiffexit,path=" + option_value(status_path),
                "-device", "isa-debugcon,iobase=0xe9,chardev=skiffexit"]

    def nic_device(self, machine):
        return "virtio-net-device" if machine == "microvm" else "virtio-net-pci"

    def blk_device(self, machine):
        return "virtio-blk-device" if machine == "microvm" else "virtio-blk-pci"

    def ninep_device(self, machine):
        return "virtio-9p-device" if machine == "microvm" else "virtio-9p-pci"


class Arm64Profile(Profile):
    # "max": QEMU 7.2's only model with RNDR; the image turns on none of
    # max's extensions.
    def __init__(self):
        super().__init__("aarch64", "qemu-system-aarch64",
                         {"virt": ["-M", "virt"], "virt-gicv3": ["-M", "virt,gic-version=3"],
                          "virt-el2": ["-M", "virt,virtualization=on"], "virt-pci": ["-M", "virt"]},
                         "max", 0x40000000, "aarch64")

    def exit_args(self, status_path):
        # arch/aarch64/exit.c: semihosting's console writes "skiff-exit N"
        # into the status file; SYS_EXIT makes QEMU exit with N. It also lets
        # a guest open host files: only skiff's own launches turn it on.
        return ["-chardev", "file,id=skiffexit,path=" + option_value(status_path),
                "-semihosting-config", "enable=on,target=native,chardev=skiffexit"]

    def nic_device(self, machine):
        return "virtio-net-pci" if machine == "virt-pci" else "virtio-net-device"

    def blk_device(self, machine):
        return "virtio-blk-pci" if machine == "virt-pci" else "virtio-blk-device"

    def ninep_device(self, machine):
        return "virtio-9p-pci" if machine == "virt-pci" else "virtio-9p-device"


PROFILES = {"x86_64": X86Profile(), "aarch64": Arm64Profile()}
ARCHS = tuple(PROFILES)

# What the kernel needs past its image before main() runs (page bitmap,
# page tables, the main thread's first stack pages, the heap's first
# pages): hello runs with 40 KiB to spare on both architectures; this
# leaves room for an app's own start-up.
BOOT_MARGIN = 512 * 1024


def profile(arch):
    try:
        return PROFILES[arch]
    except KeyError:
        raise usage_error(f"unknown architecture '{arch}' (supported: {', '.join(ARCHS)})") from None


def check_machine(prof, machine):
    if machine not in prof.machines:
        raise usage_error(f"unknown machine '{machine}' for {prof.arch} ({', '.join(prof.machines)})")
    return machine


def minimum_memory(prof, image, initrd_size=0):
    """Bytes of RAM the image needs to reach main(): everything from the
    start of RAM to the image's end, the initrd, and the boot margin."""
    return max(0, image.load_end - prof.ram_base) + initrd_size + BOOT_MARGIN
