"""The kernel command line skiff writes: `[options] [KEY=VALUE...] -- [args]`
with kernel/cmdline.c's quoting: a word holding a blank, a quote or a
backslash (or an empty word) goes in double quotes, with every `"` and `\\`
escaped by a backslash. Any other character, non-ASCII included, passes as
it is. Limits are the kernel's (kernel/cmdline.h, kernel/bootinfo.h)."""
from .errors import usage_error

MAX_BYTES = 4095   # BOOTINFO_CMDLINE_MAX - 1
MAX_ARGS = 63      # CMDLINE_MAX_ARGS without argv[0]
MAX_ENV = 64


def quote_word(word):
    if "\0" in word:
        raise usage_error(f"an argument holds a NUL byte, which cannot be passed: {word!r}")
    if word and not any(c in word for c in ' \t\n\r"\\'):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build(options, env, args):
    """options: kernel words (already in the kernel's syntax); env: KEY=VALUE
    entries; args: argv[1..]. Returns the -append string."""
    if len(args) > MAX_ARGS:
        raise usage_error(f"too many app arguments ({len(args)}; the kernel takes {MAX_ARGS})")
    if len(env) > MAX_ENV:
        raise usage_error(f"too many environment entries ({len(env)}; the kernel takes {MAX_ENV})")
    words = list(options) + [quote_word(e) for e in env] + ["--"] + [quote_word(a) for a in args]
    line = " ".join(words)
    # QEMU prepends the image path; leave room for it.
    if len(line.encode()) > MAX_BYTES - 256:
        raise usage_error(f"the kernel command line would be {len(line.encode())} bytes; "
                          f"the kernel takes about {MAX_BYTES - 256}")
    return line
