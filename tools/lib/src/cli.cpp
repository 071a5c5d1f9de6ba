#include <vserver/cli.hpp>
#include <vserver/syscall.hpp>
#include <vserver/version.hpp>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace vserver {

namespace {

void vprint(const char *fmt, va_list ap, const char *suffix) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: ", program_invocation_short_name);
    std::vfprintf(stderr, fmt, ap);
    if (suffix)
        std::fprintf(stderr, ": %s", suffix);
    std::fputc('\n', stderr);
}

} // namespace

void init_program(char **argv) {
    // glibc's getopt prefixes its messages with argv[0]: make them read
    // "PROG: ..." like ours rather than "/full/path/PROG: ...".
    if (argv && argv[0])
        argv[0] = program_invocation_short_name;
}

void warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap, nullptr);
    va_end(ap);
}

void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap, nullptr);
    va_end(ap);
    std::exit(1);
}

void die_errno(const char *fmt, ...) {
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap, std::strerror(err));
    va_end(ap);
    std::exit(1);
}

void die_sys(const SysError &error, const char *fmt, ...) {
    if (error.lacks_kernel_support())
        die("%s", error.what());
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap, std::strerror(error.error()));
    va_end(ap);
    std::exit(1);
}

void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap, nullptr);
    va_end(ap);
    try_help();
}

void try_help() {
    std::fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
    std::exit(1);
}

void print_version() {
    std::printf("%s (vserver) %.*s\n", program_invocation_short_name,
                static_cast<int>(version.size()), version.data());
}

void exit_success() {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        int err = errno ? errno : EIO;
        std::fprintf(stderr, "%s: write error: %s\n", program_invocation_short_name,
                     std::strerror(err));
        std::exit(1);
    }
    std::exit(0);
}

void exec_command(char *const argv[], int failure_fd) {
    std::fflush(stdout);
    std::fflush(stderr);
    ::execvp(argv[0], argv);
    int err = errno;
    if (failure_fd >= 0)
        (void)!::write(failure_fd, "x", 1); // (the exit status says it too)
    std::fprintf(stderr, "%s: failed to execute %s: %s\n", program_invocation_short_name, argv[0],
                 std::strerror(err));
    std::exit(err == ENOENT ? 127 : 126);
}

} // namespace vserver
