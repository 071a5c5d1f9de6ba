// rebootmgr: serve /dev/reboot in each virtual server, so that root of the
// server can restart it (vreboot) or stop it (vhalt).
//
// One unix stream socket per server, ROOTDIR/NAME/dev/reboot, mode 0600.
// A client writes one line, "reboot" or "halt"; rebootmgr checks the peer
// (SO_PEERCRED: uid 0, and a security context that is the server's, as
// recorded in RUNDIR/NAME.ctx, or 0, the host's), answers "ok" and runs
// "VSERVER_CMD NAME restart" or "VSERVER_CMD NAME stop", detached, since
// that command kills the client.
//
// Two processes: the daemon stays in context 0, because the command it runs
// must enter and stop the server's context, and a task that moved into
// another context never comes back. A helper child moves into the spectator
// context 1, the only one that sees the processes of every context (from
// context 0 a peer in a server has pid 0): the daemon hands it each
// connection over a socket pair, and it answers with the peer's pid and
// context.
//
// The server's root may change anything under its own ROOTDIR/NAME/dev: the
// directory is opened without following a symbolic link, the socket is made
// and removed relative to that descriptor, and only a socket is ever
// replaced or removed there.
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
#include <map>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>
#include <vector>

namespace {

enum Option {
    OPT_FOREGROUND = 256,
    OPT_PIDFILE,
    OPT_VSERVER_CMD,
    OPT_RELOAD,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"foreground", no_argument, nullptr, OPT_FOREGROUND},
    {"pidfile", required_argument, nullptr, OPT_PIDFILE},
    {"vserver-cmd", required_argument, nullptr, OPT_VSERVER_CMD},
    {"reload", no_argument, nullptr, OPT_RELOAD},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf(
        "Usage: %s [OPTION]... [NAME]...\n"
        "Serve ROOTDIR/NAME/dev/reboot for each virtual server NAME (for every\n"
        "CONFDIR/NAME.conf when no NAME is given), so that root of the server can restart\n"
        "it with vreboot or stop it with vhalt.\n"
        "\n"
        "  --foreground         do not become a daemon; log to stderr as well as syslog\n"
        "  --pidfile FILE       write the process id to FILE (default RUNDIR/rebootmgr.pid;\n"
        "                       in the foreground only when given)\n"
        "  --vserver-cmd PATH   run 'PATH NAME restart' or 'PATH NAME stop' (default: the\n"
        "                       vserver command found in PATH)\n"
        "  --reload             make the running daemon (of --pidfile) rescan the servers,\n"
        "                       and return once it has: new servers' sockets exist\n"
        "  --help               display this help and exit\n"
        "  --version            output version information and exit\n"
        "\n"
        "ROOTDIR, CONFDIR and RUNDIR are $VSERVER_ROOTDIR, $VSERVER_CONFDIR and\n"
        "$VSERVER_RUNDIR, else their values in the global file $VSERVER_GLOBAL_CONF\n"
        "(/etc/vservers.conf), else /vservers, /etc/vservers and /var/run/vservers.\n"
        "SIGHUP rescans the servers; SIGTERM removes the sockets and exits.\n"
        "\n"
        "Exit status: 0 when the daemon is running (after SIGTERM with --foreground;\n"
        "with --reload, once it has rescanned); 1 for a usage error, when the reboot\n"
        "manager cannot start, or (--reload) when none runs or it did not rescan.\n",
        program_invocation_short_name);
    vserver::exit_success();
}

constexpr int request_timeout_ms = 5000; // a client has this long to send its line
constexpr int probe_timeout_ms = 2000;   // the context helper has this long to answer
constexpr std::size_t max_request = 64;  // longest request line
constexpr std::size_t max_pending = 8;   // unanswered connections per server
constexpr const char *socket_name = "reboot";

volatile sig_atomic_t got_hup = 0;
volatile sig_atomic_t got_term = 0;

void on_signal(int sig) {
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_term = 1;
}

// ---------------------------------------------------------------- logging

// Which messages also go to stderr: all with --foreground; while a daemon
// starts, its problems (LOG_WARNING and worse); once it runs, none.
int stderr_priority = LOG_DEBUG;

void logmsg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void logmsg(int priority, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    ::syslog(priority, "%s", text);
    if (priority <= stderr_priority)
        std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, text);
}

// Printable characters of a client's request, for the log.
std::string printable(std::string_view text) {
    std::string out;
    for (char c : text)
        out += (c >= ' ' && c < 0x7f && c != '\'') ? c : '?';
    return out;
}

std::string absolute(const std::string &path) {
    if (path.empty() || path.front() == '/')
        return path;
    char cwd[4096];
    if (!::getcwd(cwd, sizeof(cwd)))
        vserver::die_errno("cannot get the current directory");
    return std::string(cwd) + "/" + path;
}

// --------------------------------------------------- the context helper

// What the helper answers, at start (status ok or err) and for each
// connection.
struct ProbeReply {
    std::int32_t status = 0; // probe_*
    std::int32_t value = 0;  // the context (ok) or an errno (err)
    std::int32_t lacks_support = 0;
    std::int32_t pid = 0; // the peer of the connection
};
enum : std::int32_t { probe_ok = 0, probe_no_context = 1, probe_err = 2 };

bool skip_chcontext() {
    const char *skip = std::getenv("VSERVER_SKIP_CHCONTEXT");
    return skip && std::strcmp(skip, "1") == 0;
}

// One byte of data and room for one descriptor: what send_fd() and
// receive_fd() pass over the helper's socket pair.
struct FdMessage {
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};

    FdMessage() {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
    }
    FdMessage(const FdMessage &) = delete;
    FdMessage &operator=(const FdMessage &) = delete;
};

// Sends descriptor conn over the socket pair fd.
bool send_fd(int fd, int conn) {
    FdMessage m;
    cmsghdr *cm = CMSG_FIRSTHDR(&m.msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cm), &conn, sizeof(int));
    return ::sendmsg(fd, &m.msg, MSG_NOSIGNAL) == 1;
}

// The descriptor sent by send_fd(); -1 when the daemon is gone, -2 to retry.
int receive_fd(int fd) {
    FdMessage m;
    ssize_t n = ::recvmsg(fd, &m.msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR)
        return -2;
    cmsghdr *cm = CMSG_FIRSTHDR(&m.msg);
    if (n != 1 || !cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
        return -1;
    int conn;
    std::memcpy(&conn, CMSG_DATA(cm), sizeof(int));
    return conn;
}

[[noreturn]] void helper_main(int fd, const std::string &proc) {
    ProbeReply start;
    if (!skip_chcontext()) {
        try {
            vserver::new_s_context(VX_CTX_SPECTATOR, 0, 0);
        } catch (const vserver::SysError &e) {
            start.status = probe_err;
            start.value = e.error();
            start.lacks_support = e.lacks_kernel_support();
        }
    }
    if (::send(fd, &start, sizeof(start), MSG_NOSIGNAL) != sizeof(start) || start.status)
        ::_exit(1);
    for (;;) {
        int conn = receive_fd(fd);
        if (conn == -2)
            continue;
        if (conn < 0)
            ::_exit(0);
        ProbeReply reply;
        ucred cred{};
        socklen_t len = sizeof(cred);
        int got = ::getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len);
        int err = errno;
        ::close(conn);
        try {
            if (got < 0)
                throw vserver::SysError(err, "SO_PEERCRED");
            reply.pid = cred.pid;
            auto ctx = vserver::status_s_context(vserver::read_proc_status(cred.pid, proc));
            if (ctx)
                reply.value = *ctx;
            else
                reply.status = probe_no_context;
        } catch (const vserver::SysError &e) {
            reply.status = probe_err;
            reply.value = e.error();
        } catch (...) {
            reply.status = probe_err;
            reply.value = EIO;
        }
        if (::send(fd, &reply, sizeof(reply), MSG_NOSIGNAL) != sizeof(reply))
            ::_exit(1);
    }
}

// Waits up to timeout_ms for fd to become readable.
bool wait_readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        int r = ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (r < 0 && errno == EINTR)
            continue;
        return r > 0;
    }
}

class ContextProbe {
public:
    explicit ContextProbe(std::string proc) : proc_(std::move(proc)) {}
    ~ContextProbe() { stop(); }

    // Starts the helper; on failure returns the error of entering context 1.
    std::optional<vserver::SysError> start() {
        stop();
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
            return vserver::SysError(errno, "cannot create a socket pair");
        std::fflush(stdout);
        std::fflush(stderr);
        pid_t child = ::fork();
        if (child < 0) {
            int err = errno;
            ::close(sv[0]);
            ::close(sv[1]);
            return vserver::SysError(err, "cannot fork");
        }
        if (child == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::signal(SIGHUP, SIG_IGN);
            ::signal(SIGINT, SIG_IGN);
            ::signal(SIGTERM, SIG_DFL);
            sigset_t none;
            sigemptyset(&none);
            ::sigprocmask(SIG_SETMASK, &none, nullptr);
            // Nothing of the daemon but the socket pair (not even its
            // terminal, which a daemon's parent may be waiting on).
            int null = ::open("/dev/null", O_RDWR);
            if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(null, 1) < 0 || ::dup2(null, 2) < 0 ||
                ::dup2(sv[1], 3) < 0)
                ::_exit(1);
            ::close_range(4, ~0U, 0);
            helper_main(3, proc_);
        }
        ::close(sv[1]);
        pid_ = child;
        fd_ = sv[0];
        ProbeReply start;
        if (!wait_readable(fd_, probe_timeout_ms) ||
            ::recv(fd_, &start, sizeof(start), 0) != sizeof(start)) {
            stop();
            return vserver::SysError(EIO, "the context helper did not start");
        }
        if (start.status) {
            stop();
            if (start.lacks_support)
                return vserver::SysError::lacks_support();
            return vserver::SysError(start.value, "VCMD_NEW_S_CONTEXT 1");
        }
        return std::nullopt;
    }

    // The context of the peer of connection conn, and its pid; or an
    // error text.
    std::optional<int> context_of(int conn, pid_t &pid, std::string &error) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (fd_ < 0) {
                if (auto e = start()) {
                    logmsg(LOG_ERR, "cannot restart the context helper: %s", e->what());
                    error = "internal error";
                    return std::nullopt;
                }
            }
            ProbeReply reply;
            if (send_fd(fd_, conn) && wait_readable(fd_, probe_timeout_ms) &&
                ::recv(fd_, &reply, sizeof(reply), 0) == sizeof(reply)) {
                pid = reply.pid;
                if (reply.status == probe_ok)
                    return reply.value;
                if (reply.status == probe_no_context)
                    error = "no s_context line in its status";
                else
                    error = std::strerror(reply.value);
                return std::nullopt;
            }
            logmsg(LOG_WARNING, "the context helper did not answer; restarting it");
            stop();
        }
        error = "internal error";
        return std::nullopt;
    }

    // Ends the helper: it exits when its socket closes. Once in context 1
    // it cannot be signalled from context 0, so a helper that does not exit
    // within a second is left to be reaped later.
    void stop() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            leftover_.push_back(pid_);
        }
        pid_ = -1;
        for (int i = 0; i < 100 && reap() > 0; ++i)
            ::usleep(10000);
    }

private:
    // Reaps the helpers that exited; returns how many are still running.
    std::size_t reap() {
        std::erase_if(leftover_, [](pid_t pid) {
            pid_t r = ::waitpid(pid, nullptr, WNOHANG);
            return r == pid || (r < 0 && errno != EINTR);
        });
        return leftover_.size();
    }

    std::string proc_;
    pid_t pid_ = -1;
    int fd_ = -1;
    std::vector<pid_t> leftover_; // helpers stopped but not reaped yet
};

// ------------------------------------------------------------- servers

struct Connection {
    int fd = -1;
    ucred cred{};
    std::string data;
    std::chrono::steady_clock::time_point deadline;
};

struct Server {
    std::string name;
    std::string dev; // ROOTDIR/NAME/dev
    int dirfd = -1;  // that directory
    int listenfd = -1;
    struct stat dir_st {};
    struct stat sock_st {};
    std::vector<Connection> pending;

    std::string socket_path() const { return dev + "/" + socket_name; }
};

bool same_file(const struct stat &a, const struct stat &b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// RUNDIR/rebootmgr.scans: "PID COUNT" after every scan, for --reload to
// see that the daemon has done the one it asked for.
std::string scans_file(const std::string &rundir) { return rundir + "/rebootmgr.scans"; }

void record_scan(const std::string &rundir, unsigned long count) {
    std::string file = scans_file(rundir);
    std::string tmp = file + ".new";
    std::string text = std::to_string(::getpid()) + " " + std::to_string(count) + "\n";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (fd >= 0)
        ::close(fd);
    if (!ok || ::rename(tmp.c_str(), file.c_str()) < 0)
        logmsg(LOG_WARNING, "cannot write %s: %s", file.c_str(), std::strerror(errno));
}

// --reload: SIGHUP to the daemon whose pid file is locked, then wait (at
// most 10 s) until it has recorded a new scan.
[[noreturn]] void reload(const std::string &pidfile, const std::string &rundir) {
    int fd = ::open(pidfile.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || ::flock(fd, LOCK_SH | LOCK_NB) == 0)
        vserver::die("rebootmgr is not running (no daemon holds %s)", pidfile.c_str());
    std::string text = vserver::read_file(pidfile).value_or("");
    ::close(fd);
    char *end;
    long pid = std::strtol(text.c_str(), &end, 10);
    if (pid <= 0 || (*end != '\n' && *end != '\0'))
        vserver::die("%s does not hold a process id", pidfile.c_str());
    std::string before = vserver::read_file(scans_file(rundir)).value_or("");
    if (::kill(static_cast<pid_t>(pid), SIGHUP) < 0)
        vserver::die_errno("cannot signal rebootmgr (pid %ld)", pid);
    for (int i = 0; i < 200; ++i) {
        std::string now = vserver::read_file(scans_file(rundir)).value_or("");
        if (now != before && std::strtol(now.c_str(), nullptr, 10) == pid)
            vserver::exit_success();
        ::usleep(50 * 1000);
    }
    vserver::die("rebootmgr (pid %ld) did not rescan the servers within 10 s", pid);
}

class Manager {
public:
    Manager(vserver::Paths paths, std::vector<std::string> names, std::string command,
            ContextProbe &probe)
        : paths_(std::move(paths)), names_(std::move(names)), command_(std::move(command)),
          probe_(probe) {}

    void scan();
    void remove_all();
    void run(const sigset_t &waitmask);

private:
    void report(const std::string &name, const std::string &problem);
    bool still_valid(const Server &s) const;
    std::optional<Server> create(const std::string &name);
    void remove(Server &s, bool log);
    void accept_all(Server &s);
    void read_request(Server &s, Connection &c);
    void answer(Server &s, Connection &c, std::string_view request);
    std::optional<int> server_context(const std::string &name, std::string &why);
    bool spawn(const std::string &name, const char *action, std::string &error);

    vserver::Paths paths_;
    std::vector<std::string> names_;
    std::string command_;
    ContextProbe &probe_;
    std::map<std::string, Server> servers_;
    std::map<std::string, std::string> reported_; // name -> problem last logged
    unsigned long scans_ = 0;
    bool record_scans_ = false; // only a daemon with a pid file can be reloaded

public:
    void record_scans() { record_scans_ = true; }
};

// Logs a problem with a server once, until it changes or goes away.
void Manager::report(const std::string &name, const std::string &problem) {
    auto it = reported_.find(name);
    if (it != reported_.end() && it->second == problem)
        return;
    reported_[name] = problem;
    logmsg(LOG_WARNING, "%s: %s", name.c_str(), problem.c_str());
}

// The socket file is still ours and ROOTDIR/NAME/dev still that directory.
bool Manager::still_valid(const Server &s) const {
    struct stat st;
    if (::stat(s.dev.c_str(), &st) < 0 || !same_file(st, s.dir_st))
        return false;
    return ::fstatat(s.dirfd, socket_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
           same_file(st, s.sock_st);
}

std::optional<Server> Manager::create(const std::string &name) {
    Server s;
    s.name = name;
    s.dev = paths_.rootdir + "/" + name + "/dev";
    std::string where = s.socket_path();
    // ROOTDIR and ROOTDIR/NAME belong to the host's admin (symbolic links
    // allowed); dev belongs to the server's root (none followed).
    int root = ::open((paths_.rootdir + "/" + name).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        int open_err = errno;
        std::string dir = paths_.rootdir + "/" + name;
        report(name, open_err == ENOENT
                         ? "no directory " + dir + ", skipped"
                         : "cannot open " + dir + ": " + std::strerror(open_err) + ", skipped");
        return std::nullopt;
    }
    s.dirfd = ::openat(root, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    ::close(root);
    if (s.dirfd < 0) {
        if (err == ENOENT)
            report(name, "no directory " + s.dev + ", skipped");
        else if (err == ELOOP || err == ENOTDIR)
            report(name, s.dev + " is not a directory, skipped");
        else
            report(name, "cannot open " + s.dev + ": " + std::strerror(err) + ", skipped");
        return std::nullopt;
    }
    auto fail = [&](const std::string &problem) -> std::optional<Server> {
        report(name, problem + ", skipped");
        if (s.listenfd >= 0)
            ::close(s.listenfd);
        ::close(s.dirfd);
        return std::nullopt;
    };
    if (::fstat(s.dirfd, &s.dir_st) < 0)
        return fail("cannot stat " + s.dev + ": " + std::strerror(errno));

    // A socket left by a rebootmgr that was killed is replaced; anything
    // else is not ours to remove.
    struct stat st;
    if (::fstatat(s.dirfd, socket_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail(where + " exists and is not a socket");
        if (::unlinkat(s.dirfd, socket_name, 0) < 0 && errno != ENOENT)
            return fail("cannot remove the old socket " + where + ": " + std::strerror(errno));
    }

    s.listenfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.listenfd < 0)
        return fail(std::string("cannot create a socket: ") + std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, socket_name);
    // Bound relative to the directory descriptor, created 0600 (root only).
    mode_t old_umask = ::umask(0177);
    int bound = -1;
    if (::fchdir(s.dirfd) == 0)
        bound = ::bind(s.listenfd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    err = errno;
    ::umask(old_umask);
    if (::chdir("/") < 0)
        vserver::die_errno("cannot change to /");
    if (bound < 0)
        return fail("cannot create the socket " + where + ": " + std::strerror(err));
    if (::fstatat(s.dirfd, socket_name, &s.sock_st, AT_SYMLINK_NOFOLLOW) < 0 ||
        ::listen(s.listenfd, 16) < 0) {
        err = errno;
        ::unlinkat(s.dirfd, socket_name, 0);
        return fail("cannot listen on " + where + ": " + std::strerror(err));
    }
    reported_.erase(name);
    logmsg(LOG_INFO, "%s: serving %s", name.c_str(), where.c_str());
    return s;
}

void Manager::remove(Server &s, bool log) {
    for (auto &c : s.pending)
        ::close(c.fd);
    s.pending.clear();
    struct stat st;
    if (::fstatat(s.dirfd, socket_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_file(st, s.sock_st))
        ::unlinkat(s.dirfd, socket_name, 0);
    ::close(s.listenfd);
    ::close(s.dirfd);
    if (log)
        logmsg(LOG_INFO, "%s: no longer serving %s", s.name.c_str(), s.socket_path().c_str());
}

void Manager::scan() {
    std::vector<std::string> wanted = names_;
    if (names_.empty()) {
        try {
            wanted = vserver::configured_servers(paths_.confdir);
            reported_.erase("");
        } catch (const vserver::SysError &e) {
            auto it = reported_.find("");
            if (it == reported_.end() || it->second != e.what())
                logmsg(LOG_WARNING, "%s", e.what());
            reported_[""] = e.what();
            wanted.clear();
        }
    }
    for (auto it = servers_.begin(); it != servers_.end();) {
        bool keep = std::find(wanted.begin(), wanted.end(), it->first) != wanted.end();
        if (keep && still_valid(it->second)) {
            ++it;
            continue;
        }
        remove(it->second, !keep);
        it = servers_.erase(it);
    }
    for (auto it = reported_.begin(); it != reported_.end();) {
        if (!it->first.empty() &&
            std::find(wanted.begin(), wanted.end(), it->first) == wanted.end())
            it = reported_.erase(it);
        else
            ++it;
    }
    for (const auto &name : wanted) {
        if (servers_.count(name))
            continue;
        if (auto s = create(name))
            servers_.emplace(name, std::move(*s));
    }
    if (servers_.empty())
        logmsg(LOG_NOTICE, "no virtual server to serve (waiting for SIGHUP)");
    ++scans_;
    if (record_scans_)
        record_scan(paths_.rundir, scans_);
}

void Manager::remove_all() {
    for (auto &[name, s] : servers_)
        remove(s, false);
    servers_.clear();
}

void Manager::accept_all(Server &s) {
    for (;;) {
        int fd = ::accept4(s.listenfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                logmsg(LOG_WARNING, "%s: accept: %s", s.name.c_str(), std::strerror(errno));
            return;
        }
        Connection c;
        c.fd = fd;
        socklen_t len = sizeof(c.cred);
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c.cred, &len) < 0) {
            logmsg(LOG_WARNING, "%s: SO_PEERCRED: %s", s.name.c_str(), std::strerror(errno));
            ::close(fd);
            continue;
        }
        if (s.pending.size() >= max_pending) {
            logmsg(LOG_WARNING, "%s: too many unanswered connections; closing one from uid %u",
                   s.name.c_str(), c.cred.uid);
            ::close(fd);
            continue;
        }
        c.deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(request_timeout_ms);
        s.pending.push_back(std::move(c));
    }
}

// Reads what the client sent; answers once a line (or end of file) is there.
void Manager::read_request(Server &s, Connection &c) {
    char buf[max_request + 1];
    for (;;) {
        ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            if (c.data.empty()) { // went away without asking anything
                ::close(c.fd);
                c.fd = -1;
                return;
            }
            answer(s, c, c.data);
            return;
        }
        c.data.append(buf, static_cast<std::size_t>(n));
        if (auto nl = c.data.find('\n'); nl != std::string::npos) {
            answer(s, c, std::string_view(c.data).substr(0, nl));
            return;
        }
        if (c.data.size() > max_request) {
            answer(s, c, c.data);
            return;
        }
    }
}

// The context server NAME runs in, from RUNDIR/NAME.ctx.
std::optional<int> Manager::server_context(const std::string &name, std::string &why) {
    std::string file = paths_.rundir + "/" + name + ".ctx";
    std::FILE *f = std::fopen(file.c_str(), "re");
    if (!f) {
        why = "server " + name + " is not running";
        return std::nullopt;
    }
    char line[64] = "";
    bool got = std::fgets(line, sizeof(line), f) != nullptr;
    std::fclose(f);
    std::string_view text = got ? std::string_view(line) : std::string_view();
    while (!text.empty() && std::strchr(" \t\r\n", text.back()))
        text.remove_suffix(1);
    while (!text.empty() && std::strchr(" \t", text.front()))
        text.remove_prefix(1);
    try {
        return vserver::parse_ctx_id(text, VX_CTX_SPECTATOR + 1, VX_CTX_MAX);
    } catch (const vserver::ParseError &) {
        logmsg(LOG_WARNING, "%s: %s does not hold a context id", name.c_str(), file.c_str());
        why = "server " + name + " is not running";
        return std::nullopt;
    }
}

void Manager::answer(Server &s, Connection &c, std::string_view request) {
    if (!request.empty() && request.back() == '\r')
        request.remove_suffix(1);
    const char *action = request == "reboot" ? "restart" : request == "halt" ? "stop" : nullptr;
    std::string what =
        action ? std::string(request) : "unknown request '" + printable(request) + "'";
    std::string who;

    std::string reply;
    std::string denied;
    if (c.cred.uid != 0) {
        denied = "not root";
        who = "uid " + std::to_string(c.cred.uid);
    } else {
        std::string error;
        pid_t pid = 0;
        auto ctx = probe_.context_of(c.fd, pid, error);
        who = "pid " + std::to_string(pid) + " (uid 0";
        if (!ctx) {
            denied = "cannot determine the security context of the caller";
            who += ", context unknown: " + error + ")";
        } else {
            who += ", context " + std::to_string(*ctx) + ")";
            if (*ctx != VX_CTX_HOST) {
                std::string why;
                auto server_ctx = server_context(s.name, why);
                if (!server_ctx)
                    denied = why;
                else if (*server_ctx != *ctx)
                    denied = "security context " + std::to_string(*ctx) +
                             " is not that of server " + s.name;
            }
        }
    }

    bool run = false;
    if (!denied.empty()) {
        reply = "denied: " + denied + "\n";
        logmsg(LOG_NOTICE, "%s: %s from %s: denied: %s", s.name.c_str(), what.c_str(), who.c_str(),
               denied.c_str());
    } else if (!action) {
        reply = "error: unknown request\n";
        logmsg(LOG_NOTICE, "%s: %s from %s", s.name.c_str(), what.c_str(), who.c_str());
    } else {
        reply = "ok\n";
        run = true;
        logmsg(LOG_NOTICE, "%s: %s requested by %s: running %s %s %s", s.name.c_str(), what.c_str(),
               who.c_str(), command_.c_str(), s.name.c_str(), action);
    }
    ::send(c.fd, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::close(c.fd);
    c.fd = -1;
    if (run) {
        std::string error;
        if (!spawn(s.name, action, error))
            logmsg(LOG_ERR, "%s: cannot run %s: %s", s.name.c_str(), command_.c_str(),
                   error.c_str());
    }
}

// Runs "COMMAND NAME ACTION" detached (its own session, stdin /dev/null,
// output appended to RUNDIR/rebootmgr.log); reports an exec failure.
bool Manager::spawn(const std::string &name, const char *action, std::string &error) {
    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) < 0) {
        error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return false;
    }
    std::string log_file = paths_.rundir + "/rebootmgr.log";
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t child = ::fork();
    if (child < 0) {
        error = std::string("cannot fork: ") + std::strerror(errno);
        ::close(status_pipe[0]);
        ::close(status_pipe[1]);
        return false;
    }
    if (child == 0) {
        ::setsid();
        pid_t grandchild = ::fork();
        if (grandchild != 0) {
            if (grandchild < 0) {
                int err = errno;
                (void)!::write(status_pipe[1], &err, sizeof(err));
            }
            ::_exit(0);
        }
        sigset_t none;
        sigemptyset(&none);
        for (int sig : {SIGHUP, SIGINT, SIGTERM, SIGPIPE})
            ::signal(sig, SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::umask(022);
        int in = ::open("/dev/null", O_RDONLY);
        int out = ::open(log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY, 0600);
        if (out < 0)
            out = ::open("/dev/null", O_WRONLY);
        if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0 ||
            ::dup2(status_pipe[1], 3) < 0 || ::fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
            int err = errno;
            (void)!::write(status_pipe[1], &err, sizeof(err));
            ::_exit(127);
        }
        ::close_range(4, ~0U, 0);
        std::time_t now = std::time(nullptr);
        char stamp[64];
        std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", std::localtime(&now));
        ::dprintf(1, "%s rebootmgr: %s %s %s\n", stamp, command_.c_str(), name.c_str(), action);
        const char *argv[] = {command_.c_str(), name.c_str(), action, nullptr};
        ::execv(argv[0], const_cast<char *const *>(argv));
        int err = errno;
        (void)!::write(3, &err, sizeof(err));
        ::_exit(127);
    }
    ::close(status_pipe[1]);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    int err = 0;
    ssize_t n;
    do {
        n = ::read(status_pipe[0], &err, sizeof(err));
    } while (n < 0 && errno == EINTR);
    ::close(status_pipe[0]);
    if (n == sizeof(err)) {
        error = std::strerror(err);
        return false;
    }
    return true;
}

void Manager::run(const sigset_t &waitmask) {
    std::vector<pollfd> fds;
    std::vector<std::pair<Server *, std::size_t>> owner; // (server, pending index or npos)
    constexpr std::size_t listener = static_cast<std::size_t>(-1);
    while (!got_term) {
        if (got_hup) {
            got_hup = 0;
            logmsg(LOG_INFO, "SIGHUP: rescanning the servers");
            scan();
            continue;
        }
        fds.clear();
        owner.clear();
        auto now = std::chrono::steady_clock::now();
        std::optional<std::chrono::steady_clock::time_point> next;
        for (auto &[name, s] : servers_) {
            fds.push_back({s.listenfd, POLLIN, 0});
            owner.emplace_back(&s, listener);
            for (std::size_t i = 0; i < s.pending.size(); ++i) {
                fds.push_back({s.pending[i].fd, POLLIN, 0});
                owner.emplace_back(&s, i);
                if (!next || s.pending[i].deadline < *next)
                    next = s.pending[i].deadline;
            }
        }
        timespec timeout{};
        if (next) {
            auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(*next - now);
            if (left.count() > 0) {
                timeout.tv_sec = static_cast<time_t>(left.count() / 1000000000);
                timeout.tv_nsec = static_cast<long>(left.count() % 1000000000);
            }
        }
        int r = ::ppoll(fds.data(), fds.size(), next ? &timeout : nullptr, &waitmask);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            logmsg(LOG_ERR, "poll: %s", std::strerror(errno));
            got_term = 1;
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (!fds[i].revents)
                continue;
            auto [s, index] = owner[i];
            if (index == listener)
                accept_all(*s);
            else if (s->pending[index].fd >= 0)
                read_request(*s, s->pending[index]);
        }
        now = std::chrono::steady_clock::now();
        for (auto &[name, s] : servers_) {
            std::erase_if(s.pending, [&](Connection &c) {
                if (c.fd >= 0 && now >= c.deadline) {
                    logmsg(LOG_NOTICE, "%s: no request from uid %u within %d s", name.c_str(),
                           c.cred.uid, request_timeout_ms / 1000);
                    ::close(c.fd);
                    c.fd = -1;
                }
                return c.fd < 0;
            });
        }
    }
}

// ------------------------------------------------------------- start-up

// The command to run, as an absolute path: --vserver-cmd, or vserver in PATH.
std::string resolve_command(const std::string &given) {
    if (!given.empty()) {
        std::string path = absolute(given);
        if (::access(path.c_str(), X_OK) < 0)
            vserver::die_errno("cannot execute %s", given.c_str());
        return path;
    }
    const char *env = std::getenv("PATH");
    std::string_view dirs =
        env && *env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (true) {
        auto colon = dirs.find(':');
        std::string dir(dirs.substr(0, colon));
        std::string path = absolute((dir.empty() ? "." : dir) + "/vserver");
        struct stat st;
        if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(path.c_str(), X_OK) == 0)
            return path;
        if (colon == std::string_view::npos)
            break;
        dirs.remove_prefix(colon + 1);
    }
    vserver::die("cannot find the vserver command in PATH (see --vserver-cmd)");
}

// mkdir -p for the run-time directory (mode 0755).
void make_dirs(const std::string &dir) {
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/')
            continue;
        std::string part = dir.substr(0, pos);
        if (::mkdir(part.c_str(), 0755) < 0 && errno != EEXIST)
            vserver::die_errno("cannot create %s", part.c_str());
    }
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    bool foreground = false;
    std::string pidfile;
    std::string vserver_cmd;
    bool reload_daemon = false;

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_FOREGROUND:
            foreground = true;
            break;
        case OPT_PIDFILE:
            if (!*optarg)
                vserver::usage_error("empty pid file name");
            pidfile = optarg;
            break;
        case OPT_VSERVER_CMD:
            if (!*optarg)
                vserver::usage_error("empty vserver command");
            vserver_cmd = optarg;
            break;
        case OPT_RELOAD:
            reload_daemon = true;
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
    std::vector<std::string> names;
    for (int i = optind; i < argc; ++i) {
        if (!vserver::valid_server_name(argv[i]))
            vserver::usage_error("invalid server name '%s'", argv[i]);
        if (std::find(names.begin(), names.end(), argv[i]) == names.end())
            names.emplace_back(argv[i]);
    }

    vserver::Paths paths = vserver::vserver_paths();
    paths.confdir = absolute(paths.confdir);
    paths.rundir = absolute(paths.rundir);
    paths.rootdir = absolute(paths.rootdir);
    paths.proc = absolute(paths.proc);
    if ((!foreground || reload_daemon) && pidfile.empty())
        pidfile = paths.rundir + "/rebootmgr.pid";
    pidfile = absolute(pidfile);
    if (reload_daemon) {
        if (foreground || !vserver_cmd.empty() || !names.empty())
            vserver::usage_error("--reload takes no other option than --pidfile, and no NAME");
        reload(pidfile, paths.rundir);
    }
    if (!vserver_cmd.empty())
        vserver_cmd = absolute(vserver_cmd);

    int ready_fd = -1;
    if (!foreground) {
        ready_fd = vserver::daemonize();
        stderr_priority = LOG_WARNING;
    }
    ::openlog(program_invocation_short_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    ::umask(022);

    // SIGHUP, SIGTERM and SIGINT are only delivered inside ppoll().
    sigset_t blocked, waitmask;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGHUP);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    ::sigprocmask(SIG_BLOCK, &blocked, &waitmask);
    sigdelset(&waitmask, SIGHUP);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGHUP, SIGTERM, SIGINT})
        ::sigaction(sig, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    ContextProbe probe(paths.proc);
    if (auto e = probe.start())
        vserver::die_sys(*e, "cannot enter security context %d", VX_CTX_SPECTATOR);
    std::string command = resolve_command(vserver_cmd);
    int pid_fd = -1;
    if (!pidfile.empty()) {
        auto slash = pidfile.rfind('/');
        if (slash != std::string::npos && slash > 0)
            make_dirs(pidfile.substr(0, slash));
        pid_fd = vserver::lock_pidfile(pidfile, "another rebootmgr is running");
        vserver::write_pidfile(pid_fd, pidfile, std::to_string(::getpid()) + "\n");
    }
    if (::chdir("/") < 0)
        vserver::die_errno("cannot change to /");

    Manager manager(paths, names, command, probe);
    if (pid_fd >= 0) {
        make_dirs(paths.rundir);
        manager.record_scans();
    }
    manager.scan();
    logmsg(LOG_INFO, "started (servers in %s, contexts in %s)", paths.rootdir.c_str(),
           paths.rundir.c_str());
    if (ready_fd >= 0) {
        vserver::detach_stdio();
        stderr_priority = -1;
        char byte = 1;
        (void)!::write(ready_fd, &byte, 1);
        ::close(ready_fd);
    }

    manager.run(waitmask);

    manager.remove_all();
    probe.stop();
    if (pid_fd >= 0) {
        ::unlink(scans_file(paths.rundir).c_str());
        ::unlink(pidfile.c_str());
        ::close(pid_fd);
    }
    logmsg(LOG_INFO, "exiting");
    return 0;
}
