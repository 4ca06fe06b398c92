"""Setting up and building: tools/setup (packages, sources, picolibc), make
for guest images, CMake for the host tools. A failed step stops the command
with the tool's own messages and a non-zero status: never a stale image."""
import os
import re
import shutil
import signal
import subprocess

from .errors import Interrupted, failure, usage_error
from .qemu import REPO

NAME = re.compile(r"[A-Za-z0-9_-]+")


def run_tool(argv, what, env=None, quiet=False):
    """Runs a build tool with its messages on our stderr (its stdout too, or
    nowhere with quiet: cmake's chatter); a failure stops the command."""
    try:
        # Its own session: a signal to skiff (Ctrl-C included) stops the
        # tool's whole process group here, never leaving a build behind.
        tool = subprocess.Popen(argv, cwd=REPO, stdin=subprocess.DEVNULL, env=env,
                                stdout=subprocess.DEVNULL if quiet else 2, start_new_session=True)
    except FileNotFoundError:
        raise failure(f"{what}: {argv[0]} is not installed (run skiff setup)") from None
    try:
        rc = tool.wait()
    except Interrupted:
        stop_group(tool)
        raise
    if rc != 0:
        raise failure(f"{what} failed (status {rc}); see the messages above", 1)


def stop_group(proc, grace=5.0):
    """SIGTERM to a child's process group, SIGKILL after `grace` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        except Interrupted:
            continue        # a second Ctrl-C: go straight to SIGKILL


def _ready(arch):
    """Whether tools/setup finished for `arch` since it (or a package list)
    last changed: then `skiff run` need not start it (25 ms saved a run)."""
    try:
        stamp = os.stat(os.path.join(REPO, "deps", "stamps", f"ready-{arch}")).st_mtime
        inputs = [os.path.join(REPO, "tools", n) for n in ("setup", "progress.sh")] + \
            [os.path.join(REPO, "wasm", "PACKAGES")]
        return os.path.exists(os.path.join(REPO, "deps", arch, "picolibc", "lib", "libc.a")) and \
            all(os.stat(p).st_mtime <= stamp for p in inputs if os.path.exists(p))
    except OSError:
        return False


def setup(archs, force=False):
    if not force and archs and all(_ready(a) for a in archs):
        return
    argv = [os.path.join(REPO, "tools", "setup")]
    for a in archs:
        argv += ["--arch", a]
    run_tool(argv, "setup")


def app_dir(name):
    for parent in ("apps", os.path.join("test", "guest", "apps")):
        d = os.path.join(REPO, parent, name)
        if os.path.isdir(d) and not os.path.exists(os.path.join(d, ".native-only")):
            return d
    return None


def is_app_name(text):
    return "/" not in text and not text.endswith((".elf", ".img", ".wasm")) and text not in (".", "..")


def image_path(arch, app, kind="elf"):
    return os.path.join(REPO, "build", arch, f"{app}.{kind}")


def extra_app_name(directory):
    """An out-of-tree app's image name: ext/NAME-HASH, the hash of its real
    path, so that two directories of one name never share an image."""
    import hashlib      # here: only out-of-tree apps need it
    real = os.path.realpath(directory)
    return f"ext/{os.path.basename(real)}-{hashlib.sha256(real.encode()).hexdigest()[:10]}"


def build_images(arch, apps=(), extra_dir=None):
    """make for `apps` (all when empty), or for the app in `extra_dir`, a
    directory outside the tree. A first build names each file it compiles
    (it takes a while); later ones print one line per image."""
    for app in apps:
        if app_dir(app) is None and not extra_dir:
            raise usage_error(f"unknown app '{app}' (not in apps/ or test/guest/apps/, and not a path)")
    env = dict(os.environ)
    first = not os.path.isdir(os.path.join(REPO, "build", arch, "obj"))
    if first:
        env["PROGRESS"] = "1"
    jobs = str(os.cpu_count() or 1)
    extra = [f"EXTRA_APP={extra_dir}", f"EXTRA_APP_NAME={extra_app_name(extra_dir)}"] if extra_dir else []
    run_tool(["make", "-s", "--no-print-directory", "-C", REPO, f"-j{jobs}", f"ARCH={arch}", *extra, *apps],
             f"building {' '.join(apps) or 'the images'} for {arch}", env)


HOST_TOOLS = ("skiff-wasm",)


def build_host_tools(archs=None, targets=()):
    """The host side (CMake + Ninja): `targets`, or everything the tests
    need when none are named. The tree is configured when it is new or when
    `archs` (the guest architectures to register tests for) is given; else
    its configuration is kept, so a tools build never changes the tests."""
    host = os.path.join(REPO, "build", "host")
    gen = ["-G", "Ninja"] if shutil.which("ninja") else []
    if archs is None and os.path.exists(os.path.join(host, "CMakeCache.txt")):
        archs = ()
    elif archs is None:
        archs = ("x86_64",)
    if archs:
        run_tool(["cmake", "-S", REPO, "-B", host, *gen, "-DCMAKE_BUILD_TYPE=Release",
                  "-DSKIFF_ARCHS=" + ";".join(archs), "--log-level=WARNING"], "configuring the host tools",
                 quiet=True)
    target_args = [a for t in targets for a in ("--target", t)]
    run_tool(["cmake", "--build", host, *target_args], "building the host tools")
    return host
