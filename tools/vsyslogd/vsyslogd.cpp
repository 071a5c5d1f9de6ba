// vsyslogd: relay a virtual server's /dev/log to the host's syslog.
//
// The paper's "secure server" (section 3.3): the host keeps the system log;
// the server may write to it but never read, change or erase it.  One
// vsyslogd per server, started by "vserver NAME start" (SYSLOG=host) before
// the server's boot sequence and stopped after its last process, binds a
// unix datagram socket at ROOT/dev/log (mode 0666: every user of the server
// logs through syslog(3) as before) and forwards each message to the host's
// /dev/log as
//
//     <PRI>Mmm dd hh:mm:ss vserver/NAME: WHAT THE SERVER SENT
//
// The tag is set here, on the host: whatever the message claims (its tag,
// another server's name, the host's programs) comes after it, its own time
// stamp is replaced by the host's clock, the kernel facility becomes user,
// and control characters are escaped (#012 for a newline, as rsyslog does),
// so one datagram is one line of the host's log that names its server.
// A message sent to the socket by a process of the host (whose pid context
// 0 sees in SCM_CREDENTIALS; a server's process reads as pid 0 there) is
// marked "[from the host: pid P, uid U]".  A sender that exited before its
// message is read reads as its pid whichever context it was in, so the mark
// needs the sender alive in the host's context: a server cannot have its
// lines marked as the host's by exiting at once (a host process that does
// goes unmarked; only the host's root reaches ROOT/dev/log anyway).
//
// vsyslogd runs in the host's context 0: the server cannot see, signal or
// trace it.  ROOT/dev belongs to the server's root, so the directory is
// opened without following a symbolic link and the socket is made, checked
// and removed relative to that descriptor; an old socket or symbolic link
// named log is replaced, anything else is left alone and refused.
#include <vserver/vserver.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <getopt.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

namespace {

enum Option {
    OPT_ROOT = 256,
    OPT_TARGET,
    OPT_PIDFILE,
    OPT_RATE,
    OPT_FOREGROUND,
    OPT_STOP,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"root", required_argument, nullptr, OPT_ROOT},
    {"target", required_argument, nullptr, OPT_TARGET},
    {"pidfile", required_argument, nullptr, OPT_PIDFILE},
    {"rate", required_argument, nullptr, OPT_RATE},
    {"foreground", no_argument, nullptr, OPT_FOREGROUND},
    {"stop", no_argument, nullptr, OPT_STOP},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf(
        "Usage: %s [OPTION]... NAME\n"
        "Relay the virtual server NAME's /dev/log (ROOT/dev/log) to the host's syslog,\n"
        "each message tagged vserver/NAME on the host's side.\n"
        "\n"
        "  --root DIR         the server's root directory (default ROOTDIR/NAME)\n"
        "  --target SOCKET    the host's syslog socket (default /dev/log)\n"
        "  --pidfile FILE     the relay's pid file, locked while it runs (default\n"
        "                     RUNDIR/NAME.syslog)\n"
        "  --rate N           relay at most N messages a second on average, bursts of\n"
        "                     10*N; count and report the others (default 100; 0: no limit)\n"
        "  --foreground       do not become a daemon; report problems on stderr too\n"
        "  --stop             stop the relay of --pidfile and remove its socket; nothing\n"
        "                     to do when none runs\n"
        "  --help             display this help and exit\n"
        "  --version          output version information and exit\n"
        "\n"
        "ROOTDIR and RUNDIR are $VSERVER_ROOTDIR and $VSERVER_RUNDIR, else their values\n"
        "in the global file $VSERVER_GLOBAL_CONF (/etc/vservers.conf), else /vservers\n"
        "and /var/run/vservers.  SIGTERM removes the socket and ends the relay.\n"
        "\n"
        "Exit status: 0 once the relay serves ROOT/dev/log (after SIGTERM with\n"
        "--foreground; with --stop, once none runs); 1 for a usage error or when the\n"
        "relay cannot start (nothing is left behind then).\n",
        program_invocation_short_name);
    vserver::exit_success();
}

constexpr const char *socket_name = "log";
constexpr std::size_t max_datagram = 8192; // longer messages are cut
constexpr int stop_wait_ms = 5000;         // --stop: SIGTERM, then SIGKILL

volatile sig_atomic_t got_term = 0;

void on_term(int) { got_term = 1; }

std::string absolute(const std::string &path) {
    if (path.empty() || path.front() == '/')
        return path;
    char cwd[4096];
    if (!::getcwd(cwd, sizeof(cwd)))
        vserver::die_errno("cannot get the current directory");
    return std::string(cwd) + "/" + path;
}

bool same_file(const struct stat &a, const struct stat &b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// ------------------------------------------------------------ messages

// "Mmm dd hh:mm:ss " (RFC 3164, as syslog(3) and logger write it).
bool rfc3164_stamp(std::string_view text) {
    static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (text.size() < 16)
        return false;
    bool month = false;
    for (std::size_t i = 0; i < months.size(); i += 3)
        month = month || text.substr(0, 3) == months.substr(i, 3);
    auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    return month && text[3] == ' ' && (text[4] == ' ' || digit(4)) && digit(5) && text[6] == ' ' &&
           digit(7) && digit(8) && text[9] == ':' && digit(10) && digit(11) && text[12] == ':' &&
           digit(13) && digit(14) && text[15] == ' ';
}

// A task of the relay's own context (the host's) still running: the
// server's tasks are hidden from it (ESRCH), as are the gone.
bool alive_in_host_context(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// Host's clock as "Mmm dd hh:mm:ss".
std::string now_stamp() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
    return stamp;
}

// What the host's syslog receives for one datagram of the server (empty:
// nothing to relay).
std::string format_message(std::string_view name, std::string_view data, bool truncated,
                           std::string_view from_host, std::string_view stamp) {
    while (!data.empty() && (data.back() == '\n' || data.back() == '\0' || data.back() == '\r'))
        data.remove_suffix(1);
    // <PRI>: 0 to 191 (facility * 8 + severity); without one, user.notice.
    int pri = 13;
    if (data.size() >= 3 && data.front() == '<') {
        auto close = data.find('>');
        if (close != std::string_view::npos && close >= 2 && close <= 4) {
            int value = 0;
            bool digits = true;
            for (std::size_t i = 1; i < close; ++i) {
                digits = digits && data[i] >= '0' && data[i] <= '9';
                value = value * 10 + (data[i] - '0');
            }
            if (digits && value <= 191 && !(close > 2 && data[1] == '0')) {
                pri = value;
                data.remove_prefix(close + 1);
            }
        }
    }
    // Only the kernel logs as kern (facility 0): a server's "kern" is user.
    if (pri < 8)
        pri += 8;
    if (rfc3164_stamp(data))
        data.remove_prefix(16);
    if (data.empty())
        return {};
    std::string out = "<" + std::to_string(pri) + ">" + std::string(stamp) + " vserver/" +
                      std::string(name) + ": " + std::string(from_host);
    for (unsigned char c : data) {
        if (c < 0x20 || c == 0x7f) {
            char esc[8];
            std::snprintf(esc, sizeof(esc), "#%03o", c);
            out += esc;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (truncated)
        out += " [truncated]";
    return out;
}

// ------------------------------------------------------------- the relay

class Relay {
public:
    Relay(std::string name, std::string target, unsigned rate)
        : name_(std::move(name)), target_(std::move(target)), rate_(rate),
          tokens_(rate ? 10.0 * rate : 0), last_(std::chrono::steady_clock::now()) {}

    // Connects to the host's syslog; false (errno set) when it cannot.
    bool connect_target() {
        if (out_ >= 0)
            ::close(out_);
        out_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (out_ < 0)
            return false;
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, target_.c_str(), sizeof(addr.sun_path) - 1);
        if (::connect(out_, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0) {
            int err = errno;
            ::close(out_);
            out_ = -1;
            errno = err;
            return false;
        }
        return true;
    }

    // Sends one line to the host's syslog: reconnects once (the daemon
    // restarted), waits while its queue is full (a busy host's syslog
    // drains a burst in a few seconds; the rate limit bounds what waits
    // here), else drops it.
    bool send(const std::string &line) {
        for (int attempt = 0; attempt < 6; ++attempt) {
            if (out_ < 0 && !connect_target())
                return false;
            if (::send(out_, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
                return true;
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
                pollfd p{out_, POLLOUT, 0};
                ::poll(&p, 1, 1000);
                continue;
            }
            if (errno == EINTR)
                continue;
            ::close(out_); // ECONNREFUSED, ENOTCONN: a new daemon, a new socket
            out_ = -1;
        }
        return false;
    }

    // A notice of the relay itself (its own tag, which no server can send).
    bool notice(const std::string &text) {
        return send("<" + std::to_string(LOG_DAEMON | LOG_NOTICE) + ">" + now_stamp() +
                    " vsyslogd[" + std::to_string(::getpid()) + "]: " + name_ + ": " + text);
    }

    // A token of the bucket (--rate): false when the message must be dropped.
    bool admit() {
        if (!rate_)
            return true;
        auto now = std::chrono::steady_clock::now();
        double seconds = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        tokens_ = std::min(10.0 * rate_, tokens_ + seconds * rate_);
        if (tokens_ < 1) {
            ++dropped_;
            return false;
        }
        tokens_ -= 1;
        return true;
    }

    // Reports the dropped messages at most once a second.
    void report_drops(bool force) {
        auto now = std::chrono::steady_clock::now();
        if ((!dropped_ && !lost_) || (!force && now - reported_ < std::chrono::seconds(1)))
            return;
        reported_ = now;
        // (kept until the host's syslog takes the notice)
        if (dropped_ && notice(std::to_string(dropped_) + " messages dropped (more than " +
                               std::to_string(rate_) + " a second)"))
            dropped_ = 0;
        if (lost_ &&
            notice(std::to_string(lost_) + " messages lost (the host's syslog did not take them)"))
            lost_ = 0;
    }
    bool pending_report() const { return dropped_ || lost_; }

    // Reads and relays what is queued on fd (at most a batch, so that the
    // signals and the reports get their turn).
    void relay_from(int fd) {
        for (int n = 0; n < 256; ++n) {
            char buf[max_datagram];
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
            iovec iov{buf, sizeof(buf)};
            msghdr msg{};
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof(control);
            ssize_t got = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                return;
            }
            ucred cred{};
            bool have_cred = false;
            for (cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
                    cm->cmsg_len == CMSG_LEN(sizeof(ucred))) {
                    std::memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
                    have_cred = true;
                } else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
                    // (descriptors are nobody's business here)
                    std::size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                    for (std::size_t i = 0; i < count; ++i) {
                        int passed;
                        std::memcpy(&passed, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                        ::close(passed);
                    }
                }
            }
            if (!admit())
                continue;
            std::string from_host;
            if (have_cred && cred.pid != 0 && alive_in_host_context(cred.pid))
                from_host = "[from the host: pid " + std::to_string(cred.pid) + ", uid " +
                            std::to_string(cred.uid) + "] ";
            std::string line =
                format_message(name_, std::string_view(buf, got), (msg.msg_flags & MSG_TRUNC) != 0,
                               from_host, now_stamp());
            if (!line.empty() && !send(line))
                ++lost_;
        }
    }

private:
    std::string name_;
    std::string target_;
    unsigned rate_;
    double tokens_;
    std::chrono::steady_clock::time_point last_;
    std::chrono::steady_clock::time_point reported_{};
    unsigned long dropped_ = 0;
    unsigned long lost_ = 0;
    int out_ = -1;
};

// ------------------------------------------------------ the socket file

struct Place {
    std::string root;  // the server's root, as given
    std::string where; // ROOT/dev/log, for messages
    int dev = -1;      // ROOT/dev, opened without following a link
};

// Opens ROOT/dev; the root itself is the host administrator's (a symbolic
// link to it is followed), dev is the server's (none is).
Place open_place(const std::string &root) {
    Place p;
    p.root = root;
    p.where = root + "/dev/" + socket_name;
    int rootfd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        vserver::die_errno("cannot open the server's root %s", root.c_str());
    p.dev = ::openat(rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    ::close(rootfd);
    if (p.dev < 0) {
        if (err == ELOOP || err == ENOTDIR)
            vserver::die("%s/dev is not a directory (a symbolic link is not followed)",
                         root.c_str());
        errno = err;
        vserver::die_errno("cannot open %s/dev", root.c_str());
    }
    return p;
}

// Removes ROOT/dev/log when it is still the socket st describes.
void remove_socket(const Place &p, const struct stat &st) {
    struct stat now;
    if (::fstatat(p.dev, socket_name, &now, AT_SYMLINK_NOFOLLOW) == 0 && same_file(now, st))
        ::unlinkat(p.dev, socket_name, 0);
}

// Binds a datagram socket at ROOT/dev/log, mode 0666; st gets its inode.
int bind_socket(const Place &p, struct stat &st) {
    struct stat old;
    if (::fstatat(p.dev, socket_name, &old, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISSOCK(old.st_mode) && !S_ISLNK(old.st_mode))
            vserver::die("%s exists and is neither a socket nor a symbolic link; not replacing it",
                         p.where.c_str());
        if (::unlinkat(p.dev, socket_name, 0) < 0 && errno != ENOENT)
            vserver::die_errno("cannot remove the old %s", p.where.c_str());
    }
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        vserver::die_errno("cannot create a socket");
    int on = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
        vserver::die_errno("cannot ask for the senders' credentials");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, socket_name);
    // Bound relative to the directory descriptor: bind() never follows a
    // link in its last component (an existing name is EADDRINUSE).
    mode_t old_umask = ::umask(0111);
    int bound = -1;
    if (::fchdir(p.dev) == 0)
        bound = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    int err = errno;
    ::umask(old_umask);
    if (::chdir("/") < 0)
        vserver::die_errno("cannot change to /");
    if (bound < 0) {
        errno = err;
        vserver::die_errno("cannot create the socket %s", p.where.c_str());
    }
    if (::fstatat(p.dev, socket_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode)) {
        ::unlinkat(p.dev, socket_name, 0);
        vserver::die("%s vanished as it was made", p.where.c_str());
    }
    return fd;
}

// ------------------------------------------------------------ pid file

// The pid file: "PID\nDEV INO\n" (the socket's inode, so that --stop
// removes that socket and no other).
std::string pidfile_text(const struct stat &sock) {
    return std::to_string(::getpid()) + "\n" + std::to_string(sock.st_dev) + " " +
           std::to_string(sock.st_ino) + "\n";
}

// --stop: SIGTERM to the relay holding the pid file's lock, SIGKILL if it
// is still there after stop_wait_ms; then its socket (if the relay could
// not remove it) and the pid file go.
[[noreturn]] void stop(const std::string &file, const std::optional<std::string> &root) {
    int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            vserver::exit_success();
        vserver::die_errno("cannot open %s", file.c_str());
    }
    std::string text = vserver::read_file(file).value_or("");
    long pid = 0;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(text.c_str(), "%ld\n%llu %llu", &pid, &dev, &ino) < 1)
        pid = 0;
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK)
            vserver::die_errno("cannot lock %s", file.c_str());
        if (pid <= 1)
            vserver::die("%s does not hold a process id", file.c_str());
        ::kill(static_cast<pid_t>(pid), SIGTERM);
        bool gone = false;
        for (int waited = 0; !gone && waited < stop_wait_ms + 1000; waited += 20) {
            if (waited == stop_wait_ms)
                ::kill(static_cast<pid_t>(pid), SIGKILL);
            ::usleep(20 * 1000);
            gone = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
        }
        if (!gone)
            vserver::die("the log relay (pid %ld) did not end", pid);
    }
    // (the lock is ours: no relay runs; what a killed one left goes)
    if (root && ino) {
        int rootfd = ::open(root->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        int dev_fd = rootfd < 0
                         ? -1
                         : ::openat(rootfd, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (dev_fd >= 0 && ::fstatat(dev_fd, socket_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISSOCK(st.st_mode) && st.st_dev == dev && st.st_ino == ino)
            ::unlinkat(dev_fd, socket_name, 0);
        if (dev_fd >= 0)
            ::close(dev_fd);
        if (rootfd >= 0)
            ::close(rootfd);
    }
    ::unlink(file.c_str());
    ::close(fd);
    vserver::exit_success();
}

// The socket and the pid file of a relay that could not start.
struct Cleanup {
    const Place *place = nullptr;
    struct stat sock {};
    bool bound = false;
    std::string pidfile;
    bool locked = false;
};
Cleanup cleanup;

void cleanup_at_exit() {
    if (cleanup.bound && cleanup.place)
        remove_socket(*cleanup.place, cleanup.sock);
    if (cleanup.locked)
        ::unlink(cleanup.pidfile.c_str());
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);
    // Nothing the caller holds (vserver's locks on descriptors 7 to 9, its
    // log) stays open in a daemon that outlives it.
    ::close_range(3, ~0U, 0);

    std::optional<std::string> root;
    std::string target = "/dev/log";
    std::string pidfile;
    unsigned rate = 100;
    bool foreground = false;
    bool stop_relay = false;

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_ROOT:
            if (!*optarg)
                vserver::usage_error("empty root directory");
            root = optarg;
            break;
        case OPT_TARGET:
            if (!*optarg)
                vserver::usage_error("empty target socket");
            if (std::strlen(optarg) >= sizeof(sockaddr_un::sun_path))
                vserver::usage_error("target socket name too long: %s", optarg);
            target = optarg;
            break;
        case OPT_PIDFILE:
            if (!*optarg)
                vserver::usage_error("empty pid file name");
            pidfile = optarg;
            break;
        case OPT_RATE: {
            char *end;
            errno = 0;
            unsigned long n = std::strtoul(optarg, &end, 10);
            if (!*optarg || *end || errno || n > 1000000 || optarg[0] == '-' || optarg[0] == '+' ||
                optarg[0] == ' ')
                vserver::usage_error("invalid --rate '%s' (messages a second, 0 to 1000000)",
                                     optarg);
            rate = static_cast<unsigned>(n);
            break;
        }
        case OPT_FOREGROUND:
            foreground = true;
            break;
        case OPT_STOP:
            stop_relay = true;
            break;
        case OPT_HELP:
            usage();
        case OPT_VERSION:
            vserver::print_version();
            vserver::exit_success();
        default:
            vserver::try_help();
        }
    }
    if (optind >= argc)
        vserver::usage_error("missing server name");
    if (optind + 1 < argc)
        vserver::usage_error("extra argument '%s'", argv[optind + 1]);
    std::string name = argv[optind];
    if (!vserver::valid_server_name(name))
        vserver::usage_error("invalid server name '%s'", name.c_str());

    vserver::Paths paths = vserver::vserver_paths();
    if (!root)
        root = paths.rootdir + "/" + name;
    root = absolute(*root);
    if (pidfile.empty())
        pidfile = paths.rundir + "/" + name + ".syslog";
    pidfile = absolute(pidfile);
    target = absolute(target);
    if (stop_relay) {
        if (foreground)
            vserver::usage_error("--stop and --foreground exclude each other");
        stop(pidfile, root);
    }

    int ready_fd = -1;
    if (!foreground)
        ready_fd = vserver::daemonize();
    ::umask(022);
    if (::chdir("/") < 0)
        vserver::die_errno("cannot change to /");

    sigset_t blocked, waitmask;
    sigemptyset(&blocked);
    for (int sig : {SIGHUP, SIGTERM, SIGINT})
        sigaddset(&blocked, sig);
    ::sigprocmask(SIG_BLOCK, &blocked, &waitmask);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);
    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);

    std::atexit(cleanup_at_exit);
    int pid_fd = vserver::lock_pidfile(pidfile, "the log relay of " + name + " is already running");
    cleanup.pidfile = pidfile;
    cleanup.locked = true;
    Place place = open_place(*root);
    cleanup.place = &place;
    struct stat sock_st;
    int in = bind_socket(place, sock_st);
    cleanup.sock = sock_st;
    cleanup.bound = true;
    Relay relay(name, target, rate);
    // A host whose syslog does not run (yet): the messages are counted as
    // lost, and the count is logged once it takes messages.
    if (!relay.connect_target())
        vserver::warn("cannot reach the host's syslog at %s (yet): %s", target.c_str(),
                      std::strerror(errno));
    vserver::write_pidfile(pid_fd, pidfile, pidfile_text(sock_st));

    if (ready_fd >= 0) {
        vserver::detach_stdio();
        char byte = 1;
        (void)!::write(ready_fd, &byte, 1);
        ::close(ready_fd);
    }

    while (!got_term) {
        pollfd p{in, POLLIN, 0};
        timespec second{1, 0};
        int r = ::ppoll(&p, 1, relay.pending_report() ? &second : nullptr, &waitmask);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0)
            relay.relay_from(in);
        relay.report_drops(false);
    }
    relay.report_drops(true);
    // (cleanup_at_exit removes the socket, if still ours, and the pid file)
    ::close(in);
    return 0;
}
