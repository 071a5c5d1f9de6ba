// vreboot, vhalt: ask the reboot manager (rebootmgr) of the host to restart
// or to stop the virtual server this runs in, through /dev/reboot.
//
// One source, two programs: vhalt is built with VREBOOT_HALT, so that a copy
// under another name still does what it was built for.
#include <vserver/vserver.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

#ifdef VREBOOT_HALT
constexpr const char *request = "halt";
constexpr const char *what = "stop";
#else
constexpr const char *request = "reboot";
constexpr const char *what = "restart";
#endif

constexpr const char *default_socket = "/dev/reboot";
constexpr int answer_timeout_ms = 30000;

enum Option {
    OPT_SOCKET = 256,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"socket", required_argument, nullptr, OPT_SOCKET},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf("Usage: %s [OPTION]...\n"
                "Ask the host's reboot manager (rebootmgr) to %s this virtual server.\n"
                "Only root of the server may ask.\n"
                "\n"
                "  --socket PATH        the reboot manager's socket (default %s)\n"
                "  --help               display this help and exit\n"
                "  --version            output version information and exit\n"
                "\n"
                "Exit status: 0 when the request was accepted (the server's processes are\n"
                "then stopped by the host), 1 for a usage error or when it was not.\n",
                program_invocation_short_name, what, default_socket);
    vserver::exit_success();
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    std::string path = default_socket;

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_SOCKET:
            path = optarg;
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
    if (optind < argc)
        vserver::usage_error("unexpected argument '%s'", argv[optind]);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(addr.sun_path))
        vserver::usage_error("invalid socket path '%s' (1 to %zu bytes)", path.c_str(),
                             sizeof(addr.sun_path) - 1);
    std::memcpy(addr.sun_path, path.data(), path.size());

    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        vserver::die_errno("cannot create a socket");
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0) {
        if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTSOCK)
            vserver::die_errno("no reboot manager at %s", path.c_str());
        vserver::die_errno("cannot connect to the reboot manager at %s", path.c_str());
    }

    std::string line = std::string(request) + "\n";
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
        vserver::die_errno("cannot send the request to %s", path.c_str());
    ::shutdown(fd, SHUT_WR);

    std::string answer;
    char buf[256];
    while (answer.find('\n') == std::string::npos && answer.size() < 1024) {
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, answer_timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            vserver::die_errno("cannot read the answer from %s", path.c_str());
        if (r == 0)
            vserver::die("no answer from the reboot manager at %s", path.c_str());
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            vserver::die_errno("cannot read the answer from %s", path.c_str());
        if (n == 0)
            break;
        answer.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    std::string_view reply = answer;
    reply = reply.substr(0, reply.find('\n'));
    if (reply == "ok")
        return 0;
    if (reply.empty())
        vserver::die("the reboot manager at %s closed the connection without an answer",
                     path.c_str());
    std::string text;
    for (char ch : reply)
        text += (ch >= ' ' && ch < 0x7f) ? ch : '?';
    if (reply.starts_with("denied: ") || reply.starts_with("error: "))
        vserver::die("%s", text.c_str());
    vserver::die("unexpected answer from the reboot manager: '%s'", text.c_str());
}
