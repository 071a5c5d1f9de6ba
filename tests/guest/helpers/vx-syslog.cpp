// vx-syslog: what a server's programs send to /dev/log, for vserver_syslog.
//
//   vx-syslog syslog IDENT MESSAGE   openlog(IDENT) and syslog(3) MESSAGE
//                                    (user.notice), as sshd or cron would
//   vx-syslog raw SOCKET TEXT        TEXT as one datagram to SOCKET, with
//                                    \n in TEXT a newline (forgeries)
//   vx-syslog flood SOCKET N         N datagrams "<13>flood: I" as fast as
//                                    the socket takes them
//
// Status 0 when everything was sent (flood: always; it prints how many
// went), 1 otherwise.  Static: it runs in busybox server trees.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

namespace {

int connect_to(const char *path) {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0) {
        std::fprintf(stderr, "vx-syslog: %s: %s\n", path, std::strerror(errno));
        std::exit(1);
    }
    return fd;
}

} // namespace

int main(int argc, char *argv[]) {
    if (argc == 4 && std::strcmp(argv[1], "syslog") == 0) {
        ::openlog(argv[2], LOG_PID, LOG_USER);
        ::syslog(LOG_NOTICE, "%s", argv[3]);
        ::closelog();
        return 0;
    }
    if (argc == 4 && std::strcmp(argv[1], "raw") == 0) {
        std::string text;
        for (const char *p = argv[3]; *p; ++p) {
            if (p[0] == '\\' && p[1] == 'n') {
                text += '\n';
                ++p;
            } else {
                text += *p;
            }
        }
        int fd = connect_to(argv[2]);
        if (::send(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
            std::perror("vx-syslog: send");
            return 1;
        }
        return 0;
    }
    if (argc == 4 && std::strcmp(argv[1], "flood") == 0) {
        int fd = connect_to(argv[2]);
        long n = std::atol(argv[3]), sent = 0;
        for (long i = 0; i < n; ++i) {
            std::string text = "<13>flood: " + std::to_string(i);
            if (::send(fd, text.data(), text.size(), 0) >= 0)
                ++sent;
        }
        std::printf("%ld\n", sent);
        return 0;
    }
    std::fprintf(stderr, "usage: vx-syslog syslog IDENT MESSAGE | raw SOCKET TEXT | "
                         "flood SOCKET N\n");
    return 1;
}
