"""The `skiff` command line: one parser per command, each with --help."""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys

from . import build, disks, machines, units
from .errors import Interrupted, SkiffError, usage_error
from .qemu import REPO

VERSION = "0.6.0"

RUN_EPILOG = """\
APP is a name under apps/ (or test/guest/apps/), or a directory of C files
anywhere, built when needed; or a path to an image (build/ARCH/APP.elf).
The guest's stdout goes to skiff's stdout; its stderr and the kernel's
messages to skiff's stderr. skiff exits with the app's status: 125 when the
guest panicked, 124 after --timeout, 130/143/129 when stopped by Ctrl-C,
SIGTERM or SIGHUP, 128+N when QEMU was killed by signal N, 1 when QEMU or a
build failed, 2 for a mistake on the command line.
A TCP port given with -p opens on the host only once the app listens on it
in the guest, so the first client is answered at once.
--dir HOST:GUEST shares a host directory over virtio-9p (QEMU's -fsdev local,
no daemon): the guest reads and writes the host's files in place; what it
makes belongs to the user running skiff. With :ro, writes give EROFS."""


class Parser(argparse.ArgumentParser):
    """Errors as one line of ours; no abbreviated options (an abbreviation
    would also slip past the supervisor's argument list of run -d)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message):
        command = self.prog.partition(" ")[2]
        raise usage_error(f"{command + ': ' if command else ''}{message} (see {self.prog} --help)")


def _sub(subs, name, help_text, **kw):
    return subs.add_parser(name, help=help_text, description=help_text,
                           formatter_class=argparse.RawDescriptionHelpFormatter, **kw)


def _run_parser(subs):
    p = _sub(subs, "run", "Build APP if needed, boot it under QEMU, return its exit status.",
             epilog=RUN_EPILOG)
    p.add_argument("app", metavar="APP")
    p.add_argument("args", nargs="*", metavar="ARG", help="the app's argv[1..] (after --)")
    p.add_argument("--arch", default="x86_64", choices=machines.ARCHS, help="guest architecture")
    p.add_argument("--machine", help="x86_64: microvm (default), pc, q35; aarch64: virt (default), "
                   "virt-gicv3, virt-el2, virt-pci")
    p.add_argument("-m", "--mem", type=units.parse_size, default=32 << 20,
                   help="guest memory: 64M, 64Mi, 1G, 512K (default 32M; bare numbers are MiB)")
    p.add_argument("-e", "--env", action="append", default=[], metavar="KEY=VALUE",
                   help="an environment entry of the app (repeatable; any characters in VALUE)")
    p.add_argument("--env-file", action="append", default=[], metavar="FILE",
                   help="KEY=VALUE lines ('#' comments) for the app's environment")
    p.add_argument("--initrd", metavar="FILE|DIR", help="the root file system: a CPIO archive, "
                   "or a directory packed into one")
    p.add_argument("-p", "--publish", action="append", default=[], type=units.parse_publish,
                   metavar="[IP:]HOST:GUEST[/udp]", help="forward IP:HOST (default 127.0.0.1) to the "
                   "guest's port GUEST (repeatable)")
    p.add_argument("--net", action="append", default=[], metavar="user|tap:NAME|none",
                   help="a NIC (repeatable): user networking (default for network apps), a tap device, none")
    p.add_argument("--ip", action="append", default=[], type=units.parse_ip, metavar="ADDR[/PREFIX][,GW]",
                   help="static address for the next NIC instead of DHCP")
    p.add_argument("--disk", action="append", default=[], type=disks.parse_disk, metavar="FILE[:ro]",
                   help="a disk image as virtio-blk (vda, vdb... in order); a lone one is mounted at /data "
                   "unless --append has mount=vda:...")
    p.add_argument("--dir", action="append", default=[], type=units.parse_dir, metavar="HOST:GUEST[:ro]",
                   help="share the host directory HOST at GUEST in the guest over virtio-9p "
                   "(repeatable; :ro read-only)")
    p.add_argument("--append", default="", metavar="OPTIONS", help="kernel options, e.g. 'loglevel=7'")
    p.add_argument("-q", "--quiet", action="store_true", help="only the kernel's warnings and errors")
    p.add_argument("--kvm", action="store_true", help="use KVM (only where /dev/kvm works)")
    p.add_argument("--timeout", type=units.parse_timeout, default=0, metavar="SECONDS",
                   help="stop the guest after this long (status 124)")
    p.add_argument("-d", "--detach", action="store_true", help="run in the background; print its name")
    p.add_argument("--name", help="the detached instance's name (default APP-XXXXXX)")
    p.add_argument("--gdb", type=int, default=0, metavar="PORT", nargs="?", const=1234,
                   help="hold the guest at its first instruction for gdb on 127.0.0.1:PORT (default 1234)")
    p.add_argument("--instance-dir", help=argparse.SUPPRESS)
    return p


def cmd_run(opts):
    if opts.name and not opts.detach:
        raise usage_error("run: --name names a detached instance; add -d")
    if opts.instance_dir and opts.detach:
        raise usage_error("run: --instance-dir is skiff's own")
    if opts.gdb and opts.detach:
        raise usage_error("run: --gdb and -d together make no sense (gdb needs a guest in front of it)")
    if opts.gdb and not 1 <= opts.gdb <= 65535:
        raise usage_error(f"run: bad --gdb port {opts.gdb}")
    # Extra QEMU arguments for experiments and tests, in shell syntax.
    opts.qemu_args = shlex.split(os.environ.get("SKIFF_QEMU_ARGS", ""))
    from . import run_cmd

    return run_cmd.run(opts)


def cmd_build(opts):
    arch = opts.arch
    build.setup([arch])
    if opts.apps or not opts.host:
        build.build_images(arch, opts.apps)
    if not opts.apps or opts.host:
        host = build.build_host_tools(None, build.HOST_TOOLS)
        print(f"skiff: host tools in {os.path.relpath(host, REPO)}/ of the repository "
              f"(skiff-wasm: {os.path.relpath(os.path.join(host, 'wasm', 'skiff-wasm'), REPO)})",
              file=sys.stderr)
    return 0


def cmd_test(opts):
    archs = [opts.arch] if opts.arch else []
    build.setup(archs or ["aarch64"])
    if not archs:
        for a in machines.ARCHS:
            prof = machines.profile(a)
            cc = "gcc" if a == "x86_64" else "aarch64-linux-gnu-gcc"
            if shutil.which(cc) and shutil.which(prof.binary):
                archs.append(a)
            else:
                print(f"== no toolchain or QEMU for {a} here: its guest tests are left out", flush=True)
    for a in archs:
        print(f"== building guest images ({a})", flush=True)
        build.build_images(a)
    print("== building host tools and tests", flush=True)
    host = build.build_host_tools(archs)
    print("== running tests", flush=True)
    env = dict(os.environ, SKIFF_TEST_ARCHS=" ".join(archs))
    argv = ["ctest", "--test-dir", host, "--output-on-failure", "--timeout", "600",
            f"-j{os.cpu_count() or 1}"] + opts.ctest
    tests = subprocess.Popen(argv, env=env, start_new_session=True)
    try:
        return tests.wait()
    except Interrupted:
        build.stop_group(tests)
        raise


def cmd_clean(opts):
    targets = [os.path.join(REPO, "build")] + ([os.path.join(REPO, "deps")] if opts.all else [])
    for t in targets:
        if os.path.exists(t):
            print(f"skiff: removing {os.path.relpath(t, REPO)}/", file=sys.stderr)
            shutil.rmtree(t)
    return 0


def main(argv):
    parser = Parser(prog="skiff", description="Build POSIX C programs into unikernels and boot them "
                    "under QEMU.", epilog="`skiff COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version", version=f"skiff {VERSION}")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _run_parser(subs)
    p = _sub(subs, "build", "Build guest images into build/ARCH/APP.elf (all apps and the host tools "
             "when no APP is given); the host tools are build/host/wasm/skiff-wasm.")
    p.add_argument("apps", nargs="*", metavar="APP")
    p.add_argument("--arch", default="x86_64", choices=machines.ARCHS)
    p.add_argument("--host", action="store_true", help="the host tools (alone, or besides the APPs named)")
    p = _sub(subs, "test", "Set up, build everything and run the test suite (ctest); guest tests "
             "run for every architecture whose compiler and QEMU are installed.")
    p.add_argument("--arch", choices=machines.ARCHS, help="only this architecture's guest tests")
    p.epilog = "Other options go to ctest: -R REGEX, -L LABEL (unit, cli, wasm, guest, x86_64, aarch64), -j N."
    p = _sub(subs, "setup", "Install packages and third-party sources, build picolibc (tools/setup).")
    p.add_argument("--arch", action="append", default=[], choices=machines.ARCHS)
    p = _sub(subs, "clean", "Remove build/ (and with --all also deps/, the fetched sources).")
    p.add_argument("--all", action="store_true")
    p = _sub(subs, "ps", "List running detached instances: name, app, ports, uptime, state.")
    p.add_argument("-a", "--all", action="store_true", help="also those that exited")
    p = _sub(subs, "logs", "Print a detached instance's console.")
    p.add_argument("name")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing until it exits")
    p = _sub(subs, "stop", "Stop a detached instance (SIGTERM, then SIGKILL after --time seconds).")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("-t", "--time", type=float, default=10.0)
    p = _sub(subs, "rm", "Remove a stopped instance's state (-f: stop it first).")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("-f", "--force", action="store_true")
    p = _sub(subs, "disk", "Make disk images for --disk.")
    disk_subs = p.add_subparsers(dest="disk_command", metavar="create", parser_class=Parser)
    disk_subs.required = True
    p = _sub(disk_subs, "create", "Make an ext4 (or ext2) image with Debian's mke2fs, empty or holding a "
             "copy of a directory: skiff disk create data.img --from ./site --size 64M")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--size", type=units.parse_size, required=True, help="e.g. 64M, 1G")
    p.add_argument("--from", dest="source", metavar="DIR", help="a directory whose tree the image holds")
    p.add_argument("--type", default="ext4", help="ext4 (default) or ext2")
    p.add_argument("-f", "--force", action="store_true", help="replace an existing IMAGE")

    # A bare --gdb takes its default port; an app's own "--gdb" after `--`
    # is left alone.
    cut = argv.index("--") if "--" in argv else len(argv)
    argv = ["--gdb=1234" if a == "--gdb" else a for a in argv[:cut]] + argv[cut:]
    if not argv:
        parser.print_help(sys.stderr)
        return 2
    if argv[0] == "test":
        opts, opts.ctest = parser.parse_known_args(argv)
    elif argv[0] == "run" and "--" in argv:
        # Everything after the first `--` is the app's, whatever it looks
        # like (argparse loses a `--` that follows the positionals).
        cut = argv.index("--")
        opts = parser.parse_args(argv[:cut])
        opts.args += argv[cut + 1:]
    else:
        opts = parser.parse_args(argv)
    if opts.command == "run":
        opts.raw_argv = argv[1:]
        return cmd_run(opts)
    if opts.command == "build":
        return cmd_build(opts)
    if opts.command == "test":
        return cmd_test(opts)
    if opts.command == "setup":
        build.setup(opts.arch or ["x86_64"], force=True)
        return 0
    if opts.command == "clean":
        return cmd_clean(opts)
    if opts.command == "disk":
        return disks.create(opts.image, opts.size, opts.source, opts.type, opts.force)
    if opts.command in ("ps", "logs", "stop", "rm"):
        from . import instances
    if opts.command == "ps":
        instances.ps(opts.all)
        return 0
    if opts.command == "logs":
        instances.logs(opts.name, opts.follow)
        return 0
    if opts.command == "stop":
        for n in opts.names:
            instances.stop(n, opts.time)
        return 0
    if opts.command == "rm":
        for n in opts.names:
            instances.remove(n, opts.force)
        return 0
    parser.print_help(sys.stderr)
    return 2


def _raise_interrupted(signum, _frame):
    raise Interrupted(signum)


def entry(argv):
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _raise_interrupted)
    try:
        return main(argv)
    except SkiffError as e:
        print(f"skiff: {e.message}", file=sys.stderr)
        return e.status
    except Interrupted as e:
        return 128 + e.signum
    except BrokenPipeError:
        # Our reader left (skiff ps | head -1): nothing more to say.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return 141
