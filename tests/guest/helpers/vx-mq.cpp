// vx-mq: create, open or unlink a POSIX message queue, for the guest tests
// of IPC isolation between security contexts.
//
//   vx-mq create|open|unlink /NAME
//
// Exit status 0 and no output on success; else the errno name (ENOENT, ...)
// on standard output and exit status 1.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mqueue.h>
#include <string_view>

int main(int argc, char *argv[]) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: vx-mq create|open|unlink /NAME\n");
        return 2;
    }
    std::string_view op = argv[1];
    const char *name = argv[2];
    int ret;
    if (op == "create" || op == "open") {
        int flags = op == "create" ? O_RDWR | O_CREAT | O_EXCL : O_RDWR;
        mqd_t mq = ::mq_open(name, flags, 0600, nullptr);
        ret = mq == static_cast<mqd_t>(-1) ? -1 : ::mq_close(mq);
    } else if (op == "unlink") {
        ret = ::mq_unlink(name);
    } else {
        std::fprintf(stderr, "vx-mq: unknown operation '%s'\n", argv[1]);
        return 2;
    }
    if (ret == -1) {
        const char *err = strerrorname_np(errno);
        std::printf("%s\n", err ? err : std::strerror(errno));
        return 1;
    }
    return 0;
}
