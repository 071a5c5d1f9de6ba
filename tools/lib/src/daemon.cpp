#include <vserver/cli.hpp>
#include <vserver/daemon.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vserver {

int daemonize() {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) < 0)
        die_errno("cannot create a pipe");
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t child = ::fork();
    if (child < 0)
        die_errno("cannot fork");
    if (child > 0) {
        ::close(ready[1]);
        char byte;
        ssize_t n;
        do {
            n = ::read(ready[0], &byte, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1)
            std::exit(0);
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        std::exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
    }
    ::close(ready[0]);
    if (::setsid() < 0)
        die_errno("setsid");
    return ready[1];
}

void detach_stdio() {
    int fd = ::open("/dev/null", O_RDWR);
    if (fd < 0)
        return;
    ::dup2(fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (fd > 2)
        ::close(fd);
}

} // namespace vserver
