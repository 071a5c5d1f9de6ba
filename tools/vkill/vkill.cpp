// vkill: send a signal to processes of any security context.
//
// A process of another context cannot be seen from context 0, so for each PID
// a helper child enters the spectator context 1 (which sees every process)
// to learn the PID's context, and a second helper enters that context to
// send the signal. Only root in context 0 may enter contexts; the kernel
// answers EPERM to anyone else, which is reported.
#include <vserver/vserver.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <getopt.h>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

enum Option {
    OPT_CTX = 256,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"ctx", required_argument, nullptr, OPT_CTX},
    {"signal", required_argument, nullptr, 's'},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf("Usage: %s [OPTION]... PID...\n"
                "Send a signal to processes, whatever security context they run in.\n"
                "Only root in context 0 may signal processes of other contexts.\n"
                "\n"
                "  --ctx N              the processes are in context N (0-65535): do not look\n"
                "                       their context up in the spectator context 1\n"
                "  -s, --signal SIG     the signal to send, by name (TERM, SIGTERM, any case,\n"
                "                       RTMIN+N) or number (0 only checks); default TERM\n"
                "  --help               display this help and exit\n"
                "  --version            output version information and exit\n"
                "\n"
                "Exit status: 0 if every PID was signalled, 1 otherwise (a message per PID).\n",
                program_invocation_short_name);
    vserver::exit_success();
}

// What a helper child reports through its pipe.
struct Reply {
    int err = 0;           // 0: success, -1: the helper failed, else errno
    int lacks_support = 0; // the error is ENOSYS of the vserver system call
    int entered = 0;       // the helper got into its context (err is of what followed)
    std::uint32_t xid = 0; // the looked-up context
};

// Runs fn in a forked child and returns what it reported. A child that dies
// without a reply (or with an unexpected exception) yields err = -1.
Reply run_helper(const std::function<Reply()> &fn) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        vserver::die_errno("cannot create a pipe");
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t child = ::fork();
    if (child < 0)
        vserver::die_errno("cannot fork");
    if (child == 0) {
        ::close(fds[0]);
        Reply reply;
        try {
            reply = fn();
        } catch (...) {
            reply = Reply{};
            reply.err = -1;
        }
        ssize_t n = ::write(fds[1], &reply, sizeof(reply));
        ::_exit(n == static_cast<ssize_t>(sizeof(reply)) ? 0 : 1);
    }
    ::close(fds[1]);
    Reply reply;
    ssize_t n;
    do {
        n = ::read(fds[0], &reply, sizeof(reply));
    } while (n < 0 && errno == EINTR);
    ::close(fds[0]);
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (n != static_cast<ssize_t>(sizeof(reply))) {
        reply = Reply{};
        reply.err = -1;
    }
    return reply;
}

Reply error_reply(const vserver::SysError &e) {
    Reply reply;
    reply.err = e.error();
    reply.lacks_support = e.lacks_kernel_support();
    return reply;
}

std::string error_text(const Reply &reply) {
    if (reply.lacks_support)
        return vserver::lacks_support_message();
    if (reply.err < 0)
        return "helper process failed";
    return std::strerror(reply.err);
}

// Signals one pid; prints "vkill: PID: ..." and returns false on failure.
bool signal_pid(pid_t pid, int sig, std::optional<int> ctx, const vserver::ContextInfo &self) {
    int xid;
    if (ctx) {
        xid = *ctx;
    } else if (self.xid == VX_CTX_SPECTATOR) {
        try {
            xid = static_cast<int>(vserver::context_info(pid).xid);
        } catch (const vserver::SysError &e) {
            vserver::warn("%d: %s", pid, error_text(error_reply(e)).c_str());
            return false;
        }
    } else {
        Reply reply = run_helper([&]() {
            Reply r;
            try {
                vserver::new_s_context(VX_CTX_SPECTATOR, 0, 0);
                r.entered = 1;
                r.xid = vserver::context_info(pid).xid;
            } catch (const vserver::SysError &e) {
                int entered = r.entered;
                r = error_reply(e);
                r.entered = entered;
            }
            return r;
        });
        if (reply.err) {
            if (reply.err > 0 && !reply.lacks_support && !reply.entered)
                vserver::warn("%d: cannot enter the spectator context %d: %s", pid,
                              VX_CTX_SPECTATOR, error_text(reply).c_str());
            else
                vserver::warn("%d: %s", pid, error_text(reply).c_str());
            return false;
        }
        xid = static_cast<int>(reply.xid);
    }

    if (static_cast<std::uint32_t>(xid) == self.xid) {
        if (::kill(pid, sig) < 0) {
            vserver::warn("%d: %s", pid, std::strerror(errno));
            return false;
        }
        return true;
    }

    Reply reply = run_helper([&]() {
        Reply r;
        try {
            vserver::new_s_context(xid, 0, 0);
        } catch (const vserver::SysError &e) {
            return error_reply(e);
        }
        r.entered = 1;
        if (::kill(pid, sig) < 0)
            r.err = errno;
        return r;
    });
    if (reply.err) {
        if (reply.err > 0 && !reply.lacks_support && !reply.entered)
            vserver::warn("%d: cannot enter security context %d: %s", pid, xid,
                          error_text(reply).c_str());
        else
            vserver::warn("%d: %s", pid, error_text(reply).c_str());
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    std::optional<int> ctx;
    int sig = SIGTERM;

    int c;
    while ((c = getopt_long(argc, argv, "+s:", long_options, nullptr)) != -1) {
        try {
            switch (c) {
            case OPT_CTX:
                ctx = vserver::parse_ctx_id(optarg, VX_CTX_HOST, VX_CTX_MAX);
                break;
            case 's':
                sig = vserver::parse_signal(optarg);
                break;
            case OPT_HELP:
                usage();
            case OPT_VERSION:
                vserver::print_version();
                vserver::exit_success();
            default:
                vserver::try_help();
            }
        } catch (const vserver::ParseError &e) {
            vserver::usage_error("%s", e.what());
        }
    }
    if (optind >= argc)
        vserver::usage_error("missing process id");
    std::vector<pid_t> pids;
    for (int i = optind; i < argc; ++i) {
        try {
            pids.push_back(vserver::parse_pid(argv[i]));
        } catch (const vserver::ParseError &e) {
            vserver::usage_error("%s", e.what());
        }
    }

    // Our own context; also fails at once, with one message, on a kernel
    // without vserver support.
    vserver::ContextInfo self;
    try {
        self = vserver::context_info(0);
    } catch (const vserver::SysError &e) {
        vserver::die_sys(e, "cannot query the security context of this process");
    }

    bool ok = true;
    for (pid_t pid : pids)
        ok = signal_pid(pid, sig, ctx, self) && ok;
    return ok ? 0 : 1;
}
