// ctxbench: the measuring helper of bench/run (see bench/README).
//
//   ctxbench exec [-n N] [-v] -- CMD [ARG]... [-- CMD [ARG]...]...
//       Run the commands N times each, alternating, and print the wall time
//       of one fork + exec + wait per command (median, p10, p90, mean) and
//       the number of lines the last run wrote on stdout.  -v: also every
//       run, with the cost of a getppid() measured just before and after.
//   ctxbench latency [-m M] [-r R] SMALL LARGE
//       Time VCMD_NEW_S_CONTEXT(-1) with SMALL live contexts, then R times:
//       grow to LARGE live contexts, time, shrink back to SMALL, time.
//       Each time: M fresh children doing getppid() then the call, each
//       timed (mode fork), and one child doing that M times (mode loop);
//       unshare(CLONE_NEWIPC) and unshare(CLONE_NEWUTS) alike, for
//       reference.  Prints every phase, then all phases of a size together.
//   ctxbench forkexit [-n N] [-b BLOCK]
//       Time fork() + _exit(0) in the child + waitpid() in the parent, the
//       path every fork and exit of the machine takes through the
//       context accounting: N blocks of BLOCK round trips, the mean round
//       trip of each block a sample (median, p10, p90, mean).
//   ctxbench hold -t TASKS -c CONTEXTS -- CMD [ARG]...
//       Hold TASKS tasks spread evenly over CONTEXTS new contexts (0: all in
//       the caller's context), run CMD once, release them; CMD's status.
//
// A holder is a process (its own thread group, pid and context) created
// with clone(CLONE_VM): it shares this program's memory, so it costs a
// task and a small stack and no address space (under User-Mode Linux no
// host process either).  Holders therefore use only their own stack, the
// shared atomics and plain system calls.  They block reading a pipe and
// exit when this program closes it (or dies: PR_SET_PDEATHSIG).
#include <linux/vserver.h>
#include <vserver/syscall_nr.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sched.h>
#include <string>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void die(const char *fmt, const char *arg = "", int err = 0) {
    std::fprintf(stderr, "ctxbench: ");
    std::fprintf(stderr, fmt, arg);
    if (err)
        std::fprintf(stderr, ": %s", std::strerror(err));
    std::fputc('\n', stderr);
    std::exit(1);
}

double now_us() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

long new_s_context_raw(long id = VX_CTX_NEW) {
    vcmd_new_s_context arg;
    std::memset(&arg, 0, sizeof(arg));
    arg.size = sizeof(arg);
    return syscall(VSERVER_NR, VCMD_NEW_S_CONTEXT, id, &arg);
}

// MemAvailable of /proc/meminfo in MiB, -1 if unknown.
long mem_available_mib() {
    long kib = -1;
    if (FILE *f = std::fopen("/proc/meminfo", "r")) {
        char line[256];
        while (std::fgets(line, sizeof(line), f))
            if (std::sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
                break;
        std::fclose(f);
    }
    return kib < 0 ? -1 : kib / 1024;
}

struct Stats {
    double median, p10, p90, mean;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[static_cast<std::size_t>(q * (v.size() - 1) + 0.5)]; };
    std::size_t n = v.size();
    double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    double sum = 0;
    for (double x : v)
        sum += x;
    return {median, at(0.1), at(0.9), sum / n};
}

void print_stats(const std::string &prefix, const Stats &s) {
    std::printf("%s median_us=%.1f p10_us=%.1f p90_us=%.1f mean_us=%.1f\n", prefix.c_str(),
                s.median, s.p10, s.p90, s.mean);
    std::fflush(stdout);
}

int positive(const char *s) {
    char *end;
    long v = std::strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 1000000)
        die("bad number '%s'", s);
    return static_cast<int>(v);
}

// ---- holders ----

constexpr std::size_t stack_size = 16 * 1024;

struct Shared {
    std::atomic<int> ready{0};
    std::atomic<int> failed{0};
    std::atomic<int> first_error{0};
    std::atomic<int> min_ctx{1 << 30};
    std::atomic<int> max_ctx{0};
};

// One population of holders, released together by closing one pipe.
class Holders {
public:
    Holders(Shared &shared, int tasks, int contexts) : shared_(shared) {
        if (tasks == 0)
            return;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
            die("pipe", "", errno);
        rfd_ = p[0];
        wfd_ = p[1];
        std::size_t len = stack_size * tasks;
        void *m = mmap(nullptr, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED)
            die("mmap of %s holder stacks", std::to_string(tasks).c_str(), errno);
        stacks_ = static_cast<char *>(m);
        stacks_len_ = len;
        pids_ = std::vector<std::atomic<pid_t>>(tasks);
        create_us_ = std::vector<double>(contexts);

        int groups = contexts > 0 ? contexts : 1;
        if (groups > tasks)
            die("more contexts than tasks");
        groups_.resize(groups);
        int slot = 0;
        for (int g = 0; g < groups; g++) {
            Group &gr = groups_[g];
            gr.self = this;
            gr.first_slot = slot;
            gr.size = tasks / groups + (g < tasks % groups ? 1 : 0);
            gr.index = g;
            gr.new_context = contexts > 0;
            slot += gr.size;
        }
        int before = shared_.ready.load() + shared_.failed.load();
        for (Group &gr : groups_) {
            pid_t pid = clone(leader_main, stack_top(gr.first_slot), CLONE_VM | SIGCHLD, &gr);
            if (pid < 0) // the holders die with us (PR_SET_PDEATHSIG)
                die("clone of a holder (raise ulimit -u, kernel.pid_max or kernel.threads-max)", "",
                    errno);
            pids_[gr.first_slot] = pid;
        }
        // Wait until every holder is in place (or some failed).
        while (shared_.ready.load() + shared_.failed.load() < before + tasks) {
            timespec ts{0, 1000000};
            nanosleep(&ts, nullptr);
        }
        if (shared_.failed.load() > 0) {
            int err = shared_.first_error.load();
            if (err == EAGAIN || err == ENOSPC || err == ENOMEM)
                die("cannot create %s holders (raise ulimit -u, kernel.pid_max, "
                    "kernel.threads-max, user.max_ipc_namespaces, user.max_uts_namespaces "
                    "or the guest memory)",
                    std::to_string(tasks).c_str(), err);
            die("cannot create %s holders", std::to_string(tasks).c_str(), err);
        }
    }

    Holders(const Holders &) = delete;
    Holders &operator=(const Holders &) = delete;
    ~Holders() { release(); }

    // Let every holder exit, reap them all.
    void release() {
        if (wfd_ < 0)
            return;
        close(wfd_);
        close(rfd_);
        wfd_ = rfd_ = -1;
        for (auto &pid : pids_)
            if (pid > 0 && waitpid(pid, nullptr, __WALL) < 0)
                die("waiting for the holders", "", errno);
        munmap(stacks_, stacks_len_);
    }

private:
    struct Group {
        Holders *self;
        int index;
        int first_slot;
        int size;
        bool new_context;
    };

    char *stack_top(int slot) { return stacks_ + stack_size * (slot + 1); }

    void record_failure(int err, int count = 1) {
        int zero = 0;
        shared_.first_error.compare_exchange_strong(zero, err);
        shared_.failed += count;
    }

    // Only system calls from here on: the memory is shared with main().
    void block() {
        char c;
        [[maybe_unused]] ssize_t n = read(rfd_, &c, 1); // 0: released
    }

    // Clones of a leader, which has closed the write end already.
    static int follower_main(void *arg) {
        Holders *self = static_cast<Group *>(arg)->self;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        self->block();
        return 0;
    }

    static int leader_main(void *arg) {
        Group *gr = static_cast<Group *>(arg);
        Holders *self = gr->self;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(self->wfd_);
        if (gr->new_context) {
            double t0 = now_us();
            long ctx = new_s_context_raw();
            self->create_us_[gr->index] = now_us() - t0;
            if (ctx < 0) {
                self->record_failure(errno, gr->size);
                return 1;
            }
            int c = static_cast<int>(ctx);
            for (int m = self->shared_.min_ctx.load(); c < m;)
                self->shared_.min_ctx.compare_exchange_weak(m, c);
            for (int m = self->shared_.max_ctx.load(); c > m;)
                self->shared_.max_ctx.compare_exchange_weak(m, c);
        }
        // The followers inherit the context; CLONE_PARENT: main() reaps them.
        for (int i = 1; i < gr->size; i++) {
            pid_t pid = clone(follower_main, self->stack_top(gr->first_slot + i),
                              CLONE_VM | CLONE_PARENT | SIGCHLD, gr);
            if (pid < 0) {
                self->record_failure(errno, gr->size - i);
                self->shared_.ready += i;
                self->block();
                return 0;
            }
            self->pids_[gr->first_slot + i] = pid;
        }
        // Every task of the group exists (in the context) and is known to main().
        self->shared_.ready += gr->size;
        self->block();
        return 0;
    }

    Shared &shared_;
    int rfd_ = -1;
    int wfd_ = -1;
    char *stacks_ = nullptr;
    std::size_t stacks_len_ = 0;
    std::vector<Group> groups_;
    std::vector<std::atomic<pid_t>> pids_; // 0: never created
    std::vector<double> create_us_;        // each group's new_s_context

public:
    // Median creation latency of the first and of the last tenth of the contexts.
    std::pair<double, double> create_latency() const {
        std::size_t tenth = std::max<std::size_t>(create_us_.size() / 10, 1);
        if (create_us_.empty())
            return {0, 0};
        return {stats({create_us_.begin(), create_us_.begin() + tenth}).median,
                stats({create_us_.end() - tenth, create_us_.end()}).median};
    }
};

// ---- latency ----

enum class Op { new_s_context, unshare_ipc, unshare_uts };

const char *op_name(Op op) {
    switch (op) {
    case Op::new_s_context:
        return "new_s_context";
    case Op::unshare_ipc:
        return "unshare_ipc";
    case Op::unshare_uts:
        return "unshare_uts";
    }
    return "?";
}

// dry: the same code path with arguments that fail or change nothing
// (id -3 is EINVAL before anything happens; unshare(0) is a no-op).
[[gnu::noinline]] long run_op(Op op, bool dry) {
    switch (op) {
    case Op::new_s_context:
        return new_s_context_raw(dry ? -3 : VX_CTX_NEW);
    case Op::unshare_ipc:
        return unshare(dry ? 0 : CLONE_NEWIPC);
    case Op::unshare_uts:
        return unshare(dry ? 0 : CLONE_NEWUTS);
    }
    return -1;
}

struct Sample {
    double op_us;   // the operation
    double null_us; // getppid(), the cost of any system call, in the same child
    double err;     // errno of the operation, -1: none
};

// Not inlined: the dry run and the measured run execute the very same code.
[[gnu::noinline]] Sample sample_once(Op op, bool dry) {
    double t0 = now_us();
    syscall(SYS_getppid);
    double t1 = now_us();
    long r = run_op(op, dry);
    double t2 = now_us();
    return {t2 - t1, t1 - t0, r < 0 ? double(errno) : -1.0};
}

// In a fresh child: one dry run, then count timed runs, sent over fd.
[[noreturn]] void child_samples(Op op, int count, int fd) {
    sample_once(op, true);
    std::vector<Sample> v(count);
    for (Sample &s : v)
        s = sample_once(op, false);
    const char *p = reinterpret_cast<const char *>(v.data());
    std::size_t left = v.size() * sizeof(Sample);
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n <= 0)
            _exit(1);
        p += n;
        left -= n;
    }
    _exit(0);
}

// per_child samples from each of children fresh children.
std::vector<Sample> time_op(Op op, int children, int per_child) {
    std::vector<Sample> out;
    for (int i = 0; i < children; i++) {
        int p[2];
        if (pipe(p) < 0)
            die("pipe", "", errno);
        pid_t pid = fork();
        if (pid < 0)
            die("fork", "", errno);
        if (pid == 0) {
            close(p[0]);
            child_samples(op, per_child, p[1]);
        }
        close(p[1]);
        std::vector<Sample> v(per_child);
        char *buf = reinterpret_cast<char *>(v.data());
        std::size_t got = 0, want = v.size() * sizeof(Sample);
        ssize_t n;
        while (got < want && (n = read(p[0], buf + got, want - got)) > 0)
            got += n;
        close(p[0]);
        int status;
        waitpid(pid, &status, 0);
        if (got != want || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("a %s child failed", op_name(op));
        for (const Sample &s : v) {
            if (s.err >= 0)
                die("%s in a fresh child", op_name(op), static_cast<int>(s.err));
            out.push_back(s);
        }
    }
    return out;
}

constexpr Op all_ops[] = {Op::new_s_context, Op::unshare_ipc, Op::unshare_uts};

// Samples by "MODE OP LIVE", over every phase with LIVE live contexts.
std::vector<std::pair<std::string, std::vector<Sample>>> all_samples;

std::vector<Sample> &samples_of(const std::string &key) {
    for (auto &[k, v] : all_samples)
        if (k == key)
            return v;
    return all_samples.emplace_back(key, std::vector<Sample>{}).second;
}

void print_samples(const char *what, const std::string &key, const std::string &phase,
                   const std::vector<Sample> &v) {
    std::vector<double> op_us, null_us, net_us;
    for (const Sample &s : v) {
        op_us.push_back(s.op_us);
        null_us.push_back(s.null_us);
        net_us.push_back(s.op_us - s.null_us);
    }
    char mode[16], op[32];
    int live;
    std::sscanf(key.c_str(), "%15s %31s %d", mode, op, &live);
    Stats st = stats(op_us);
    std::printf("%s mode=%s op=%s live=%d phase=%s n=%zu median_us=%.1f p10_us=%.1f p90_us=%.1f "
                "mean_us=%.1f null_median_us=%.1f net_median_us=%.1f\n",
                what, mode, op, live, phase.c_str(), v.size(), st.median, st.p10, st.p90, st.mean,
                stats(null_us).median, stats(net_us).median);
    std::fflush(stdout);
}

// Mode fork: fresh children, one operation each (the process's first
// namespace switch), the operations interleaved; mode loop: one child per
// operation doing samples operations in a row.
void measure(int live, const std::string &phase, int samples) {
    std::vector<std::pair<std::string, std::vector<Sample>>> here;
    auto key = [live](const char *mode, Op op) {
        return std::string(mode) + " " + op_name(op) + " " + std::to_string(live);
    };
    for (Op op : all_ops)
        here.emplace_back(key("fork", op), std::vector<Sample>{});
    for (int i = 0; i < samples; i++)
        for (std::size_t o = 0; o < std::size(all_ops); o++)
            here[o].second.push_back(time_op(all_ops[o], 1, 1).front());
    for (Op op : all_ops)
        here.emplace_back(key("loop", op), time_op(op, 1, samples));
    for (auto &[k, v] : here) {
        print_samples("latency_phase", k, phase, v);
        auto &all = samples_of(k);
        all.insert(all.end(), v.begin(), v.end());
    }
}

int cmd_latency(int argc, char **argv) {
    int samples = 100, rounds = 2;
    int opt;
    while ((opt = getopt(argc, argv, "+m:r:")) != -1) {
        if (opt == 'm')
            samples = positive(optarg);
        else if (opt == 'r')
            rounds = positive(optarg);
        else
            std::exit(2);
    }
    if (argc - optind != 2 || samples == 0 || rounds == 0)
        die("usage: ctxbench latency [-m SAMPLES] [-r ROUNDS] SMALL LARGE");
    int small = positive(argv[optind]);
    int large = positive(argv[optind + 1]);
    if (large < small)
        die("LARGE must not be smaller than SMALL");

    // small, then ROUNDS times: grow to large, measure, shrink, measure.
    auto *shared = new Shared;
    Holders base(*shared, small, small);
    measure(small, "small0", samples);
    for (int r = 1; r <= rounds; r++) {
        long mem0 = mem_available_mib();
        double t0 = now_us();
        {
            Holders more(*shared, large - small, large - small);
            double t1 = now_us();
            auto [first, last] = more.create_latency();
            std::printf("setup round=%d holders=%d contexts=%d ctx_ids=%d..%d create_s=%.2f "
                        "first_tenth_create_median_us=%.1f last_tenth_create_median_us=%.1f "
                        "mem_used_mib=%ld\n",
                        r, large, large, shared->min_ctx.load(), shared->max_ctx.load(),
                        (t1 - t0) / 1e6, first, last, mem0 - mem_available_mib());
            std::fflush(stdout);
            measure(large, "large" + std::to_string(r), samples);
            t0 = now_us();
        }
        std::printf("teardown round=%d holders=%d release_s=%.2f\n", r, large - small,
                    (now_us() - t0) / 1e6);
        std::fflush(stdout);
        // Freeing the contexts' namespaces is deferred (work queue, RCU): let it settle.
        sleep(2);
        measure(small, "small" + std::to_string(r), samples);
    }
    for (auto &[k, v] : all_samples)
        print_samples("latency", k, "all", v);
    return 0;
}

// ---- hold ----

int run_command(char **argv) {
    pid_t pid = fork();
    if (pid < 0)
        die("fork", "", errno);
    if (pid == 0) {
        execvp(argv[0], argv);
        std::fprintf(stderr, "ctxbench: cannot execute %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid", "", errno);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_hold(int argc, char **argv) {
    int tasks = -1, contexts = 0;
    int opt;
    while ((opt = getopt(argc, argv, "+t:c:")) != -1) {
        if (opt == 't')
            tasks = positive(optarg);
        else if (opt == 'c')
            contexts = positive(optarg);
        else
            std::exit(2);
    }
    if (tasks < 0 || optind >= argc)
        die("usage: ctxbench hold -t TASKS [-c CONTEXTS] -- CMD [ARG]...");
    auto *shared = new Shared;
    long mem0 = mem_available_mib();
    double t0 = now_us();
    Holders holders(*shared, tasks, contexts);
    std::printf("hold tasks=%d contexts=%d setup_s=%.2f mem_used_mib=%ld\n", tasks, contexts,
                (now_us() - t0) / 1e6, mem0 - mem_available_mib());
    std::fflush(stdout);
    int status = run_command(argv + optind);
    holders.release();
    return status;
}

// ---- exec ----

// What a system call costs right now: median of 201 timed getppid().  Under
// User-Mode Linux it follows the load of the host.
double null_syscall_us() {
    std::vector<double> v;
    for (int i = 0; i < 201; i++) {
        double t0 = now_us();
        syscall(SYS_getppid);
        v.push_back(now_us() - t0);
    }
    return stats(v).median;
}

int cmd_exec(int argc, char **argv) {
    int runs = 200;
    bool verbose = false;
    int opt;
    while ((opt = getopt(argc, argv, "+n:v")) != -1) {
        if (opt == 'n')
            runs = positive(optarg);
        else if (opt == 'v')
            verbose = true;
        else
            std::exit(2);
    }
    std::vector<std::vector<char *>> cmds;
    for (int i = optind; i < argc; i++) {
        if (std::strcmp(argv[i], "--") == 0 || cmds.empty()) {
            cmds.emplace_back();
            if (std::strcmp(argv[i], "--") == 0)
                continue;
        }
        cmds.back().push_back(argv[i]);
    }
    std::erase_if(cmds, [](const auto &c) { return c.empty(); });
    if (cmds.empty() || runs == 0)
        die("usage: ctxbench exec [-n RUNS] [-v] -- CMD [ARG]... [-- CMD [ARG]...]...");
    for (auto &c : cmds)
        c.push_back(nullptr);

    int out = memfd_create("ctxbench-stdout", MFD_CLOEXEC);
    if (out < 0)
        die("memfd_create", "", errno);
    std::vector<std::vector<double>> times(cmds.size());
    std::vector<long> lines(cmds.size());
    for (int r = 0; r < runs; r++) {
        for (std::size_t i = 0; i < cmds.size(); i++) {
            if (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
                die("resetting the output buffer", "", errno);
            double probe = verbose ? null_syscall_us() : 0;
            double t0 = now_us();
            pid_t pid = fork();
            if (pid < 0)
                die("fork", "", errno);
            if (pid == 0) {
                dup2(out, STDOUT_FILENO);
                execvp(cmds[i][0], cmds[i].data());
                std::fprintf(stderr, "ctxbench: cannot execute %s: %s\n", cmds[i][0],
                             std::strerror(errno));
                _exit(127);
            }
            int status;
            if (waitpid(pid, &status, 0) < 0)
                die("waitpid", "", errno);
            times[i].push_back(now_us() - t0);
            if (verbose)
                std::printf("run cmd=%zu us=%.1f null_us=%.1f\n", i, times[i].back(),
                            (probe + null_syscall_us()) / 2);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("'%s' failed", cmds[i][0]);
            if (r == runs - 1) {
                char buf[65536];
                ssize_t n;
                lseek(out, 0, SEEK_SET);
                while ((n = read(out, buf, sizeof(buf))) > 0)
                    lines[i] += std::count(buf, buf + n, '\n');
            }
        }
    }
    for (std::size_t i = 0; i < cmds.size(); i++) {
        std::string prefix = "exec cmd=" + std::to_string(i) + " runs=" + std::to_string(runs) +
                             " lines=" + std::to_string(lines[i]);
        print_stats(prefix, stats(times[i]));
    }
    return 0;
}

// ---- forkexit ----

int cmd_forkexit(int argc, char **argv) {
    int blocks = 200, block = 20;
    int opt;
    while ((opt = getopt(argc, argv, "+n:b:")) != -1) {
        if (opt == 'n')
            blocks = positive(optarg);
        else if (opt == 'b')
            block = positive(optarg);
        else
            std::exit(2);
    }
    if (optind != argc || blocks == 0 || block == 0)
        die("usage: ctxbench forkexit [-n BLOCKS] [-b BLOCK]");
    std::vector<double> per_trip;
    for (int b = 0; b < blocks; b++) {
        double t0 = now_us();
        for (int i = 0; i < block; i++) {
            pid_t pid = fork();
            if (pid < 0)
                die("fork", "", errno);
            if (pid == 0)
                _exit(0);
            int status;
            if (waitpid(pid, &status, 0) != pid)
                die("waitpid", "", errno);
        }
        per_trip.push_back((now_us() - t0) / block);
    }
    print_stats("forkexit blocks=" + std::to_string(blocks) + " block=" + std::to_string(block),
                stats(per_trip));
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    if (argc < 2)
        die("usage: ctxbench exec|latency|hold|forkexit ... (see bench/ctxbench.cpp)");
    std::string cmd = argv[1];
    if (cmd == "exec")
        return cmd_exec(argc - 1, argv + 1);
    if (cmd == "latency")
        return cmd_latency(argc - 1, argv + 1);
    if (cmd == "hold")
        return cmd_hold(argc - 1, argv + 1);
    if (cmd == "forkexit")
        return cmd_forkexit(argc - 1, argv + 1);
    die("unknown subcommand '%s'", cmd.c_str());
}
