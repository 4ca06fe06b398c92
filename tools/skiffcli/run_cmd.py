"""`skiff run`: from the command line to a running guest (runner.Session),
every check that can be made before booting made first."""
import errno
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from . import build, cpio, disks, kcmdline, machines, units
from .errors import SkiffError, failure, usage_error
from .image import read_image
from .qemu import Launch
from .runner import Session


class Plan:
    """Everything decided before QEMU starts."""


def _nics(opts, image):
    nets = list(opts.net) or (["user"] if opts.publish or image.uses_network else [])
    nics, user_seen = [], False
    tcp = [f for f in opts.publish if f.proto == "tcp"]
    udp = [f for f in opts.publish if f.proto == "udp"]
    for n in nets:
        if n == "user":
            spec = "user"
            if not user_seen:
                # UDP has no listen(): its forwards open at boot.
                spec += "".join(f",hostfwd={f.hostfwd()}" for f in udp)
            user_seen = True
            nics.append(spec)
        elif n.startswith("tap:") and len(n) > 4:
            nics.append(f"tap,ifname={machines.option_value(n[4:])},script=no,downscript=no")
        elif n != "none":
            raise usage_error(f"bad --net '{n}' (user, tap:NAME or none)")
    if opts.publish and (not nets or nets[0] != "user"):
        raise usage_error("-p forwards ports of the first NIC, which must be user networking (--net user)")
    if opts.ip and len(opts.ip) > len(nics):
        raise usage_error(f"{len(opts.ip)} --ip given for {len(nics)} NIC(s)")
    return nics, tcp


def _image(opts, arch):
    app = opts.app
    # An app's name wins over a file of that name here (./NAME is the file).
    if build.is_app_name(app) and (build.app_dir(app) or not os.path.exists(app)):
        build.setup([arch])
        build.build_images(arch, [app])
        return read_image(build.image_path(arch, app)), app
    if os.path.isdir(app) and any(f.endswith(".c") for f in os.listdir(app)):
        # An app's directory, in the tree or not: built as the app named
        # after it.
        name = os.path.basename(os.path.realpath(app))
        if not build.NAME.fullmatch(name):
            raise usage_error(f"{app}: an app directory's name must be letters, digits, '_' or '-'")
        build.setup([arch])
        if build.app_dir(name) == os.path.realpath(app):
            build.build_images(arch, [name])
            return read_image(build.image_path(arch, name)), name
        target = build.extra_app_name(app)
        build.build_images(arch, [target], os.path.realpath(app))
        return read_image(build.image_path(arch, target)), name
    image = read_image(app)
    if image.arch != arch:
        raise usage_error(f"{app} is an {image.arch} image; add --arch {image.arch}")
    return image, os.path.basename(app)


def _initrd(opts, workdir):
    if not opts.initrd:
        return "", 0
    if os.path.isdir(opts.initrd):
        path = os.path.join(workdir, "initrd.cpio")
        cpio.pack(opts.initrd, path)
    elif os.path.isfile(opts.initrd):
        path = os.path.abspath(opts.initrd)
    else:
        raise usage_error(f"--initrd {opts.initrd}: no such file or directory")
    return path, os.path.getsize(path)


def _kernel_file(arch, image, initrd, workdir):
    """QEMU loads an -initrd on aarch64 only for a Linux-style kernel: boot
    the image's flat copy, which starts with the arm64 Image header."""
    if arch != "aarch64" or not initrd:
        return image.path
    flat = image.path[:-4] + ".img" if image.path.endswith(".elf") else ""
    if flat and os.path.exists(flat) and os.path.getmtime(flat) >= os.path.getmtime(image.path):
        return flat
    flat = os.path.join(workdir, "image.img")
    objcopy = shutil.which("aarch64-linux-gnu-objcopy") or "objcopy"
    if subprocess.run([objcopy, "-O", "binary", image.path, flat]).returncode != 0:
        raise failure(f"could not make a flat image of {image.path}")
    return flat


def _qmp_path(workdir):
    """A unix socket path for QMP: within AF_UNIX's 108 bytes even when
    TMPDIR is long (then in a private directory under /tmp)."""
    path = os.path.join(workdir, "qmp")
    if len(path.encode()) < 100:
        return path
    return os.path.join(tempfile.mkdtemp(prefix="skiff-qmp.", dir="/tmp"), "qmp")


def plan(opts, workdir):
    p = Plan()
    prof = machines.profile(opts.arch)
    machine = machines.check_machine(prof, opts.machine or prof.default_machine)
    if opts.kvm and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        raise usage_error("--kvm: /dev/kvm is missing or not accessible here; run without --kvm (TCG)")
    env = []
    for path in opts.env_file:
        env += units.parse_env_file(path)
    env += [units.parse_env(e) for e in opts.env]
    disks.check(opts.disk)          # before building: a mistake costs nothing
    image, p.app = _image(opts, opts.arch)
    initrd, initrd_size = _initrd(opts, workdir)
    need = machines.minimum_memory(prof, image, initrd_size)
    if opts.mem < need:
        need_kib = -(-need // 1024)
        raise failure(f"--mem {units.format_kib(opts.mem // 1024)} is too little for {p.app} on "
                      f"{opts.arch} {machine}: it needs at least {need_kib}K "
                      f"(e.g. --mem {units.format_kib(-(-need_kib // 1024) * 1024)})", 2)
    nics, p.forwards = _nics(opts, image)
    # Shares are tagged share0, share1... in the order given.
    shares = [(d.host, f"share{i}", d.read_only) for i, d in enumerate(opts.dir)]
    options = ["console=tagged"] + (["quiet"] if opts.quiet else []) + \
        ([opts.append] if opts.append else []) + [f"ip={ip}" for ip in opts.ip] + \
        disks.mount_options(opts.disk, opts.append) + \
        [d.mount_option(tag) for d, (_, tag, _) in zip(opts.dir, shares)]
    p.launch = Launch(arch=opts.arch, machine=machine, mem_kib=opts.mem // 1024,
                      kernel=_kernel_file(opts.arch, image, initrd, workdir), initrd=initrd,
                      append=kcmdline.build(options, env, opts.args), kvm=opts.kvm,
                      status_path=os.path.join(workdir, "status"), nics=nics,
                      qmp_path=_qmp_path(workdir) if p.forwards else "",
                      gdb_port=opts.gdb, extra=opts.qemu_args, disks=opts.disk, shares=shares)
    p.image = image
    return p


def _check_port_free(port, what):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            raise failure(f"{what} port {port} on 127.0.0.1 "
                          f"{'is in use' if e.errno == errno.EADDRINUSE else e.strerror}; pick another", 1) from None


def _gdb_hint(p, port):
    prof = machines.profile(p.launch.arch)
    cmd = shlex.join(["gdb-multiarch", "-ex", f"set architecture {prof.gdb_arch}",
                      "-ex", f"target remote 127.0.0.1:{port}", p.image.path])
    sys.stderr.write(f"skiff: the guest waits at its first instruction for gdb on 127.0.0.1:{port}:\n"
                     f"  {cmd}\n")
    sys.stderr.flush()


def run(opts):
    if opts.detach:
        return detach(opts)
    if opts.instance_dir:
        from . import instances
    with tempfile.TemporaryDirectory(prefix="skiff-run.") as workdir:
        p = plan(opts, workdir)
        if opts.gdb:
            _check_port_free(opts.gdb, "--gdb")
            _gdb_hint(p, opts.gdb)
        inst = opts.instance_dir
        started = (lambda pid: instances.write_file(inst, "qemu.pid", str(pid))) if inst else None
        status = None
        try:
            status = Session(p.launch, p.forwards, opts.timeout, on_started=started).run()
            return status
        except SkiffError as e:
            status = e.status
            raise
        finally:
            if inst:
                instances.write_file(inst, "exit", str(status if status is not None else 1))
                instances.write_file(inst, "ended", str(time.time()))


def _supervisor_args(raw):
    """The user's `run` arguments without -d and --name (the supervisor runs
    in the foreground of its own session); the app's arguments after `--`
    are left as they are, whatever they look like."""
    cut = raw.index("--") if "--" in raw else len(raw)
    head, tail, kept, skip = raw[:cut], raw[cut:], [], False
    for a in head:
        if skip:
            skip = False
        elif a == "--name":
            skip = True
        elif a in ("-d", "--detach") or a.startswith("--name="):
            continue
        elif a.startswith("-") and not a.startswith("--") and "d" in a[1:] and a[1:].isalpha():
            kept.append(a.replace("d", ""))      # -qd -> -q
        else:
            kept.append(a)
    return kept + tail


def detach(opts):
    """Checks and builds in the foreground (so errors show here), then
    leaves `skiff run` itself running as the instance's supervisor."""
    from . import instances
    with tempfile.TemporaryDirectory(prefix="skiff-run.") as workdir:
        p = plan(opts, workdir)
    name, path = instances.new_instance(opts.name, p.app)
    import json
    info = {"app": p.app, "image": p.image.path, "arch": opts.arch, "started": time.time(),
            "ports": [str(f) for f in opts.publish]}
    instances.write_file(path, "instance.json", json.dumps(info))
    argv = [sys.executable, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "skiff"), "run", "--instance-dir", path] + _supervisor_args(opts.raw_argv)
    with open(os.path.join(path, "log"), "wb") as log:
        sup = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    instances.write_file(path, "supervisor.pid", str(sup.pid))
    try:
        return _wait_started(name, path, sup)
    except BaseException:
        # Interrupted, or it never started: no instance is left behind.
        build.stop_group(sup)
        shutil.rmtree(path, ignore_errors=True)
        raise


def _wait_started(name, path, sup):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.exists(os.path.join(path, "qemu.pid")):
            print(name)
            return 0
        if sup.poll() is not None:
            with open(os.path.join(path, "log"), "rb") as f:
                sys.stderr.buffer.write(f.read())
            raise failure(f"instance {name} ended at once (status {sup.returncode})", sup.returncode or 1)
        time.sleep(0.02)
    raise failure(f"instance {name} did not start QEMU within 60 s")
