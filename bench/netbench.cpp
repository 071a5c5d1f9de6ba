// netbench: the cost of set_ipv4root on the network paths it touches, for
// bench/run (see bench/README, benchmark 4).
//
//   netbench [-l | -s N] [-r ROUNDS] [-t TCP_BLOCK] [-u UDP_BLOCK] [ADDR]
//
// Two loops, each run by three long-lived children at once: one unlocked,
// one locked to ADDR (VCMD_SET_IPV4ROOT; default 127.0.0.2) and a second
// unlocked one, the control.  They take turns: in each of ROUNDS rounds
// (default 400) each runs one block of the loop, the order going through
// all six permutations, so that all see the same moments of the host's
// load:
//   tcp: socket + bind(0.0.0.0:0) + listen, socket + connect(ADDR:port),
//        accept, close all three (the client with SO_LINGER 0: no
//        TIME_WAIT); TCP_BLOCK times (default 5) per block;
//   udp: an unbound socket sendto()s 64 bytes to a receiver bound to
//        0.0.0.0:0 (locked: ADDR) at ADDR, which recv()s them; UDP_BLOCK
//        times (default 25) per block.
// With -l (the private loopback) the locked child first enters a new
// security context, which gives its lock a loopback address of its own
// (127.254.X.Y), and connects and sends to 127.0.0.1, which the kernel
// sends to that address, where its receivers on 0.0.0.0 answer (they are
// wildcards of ADDR and that address); the loops are then named
// tcp_loopback and udp_loopback.
// With -s N (2..16) the locked child is locked to a set of N addresses
// (VCMD_SET_NETSET): 127.0.2.1 ... and ADDR last, so that each packet's
// lookup goes through the whole set; its sockets bound to 0.0.0.0 stay
// wildcards limited to the set; the loops are named tcp_setN, udp_setN.
// (The first set made, a private loopback too, turns on the kernel's set
// lookups for every socket, the unlocked ones too: run -l and -s after the
// plain loops.)
// Each block is timed inside the child.  Prints per loop:
//   net_summary op=tcp rounds=.. block=.. unlocked_us=.. locked_us=..
//       ratio=.. p25=.. p75=.. p10_ratio=.. sum_ratio=.. control_ratio=..
//       control_p10_ratio=.. within_1.02=yes|no
// unlocked_us/locked_us: median time per iteration; ratio: the median over
// the rounds of (locked block time / unlocked block time of the same
// round), p25/p75 its quartiles; p10_ratio: of the fastest tenth (p10) of
// the blocks; sum_ratio: of the total times; control_ratio and
// control_p10_ratio: the same for the control against the unlocked child,
// i.e. what the noise alone gives (1.00 on a quiet machine).  within_1.02
// judges ratio.
// Exit status 1 only if the loops cannot run (e.g. set_ipv4root fails).
#include <linux/vserver.h>
#include <vserver/syscall_nr.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void die(const char *what, int err = 0) {
    std::fprintf(stderr, "netbench: %s", what);
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

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int positive(const char *s) {
    char *end;
    long v = std::strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 1000000)
        die("bad number");
    return static_cast<int>(v);
}

sockaddr_in sin_of(in_addr_t addr, in_port_t port) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = addr;
    sin.sin_port = port;
    return sin;
}

// The child's failures: a message on stderr, status 1.
[[noreturn]] void child_die(const char *what) {
    std::fprintf(stderr, "netbench: %s: %s\n", what, std::strerror(errno));
    _exit(1);
}

// A socket bound to 0.0.0.0:0 (locked: ADDR); its port.
int bound_socket(int type, in_port_t *port) {
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        child_die("socket");
    sockaddr_in sin = sin_of(htonl(INADDR_ANY), 0);
    if (bind(fd, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) != 0)
        child_die("bind");
    socklen_t len = sizeof(sin);
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&sin), &len) != 0)
        child_die("getsockname");
    *port = sin.sin_port;
    return fd;
}

double tcp_block(in_addr_t addr, int iters) {
    const linger rst{1, 0};
    double t0 = now_us();
    for (int i = 0; i < iters; i++) {
        in_port_t port;
        int l = bound_socket(SOCK_STREAM, &port);
        if (listen(l, 1) != 0)
            child_die("listen");
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0)
            child_die("socket");
        sockaddr_in dest = sin_of(addr, port);
        if (connect(c, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) != 0)
            child_die("connect");
        int a = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
        if (a < 0)
            child_die("accept");
        if (setsockopt(c, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst)) != 0)
            child_die("SO_LINGER");
        close(c);
        close(a);
        close(l);
    }
    return (now_us() - t0) / iters;
}

// The receiver gives up after 5 s: a datagram that went elsewhere is an
// error, not a hang.
void receive_timeout(int fd) {
    const timeval patience{5, 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience)) != 0)
        child_die("SO_RCVTIMEO");
}

struct UdpPair {
    int r = -1, s = -1;
    in_port_t port = 0;
};

// The receiver (bound to 0.0.0.0:0) and the unbound sender of the UDP loop.
UdpPair udp_pair() {
    UdpPair p;
    p.r = bound_socket(SOCK_DGRAM, &p.port);
    receive_timeout(p.r);
    p.s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (p.s < 0)
        child_die("socket");
    return p;
}

double udp_block(const UdpPair &p, in_addr_t addr, int iters) {
    sockaddr_in dest = sin_of(addr, p.port);
    char buf[64] = {};
    double t0 = now_us();
    for (int i = 0; i < iters; i++) {
        if (sendto(p.s, buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) !=
            static_cast<ssize_t>(sizeof(buf)))
            child_die("sendto");
        if (recv(p.r, buf, sizeof(buf), 0) != static_cast<ssize_t>(sizeof(buf)))
            child_die("recv");
    }
    return (now_us() - t0) / iters;
}

// One worker: a child, locked or not, that runs a block of the loop each
// time it reads a byte on its command pipe and answers with the block's
// time per iteration (a double) on its result pipe.
struct Worker {
    pid_t pid = -1;
    int cmd = -1, res = -1;
};

// A worker is unlocked, locked to ADDR, locked in a context of its own
// and sending to 127.0.0.1 (LOOPBACK), which means ADDR there, or locked to
// a set of addresses ending with ADDR (SET).
enum class Lock { none, addr, loopback, set };

// The caller's lock has a loopback address of its own (netloopback:).
bool has_private_loopback() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("netloopback:\t127.254.", 0) == 0)
            return true;
    return false;
}

// VCMD_SET_NETSET: 127.0.2.1, 127.0.2.2, ... and ADDR, N in all.
long lock_to_set(in_addr_t addr, int n) {
    vcmd_set_netset arg{};
    arg.size = sizeof(arg);
    arg.count = static_cast<__u32>(n);
    for (int i = 0; i < n; i++) {
        in_addr_t a = i == n - 1 ? addr : htonl(0x7f000201 + i);
        arg.addrs[i].family = AF_INET;
        std::memcpy(arg.addrs[i].addr, &a, sizeof(a));
    }
    return syscall(VSERVER_NR, VCMD_SET_NETSET, 0L, &arg);
}

Worker start_worker(bool tcp, Lock lock, in_addr_t addr, int block, int set_size) {
    int c[2], r[2];
    if (pipe2(c, O_CLOEXEC) != 0 || pipe2(r, O_CLOEXEC) != 0)
        die("pipe", errno);
    pid_t pid = fork();
    if (pid < 0)
        die("fork", errno);
    if (pid == 0) {
        close(c[1]);
        close(r[0]);
        if (lock == Lock::loopback) {
            vcmd_new_s_context ctx{};
            ctx.size = sizeof(ctx);
            if (syscall(VSERVER_NR, VCMD_NEW_S_CONTEXT, long{VX_CTX_NEW}, &ctx) < 0)
                child_die("new_s_context");
        }
        if (lock == Lock::set && lock_to_set(addr, set_size) != 0)
            child_die("set_netset");
        if (lock == Lock::addr || lock == Lock::loopback) {
            vcmd_set_ipv4root arg{};
            arg.addr = addr;
            if (syscall(VSERVER_NR, VCMD_SET_IPV4ROOT, 0L, &arg) != 0)
                child_die("set_ipv4root");
        }
        if (lock == Lock::loopback && !has_private_loopback()) {
            errno = EINVAL;
            child_die("locked in a context, but without a loopback address of its own");
        }
        if (lock == Lock::addr) {
            // The lock must be in effect: 0.0.0.0 binds the address.
            in_port_t port;
            int fd = bound_socket(SOCK_DGRAM, &port);
            sockaddr_in sin{};
            socklen_t len = sizeof(sin);
            getsockname(fd, reinterpret_cast<sockaddr *>(&sin), &len);
            if (sin.sin_addr.s_addr != addr) {
                errno = EINVAL;
                child_die("locked, but bind(0.0.0.0) did not get the address");
            }
            close(fd);
        }
        UdpPair udp;
        if (!tcp)
            udp = udp_pair();
        in_addr_t dest = lock == Lock::loopback ? htonl(INADDR_LOOPBACK) : addr;
        char go;
        while (read(c[0], &go, 1) == 1) {
            double us = tcp ? tcp_block(dest, block) : udp_block(udp, dest, block);
            if (write(r[1], &us, sizeof(us)) != static_cast<ssize_t>(sizeof(us)))
                child_die("write");
        }
        _exit(0);
    }
    close(c[0]);
    close(r[1]);
    return {pid, c[1], r[0]};
}

double run_block(const Worker &w) {
    double us = 0;
    if (write(w.cmd, "g", 1) != 1 ||
        read(w.res, &us, sizeof(us)) != static_cast<ssize_t>(sizeof(us)))
        die("a worker failed");
    return us;
}

// Close all command pipes first: each worker holds a copy of the pipes of
// the workers forked before it, so one sees EOF only when all are closed.
template <std::size_t N> void stop_workers(Worker (&w)[N]) {
    for (Worker &x : w) {
        close(x.cmd);
        close(x.res);
    }
    for (Worker &x : w) {
        int status;
        if (waitpid(x.pid, &status, 0) < 0)
            die("waitpid", errno);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("a worker failed");
    }
}

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * (v.size() - 1) + 0.5)];
}

} // namespace

int main(int argc, char **argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::signal(SIGPIPE, SIG_IGN); // a dead worker: "a worker failed"
    const char *usage =
        "usage: netbench [-l | -s N] [-r ROUNDS] [-t TCP_BLOCK] [-u UDP_BLOCK] [ADDR]";
    int rounds = 400, tcp_block_n = 5, udp_block_n = 25, set_size = 1;
    Lock locked = Lock::addr;
    int opt;
    while ((opt = getopt(argc, argv, "ls:r:t:u:")) != -1) {
        if (opt == 'l')
            locked = Lock::loopback;
        else if (opt == 's') {
            locked = Lock::set;
            set_size = positive(optarg);
            if (set_size < 2 || set_size > VX_NETSET_MAX)
                die("-s: from 2 to 16 addresses");
        } else if (opt == 'r')
            rounds = positive(optarg);
        else if (opt == 't')
            tcp_block_n = positive(optarg);
        else if (opt == 'u')
            udp_block_n = positive(optarg);
        else
            die(usage);
    }
    const char *addr_text = optind < argc ? argv[optind] : "127.0.0.2";
    in_addr addr{};
    if (optind + 1 < argc || inet_pton(AF_INET, addr_text, &addr) != 1)
        die(usage);

    for (bool tcp : {true, false}) {
        std::string op = tcp ? "tcp" : "udp";
        if (locked == Lock::loopback)
            op += "_loopback";
        if (locked == Lock::set)
            op += "_set" + std::to_string(set_size);
        int block = tcp ? tcp_block_n : udp_block_n;
        // 0: unlocked, 1: locked, 2: unlocked too, the control (A/A)
        Worker w[3] = {start_worker(tcp, Lock::none, addr.s_addr, block, 1),
                       start_worker(tcp, locked, addr.s_addr, block, set_size),
                       start_worker(tcp, Lock::none, addr.s_addr, block, 1)};
        // A first block each, untimed: first-touch page faults, caches.
        for (Worker &x : w)
            run_block(x);
        static const int orders[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1},
                                         {2, 1, 0}, {1, 0, 2}, {0, 2, 1}};
        std::vector<double> us[3], paired, control;
        double sum[3] = {0, 0, 0};
        for (int r = 0; r < rounds; r++) {
            double t[3];
            for (int k : orders[r % 6])
                t[k] = run_block(w[k]);
            for (int m = 0; m < 3; m++) {
                us[m].push_back(t[m]);
                sum[m] += t[m];
            }
            paired.push_back(t[1] / t[0]);
            control.push_back(t[2] / t[0]);
        }
        stop_workers(w);
        double ratio = median(paired);
        std::printf("net_summary op=%s addr=%s rounds=%d block=%d unlocked_us=%.2f locked_us=%.2f "
                    "ratio=%.4f p25=%.4f p75=%.4f p10_ratio=%.4f sum_ratio=%.4f "
                    "control_ratio=%.4f control_p10_ratio=%.4f within_1.02=%s\n",
                    op.c_str(), addr_text, rounds, block, median(us[0]), median(us[1]), ratio,
                    quantile(paired, 0.25), quantile(paired, 0.75),
                    quantile(us[1], 0.1) / quantile(us[0], 0.1), sum[1] / sum[0], median(control),
                    quantile(us[2], 0.1) / quantile(us[0], 0.1), ratio <= 1.02 ? "yes" : "no");
    }
    return 0;
}
