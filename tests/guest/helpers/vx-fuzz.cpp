// vx-fuzz: random vserver(2) calls, for tests/guest/cases/fuzz_vserver.sh.
// Until CALLS calls have been made, worker processes (WORKERS at a time)
// each make a run of calls with random commands, ids and argument
// structures (random sizes, flags, capability masks, names without their
// NUL, reserved bytes), through pointers that are good, NULL, unmapped,
// kernel addresses, misaligned or end halfway into a page the process may
// not read; a worker may fork a helper that calls along with it and exits
// first, and ends by exiting or by executing /bin/true.  The kernel must
// neither oops nor warn (vm-run fails the run on a report in the kernel
// log); a worker killed by a signal is a failure.
//
//   vx-fuzz CALLS [WORKERS [SEED]]   prints "N calls, M workers, seed S"
#include <linux/vserver.h>
#include <vserver/syscall_nr.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <endian.h>
#include <new>
#include <random>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Counts {
    std::atomic<long> calls;
    std::atomic<long> succeeded[5]; // per command: what got past the checks
};
Counts *counts;

// A page the process may read and write, followed by one it may not.
unsigned char *page;
long page_size;

template <typename T> T pick(std::mt19937_64 &rng, std::initializer_list<T> from) {
    return *(from.begin() + rng() % from.size());
}

void random_bytes(std::mt19937_64 &rng, void *buf, std::size_t n) {
    auto *p = static_cast<unsigned char *>(buf);
    for (std::size_t i = 0; i < n; i++)
        p[i] = static_cast<unsigned char>(rng());
}

// A vcmd_new_s_context that is nearly right, or not at all.
void fill_new_s_context(std::mt19937_64 &rng, vcmd_new_s_context *arg) {
    std::memset(arg, 0, sizeof(*arg));
    arg->size = pick<std::uint32_t>(rng, {sizeof(*arg), sizeof(*arg), 0, 8, sizeof(*arg) + 8,
                                          UINT32_MAX, static_cast<std::uint32_t>(rng())});
    arg->flags =
        rng() % 4 ? static_cast<std::uint32_t>(rng() & VXF_ALL) : static_cast<std::uint32_t>(rng());
    arg->remove_cap = pick<std::uint64_t>(rng, {0, 0, ~0ULL, 1ULL << (rng() % 64), rng()});
    if (rng() % 2)
        random_bytes(rng, arg->nodename, sizeof(arg->nodename)); // no NUL, maybe
    if (rng() % 4 == 0)
        random_bytes(rng, arg->domainname, sizeof(arg->domainname));
    if (rng() % 8 == 0)
        random_bytes(rng, arg->__reserved, sizeof(arg->__reserved));
}

void fill_set_ipv4root(std::mt19937_64 &rng, vcmd_set_ipv4root *arg) {
    // (loopback addresses only, or nonsense the kernel must refuse)
    arg->addr = pick<std::uint32_t>(rng, {htobe32(0x7f000001), htobe32(0x7f0a0000 | (rng() & 0xff)),
                                          0, htobe32(0x7fffffff), 0xffffffff});
    arg->bcast = pick<std::uint32_t>(rng, {0, htobe32(0x7fffffff), arg->addr, 0xffffffff});
    arg->flags = rng() % 8 ? 0 : static_cast<std::uint32_t>(rng());
    arg->__reserved = rng() % 8 ? 0 : static_cast<std::uint32_t>(rng());
}

// An address set: mostly right (so that sets get made), or not: sizes and
// counts around the limits, an entry past the count, IPv6 and unknown
// families, duplicates, bad addresses, junk in the padding.
void fill_set_netset(std::mt19937_64 &rng, vcmd_set_netset *arg) {
    std::memset(arg, 0, sizeof(*arg));
    arg->size = rng() % 4 ? sizeof(*arg)
                          : pick<std::uint32_t>(rng, {0, 8, offsetof(vcmd_set_netset, addrs) + 20,
                                                      sizeof(*arg) + 8, UINT32_MAX,
                                                      static_cast<std::uint32_t>(rng())});
    arg->flags =
        rng() % 8 ? static_cast<std::uint32_t>(rng() % 4 == 0) : static_cast<std::uint32_t>(rng());
    arg->count = rng() % 4
                     ? static_cast<std::uint32_t>(2 + rng() % 3)
                     : pick<std::uint32_t>(rng, {1, 16, 0, 17, static_cast<std::uint32_t>(rng())});
    arg->bcast = rng() % 4 ? 0
                           : pick<std::uint32_t>(rng, {htobe32(0x7fffffff), 0xffffffff,
                                                       static_cast<std::uint32_t>(rng())});
    std::uint32_t filled = std::min<std::uint32_t>(VX_NETSET_MAX, arg->count + (rng() % 16 == 0));
    for (std::uint32_t i = 0; i < filled; i++) {
        vx_netaddr &a = arg->addrs[i];
        a.family = rng() % 16
                       ? AF_INET
                       : pick<std::uint16_t>(rng, {AF_INET6, 0, static_cast<std::uint16_t>(rng())});
        std::uint32_t v4 = htobe32(0x7f0a0000 | i << 8 | (rng() & 3));
        if (rng() % 16 == 0)
            v4 = pick<std::uint32_t>(rng, {0, 0xffffffff, htobe32(0xe0000001)});
        std::memcpy(a.addr, &v4, sizeof(v4));
        if (i && rng() % 16 == 0)
            a = arg->addrs[0];
        if (rng() % 32 == 0)
            random_bytes(rng, a.addr, sizeof(a.addr));
        if (rng() % 32 == 0)
            a.__reserved = static_cast<std::uint16_t>(rng());
    }
}

// The data pointer of one call: a structure for CMD at a good address or
// at one that is not.
void *data_for(std::mt19937_64 &rng, long cmd) {
    alignas(16) static unsigned char good[512];
    static_assert(sizeof(vcmd_set_netset) + 8 <= sizeof(good));
    switch (rng() % 10) {
    case 0:
        return nullptr;
    case 1:
        return reinterpret_cast<void *>(0xffffffff81000000UL); // the kernel's
    case 2:
        return reinterpret_cast<void *>(page_size * 3 + 7); // unmapped, low
    case 3:
        // the structure runs into the page that may not be read
        return page + page_size - 1 - rng() % 24;
    case 4:
        random_bytes(rng, good, sizeof(good));
        return good + rng() % 8; // misaligned random bytes
    default:
        break;
    }
    if (cmd == VCMD_NEW_S_CONTEXT)
        fill_new_s_context(rng, reinterpret_cast<vcmd_new_s_context *>(good));
    else if (cmd == VCMD_SET_IPV4ROOT)
        fill_set_ipv4root(rng, reinterpret_cast<vcmd_set_ipv4root *>(good));
    else if (cmd == VCMD_SET_NETSET)
        fill_set_netset(rng, reinterpret_cast<vcmd_set_netset *>(good));
    else
        random_bytes(rng, good, sizeof(good));
    return good;
}

void one_call(std::mt19937_64 &rng) {
    long cmd = rng() % 8
                   ? static_cast<long>(rng() % 5)
                   : pick<long>(rng, {-1, 5, 255, INT_MAX, INT_MIN, static_cast<long>(rng())});
    long id =
        pick<long>(rng, {VX_CTX_NEW, VX_CTX_NEW, VX_CTX_KEEP, VX_CTX_HOST, VX_CTX_SPECTATOR, -3, 2,
                         static_cast<long>(2 + rng() % 100), VX_CTX_STATIC_MAX, VX_CTX_DYNAMIC_MIN,
                         VX_CTX_MAX, VX_CTX_MAX + 1, INT_MAX, INT_MIN, static_cast<long>(getpid()),
                         static_cast<long>(getppid()), static_cast<long>(rng() % 400)});
    long ret = syscall(VSERVER_NR, cmd, id, data_for(rng, cmd));
    counts->calls.fetch_add(1);
    if (ret >= 0 && cmd >= 0 && cmd < 5)
        counts->succeeded[cmd].fetch_add(1);
}

[[noreturn]] void worker(std::uint64_t seed, long calls) {
    std::mt19937_64 rng(seed);
    pid_t helper = -1;
    if (rng() % 4 == 0) {
        helper = fork();
        if (helper == 0) {
            rng.seed(seed ^ 0x9e3779b97f4a7c15ULL); // (calls of its own)
            for (long i = 0; i < calls / 2; i++)
                one_call(rng);
            _exit(0);
        }
    }
    for (long i = 0; i < calls; i++)
        one_call(rng);
    if (helper > 0)
        waitpid(helper, nullptr, 0);
    if (rng() % 4 == 0) {
        execl("/bin/true", "true", static_cast<char *>(nullptr));
        _exit(126);
    }
    _exit(0);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        std::fprintf(stderr, "usage: vx-fuzz CALLS [WORKERS [SEED]]\n");
        return 2;
    }
    long total = std::atol(argv[1]);
    int workers = argc > 2 ? std::atoi(argv[2]) : 4;
    std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : std::random_device{}();
    if (total <= 0 || workers <= 0)
        return 2;

    page_size = sysconf(_SC_PAGESIZE);
    void *shared =
        mmap(nullptr, sizeof(Counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    auto *pages = static_cast<unsigned char *>(
        mmap(nullptr, page_size * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (shared == MAP_FAILED || pages == MAP_FAILED ||
        mprotect(pages + page_size, page_size, PROT_NONE)) {
        std::perror("vx-fuzz: mmap");
        return 1;
    }
    counts = new (shared) Counts{};
    page = pages;

    std::mt19937_64 rng(seed);
    long started = 0, running = 0, failures = 0;
    while (counts->calls.load() < total || running > 0) {
        if (running < workers && counts->calls.load() < total) {
            std::uint64_t worker_seed = rng();
            long calls = 200 + static_cast<long>(rng() % 2000);
            pid_t pid = fork();
            if (pid < 0) {
                std::perror("vx-fuzz: fork");
                return 1;
            }
            if (pid == 0)
                worker(worker_seed, calls);
            started++;
            running++;
            continue;
        }
        int status;
        pid_t done = wait(&status);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        running--;
        if (WIFSIGNALED(status)) {
            if (failures++ == 0)
                std::fprintf(stderr, "vx-fuzz: a worker was killed by signal %d (seed %llu)\n",
                             WTERMSIG(status), static_cast<unsigned long long>(seed));
        }
    }
    std::printf(
        "%ld calls, %ld workers, seed %llu; succeeded: version %ld, new_s_context %ld, "
        "set_ipv4root %ld, context_info %ld, set_netset %ld\n",
        counts->calls.load(), started, static_cast<unsigned long long>(seed),
        counts->succeeded[VCMD_GET_VERSION].load(), counts->succeeded[VCMD_NEW_S_CONTEXT].load(),
        counts->succeeded[VCMD_SET_IPV4ROOT].load(),
        counts->succeeded[VCMD_GET_CONTEXT_INFO].load(), counts->succeeded[VCMD_SET_NETSET].load());
    return failures ? 1 : 0;
}
