"""The skiff command's surface without booting a guest: --help for every
command, --version, and a one-line error with status 2 for each unknown or
meaningless combination (checked before anything boots)."""
import os
import subprocess
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIFF = os.path.join(REPO, "skiff")
COMMANDS = ["run", "build", "test", "setup", "clean", "ps", "logs", "stop", "rm", "disk"]


def skiff(*args):
    r = subprocess.run([SKIFF, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


class Surface(unittest.TestCase):
    def test_help(self):
        for cmd in COMMANDS:
            status, out, err = skiff(cmd, "--help")
            self.assertEqual(status, 0, cmd)
            self.assertIn(f"usage: skiff {cmd}", out, cmd)
        status, out, _ = skiff("--help")
        self.assertEqual(status, 0)
        for cmd in COMMANDS:
            self.assertIn(cmd, out)

    def test_version(self):
        status, out, _ = skiff("--version")
        self.assertEqual(status, 0)
        self.assertRegex(out, r"^skiff \d+\.\d+\.\d+\n$")

    def test_host_tools(self):
        # skiff build --host gives skiff-wasm, which runs a module.
        status, out, err = skiff("build", "--host")
        self.assertEqual(status, 0, err)
        tool = os.path.join(REPO, "build", "host", "wasm", "skiff-wasm")
        self.assertIn("build/host/wasm/skiff-wasm", err)
        self.assertTrue(os.access(tool, os.X_OK))
        r = subprocess.run([tool, "--help"], capture_output=True, text=True, timeout=30)
        self.assertIn("skiff-wasm", r.stdout + r.stderr)

    def test_no_command(self):
        status, out, err = skiff()
        self.assertEqual(status, 2)
        self.assertIn("usage: skiff", err)

    def one_line_error(self, args, pattern):
        status, out, err = skiff(*args)
        self.assertEqual(status, 2, f"{args}: {err}")
        self.assertEqual(len(err.strip().splitlines()), 1, f"{args}: {err}")
        self.assertRegex(err, pattern)

    def test_mistakes(self):
        cases = [
            (["nosuchcommand"], r"invalid choice"),
            (["run"], r"APP"),
            (["run", "hello", "--nosuch"], r"unrecognized arguments: --nosuch"),
            (["run", "hello", "--arch", "riscv"], r"invalid choice: 'riscv'"),
            (["run", "hello", "--machine", "nosuch"], r"unknown machine 'nosuch' for x86_64"),
            (["run", "hello", "--mem", "lots"], r"bad memory size 'lots'"),
            (["run", "hello", "-p", "70000:80"], r"bad port '70000'"),
            (["run", "hello", "-e", "1X=y"], r"bad environment entry '1X=y'"),
            (["run", "hello", "--env-file", "/nonexistent"], r"--env-file /nonexistent"),
            (["run", "hello", "--name", "x"], r"--name names a detached instance"),
            (["run", "hello", "-d", "--gdb"], r"--gdb and -d"),
            (["run", "hello", "--net", "none", "-p", "8080:80"], r"-p forwards ports of the first NIC"),
            (["run", "hello", "--net", "bogus"], r"bad --net 'bogus'"),
            (["run", "hello", "--ip", "10.0.0.2", "--ip", "10.0.0.3", "--net", "user"], r"2 --ip given for 1 NIC"),
            (["run", "hello", "--initrd", "/nonexistent"], r"--initrd /nonexistent"),
            (["run", "hello", "--dir", "/nonexistent:/srv"], r"--dir /nonexistent:/srv: no such directory"),
            (["run", "hello", "--dir", f"{SKIFF}:/srv"], r"is not a directory"),
            (["run", "hello", "--dir", f"{REPO}:srv"], r"the guest path 'srv' must be absolute"),
            (["run", "hello", "--dir", "nocolon"], r"bad --dir 'nocolon' \(HOST:GUEST\[:ro\]\)"),
            (["run", "hello", "--timeout", "soon"], r"bad timeout 'soon'"),
            (["run", "nosuchapp"], r"unknown app 'nosuchapp'"),
            (["run", "hello", "-d", "--name", "bad name"], r"bad --name 'bad name'"),
            (["logs", "nosuchinstance"], r"no instance named 'nosuchinstance'"),
            (["run", "hello", "--disk", "/nonexistent.img"], r"--disk /nonexistent.img: no such file"),
            (["run", "hello", "--disk", "/"], r"--disk /: a directory"),
            (["run", "hello", "--disk", ":ro"], r"bad --disk ':ro'"),
            (["disk"], r"required: create|create"),
            (["disk", "create", "/tmp/x.img"], r"--size"),
            (["disk", "create", "/tmp/x.img", "--size", "8M", "--type", "xfs"], r"unknown --type 'xfs'"),
            (["disk", "create", "/tmp/x.img", "--size", "8M", "--from", "/nonexistent"],
             r"--from /nonexistent: not a directory"),
            (["disk", "create", "/tmp/x.img", "--size", "100K"], r"--size must be at least 1M"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                self.one_line_error(args, pattern)


if __name__ == "__main__":
    unittest.main()
