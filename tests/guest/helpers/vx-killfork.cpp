// vx-killfork: SIGKILL a process while it forks, ROUNDS times, for the
// guest test kill_while_forking.  The victim first maps VMAS separate
// areas (so that each fork spends long in dup_mmap(), copying them), says
// it is ready, then forks and reaps children in a loop; the killer waits a
// pseudo-random 0-20 ms (fixed seed: every run is the same) and kills it.
// A kill that lands in dup_mmap() makes the kernel tear down a half-copied
// address space, the path the test watches.
//
//   vx-killfork ROUNDS VMAS     prints "ROUNDS kills" (status 0)
//   vx-killfork --victim VMAS   only the victim, until it is killed (a
//                               server's service, for the test's stops)
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

[[noreturn]] void die(const char *what) {
    std::fprintf(stderr, "vx-killfork: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

// Maps VMAS areas of one page each, separated by read-only pages so that
// none merges with the next, writes a byte to READY, then forks forever.
[[noreturn]] void fork_forever(int vmas, int ready) {
    const long page = ::sysconf(_SC_PAGESIZE);
    auto *base = static_cast<char *>(::mmap(nullptr, page * 2 * vmas, PROT_READ | PROT_WRITE,
                                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base == MAP_FAILED)
        die("mmap");
    for (int i = 0; i < vmas; ++i) {
        base[i * 2 * page] = 1;
        if (::mprotect(base + (i * 2 + 1) * page, page, PROT_READ) != 0)
            die("mprotect");
    }
    if (::write(ready, "r", 1) != 1)
        die("write");
    for (;;) {
        pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        if (child > 0)
            ::waitpid(child, nullptr, 0);
    }
}

} // namespace

int main(int argc, char *argv[]) {
    if (argc == 3 && std::strcmp(argv[1], "--victim") == 0 && std::atoi(argv[2]) > 0)
        fork_forever(std::atoi(argv[2]), STDOUT_FILENO);
    const int rounds = argc == 3 ? std::atoi(argv[1]) : 0;
    const int vmas = argc == 3 ? std::atoi(argv[2]) : 0;
    if (rounds < 1 || vmas < 1) {
        std::fprintf(stderr, "usage: vx-killfork ROUNDS VMAS | --victim VMAS\n");
        return 2;
    }
    unsigned int seed = 1;
    for (int round = 0; round < rounds; ++round) {
        int ready[2];
        if (::pipe(ready) != 0)
            die("pipe");
        pid_t victim = ::fork();
        if (victim == -1)
            die("fork");
        if (victim == 0)
            fork_forever(vmas, ready[1]);
        ::close(ready[1]);
        char byte;
        if (::read(ready[0], &byte, 1) != 1) {
            std::fprintf(stderr, "vx-killfork: the victim died before it was ready\n");
            return 1;
        }
        ::close(ready[0]);
        struct timespec delay = {0, static_cast<long>(::rand_r(&seed) % 20000000)};
        ::nanosleep(&delay, nullptr);
        ::kill(victim, SIGKILL);
        ::waitpid(victim, nullptr, 0);
    }
    std::printf("%d kills\n", rounds);
    return 0;
}
