#!/usr/bin/python3
"""One file operation per call, for the guest tests of file attributes.

    fsops.py OPERATION ARGS...

Prints "ok" (or the value asked for) when the operation succeeds and the
errno name (EPERM, ...) when it fails; exits 0 either way, so that a test
compares one word. Operations:

    getflags PATH            the FS_IOC_GETFLAGS bits, as 0x%08x
    setflags PATH HEX        FS_IOC_SETFLAGS
    unlink PATH | rename OLD NEW | link OLD NEW
    open-write PATH | open-rdwr PATH | open-trunc PATH | truncate PATH
    chmod PATH | chown PATH | utime PATH | setxattr PATH | removexattr PATH
    held-write PATH HEX      open PATH for writing, set flags HEX, then
    held-fallocate PATH HEX  write / fallocate / store through a shared
    held-mmap PATH HEX       writable mapping (SIGBUS is printed as such)
"""

import array
import errno
import fcntl
import mmap
import os
import signal
import sys

FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602


def get_flags(path):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        buf = array.array("i", [0])
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, buf, True)
        return buf[0] & 0xFFFFFFFF
    finally:
        os.close(fd)


def set_flags_fd(fd, flags):
    value = flags - (1 << 32) if flags >= 1 << 31 else flags
    fcntl.ioctl(fd, FS_IOC_SETFLAGS, array.array("i", [value]))


def set_flags(path, flags):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        set_flags_fd(fd, flags)
    finally:
        os.close(fd)


def held(path, flags, action):
    """Open for writing first, then make the file immutable, then act."""
    fd = os.open(path, os.O_RDWR)
    try:
        set_flags_fd(fd, flags)
        return action(fd)
    finally:
        os.close(fd)


def store_through_mapping(fd):
    # A write fault on an immutable file raises SIGBUS: do it in a child.
    pid = os.fork()
    if pid == 0:
        area = mmap.mmap(fd, 0, mmap.MAP_SHARED,
                         mmap.PROT_READ | mmap.PROT_WRITE)
        area[0:1] = b"X"
        area.flush()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return signal.Signals(os.WTERMSIG(status)).name
    return "ok" if os.WEXITSTATUS(status) == 0 else "exit %d" % os.WEXITSTATUS(status)


def main(argv):
    op, args = argv[1], argv[2:]
    operations = {
        "getflags": lambda: "0x%08x" % get_flags(args[0]),
        "setflags": lambda: set_flags(args[0], int(args[1], 16)),
        "unlink": lambda: os.unlink(args[0]),
        "rename": lambda: os.rename(args[0], args[1]),
        "link": lambda: os.link(args[0], args[1]),
        "open-write": lambda: os.close(os.open(args[0], os.O_WRONLY)),
        "open-rdwr": lambda: os.close(os.open(args[0], os.O_RDWR)),
        "open-trunc": lambda: os.close(os.open(args[0], os.O_RDONLY | os.O_TRUNC)),
        "truncate": lambda: os.truncate(args[0], 0),
        "chmod": lambda: os.chmod(args[0], 0o600),
        "chown": lambda: os.chown(args[0], 1, 1),
        "utime": lambda: os.utime(args[0], (0, 0)),
        "setxattr": lambda: os.setxattr(args[0], "user.vserver", b"x"),
        "removexattr": lambda: os.removexattr(args[0], "user.vserver"),
        "held-write": lambda: held(args[0], int(args[1], 16),
                                   lambda fd: os.write(fd, b"X")),
        "held-fallocate": lambda: held(args[0], int(args[1], 16),
                                       lambda fd: os.posix_fallocate(fd, 0, 65536)),
        "held-mmap": lambda: held(args[0], int(args[1], 16), store_through_mapping),
    }
    if op not in operations:
        sys.exit("fsops.py: unknown operation '%s'" % op)
    try:
        result = operations[op]()
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
        return
    print(result if isinstance(result, str) else "ok")


if __name__ == "__main__":
    main(sys.argv)
