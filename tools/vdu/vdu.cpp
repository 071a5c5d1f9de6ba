// vdu: the disk space of virtual servers, counting only their own files.
//
// A trimmed-down du -s: by default files with more than one link (those
// vunify shares between servers, and any other hard link) are left out, so
// the figure is what the server uses on its own.  --shared-once counts every
// file, each inode once over all the directories given, like du with several
// arguments: the total is what the set of servers really takes.
#include <vserver/vserver.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

enum Option {
    OPT_SHARED_ONCE = 256,
    OPT_APPARENT_SIZE,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"shared-once", no_argument, nullptr, OPT_SHARED_ONCE},
    {"apparent-size", no_argument, nullptr, OPT_APPARENT_SIZE},
    {"bytes", no_argument, nullptr, 'b'},
    {"kibibytes", no_argument, nullptr, 'k'},
    {"human-readable", no_argument, nullptr, 'h'},
    {"total", no_argument, nullptr, 'c'},
    {"one-file-system", no_argument, nullptr, 'x'},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf("Usage: %s [OPTION]... DIR...\n"
                "Print the disk space each DIR (a virtual server's root) uses on its own, like\n"
                "'du -s': files with more than one link, such as those vunify shares between\n"
                "servers, are not counted; directories are.  Symbolic links are not followed\n"
                "(those given as DIR are); other file systems mounted below DIR are skipped.\n"
                "\n"
                "  --shared-once          count every file, but each only once over all the\n"
                "                         DIRs (in the first DIR it is found in), and print the\n"
                "                         total: the space the DIRs take together\n"
                "  --apparent-size        count sizes (st_size) rather than disk usage\n"
                "  -b, --bytes            print bytes; implies --apparent-size\n"
                "  -k, --kibibytes        print KiB, rounded up (the default)\n"
                "  -h, --human-readable   print sizes like 1.5K, 234M, 2.0G (powers of 1024)\n"
                "  -c, --total            also print a grand total\n"
                "  -x, --one-file-system  stay on each DIR's file system (always the case)\n"
                "  --help                 display this help and exit\n"
                "  --version              output version information and exit\n"
                "\n"
                "Exit status: 0 on success; 1 for a usage error, or when a DIR or something\n"
                "below it could not be read (the sizes printed leave it out).\n",
                program_invocation_short_name);
    vserver::exit_success();
}

enum class Unit { kib, bytes, human };

struct Options {
    bool shared_once = false;
    bool apparent = false;
    bool total = false;
    Unit unit = Unit::kib;
};
Options opt;

int status = 0;
std::set<std::pair<dev_t, ino_t>> seen; // --shared-once: inodes counted

std::uint64_t space(const struct stat &st) {
    if (opt.apparent)
        return st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

// Counts one inode found under a DIR: in the default mode directories and
// files with a single link; with --shared-once everything not yet counted.
std::uint64_t count(const struct stat &st) {
    if (opt.shared_once)
        return seen.insert({st.st_dev, st.st_ino}).second ? space(st) : 0;
    if (S_ISDIR(st.st_mode) || st.st_nlink == 1)
        return space(st);
    return 0;
}

// The space below the open directory dirfd (closed here), path for messages.
std::uint64_t walk(int dirfd, const std::string &path, dev_t dev) {
    DIR *d = ::fdopendir(dirfd);
    if (!d) {
        vserver::warn("cannot read directory '%s': %s", path.c_str(), std::strerror(errno));
        status = 1;
        ::close(dirfd);
        return 0;
    }
    std::uint64_t total = 0;
    std::vector<std::string> subdirs;
    for (;;) {
        errno = 0;
        dirent *e = ::readdir(d);
        if (!e) {
            if (errno) {
                vserver::warn("cannot read directory '%s': %s", path.c_str(), std::strerror(errno));
                status = 1;
            }
            break;
        }
        const char *name = e->d_name;
        if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
            continue;
        struct stat st;
        if (::fstatat(::dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT) { // ENOENT: removed meanwhile
                vserver::warn("cannot access '%s/%s': %s", path.c_str(), name,
                              std::strerror(errno));
                status = 1;
            }
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (st.st_dev == dev) // else a mount point: skipped, like du -x
                subdirs.emplace_back(name);
            continue;
        }
        total += count(st);
    }
    for (const auto &sub : subdirs) {
        std::string subpath = path + (path.ends_with('/') ? "" : "/") + sub;
        int fd = ::openat(::dirfd(d), sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || ::fstat(fd, &st) < 0) {
            if (errno != ENOENT) {
                vserver::warn("cannot read directory '%s': %s", subpath.c_str(),
                              std::strerror(errno));
                status = 1;
            }
            if (fd >= 0)
                ::close(fd);
            continue;
        }
        if (st.st_dev != dev) { // replaced by a mount point meanwhile
            ::close(fd);
            continue;
        }
        total += count(st);
        total += walk(fd, subpath, dev);
    }
    ::closedir(d);
    return total;
}

// The space of one operand (symbolic links followed); false when it cannot
// be looked at, or (--shared-once) when it was counted already: du prints
// nothing for a DIR given twice either.
bool measure(const char *arg, std::uint64_t &total) {
    int fd = ::open(arg, O_PATH | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) < 0) {
        vserver::warn("cannot access '%s': %s", arg, std::strerror(errno));
        if (fd >= 0)
            ::close(fd);
        status = 1;
        return false;
    }
    if (opt.shared_once && seen.count({st.st_dev, st.st_ino})) {
        ::close(fd);
        return false;
    }
    total = count(st);
    if (S_ISDIR(st.st_mode)) {
        int dfd = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            vserver::warn("cannot read directory '%s': %s", arg, std::strerror(errno));
            status = 1;
        } else {
            total += walk(dfd, arg, st.st_dev);
        }
    }
    ::close(fd);
    return true;
}

// du's -h: one decimal below 10, rounded up; powers of 1024.
std::string human(std::uint64_t bytes) {
    if (bytes < 1024)
        return std::to_string(bytes);
    static constexpr char units[] = "KMGTPE";
    unsigned __int128 base = 1024;
    for (int k = 0; k < 6; ++k, base *= 1024) {
        unsigned __int128 v = bytes;
        if (k < 5 && v >= base * 1024)
            continue;
        if (v < base * 10) {
            auto tenths = static_cast<std::uint64_t>((v * 10 + base - 1) / base);
            if (tenths < 100)
                return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + units[k];
            return std::string("10") + units[k];
        }
        auto whole = static_cast<std::uint64_t>((v + base - 1) / base);
        if (whole >= 1024 && k < 5)
            continue;
        return std::to_string(whole) + units[k];
    }
    return std::to_string(bytes);
}

std::string format(std::uint64_t bytes) {
    switch (opt.unit) {
    case Unit::bytes:
        return std::to_string(bytes);
    case Unit::human:
        return human(bytes);
    case Unit::kib:
        break;
    }
    return std::to_string(bytes / 1024 + (bytes % 1024 != 0));
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    int c;
    while ((c = getopt_long(argc, argv, "+bkhcx", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_SHARED_ONCE:
            opt.shared_once = true;
            break;
        case OPT_APPARENT_SIZE:
            opt.apparent = true;
            break;
        case 'b':
            opt.unit = Unit::bytes;
            opt.apparent = true;
            break;
        case 'k':
            opt.unit = Unit::kib;
            break;
        case 'h':
            opt.unit = Unit::human;
            break;
        case 'c':
            opt.total = true;
            break;
        case 'x':
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
        vserver::usage_error("missing DIR");

    std::uint64_t grand = 0;
    for (int i = optind; i < argc; ++i) {
        std::uint64_t total = 0;
        if (!measure(argv[i], total))
            continue;
        grand += total;
        std::printf("%s\t%s\n", format(total).c_str(), argv[i]);
    }
    if (opt.total || opt.shared_once)
        std::printf("%s\ttotal\n", format(grand).c_str());
    if (status == 0)
        vserver::exit_success();
    std::fflush(stdout);
    return status;
}
