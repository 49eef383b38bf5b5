#!/usr/bin/env python3
"""Builds a Linux initramfs: a gzip-compressed cpio archive in the "newc" format.

    mkinitramfs.py --busybox BUSYBOX --init INIT [--program PATH=FILE]... --out FILE.cpio.gz

The archive holds a small root: /bin/busybox with a symbolic link per applet, the /init script,
the directories /init uses, any extra programs (--program: e.g.
bin/umbra-mark, tests/linux/umbra_mark.c), and the device nodes the kernel and /init need before devtmpfs is
mounted (/dev/console above all: the kernel opens it for init's standard streams).

No root privileges are needed: a cpio member's owner, mode and device numbers are just fields in
its header, written here directly. The archive is reproducible (every mtime is 0 and so is
gzip's), so the tests' ISO cache keys stay stable.

The newc member layout: the magic "070701", then thirteen 8-digit hexadecimal fields (inode,
mode, uid, gid, nlink, mtime, file size, device major/minor, rdev major/minor, name size
including its NUL, checksum 0), the name padded to a multiple of 4 bytes (counting the header),
then the data padded likewise. The member named "TRAILER!!!" ends the archive.
"""
import argparse
import gzip
import os
import stat
import subprocess
import sys

# Directories of the root; busybox's own applet paths add any others they need.
DIRS = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "mnt",
        "root", "etc", "run"]

# (path, kind, major, minor): character devices with their fixed Linux numbers
# (the kernel's Documentation/admin-guide/devices.txt).
NODES = [("dev/console", stat.S_IFCHR, 5, 1), ("dev/null", stat.S_IFCHR, 1, 3),
         ("dev/zero", stat.S_IFCHR, 1, 5), ("dev/tty", stat.S_IFCHR, 5, 0),
         ("dev/ttyS0", stat.S_IFCHR, 4, 64)]


class Newc:
    """Collects members and writes the archive."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _pad(self):
        self.out += b"\0" * (-len(self.out) % 4)

    def add(self, name, mode, data=b"", rdev=(0, 0)):
        fields = [self.ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name) + 1, 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08x" % f for f in fields)
        self.out += name.encode() + b"\0"
        self._pad()
        self.out += data
        self._pad()

    def finish(self):
        self.add("TRAILER!!!", 0)
        return bytes(self.out)


def applet_paths(busybox):
    """The applet paths (e.g. /bin/sh, /usr/bin/awk) busybox lists, or None if it cannot run
    here (an i386 binary on a host without 32-bit support): /init then installs the links."""
    try:
        out = subprocess.run([busybox, "--list-full"], capture_output=True, check=True,
                             timeout=30).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return None
    return [line.strip() for line in out.splitlines() if line.strip()]


def build(busybox, init, programs=()):
    a = Newc()
    dirs = list(DIRS)
    paths = applet_paths(busybox) or ["bin/sh"]
    for p in paths:
        d = os.path.dirname(p.lstrip("/"))
        if d and d not in dirs:
            dirs.append(d)
    for d in dirs:
        a.add(d, stat.S_IFDIR | 0o755)
    for path, kind, major, minor in NODES:
        a.add(path, kind | 0o666 if path != "dev/console" else kind | 0o600, rdev=(major, minor))
    with open(busybox, "rb") as f:
        a.add("bin/busybox", stat.S_IFREG | 0o755, f.read())
    for p in paths:
        p = p.lstrip("/")
        if p == "bin/busybox":
            continue
        # An absolute target is right at any directory depth.
        a.add(p, stat.S_IFLNK | 0o777, b"/bin/busybox")
    with open(init, "rb") as f:
        a.add("init", stat.S_IFREG | 0o755, f.read())
    for path, source in programs:
        with open(source, "rb") as f:
            a.add(path, stat.S_IFREG | 0o755, f.read())
    return a.finish()


def program(spec):
    """PATH=FILE: FILE goes into the archive as the executable PATH (relative to the root, in
    one of its directories)."""
    path, sep, source = spec.partition("=")
    path = path.strip("/")
    if not sep or not source or os.path.dirname(path) not in DIRS:
        raise argparse.ArgumentTypeError(f"{spec!r}: want PATH=FILE, PATH in one of "
                                         f"/{', /'.join(DIRS)}")
    return path, source


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--program", type=program, action="append", default=[],
                    metavar="PATH=FILE")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    data = build(args.busybox, args.init, args.program)
    with open(args.out, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
