"""What a file given to `skiff run` is, and what a skiff image needs.

A skiff image is an ELF64 file for x86_64 or aarch64 with the kernel's
symbol table, the `.ksyms` section (tools/gen-ksyms), which survives
`strip`. Whether the image carries the network stack is read from there
(`net_start` is linked only with it): deterministic, no pipeline. Anything
else gets a one-line description of what it is instead."""
import os
import stat
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


def _sections(table, shentsize, shnum, shstrndx, read_at):
    """{name: (address, offset, size)} from the section header table."""
    heads = [struct.unpack_from("<IIQQQQ", table, i * shentsize) for i in range(shnum)]
    if not 0 <= shstrndx < len(heads):
        return {}
    names = read_at(heads[shstrndx][4], heads[shstrndx][5])
    named = {}
    for name, _type, _flags, addr, offset, size in heads:
        end = names.find(b"\0", name)
        named[names[name:end if end >= 0 else len(names)].decode("latin-1")] = (addr, offset, size)
    return named


def _ksyms(blob):
    """The names in .ksyms: a count, (address, name pointer) pairs, then the
    names, NUL-terminated."""
    if len(blob) < 8:
        return set()
    count = struct.unpack_from("<Q", blob, 0)[0]
    names = blob[8 + 16 * count:] if 8 + 16 * count <= len(blob) else b""
    return {n.decode("latin-1") for n in names.split(b"\0") if n}


def read_image(path):
    """An Image, or a SkiffError saying what the file is instead. Reads the
    headers and the .ksyms section only, so a device or a FIFO cannot make
    it hang; a truncated or corrupt ELF file is said to be one."""
    if os.path.isdir(path):
        raise failure(f"{path} is a directory, not a skiff image "
                      "(an app is a name under apps/, an image a build/ARCH/APP.elf file)", 2)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise failure(f"{path} is not a regular file, not a skiff image", 2)
        with open(path, "rb") as f:
            return _read_elf(path, f)
    except FileNotFoundError:
        raise failure(f"no such image: {path}", 2) from None
    except OSError as e:
        raise failure(f"cannot read {path}: {e.strerror}", 2) from None
    except (struct.error, IndexError, ValueError):
        raise failure(f"{path} is a truncated or corrupt ELF file, not a skiff image", 2) from None


def _read_elf(path, f):
    head = f.read(4096)
    if head[:4] == b"\0asm":
        raise failure(f"{path} is a WebAssembly module: skiff run does not boot .wasm modules yet "
                      f"(the unikernel's WebAssembly host is still to come); run it with "
                      f"build/host/wasm/skiff-wasm {path} (made by skiff build)", 2)
    if head[:4] != b"\x7fELF":
        raise failure(f"{path} is {describe_non_elf(path, head)}, not a skiff image", 2)
    if head[4] != 2 or head[5] != 1:
        raise failure(f"{path} is a 32-bit or big-endian ELF file, not a skiff image", 2)
    size = os.fstat(f.fileno()).st_size

    def read_at(offset, length):
        if offset < 0 or length < 0 or offset + length > size:
            raise ValueError("outside the file")
        f.seek(offset)
        return f.read(length)

    e_type, e_machine = struct.unpack_from("<HH", head, 16)
    phoff, shoff = struct.unpack_from("<QQ", head, 32)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", head, 54)
    arch = ARCH_OF_MACHINE.get(e_machine)
    sections = _sections(read_at(shoff, shentsize * shnum), shentsize, shnum, shstrndx, read_at) \
        if shoff and shnum else {}
    pheads = read_at(phoff, phentsize * phnum) if phnum else b""
    segments = [struct.unpack_from("<IIQQQQQ", pheads, i * phentsize) for i in range(phnum)]
    interp = any(seg[0] == 3 for seg in segments)
    if ".ksyms" not in sections or arch is None:
        what = "a Linux program" if (interp or e_type == 3 or ".interp" in sections or ".dynamic" in sections) \
            else f"an ELF file for {arch or 'machine %d' % e_machine}"
        raise failure(f"{path} is {what}, not a skiff image (no kernel symbol table); "
                      "skiff runs images built from apps/ (skiff build)", 2)
    load_end = max((seg[4] + seg[6] for seg in segments if seg[0] == 1), default=0)
    _, offset, length = sections[".ksyms"]
    return Image(os.path.abspath(path), arch, load_end, _ksyms(read_at(offset, length)))


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
