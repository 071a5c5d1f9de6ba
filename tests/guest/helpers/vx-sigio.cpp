// vx-sigio: make the kernel send SIGIO to a process (or, with a negative
// OWNER, to a process group) through F_SETOWN and O_ASYNC on a pipe, for
// the guest tests: a signal that nobody sends by kill(2).
//
//   vx-sigio OWNER    prints the result of F_SETOWN: "ok" or the errno name
//
// On "ok" a byte is written to the pipe, which raises SIGIO for the owner,
// and vx-sigio waits a little for it to be delivered. Exit status 0, 2 on
// bad usage.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
    char *end = nullptr;
    long owner = argc == 2 ? std::strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || !end || *end || owner == 0) {
        std::fprintf(stderr, "usage: vx-sigio OWNER (a pid, or -PGID)\n");
        return 2;
    }
    // Our own process group may be the target: do not die of it.
    std::signal(SIGIO, SIG_IGN);
    int fds[2];
    if (::pipe(fds) == -1) {
        std::perror("vx-sigio: pipe");
        return 1;
    }
    if (::fcntl(fds[0], F_SETOWN, static_cast<int>(owner)) == -1) {
        const char *name = strerrorname_np(errno);
        std::printf("%s\n", name ? name : std::strerror(errno));
        return 0;
    }
    if (::fcntl(fds[0], F_SETFL, O_ASYNC | O_NONBLOCK) == -1 || ::write(fds[1], "x", 1) != 1) {
        std::perror("vx-sigio: cannot raise SIGIO");
        return 1;
    }
    ::usleep(200000);
    std::printf("ok\n");
    return 0;
}
