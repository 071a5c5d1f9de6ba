// vx-fork: fork up to N children that wait, then report how many forks
// succeeded and how the first failing one failed, for the guest tests of
// the nproc context flag.
//
//   vx-fork N     prints "COUNT ok" or "COUNT ERRNO_NAME" (e.g. "5 EAGAIN")
//
// The children are killed and reaped before it exits (status 0).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

int main(int argc, char *argv[]) {
    int n = argc == 2 ? std::atoi(argv[1]) : 0;
    if (n < 1) {
        std::fprintf(stderr, "usage: vx-fork N\n");
        return 2;
    }
    std::vector<pid_t> children;
    int err = 0;
    for (int i = 0; i < n; ++i) {
        pid_t pid = ::fork();
        if (pid == -1) {
            err = errno;
            break;
        }
        if (pid == 0) {
            for (;;)
                ::pause();
        }
        children.push_back(pid);
    }
    for (pid_t pid : children)
        ::kill(pid, SIGKILL);
    for (pid_t pid : children)
        ::waitpid(pid, nullptr, 0);
    const char *name = err ? strerrorname_np(err) : "ok";
    std::printf("%zu %s\n", children.size(), name ? name : std::strerror(err));
    return 0;
}
