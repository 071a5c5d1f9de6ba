// vx-stress: many processes creating, entering and leaving security
// contexts at once, for tests/guest/cases/stress_contexts.sh (on the SMP
// debug guest, under KASAN and lockdep). Until SECONDS have passed, each of
// WORKERS processes repeats, in a random order:
//  - a context's life: a child creates a context (flags: none, fakeinit,
//    nproc or both), may lock itself to an address, forks children that
//    read each other's and their init's /proc status, signal each other,
//    ask vserver(2) about each other and move to new contexts, then all end;
//  - the race of a status read with a context's end: Q, alone in a fakeinit
//    context whose init has gone, is read through a /proc/Q/status that R
//    opened there before R moved away, while Q moves away too (the last
//    task of the context: it and its init's pid are freed);
//  - vserver(2) questions about random process ids.
//
//   vx-stress SECONDS [WORKERS]   prints "N rounds, M contexts" (status 0),
//                                 or what failed unexpectedly (status 1)
#include <vserver/syscall.hpp>

#include <linux/vserver.h>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <new>
#include <random>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Shared {
    std::atomic<long> rounds;
    std::atomic<long> contexts;
    std::atomic<int> failures;
    char failure[256];
};
Shared *shared;

void failed(const char *what, int err) {
    if (shared->failures.fetch_add(1) == 0)
        std::snprintf(shared->failure, sizeof(shared->failure), "%s: %s", what, std::strerror(err));
}

// A context of the kernel's choice; EAGAIN (nproc, pid limits) is load,
// not a failure.
bool new_context(std::uint32_t flags) {
    try {
        vserver::new_s_context(VX_CTX_NEW, 0, flags);
        shared->contexts++;
        return true;
    } catch (const vserver::SysError &e) {
        if (e.error() != EAGAIN && e.error() != ENOMEM)
            failed("new_s_context", e.error());
        return false;
    }
}

void read_status(pid_t pid) {
    char path[64], buf[4096];
    std::snprintf(path, sizeof(path), "/proc/%d/status", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return; // gone, or hidden: both expected
    while (::read(fd, buf, sizeof(buf)) > 0) {
    }
    ::close(fd);
}

void ask(pid_t pid) {
    try {
        vserver::context_info(pid);
    } catch (const vserver::SysError &) {
        // ESRCH for the gone and the hidden
    }
}

void reap_all() {
    while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
    }
}

[[noreturn]] void context_life(std::mt19937 &rng) {
    static const std::uint32_t flag_sets[] = {0, VXF_FAKEINIT, VXF_NPROC, VXF_FAKEINIT | VXF_NPROC};
    if (!new_context(flag_sets[rng() % 4]))
        _exit(0);
    if (rng() % 2) {
        in_addr addr{};
        addr.s_addr = htonl(0x7f030000U | (rng() % 250 + 1));
        try {
            vserver::set_ipv4root(addr);
        } catch (const vserver::SysError &e) {
            failed("set_ipv4root", e.error());
        }
    }
    pid_t kids[3];
    int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
        kids[i] = ::fork();
        if (kids[i] == 0) {
            for (int j = 0; j < 5; ++j) {
                read_status(::getppid());
                read_status(1);
                ask(::getppid());
                ::kill(::getppid(), 0);
                if (j == 2 && rng() % 2)
                    new_context(0);
            }
            _exit(0);
        }
    }
    for (int i = 0; i < n; ++i)
        if (kids[i] > 0) {
            read_status(kids[i]);
            ::kill(kids[i], SIGCONT);
        }
    reap_all();
    _exit(0);
}

// The status read against the context's end (see the top of the file).
[[noreturn]] void status_race() {
    if (!new_context(VXF_FAKEINIT))
        _exit(0);
    int ready[2];
    if (::pipe(ready) != 0)
        _exit(0);
    pid_t q = ::fork();
    if (q == 0) {
        // Q: alone once its init has gone; waits until R holds its
        // status open, then leaves, freeing the context.
        char c;
        ::close(ready[1]);
        if (::read(ready[0], &c, 1) == 1)
            new_context(0);
        _exit(0);
    }
    if (q > 0 && ::fork() == 0) {
        // R: opens Q's status, moves away, reads on.
        char path[64], buf[4096];
        std::snprintf(path, sizeof(path), "/proc/%d/status", q);
        int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        new_context(0);
        (void)!::write(ready[1], "g", 1);
        for (int i = 0; fd >= 0 && i < 50; ++i)
            (void)!::pread(fd, buf, sizeof(buf), 0);
        _exit(0);
    }
    _exit(0); // the init goes first
}

[[noreturn]] void worker(unsigned seed, std::time_t deadline) {
    std::mt19937 rng(seed);
    while (std::time(nullptr) < deadline) {
        pid_t child = ::fork();
        if (child == 0) {
            switch (rng() % 3) {
            case 0:
                context_life(rng);
            case 1:
                status_race();
            default:
                for (int i = 0; i < 20; ++i)
                    ask(static_cast<pid_t>(rng() % 2000 + 1));
                _exit(0);
            }
        }
        if (child < 0 && errno != EAGAIN)
            failed("fork", errno);
        reap_all();
        shared->rounds++;
    }
    _exit(0);
}

} // namespace

int main(int argc, char *argv[]) {
    int seconds = argc >= 2 ? std::atoi(argv[1]) : 0;
    int workers = argc >= 3 ? std::atoi(argv[2]) : 8;
    if (seconds < 1 || workers < 1) {
        std::fprintf(stderr, "usage: vx-stress SECONDS [WORKERS]\n");
        return 2;
    }
    void *mem =
        ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return 1;
    shared = new (mem) Shared{};
    // Orphans of the status race (Q and R) come back here to be reaped.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::time_t deadline = std::time(nullptr) + seconds;
    for (int i = 0; i < workers; ++i)
        if (::fork() == 0)
            worker(static_cast<unsigned>(i) * 7919U + static_cast<unsigned>(::getpid()), deadline);
    reap_all();
    if (shared->failures) {
        std::printf("%d unexpected failures, the first: %s\n", shared->failures.load(),
                    shared->failure);
        return 1;
    }
    std::printf("%ld rounds, %ld contexts\n", shared->rounds.load(), shared->contexts.load());
    return 0;
}
