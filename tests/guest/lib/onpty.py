#!/usr/bin/python3
"""Run a command on a new terminal of the host, as an administrator's shell.

    onpty.py [--stdin-null] CMD [ARG...]

CMD runs in a new session whose controlling terminal is a new
pseudo-terminal, which is its standard output and error, and its input
unless --stdin-null (then /dev/null).  Prints what CMD wrote on the
terminal (carriage returns dropped) and exits with CMD's status.
"""

import os
import pty
import sys


def main(argv):
    stdin_null = bool(argv) and argv[0] == "--stdin-null"
    if stdin_null:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: onpty.py [--stdin-null] CMD [ARG...]")
    pid, master = pty.fork()
    if pid == 0:
        if stdin_null:
            fd = os.open("/dev/null", os.O_RDONLY)
            os.dup2(fd, 0)
        os.execvp(argv[0], argv)
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the terminal has no process left
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main(sys.argv[1:])
