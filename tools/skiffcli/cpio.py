"""`--initrd DIR`: a directory packed into a CPIO "newc" archive on the fly
(fs/cpio.c reads it as the root file system). Regular files, directories
and symbolic links; owners are 0 and times the files' own."""
import os
import stat

from .errors import usage_error


def _entry(out, name, st, data, ino):
    name_b = name.encode() + b"\0"
    fields = [ino, st.st_mode, 0, 0, 1 if not stat.S_ISDIR(st.st_mode) else 2,
              int(st.st_mtime), len(data), 0, 0, 0, 0, len(name_b), 0]
    out.write(b"070701" + b"".join(b"%08x" % f for f in fields) + name_b)
    out.write(b"\0" * (-(110 + len(name_b)) % 4))
    out.write(data)
    out.write(b"\0" * (-len(data) % 4))


def pack(directory, archive_path):
    if not os.path.isdir(directory):
        raise usage_error(f"--initrd {directory}: not a file or directory")
    try:
        _pack(directory, archive_path)
    except OSError as e:
        raise usage_error(f"--initrd {directory}: {e.filename}: {e.strerror}") from None


def _walk_error(e):
    raise e     # an unreadable directory is an error, not a silent gap


def _pack(directory, archive_path):
    ino = 1
    with open(archive_path, "wb") as out:
        for top, dirs, files in os.walk(directory, onerror=_walk_error):
            dirs.sort()
            for name in [None] + sorted(files) + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
                path = top if name is None else os.path.join(top, name)
                rel = os.path.relpath(path, directory)
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    data = os.readlink(path).encode()
                elif stat.S_ISREG(st.st_mode):
                    with open(path, "rb") as f:
                        data = f.read()
                elif stat.S_ISDIR(st.st_mode):
                    data = b""
                else:
                    continue        # devices, sockets, fifos: not for a unikernel
                _entry(out, rel, st, data, ino)
                ino += 1
        _entry(out, "TRAILER!!!", os.stat_result((0,) * 10), b"", 0)
