"""The host side of test/guest/share.sh: `make DIR` fills DIR with what the
guest app (test/guest/apps/share) reads; `check DIR` checks, byte by byte,
what it wrote there; `listing DIR` prints every path and size (to compare a
read-only share before and after). The patterns are the app's."""
import os
import stat
import sys

BIG_SIZE, OUT_SIZE, MANY = 300007, 200003, 1500
LONG = "entry-with-a-rather-long-name-to-fill-messages-"


def pattern(n, seed):
    return bytes((i * seed + i // 251) & 0xFF for i in range(n))


def make(d):
    with open(os.path.join(d, "hello.txt"), "w") as f:
        f.write("hello from the host\n")
    with open(os.path.join(d, "big.bin"), "wb") as f:
        f.write(pattern(BIG_SIZE, 7))
    os.mkdir(os.path.join(d, "sub"))
    with open(os.path.join(d, "sub", "inner.txt"), "w") as f:
        f.write("inner\n")
    os.symlink("hello.txt", os.path.join(d, "hostlink"))
    os.mkdir(os.path.join(d, "many"))
    for i in range(MANY):
        open(os.path.join(d, "many", f"{LONG}{i}"), "w").close()


def check(d):
    g = os.path.join(d, "guest")
    problems = []

    def expect(ok, what):
        if not ok:
            problems.append(what)

    def content(name):
        with open(os.path.join(g, name), "rb") as f:
            return f.read()

    expect(content("out.bin") == pattern(OUT_SIZE, 13), "out.bin is not the guest's bytes")
    expect(content("old.txt") == b"ne", "old.txt is not 'ne' (rename, then truncate to 2)")
    st = os.stat(os.path.join(g, "old.txt"))
    expect(stat.S_IMODE(st.st_mode) == 0o640, f"old.txt mode {oct(st.st_mode)}, not 0640")
    expect(int(st.st_mtime) == 1234567890, f"old.txt mtime {st.st_mtime}, not 1234567890")
    expect(not os.path.lexists(os.path.join(g, "new.txt")), "new.txt still there after the rename")
    expect(not os.path.lexists(os.path.join(g, "gone.txt")), "gone.txt still there after unlink")
    expect(os.readlink(os.path.join(g, "link")) == "out.bin", "link is not a symlink to out.bin")
    expect(os.stat(os.path.join(g, "hard")).st_ino == os.stat(os.path.join(g, "out.bin")).st_ino,
           "hard is not a hard link of out.bin")
    expect(os.path.isdir(os.path.join(g, "moved")) and not os.path.lexists(os.path.join(g, "d1")),
           "d1 was not renamed to moved")
    expect(os.listdir(os.path.join(g, "moved")) == [], "moved/ is not empty (d2 removed)")
    expect(content("moved.txt") == b"one\ntwo\nthree\n", "moved.txt is not one/two/three")
    expect(not os.path.lexists(os.path.join(g, "moving.txt")), "moving.txt still there after the rename")
    for p in problems:
        print(f"host: {p}")
    print(f"host: {len(problems)} problems")
    return 1 if problems else 0


def listing(d):
    for root, dirs, files in sorted(os.walk(d)):
        for name in sorted(dirs + files):
            p = os.path.join(root, name)
            print(os.path.relpath(p, d), os.lstat(p).st_size)
    return 0


if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    sys.exit({"make": make, "check": check, "listing": listing}[cmd](d) or 0)
