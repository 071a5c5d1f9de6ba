// Error reporting, --version and command execution for the command-line tools.
// Every message starts with the program name (program_invocation_short_name).
#pragma once

namespace vserver {

class SysError;

// Call first in main(): makes getopt's messages use the short program name.
void init_program(char **argv);

// "PROG: message\n" on stderr.
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// "PROG: message\n" on stderr, exit 1.
[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// "PROG: message: strerror(errno)\n" on stderr, exit 1.
[[noreturn]] void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// "PROG: message: strerror(error)\n" on stderr, exit 1; when the kernel lacks
// vserver support, "PROG: <SysError::lacks_support_message()>\n" instead.
[[noreturn]] void die_sys(const SysError &error, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// "PROG: message\nTry 'PROG --help' for more information.\n" on stderr, exit 1.
[[noreturn]] void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// "Try 'PROG --help' for more information.\n" on stderr, exit 1 (after getopt
// has printed its own message).
[[noreturn]] void try_help();

// "PROG (vserver) VERSION\n" on stdout.
void print_version();

// Flushes stdout and exits 0, or 1 with "PROG: write error: ..." if the
// output could not be written (for --help, --version and --show).
[[noreturn]] void exit_success();

// Flushes stdout and execvp()s argv[0]. On failure prints
// "PROG: failed to execute CMD: strerror" and exits 127 if the command was not
// found, 126 otherwise (found but not executable, permission, ...), after
// writing a byte to FAILURE_FD when one is given (a close-on-exec pipe whose
// reader learns from it whether the command runs).
[[noreturn]] void exec_command(char *const argv[], int failure_fd = -1);

} // namespace vserver
