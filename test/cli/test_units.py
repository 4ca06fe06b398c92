"""Host tests of the skiff command's pure parts: option values, the kernel
command line it writes, the tagged console's decoder, image inspection."""
import os
import struct
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

from skiffcli import console, kcmdline, machines, units  # noqa: E402
from skiffcli.errors import SkiffError  # noqa: E402
from skiffcli.image import read_image  # noqa: E402
from skiffcli.qemu import Launch  # noqa: E402


class Sizes(unittest.TestCase):
    def test_units(self):
        M = 1 << 20
        for text, value in [("16M", 16 * M), ("16Mi", 16 * M), ("16MiB", 16 * M), ("16m", 16 * M),
                            ("1G", 1 << 30), ("2Gi", 2 << 30), ("512K", 512 << 10), ("512Ki", 512 << 10),
                            ("64", 64 * M)]:
            self.assertEqual(units.parse_size(text), value, text)

    def test_bad(self):
        for text in ["", "M", "12X", "1.5G", "-1M", "0", "0M", "16 Mi B", "iB"]:
            with self.assertRaises(SkiffError, msg=text):
                units.parse_size(text)

    def test_format(self):
        self.assertEqual(units.format_kib(32768), "32M")
        self.assertEqual(units.format_kib(1 << 20), "1G")
        self.assertEqual(units.format_kib(1200), "1200K")


class Publish(unittest.TestCase):
    def test_forms(self):
        cases = {"8080": "127.0.0.1:8080->8080/tcp", "8080:80": "127.0.0.1:8080->80/tcp",
                 "0.0.0.0:8080:80": "0.0.0.0:8080->80/tcp", "5353:53/udp": "127.0.0.1:5353->53/udp",
                 "udp:5353:53": "127.0.0.1:5353->53/udp", "127.0.0.2:1:2/tcp": "127.0.0.2:1->2/tcp"}
        for spec, want in cases.items():
            self.assertEqual(str(units.parse_publish(spec)), want, spec)
        self.assertEqual(units.parse_publish("8080:80").hostfwd(), "tcp:127.0.0.1:8080-:80")

    def test_bad(self):
        for spec in ["", "0", "65536", "a:b", "1:2:3:4", "300.1.1.1:1:2", "8080/sctp", "1:2/udp/tcp"]:
            with self.assertRaises(SkiffError, msg=spec):
                units.parse_publish(spec)


class Env(unittest.TestCase):
    def test_values_any_characters(self):
        for e in ['A=', 'A=b c', 'A="q"', "A=$HOME", "A=\u00e9t\u00e9", "_X1=a=b", "A=\\"]:
            self.assertEqual(units.parse_env(e), e)

    def test_bad_keys(self):
        for e in ["=x", "1A=x", "A-B=x", "A", "A=\0", "ip=1", "console=plain", "quiet=1", "dns=x",
                  "loglevel=7"]:
            with self.assertRaises(SkiffError, msg=e):
                units.parse_env(e)

    def test_env_file(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("# comment\n\nA=1\nB=two words \"quoted\"\n  # indented comment\n")
        try:
            self.assertEqual(units.parse_env_file(f.name), ["A=1", 'B=two words "quoted"'])
            with open(f.name, "a") as g:
                g.write("not an entry\n")
            with self.assertRaisesRegex(SkiffError, r":6"):
                units.parse_env_file(f.name)
        finally:
            os.unlink(f.name)
        with self.assertRaises(SkiffError):
            units.parse_env_file("/nonexistent/env")
        with tempfile.NamedTemporaryFile("wb", delete=False) as f:
            f.write(b"A=\xff\xfe\n")
        try:
            with self.assertRaisesRegex(SkiffError, "not UTF-8"):
                units.parse_env_file(f.name)
        finally:
            os.unlink(f.name)

    def test_ip(self):
        self.assertEqual(units.parse_ip("192.168.100.2/24,192.168.100.1"), "192.168.100.2::192.168.100.1:24")
        self.assertEqual(units.parse_ip("10.0.0.2"), "10.0.0.2:::24")
        self.assertEqual(units.parse_ip("dhcp"), "dhcp")
        for bad in ["10.0.0.2/33", "300.0.0.1", "x"]:
            with self.assertRaises(SkiffError):
                units.parse_ip(bad)


def kernel_split(line):
    """kernel/cmdline.c's next_word, in Python: the reference the quoting
    must satisfy (test_cmdline checks the C side against the same rules)."""
    words, i = [], 0
    while True:
        while i < len(line) and line[i] in " \t\n\r":
            i += 1
        if i == len(line):
            return words
        w, quoted = [], False
        while i < len(line):
            c = line[i]
            if c == "\\" and i + 1 < len(line) and line[i + 1] in '"\\':
                w.append(line[i + 1])
                i += 2
                continue
            i += 1
            if c == '"':
                quoted = not quoted
            elif not quoted and c in " \t\n\r":
                break
            else:
                w.append(c)
        words.append("".join(w))


class HostDirs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.host = os.path.join(self.tmp.name, "a:b dir")     # ':' and a blank in HOST
        os.mkdir(self.host)

    def test_forms(self):
        d = units.parse_dir(f"{self.host}:/srv")
        self.assertEqual((d.host, d.guest, d.read_only), (self.host, "/srv", False))
        self.assertEqual(d.mount_option("share0"), "mount=9p:share0:/srv")
        d = units.parse_dir(f"{self.host}:/srv/data/:ro")
        self.assertEqual((d.guest, d.read_only), ("/srv/data", True))
        self.assertEqual(d.mount_option("share3"), "mount=9p:share3:/srv/data:ro")
        self.assertFalse(units.parse_dir(f"{self.host}:/x:rw").read_only)
        rel = os.path.relpath(self.host)
        self.assertEqual(units.parse_dir(f"{rel}:/x").host, self.host)

    def test_bad(self):
        plain = os.path.join(self.tmp.name, "file")
        open(plain, "w").close()
        cases = [("nocolon", r"bad --dir"), (":/x", r"bad --dir"), (f"{self.host}:", r"bad --dir"),
                 (f"{self.host}:relative", r"must be absolute"),
                 (f"{self.host}:/with space", r"may not hold"),
                 (f"{self.tmp.name}/nosuch:/x", r"no such directory"),
                 (f"{plain}:/x", r"is not a directory")]
        for spec, pattern in cases:
            with self.assertRaises(SkiffError, msg=spec) as e:
                units.parse_dir(spec)
            self.assertRegex(e.exception.message, pattern, spec)
            self.assertEqual(e.exception.status, 2, spec)

    def test_qemu_options(self):
        # Each machine gets its transport's device; a read-only share is
        # read-only in QEMU too; commas in the path are doubled.
        host = os.path.join(self.tmp.name, "x,y")
        want = {("x86_64", "microvm"): "virtio-9p-device", ("x86_64", "pc"): "virtio-9p-pci",
                ("x86_64", "q35"): "virtio-9p-pci", ("aarch64", "virt"): "virtio-9p-device",
                ("aarch64", "virt-pci"): "virtio-9p-pci"}
        for (arch, machine), device in want.items():
            argv = Launch(arch=arch, machine=machine, kernel="k",
                          shares=[(host, "share0", False), (host, "share1", True)]).argv()
            fsdevs = [argv[i + 1] for i, a in enumerate(argv) if a == "-fsdev"]
            devices = [argv[i + 1] for i, a in enumerate(argv) if a == "-device" and "9p" in argv[i + 1]]
            path = host.replace(",", ",,")
            self.assertEqual(fsdevs, [f"local,id=fsdev0,path={path},security_model=none",
                                      f"local,id=fsdev1,path={path},security_model=none,readonly=on"])
            self.assertEqual(devices, [f"{device},fsdev=fsdev0,mount_tag=share0",
                                       f"{device},fsdev=fsdev1,mount_tag=share1"], (arch, machine))


class KernelCommandLine(unittest.TestCase):
    def test_round_trip(self):
        args = ["plain", "two words", 'a "quoted" b', "back\\slash", "\\", '"', "", "$HOME", "\u00e9\u00e8",
                "tab\there", "new\nline", "end\\"]
        env = ['V=say "hi" \\ now', "E="]
        line = kcmdline.build(["console=tagged"], env, args)
        self.assertEqual(kernel_split(line), ["console=tagged"] + env + ["--"] + args)

    def test_against_the_kernel(self):
        """What kcmdline writes, read by kernel/cmdline.c itself (the
        test_cmdline binary's --parse mode; ctest passes its path)."""
        parser = os.environ.get("SKIFF_CMDLINE_PARSER")
        if not parser:
            self.skipTest("SKIFF_CMDLINE_PARSER not set (ctest sets it)")
        args = ["plain", "two words", 'a "quoted" b', "back\\slash", "\\", '"', "", "$HOME", "\u00e9\u00e8",
                "tab\there", "new\nline", "end\\", "--", "quiet", "K=V"]
        env = ['V=say "hi" \\ now', "E=", "X=a=b"]
        line = "image.elf " + kcmdline.build(["console=tagged", "quiet"], env, args)
        r = subprocess.run([parser, "--parse"], input=line.encode(), capture_output=True, timeout=30)
        want = "tagged 1 quiet 1\n" + "".join(f"env {e}\n" for e in env) + "".join(f"arg {a}\n" for a in args)
        self.assertEqual(r.stdout.decode(), want)

    def test_nul_and_limits(self):
        with self.assertRaises(SkiffError):
            kcmdline.quote_word("a\0b")
        with self.assertRaises(SkiffError):
            kcmdline.build([], [], ["x"] * 64)
        with self.assertRaises(SkiffError):
            kcmdline.build([], [], ["x" * 5000])


class Detach(unittest.TestCase):
    def test_supervisor_arguments(self):
        from skiffcli.run_cmd import _supervisor_args
        self.assertEqual(_supervisor_args(["-d", "--name", "x", "httpd", "-qd", "-p", "1:2", "--", "-d",
                                           "--name", "y"]),
                         ["httpd", "-q", "-p", "1:2", "--", "-d", "--name", "y"])
        self.assertEqual(_supervisor_args(["--name=x", "--detach", "hello"]), ["hello"])


class Demux(unittest.TestCase):
    def test_streams_and_escapes(self):
        data = b"boot\x101out\n\x102err\x10\x10\x10kklog\x10clisten tcp 80\n\x101more"
        want = [("kernel", b"boot"), ("stdout", b"out\n"), ("stderr", b"err\x10"), ("kernel", b"klog"),
                ("control", "listen tcp 80"), ("stdout", b"more")]
        self.assertEqual(console.Demux().feed(data), want)
        # The same bytes one at a time: escapes and control lines split
        # across reads are still understood.
        d, got = console.Demux(), []
        for b in data:
            got += d.feed(bytes([b]))
        merged = []
        for stream, payload in got:
            if merged and merged[-1][0] == stream and stream != "control":
                merged[-1] = (stream, merged[-1][1] + payload)
            else:
                merged.append((stream, payload))
        self.assertEqual(merged, want)


class Images(unittest.TestCase):
    """Needs the x86_64 images `skiff test` builds first."""

    def image(self, app):
        path = os.path.join(REPO, "build", "x86_64", app + ".elf")
        if not os.path.exists(path):
            self.skipTest(f"{path} not built")
        return path

    def test_network_need_is_deterministic(self):
        # The old `nm | grep -q` pipeline said "no network" 4 times in 6.
        hello, httpd = self.image("hello"), self.image("httpd")
        for _ in range(50):
            self.assertTrue(read_image(httpd).uses_network)
            self.assertFalse(read_image(hello).uses_network)

    def test_stripped_image_still_known(self):
        httpd = self.image("httpd")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "s.elf")
            if os.system(f"strip -o '{out}' '{httpd}'") != 0:
                self.skipTest("no strip")
            img = read_image(out)
            self.assertTrue(img.uses_network)
            self.assertEqual(img.arch, "x86_64")

    def test_memory_minimum(self):
        img = read_image(self.image("hello"))
        need = machines.minimum_memory(machines.profile("x86_64"), img)
        self.assertGreater(need, img.load_end)
        self.assertLess(need, 4 << 20)

    def test_not_images(self):
        with tempfile.TemporaryDirectory() as d:
            cases = {"m.wasm": (b"\0asm\1\0\0\0", "WebAssembly module.*skiff-wasm"),
                     "x.c": (b"int main(void){}\n", "source code"),
                     "t.txt": (b"hello\n", "a text file"),
                     "r.cpio": (b"070701" + b"0" * 200, "CPIO archive"),
                     "s.sh": (b"#!/bin/sh\n", "a script")}
            for name, (data, say) in cases.items():
                path = os.path.join(d, name)
                with open(path, "wb") as f:
                    f.write(data)
                with self.assertRaisesRegex(SkiffError, say):
                    read_image(path)
            with self.assertRaisesRegex(SkiffError, "is a directory"):
                read_image(d)
            # A skiff image cut short, or with its headers garbled.
            with open(self.image("hello"), "rb") as f:
                whole = f.read()
            for name, data in [("cut.elf", whole[:100]), ("cut2.elf", whole[:len(whole) // 2]),
                               ("bad.elf", whole[:32] + b"\xff" * 32 + whole[64:])]:
                path = os.path.join(d, name)
                with open(path, "wb") as f:
                    f.write(data)
                with self.assertRaisesRegex(SkiffError, "truncated or corrupt|not a skiff image", msg=name):
                    read_image(path)
            with self.assertRaisesRegex(SkiffError, "not a regular file"):
                read_image("/dev/zero")
            with self.assertRaisesRegex(SkiffError, "no such image"):
                read_image(os.path.join(d, "missing.elf"))
        with self.assertRaisesRegex(SkiffError, "Linux program"):
            read_image(sys.executable if os.path.exists(sys.executable) else "/bin/sh")


if __name__ == "__main__":
    unittest.main()
