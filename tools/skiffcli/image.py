"""What a file given to `skiff run` is, and what a skiff image needs.

A skiff image is an ELF64 file for x86_64 or aarch64 with the kernel's
symbol table, the `.ksyms` section (tools/gen-ksyms), which survives
`strip`. Whether the image carries the network stack is read from there
(`net_start` is linked only with it): deterministic, no pipeline. Anything
else gets a one-line description of what it is instead."""
import os
import struct

from .errors import failure

EM_X86_64, EM_AARCH64 = 62, 183
ARCH_OF_MACHINE = {EM_X86_64: "x86_64", EM_AARCH64: "aarch64"}


class Image:
    def __init__(self, path, arch, load_end, symbols):
        self.path, self.arch, self.load_end = path, arch, load_end
        self.symbols = symbols

    @property
    def uses_network(self):
        return "net_start" in self.symbols


def _sections(data, shoff, shentsize, shnum, shstrndx):
    heads = []
    for i in range(shnum):
        off = shoff + i * shentsize
        name, _type, _flags, addr, offset, size = struct.unpack_from("<IIQQQQ", data, off)
        heads.append((name, addr, offset, size))
    if not 0 <= shstrndx < len(heads):
        return {}
    str_off = heads[shstrndx][2]
    named = {}
    for name, addr, offset, size in heads:
        end = data.find(b"\0", str_off + name)
        named[data[str_off + name:end].decode("latin-1")] = (addr, offset, size)
    return named


def _ksyms(data, section):
    """The names in .ksyms: a count, (address, name pointer) pairs, then the
    names, NUL-terminated."""
    addr, offset, size = section
    blob = data[offset:offset + size]
    if len(blob) < 8:
        return set()
    count = struct.unpack_from("<Q", blob, 0)[0]
    names = blob[8 + 16 * count:] if 8 + 16 * count <= len(blob) else b""
    return {n.decode("latin-1") for n in names.split(b"\0") if n}


def read_image(path):
    """An Image, or a SkiffError saying what the file is instead."""
    if os.path.isdir(path):
        raise failure(f"{path} is a directory, not a skiff image "
                      "(an app is a name under apps/, an image a build/ARCH/APP.elf file)", 2)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise failure(f"no such image: {path}", 2) from None
    except OSError as e:
        raise failure(f"cannot read {path}: {e.strerror}", 2) from None
    if data[:4] == b"\0asm":
        raise failure(f"{path} is a WebAssembly module: skiff run does not boot .wasm modules yet "
                      f"(the unikernel's WebAssembly host is still to come); run it with "
                      f"build/host/wasm/skiff-wasm {path} (made by skiff build)", 2)
    if data[:4] != b"\x7fELF":
        raise failure(f"{path} is {describe_non_elf(path, data)}, not a skiff image", 2)
    if data[4] != 2 or data[5] != 1:
        raise failure(f"{path} is a 32-bit or big-endian ELF file, not a skiff image", 2)
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    phoff, shoff = struct.unpack_from("<QQ", data, 32)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 54)
    arch = ARCH_OF_MACHINE.get(e_machine)
    sections = _sections(data, shoff, shentsize, shnum, shstrndx) if shoff else {}
    interp = any(struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 3 for i in range(phnum))
    if ".ksyms" not in sections or arch is None:
        what = "a Linux program" if (interp or e_type == 3 or ".interp" in sections or ".dynamic" in sections) \
            else f"an ELF file for {arch or 'machine %d' % e_machine}"
        raise failure(f"{path} is {what}, not a skiff image (no kernel symbol table); "
                      "skiff runs images built from apps/ (skiff build)", 2)
    load_end = 0
    for i in range(phnum):
        p_type, _f, _o, vaddr, paddr, _fs, memsz = struct.unpack_from("<IIQQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            load_end = max(load_end, paddr + memsz)
    return Image(os.path.abspath(path), arch, load_end, _ksyms(data, sections[".ksyms"]))


def describe_non_elf(path, data):
    if data[:4] == b"\0asm":
        return "a WebAssembly module"
    if data[:2] == b"#!":
        return "a script"
    if data[:6] in (b"070701", b"070702"):
        return "a CPIO archive (give it with --initrd)"
    ext = os.path.splitext(path)[1]
    if ext in (".c", ".h", ".cc", ".cpp", ".S", ".s", ".rs", ".go", ".py"):
        return "source code (put it in apps/NAME/ and run NAME)"
    try:
        data[:4096].decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return "not an ELF file"
