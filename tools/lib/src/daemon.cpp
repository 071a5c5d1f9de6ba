#include <vserver/cli.hpp>
#include <vserver/daemon.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
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

int lock_pidfile(const std::string &file, const std::string &running) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        die_errno("cannot open %s", file.c_str());
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK)
            die_errno("cannot lock %s", file.c_str());
        char text[32] = "";
        ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
        std::string pid(text, n > 0 ? static_cast<std::size_t>(n) : 0);
        pid = pid.substr(0, pid.find('\n'));
        die("%s (pid %s, %s)", running.c_str(), pid.empty() ? "?" : pid.c_str(), file.c_str());
    }
    return fd;
}

void write_pidfile(int fd, const std::string &file, const std::string &text) {
    if (::ftruncate(fd, 0) < 0 ||
        ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        die_errno("cannot write %s", file.c_str());
}

} // namespace vserver
