// vunify: hard-link the identical files of virtual servers and make them
// immutable-linkage-invert (immutable + iunlink), so that they are shared
// safely: no server can change a shared file, but every server can still
// delete, rename or replace its own name of it (package upgrades).
//
// Safety against interruption (vunify(8)): a server's file is replaced by
// linking the shared inode to a temporary name in the same directory and
// renaming that over the file, never by unlinking first, so at every moment
// every name refers to its own content or to an identical one.  The
// attributes are set on the shared inode before it gets its first new name;
// its data is only ever read.  Temporary links left by a killed run are
// extra names of a shared inode, removed by the next run.
#include <vserver/vserver.hpp>

#include <vserver/conffiles.hpp>
#include <vserver/exclude.hpp>
#include <vserver/fsflags.hpp>
#include <vserver/sha256.hpp>

#include "vunify_defaults.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <tuple>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

// Exit statuses (vunify(8)).
constexpr int exit_runtime = 2;

enum Option {
    OPT_ALL = 256,
    OPT_IGNORE_MTIME,
    OPT_NO_ATTR,
    OPT_EXCLUDE,
    OPT_EXCLUDE_FROM,
    OPT_NO_DEFAULT_EXCLUDES,
    OPT_SHOW_ATTR,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"all", no_argument, nullptr, OPT_ALL},
    {"dry-run", no_argument, nullptr, 'n'},
    {"verbose", no_argument, nullptr, 'v'},
    {"ignore-mtime", no_argument, nullptr, OPT_IGNORE_MTIME},
    {"no-attr", no_argument, nullptr, OPT_NO_ATTR},
    {"exclude", required_argument, nullptr, OPT_EXCLUDE},
    {"exclude-from", required_argument, nullptr, OPT_EXCLUDE_FROM},
    {"no-default-excludes", no_argument, nullptr, OPT_NO_DEFAULT_EXCLUDES},
    {"show-attr", no_argument, nullptr, OPT_SHOW_ATTR},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

std::string default_exclude_file() {
    const char *confdir = std::getenv("VSERVER_CONFDIR");
    if (confdir && *confdir)
        return std::string(confdir) + "/vunify-exclude";
    return std::string(vunify_defaults::exclude_file);
}

[[noreturn]] void usage() {
    std::printf("Usage: %s [OPTION]... REFERENCE SERVER...\n"
                "  or:  %s [OPTION]... --all SERVER SERVER...\n"
                "  or:  %s [-v] --show-attr FILE...\n"
                "Replace the files of each SERVER (a server's root directory) that are identical\n"
                "to a file of REFERENCE by hard links to it, or with --all those identical\n"
                "between any of the SERVERs, and make the shared files immutable with the\n"
                "immutable-linkage-invert attribute: they can no longer be changed, but each\n"
                "server can still remove, rename or replace its own names of them.\n"
                "\n"
                "Identical: regular, non-empty files with the same content (SHA-256), extended\n"
                "attributes, mode, owner, group, size and modification time, on one file system.\n"
                "Never unified: configuration files (dpkg's conffiles, rpm -qc), paths of the\n"
                "exclude list (by default %s: /etc, /var, ...), files\n"
                "with the immutable or append-only attribute.  Safe to interrupt at any time.\n"
                "\n"
                "  --all                  unify the SERVERs with each other, without a reference\n"
                "  -n, --dry-run          change nothing; report what would be unified\n"
                "  -v, --verbose          print each file unified and each leftover link removed\n"
                "  --ignore-mtime         do not compare modification times\n"
                "  --no-attr              do not set the immutable and iunlink attributes (for\n"
                "                         file systems or kernels without them): UNSAFE, a\n"
                "                         server writing to a unified file changes it for all\n"
                "  --exclude PATTERN      never unify paths matching PATTERN (repeatable)\n"
                "  --exclude-from FILE    read exclude patterns from FILE (repeatable)\n"
                "  --no-default-excludes  do not use the default exclude list\n"
                "  --show-attr            print the attributes of each FILE like lsattr, with\n"
                "                         iunlink as 'U' in a last column (-v: lsattr -l's form)\n"
                "  --help                 display this help and exit\n"
                "  --version              output version information and exit\n"
                "\n"
                "Exit status: 0 on success; 1 for a usage error or a bad SERVER, FILE or\n"
                "option, nothing changed; 2 when something failed during the run (an attribute\n"
                "that cannot be set, a file that cannot be read or replaced, a server locked by\n"
                "another vunify): every file still has its content, a new run continues.\n",
                program_invocation_short_name, program_invocation_short_name,
                program_invocation_short_name, default_exclude_file().c_str());
    vserver::exit_success();
}

struct Options {
    bool all = false;
    bool dry_run = false;
    bool verbose = false;
    bool ignore_mtime = false;
    bool no_attr = false;
};
Options opt;

// ---- opening files inside a server without leaving it ----

bool have_openat2 = true;

long sys_openat2(int dirfd, const char *path, std::uint64_t flags, std::uint64_t resolve) {
    open_how how{};
    how.flags = flags | O_CLOEXEC;
    how.resolve = resolve;
    return ::syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

// Without openat2 (Linux < 5.6, some seccomp filters): one component at a
// time, no symbolic link, no "..", never onto another file system.
int open_by_components(int dirfd, std::string_view path, int flags) {
    struct stat root;
    if (::fstat(dirfd, &root) < 0)
        return -1;
    int fd = ::dup(dirfd);
    while (fd >= 0) {
        while (path.starts_with('/'))
            path.remove_prefix(1);
        auto slash = path.find('/');
        std::string comp(path.substr(0, slash));
        bool last = slash == std::string_view::npos ||
                    path.find_first_not_of('/', slash) == std::string_view::npos;
        if (comp == "..") {
            ::close(fd);
            errno = EXDEV;
            return -1;
        }
        if (comp.empty())
            comp = ".";
        int next = ::openat(fd, comp.c_str(),
                            last ? flags | O_NOFOLLOW | O_CLOEXEC
                                 : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = errno;
        ::close(fd);
        fd = next;
        if (fd < 0) {
            errno = err;
            return -1;
        }
        struct stat st;
        if (::fstat(fd, &st) < 0 || st.st_dev != root.st_dev) {
            ::close(fd);
            errno = EXDEV;
            return -1;
        }
        if (last)
            return fd;
        path.remove_prefix(slash);
    }
    return -1;
}

// Opens path (relative to the server's root directory dirfd) without
// following any symbolic link and without leaving the server's file system.
int open_beneath(int dirfd, std::string_view path, int flags) {
    while (path.starts_with('/'))
        path.remove_prefix(1);
    std::string p = path.empty() ? std::string(".") : std::string(path);
    if (have_openat2) {
        long fd = sys_openat2(dirfd, p.c_str(), static_cast<std::uint64_t>(flags) | O_NOFOLLOW,
                              RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                                  RESOLVE_NO_XDEV);
        if (fd >= 0 || errno != ENOSYS)
            return static_cast<int>(fd);
        have_openat2 = false;
    }
    return open_by_components(dirfd, p, flags);
}

// Opens path as the server would see it: symbolic links followed, but
// resolved inside the server's root (for its package databases).
int open_in_root(int dirfd, std::string_view path, int flags) {
    while (path.starts_with('/'))
        path.remove_prefix(1);
    std::string p = path.empty() ? std::string(".") : std::string(path);
    if (have_openat2) {
        long fd = sys_openat2(dirfd, p.c_str(), static_cast<std::uint64_t>(flags),
                              RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0 || errno != ENOSYS)
            return static_cast<int>(fd);
        have_openat2 = false;
    }
    return open_by_components(dirfd, p, flags);
}

// The whole content of an open file. nullopt (errno set) on error.
std::optional<std::string> read_all(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return std::nullopt;
        }
        if (n == 0)
            return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd &operator=(Fd &&o) noexcept {
        reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }
    void reset(int fd = -1) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// ---- what the walk finds ----

struct Root {
    std::string path; // as given, without trailing slashes (for messages)
    Fd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    std::set<std::string> conffile_paths;              // "/etc/x"
    std::set<std::pair<dev_t, ino_t>> conffile_inodes; // what they resolve to
};

struct Name {
    std::uint32_t root;
    std::uint32_t dir; // index in dirs ("" is the root, "/usr/bin")
    std::string name;
    std::uint32_t inode;
};

struct Inode {
    dev_t dev;
    ino_t ino;
    nlink_t nlink;
    off_t size;
    mode_t mode;
    uid_t uid;
    gid_t gid;
    timespec mtime;
    timespec ctime;
    std::vector<std::uint32_t> names;
    bool in_reference = false; // a name in REFERENCE (not --all)
    std::uint32_t first_root;
    bool multi_root = false;
    // Filled in when hashed.
    bool hashed = false;
    vserver::Sha256Digest digest{};
    std::string xattrs; // sorted "name\0size\0value" records
    std::uint32_t flags = 0;
    bool gone = false; // its names were replaced
};

struct Leftover {
    std::uint32_t root;
    std::uint32_t dir;
    std::string name;
    dev_t dev;
    ino_t ino;
};

std::vector<Root> roots;
std::vector<std::string> dirs;
std::vector<Name> names;
std::vector<Inode> inodes;
std::vector<Leftover> leftovers;
std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> inode_index; // ino -> candidates
vserver::ExcludeList excludes;

struct Counters {
    std::uint64_t unified = 0;      // names replaced (or that would be)
    std::uint64_t saved = 0;        // st_size of the inodes freed
    std::uint64_t cross_device = 0; // identical files on another file system
    std::uint64_t changed = 0;      // changed or vanished during the run
    std::uint64_t leftovers = 0;    // temporary links of a killed run removed
    std::uint64_t attributed = 0;   // shared already, attributes set now
    std::uint64_t errors = 0;       // reported with a message
};
Counters count;

std::string rel_path(const Name &n) { return dirs[n.dir] + "/" + n.name; }
std::string full_path(const Name &n) { return roots[n.root].path + rel_path(n); }
std::string dir_full_path(std::uint32_t root, std::uint32_t dir) {
    return roots[root].path + (dirs[dir].empty() ? "/" : dirs[dir]);
}

bool is_leftover_name(std::string_view name) {
    constexpr std::string_view prefix = ".vunify.";
    if (name.size() != prefix.size() + 6 || !name.starts_with(prefix))
        return false;
    for (char c : name.substr(prefix.size()))
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    return true;
}

std::uint32_t find_inode(dev_t dev, ino_t ino) {
    auto it = inode_index.find(static_cast<std::uint64_t>(ino));
    if (it != inode_index.end())
        for (auto i : it->second)
            if (inodes[i].dev == dev)
                return i;
    return UINT32_MAX;
}

void add_file(std::uint32_t root, std::uint32_t dir, const char *name, const struct stat &st) {
    std::uint32_t i = find_inode(st.st_dev, st.st_ino);
    if (i == UINT32_MAX) {
        i = static_cast<std::uint32_t>(inodes.size());
        Inode in{};
        in.dev = st.st_dev;
        in.ino = st.st_ino;
        in.nlink = st.st_nlink;
        in.size = st.st_size;
        in.mode = st.st_mode;
        in.uid = st.st_uid;
        in.gid = st.st_gid;
        in.mtime = st.st_mtim;
        in.ctime = st.st_ctim;
        in.first_root = root;
        inodes.push_back(std::move(in));
        inode_index[static_cast<std::uint64_t>(st.st_ino)].push_back(i);
    }
    Inode &in = inodes[i];
    if (root != in.first_root)
        in.multi_root = true;
    if (!opt.all && root == 0)
        in.in_reference = true;
    in.names.push_back(static_cast<std::uint32_t>(names.size()));
    names.push_back({root, dir, name, i});
}

bool is_other_root(const struct stat &st) {
    for (const auto &r : roots)
        if (r.dev == st.st_dev && r.ino == st.st_ino)
            return true;
    return false;
}

// Opens the directory name below dirfd for reading, if it is still one on
// the file system dev (it could have been replaced since it was seen).
int open_subdir(int dirfd, const char *name, dev_t dev) {
    constexpr int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
    if (have_openat2) {
        constexpr std::uint64_t resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
        long fd = sys_openat2(dirfd, name, flags | O_NOATIME, resolve);
        if (fd < 0 && errno == EPERM)
            fd = sys_openat2(dirfd, name, flags, resolve);
        if (fd >= 0 || errno != ENOSYS)
            return static_cast<int>(fd);
        have_openat2 = false;
    }
    int fd = ::openat(dirfd, name, flags | O_CLOEXEC | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = ::openat(dirfd, name, flags | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (::fstat(fd, &st) < 0 || st.st_dev != dev)) {
        ::close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

void walk_dir(std::uint32_t root, int dirfd, std::uint32_t dir, bool dir_excluded) {
    DIR *d = ::fdopendir(dirfd);
    if (!d) {
        vserver::warn("cannot read directory %s: %s", dir_full_path(root, dir).c_str(),
                      std::strerror(errno));
        ++count.errors;
        ::close(dirfd);
        return;
    }
    std::vector<std::pair<std::string, bool>> subdirs; // name, excluded
    const Root &r = roots[root];
    for (;;) {
        errno = 0;
        dirent *e = ::readdir(d);
        if (!e) {
            if (errno) {
                vserver::warn("cannot read directory %s: %s", dir_full_path(root, dir).c_str(),
                              std::strerror(errno));
                ++count.errors;
            }
            break;
        }
        const char *name = e->d_name;
        if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
            continue;
        unsigned char type = e->d_type;
        if (type != DT_REG && type != DT_DIR && type != DT_UNKNOWN)
            continue; // symbolic links, devices, sockets, fifos
        bool leftover = is_leftover_name(name);
        std::string rel = dirs[dir] + "/" + name;
        bool excluded = !leftover && excludes.excluded_in(rel, dir_excluded);
        if (excluded && (type == DT_REG || !excludes.may_include_below(rel)))
            continue;
        struct stat st;
        if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT) {
                vserver::warn("cannot stat %s: %s", (r.path + rel).c_str(), std::strerror(errno));
                ++count.errors;
            }
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            // Stay on the server's file system, and out of another server
            // given on the command line.
            if (!leftover && st.st_dev == r.dev && !is_other_root(st) &&
                (!excluded || excludes.may_include_below(rel)))
                subdirs.emplace_back(name, excluded);
            continue;
        }
        if (!S_ISREG(st.st_mode) || excluded)
            continue;
        if (leftover) {
            leftovers.push_back({root, dir, name, st.st_dev, st.st_ino});
            continue;
        }
        if (st.st_size == 0 || st.st_dev != r.dev)
            continue;
        if (r.conffile_inodes.count({st.st_dev, st.st_ino}) || r.conffile_paths.count(rel))
            continue;
        add_file(root, dir, name, st);
    }
    for (const auto &[sub, sub_excluded] : subdirs) {
        std::string rel = dirs[dir] + "/" + sub;
        int fd = open_subdir(::dirfd(d), sub.c_str(), r.dev);
        if (fd < 0) {
            if (errno != ENOENT && errno != EXDEV && errno != ELOOP && errno != ENOTDIR) {
                vserver::warn("cannot open directory %s: %s", (r.path + rel).c_str(),
                              std::strerror(errno));
                ++count.errors;
            }
            continue;
        }
        auto sub_index = static_cast<std::uint32_t>(dirs.size());
        dirs.push_back(std::move(rel));
        walk_dir(root, fd, sub_index, sub_excluded);
    }
    ::closedir(d);
}

// ---- configuration files ----

void add_conffile(Root &r, const std::string &path) {
    r.conffile_paths.insert(path);
    int fd = open_in_root(r.fd.get(), path, O_PATH | O_NOFOLLOW);
    if (fd < 0)
        return;
    struct stat st;
    if (::fstat(fd, &st) == 0)
        r.conffile_inodes.insert({st.st_dev, st.st_ino});
    ::close(fd);
}

std::size_t read_dpkg_conffiles(Root &r) {
    std::size_t before = r.conffile_paths.size();
    int fd = open_in_root(r.fd.get(), "var/lib/dpkg/status", O_RDONLY);
    if (fd >= 0) {
        auto text = read_all(fd);
        ::close(fd);
        if (text)
            for (const auto &p : vserver::parse_dpkg_status_conffiles(*text))
                add_conffile(r, p);
    }
    int dfd = open_in_root(r.fd.get(), "var/lib/dpkg/info", O_RDONLY | O_DIRECTORY);
    if (dfd < 0)
        return r.conffile_paths.size() - before;
    DIR *d = ::fdopendir(dfd);
    if (!d) {
        ::close(dfd);
        return r.conffile_paths.size() - before;
    }
    while (dirent *e = ::readdir(d)) {
        std::string_view name = e->d_name;
        if (!name.ends_with(".conffiles"))
            continue;
        int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        auto text = read_all(fd);
        ::close(fd);
        if (text)
            for (const auto &p : vserver::parse_dpkg_conffiles(*text))
                add_conffile(r, p);
    }
    ::closedir(d);
    return r.conffile_paths.size() - before;
}

// rpm --root ROOT -qac, when the server has an rpm database. nullopt when
// there is none; a message when rpm is missing or fails.
std::optional<std::size_t> read_rpm_conffiles(Root &r) {
    bool has_db = false;
    for (const char *db : {"var/lib/rpm", "usr/lib/sysimage/rpm"}) {
        int fd = open_in_root(r.fd.get(), db, O_PATH | O_DIRECTORY);
        if (fd >= 0) {
            has_db = true;
            ::close(fd);
        }
    }
    if (!has_db)
        return std::nullopt;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        vserver::die_errno("cannot create a pipe");
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid < 0)
        vserver::die_errno("cannot fork");
    if (pid == 0) {
        ::dup2(fds[1], 1);
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0)
            ::dup2(null, 0);
        ::execlp("rpm", "rpm", "--root", r.path.empty() ? "/" : r.path.c_str(), "-qac",
                 static_cast<char *>(nullptr));
        ::_exit(errno == ENOENT ? 127 : 126);
    }
    ::close(fds[1]);
    auto text = read_all(fds[0]);
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const char *srv = r.path.empty() ? "/" : r.path.c_str();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        vserver::warn("%s has an rpm database but rpm is not installed: its configuration "
                      "files are protected only by the exclude list",
                      srv);
        return 0;
    }
    if (!text || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        vserver::warn("rpm --root %s -qac failed: its configuration files are protected only by "
                      "the exclude list",
                      srv);
    std::size_t before = r.conffile_paths.size();
    if (text)
        for (const auto &p : vserver::parse_rpm_config_list(*text))
            add_conffile(r, p);
    return r.conffile_paths.size() - before;
}

// ---- hashing ----

// Opens a name of the inode for reading.  With verify, checks that it is
// still the inode the walk saw, unchanged (its change time too).  Hashing
// does not verify: whatever it read, the inode and its change time are
// checked again before anything is linked to it or replaced, so a file
// replaced or written since the walk is never unified.
Fd open_inode(const Inode &in, const Name &n, bool verify = true) {
    const Root &r = roots[n.root];
    std::string rel = rel_path(n);
    int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK;
    int fd = open_beneath(r.fd.get(), rel, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open_beneath(r.fd.get(), rel, flags);
    if (fd < 0) {
        if (errno == ENOENT || errno == ELOOP || errno == EXDEV) {
            ++count.changed;
        } else {
            vserver::warn("cannot open %s: %s", full_path(n).c_str(), std::strerror(errno));
            ++count.errors;
        }
        return Fd();
    }
    struct stat st;
    if (verify && (::fstat(fd, &st) < 0 || st.st_dev != in.dev || st.st_ino != in.ino ||
                   st.st_size != in.size || st.st_mtim.tv_sec != in.mtime.tv_sec ||
                   st.st_mtim.tv_nsec != in.mtime.tv_nsec || st.st_ctim.tv_sec != in.ctime.tv_sec ||
                   st.st_ctim.tv_nsec != in.ctime.tv_nsec)) {
        ++count.changed;
        ::close(fd);
        return Fd();
    }
    return Fd(fd);
}

std::optional<std::string> read_xattrs(int fd) {
    std::vector<char> list(1024);
    ssize_t n;
    for (;;) {
        n = ::flistxattr(fd, list.data(), list.size());
        if (n >= 0)
            break;
        if (errno == ENOTSUP)
            return std::string();
        if (errno != ERANGE)
            return std::nullopt;
        ssize_t need = ::flistxattr(fd, nullptr, 0);
        if (need < 0)
            return std::nullopt;
        list.resize(static_cast<std::size_t>(need) + 1024);
    }
    std::vector<std::string> keys;
    for (ssize_t i = 0; i < n;) {
        std::string key(list.data() + i);
        i += static_cast<ssize_t>(key.size()) + 1;
        keys.push_back(std::move(key));
    }
    std::sort(keys.begin(), keys.end());
    std::string out;
    for (const auto &key : keys) {
        std::vector<char> value(256);
        ssize_t len;
        for (;;) {
            len = ::fgetxattr(fd, key.c_str(), value.data(), value.size());
            if (len >= 0)
                break;
            if (errno == ENODATA) {
                len = -1;
                break;
            }
            if (errno != ERANGE)
                return std::nullopt;
            ssize_t need = ::fgetxattr(fd, key.c_str(), nullptr, 0);
            if (need < 0)
                return std::nullopt;
            value.resize(static_cast<std::size_t>(need) + 256);
        }
        if (len < 0)
            continue;
        out += key;
        out += '\0';
        out += std::to_string(len);
        out += '\0';
        out.append(value.data(), static_cast<std::size_t>(len));
    }
    return out;
}

void hash_inode(Inode &in) {
    const Name &n = names[in.names.front()];
    Fd fd = open_inode(in, n, false);
    if (!fd)
        return;
    try {
        in.digest = vserver::sha256_fd(fd.get());
    } catch (const vserver::SysError &e) {
        vserver::warn("cannot read %s: %s", full_path(n).c_str(), std::strerror(e.error()));
        ++count.errors;
        return;
    }
    auto xattrs = read_xattrs(fd.get());
    if (!xattrs) {
        vserver::warn("cannot read the extended attributes of %s: %s", full_path(n).c_str(),
                      std::strerror(errno));
        ++count.errors;
        return;
    }
    in.xattrs = std::move(*xattrs);
    try {
        in.flags = vserver::get_fs_flags(fd.get());
    } catch (const vserver::SysError &) {
        in.flags = 0; // no attributes on this file system
    }
    in.hashed = true;
}

// ---- unifying ----

bool has_unified_flags(const Inode &in) {
    return (in.flags & vserver::fs_unified_flags) == vserver::fs_unified_flags;
}

// Immutable or append-only by someone else's choice: left alone (and a
// rename over it would fail anyway).
bool is_protected(const Inode &in) {
    return (in.flags & (vserver::fs_immutable_fl | vserver::fs_append_fl)) &&
           !has_unified_flags(in);
}

// May the inode be the one the others are linked to?  It gets the
// attributes, so every one of its names must be one vunify may unify
// (none in an excluded path, a configuration file, another tree), unless
// it is unified already.
bool can_be_target(const Inode &in) {
    if (is_protected(in))
        return false;
    return opt.no_attr || has_unified_flags(in) || in.nlink == in.names.size();
}

[[noreturn]] void finish(int status);

// Sets immutable and iunlink on the open inode t.  A failure is not about
// this file alone (an unsupported attribute, a missing capability): it ends
// the run, before anything is linked to t.
void set_unified_attrs(Inode &t, int fd) {
    std::string path = full_path(names[t.names.front()]);
    auto fatal = [&](int err) {
        const char *hint = "";
        if (err == EOPNOTSUPP || err == ENOTTY || err == EINVAL)
            hint = " (this kernel or file system lacks immutable-linkage-invert; --no-attr "
                   "unifies without it, unsafely)";
        else if (err == EPERM)
            hint = " (this needs CAP_LINUX_IMMUTABLE)";
        vserver::warn("cannot set the immutable and iunlink attributes on %s: %s%s", path.c_str(),
                      std::strerror(err), hint);
        finish(exit_runtime);
    };
    std::uint32_t old_flags = 0;
    try {
        old_flags = vserver::get_fs_flags(fd);
        vserver::set_fs_flags(fd, old_flags | vserver::fs_unified_flags);
    } catch (const vserver::SysError &e) {
        fatal(e.error());
    }
    std::uint32_t now = 0;
    try {
        now = vserver::get_fs_flags(fd);
    } catch (const vserver::SysError &e) {
        fatal(e.error());
    }
    if ((now & vserver::fs_unified_flags) != vserver::fs_unified_flags) {
        // A kernel that silently drops the unknown flag: undo, stop.
        try {
            vserver::set_fs_flags(fd, old_flags);
        } catch (const vserver::SysError &) {
        }
        fatal(EOPNOTSUPP);
    }
    t.flags = now;
}

// Opens the target and gives it the attributes (before any new link to it).
bool prepare_target(Inode &t, Fd &fd) {
    fd = open_inode(t, names[t.names.front()]);
    if (!fd)
        return false;
    if (!opt.no_attr && !has_unified_flags(t))
        set_unified_attrs(t, fd.get());
    return true;
}

// Files already shared between the servers (by an earlier run with
// --no-attr, by an interrupted run, by hand) get the attributes too, when
// every name of theirs is one vunify may unify.
void protect_shared() {
    if (opt.no_attr)
        return;
    for (auto &in : inodes) {
        if (!in.multi_root || in.gone || (!opt.all && !in.in_reference) ||
            in.nlink != in.names.size())
            continue;
        Fd fd;
        if (!in.hashed) {
            fd = open_inode(in, names[in.names.front()]);
            if (!fd)
                continue;
            try {
                in.flags = vserver::get_fs_flags(fd.get());
            } catch (const vserver::SysError &) {
                in.flags = 0;
            }
        }
        if (has_unified_flags(in) || is_protected(in))
            continue;
        if (!opt.dry_run) {
            if (!fd)
                fd = open_inode(in, names[in.names.front()]);
            if (!fd)
                continue;
            set_unified_attrs(in, fd.get());
        }
        ++count.attributed;
        if (opt.verbose)
            std::printf("%s %s\n", opt.dry_run ? "would protect" : "protected",
                        full_path(names[in.names.front()]).c_str());
    }
}

std::uint64_t random_state;

std::string temp_name() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string name = ".vunify.";
    for (int i = 0; i < 6; ++i) {
        random_state ^= random_state << 13;
        random_state ^= random_state >> 7;
        random_state ^= random_state << 17;
        name += alphabet[random_state % 62];
    }
    return name;
}

// A new name (temp in dirfd) for the inode open as target_fd.
int link_target(int target_fd, const Inode &t, int dirfd, const std::string &temp) {
    if (::linkat(target_fd, "", dirfd, temp.c_str(), AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOENT && errno != EPERM && errno != EINVAL)
        return -1;
    std::string proc = "/proc/self/fd/" + std::to_string(target_fd);
    if (::linkat(AT_FDCWD, proc.c_str(), dirfd, temp.c_str(), AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != ENOENT)
        return -1;
    // No /proc: by name, then make sure that was the right inode.
    const Name &n = names[t.names.front()];
    Fd tdir(open_beneath(roots[n.root].fd.get(), dirs[n.dir], O_PATH | O_DIRECTORY));
    if (!tdir || ::linkat(tdir.get(), n.name.c_str(), dirfd, temp.c_str(), 0) < 0)
        return -1;
    struct stat st;
    if (::fstatat(dirfd, temp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == t.dev &&
        st.st_ino == t.ino)
        return 0;
    ::unlinkat(dirfd, temp.c_str(), 0);
    errno = ESTALE;
    return -1;
}

// The directory of the last file replaced, kept open for the next.
struct DirCache {
    std::uint32_t root = UINT32_MAX;
    std::uint32_t dir = UINT32_MAX;
    Fd fd;
} dir_cache;

int open_dir(std::uint32_t root, std::uint32_t dir) {
    if (dir_cache.root == root && dir_cache.dir == dir && dir_cache.fd)
        return dir_cache.fd.get();
    dir_cache.fd.reset(open_beneath(roots[root].fd.get(), dirs[dir], O_PATH | O_DIRECTORY));
    dir_cache.root = root;
    dir_cache.dir = dir;
    return dir_cache.fd.get();
}

enum class Replaced { yes, no, target_full };

// Replaces the name n of inode o by a link to t, atomically.  ctime is what
// the inode change time of o must still be (unchanged since it was read);
// o is open as ofd when it has several names, else -1.
Replaced replace_name(const Name &n, const Inode &o, int ofd, timespec &ctime, const Inode &t,
                      int target_fd) {
    int dirfd = open_dir(n.root, n.dir);
    struct stat st, ost;
    if (dirfd < 0 || ::fstatat(dirfd, n.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        st.st_dev != o.dev || st.st_ino != o.ino || (ofd >= 0 && ::fstat(ofd, &st) < 0) ||
        st.st_ctim.tv_sec != ctime.tv_sec || st.st_ctim.tv_nsec != ctime.tv_nsec) {
        ++count.changed;
        return Replaced::no;
    }
    auto path = [&] { return full_path(n); };
    auto target_path = [&] { return full_path(names[t.names.front()]); };
    if (opt.dry_run) {
        if (opt.verbose)
            std::printf("would link %s to %s\n", path().c_str(), target_path().c_str());
        return Replaced::yes;
    }
    std::string temp;
    for (int attempt = 0;; ++attempt) {
        temp = temp_name();
        if (link_target(target_fd, t, dirfd, temp) == 0)
            break;
        if (errno == EEXIST && attempt < 100)
            continue;
        if (errno == EMLINK)
            return Replaced::target_full;
        if (errno == EXDEV) {
            ++count.cross_device;
            return Replaced::no;
        }
        vserver::warn("cannot link %s to %s: %s", target_path().c_str(),
                      (dir_full_path(n.root, n.dir) + "/" + temp).c_str(), std::strerror(errno));
        ++count.errors;
        return Replaced::no;
    }
    if (::renameat(dirfd, temp.c_str(), dirfd, n.name.c_str()) < 0) {
        int err = errno;
        ::unlinkat(dirfd, temp.c_str(), 0);
        vserver::warn("cannot replace %s: %s", path().c_str(), std::strerror(err));
        ++count.errors;
        return Replaced::no;
    }
    // One name less: the inode's change time moved.
    if (ofd >= 0 && ::fstat(ofd, &ost) == 0)
        ctime = ost.st_ctim;
    if (opt.verbose)
        std::printf("linked %s to %s\n", path().c_str(), target_path().c_str());
    return Replaced::yes;
}

// Links every name of the inodes others to target.
void unify_onto(Inode &t, const std::vector<std::uint32_t> &others) {
    Fd target_fd;
    if (!opt.dry_run && !prepare_target(t, target_fd))
        return;
    for (auto oi : others) {
        Inode &o = inodes[oi];
        // An inode with several names is kept open: its change time moves
        // with each name replaced, fstat tells the new one.
        Fd ofd;
        if (o.names.size() > 1) {
            ofd = open_inode(o, names[o.names.front()]);
            if (!ofd)
                continue;
        }
        timespec ctime = o.ctime;
        std::size_t done = 0;
        for (auto ni : o.names) {
            Replaced r = replace_name(names[ni], o, ofd.get(), ctime, t, target_fd.get());
            if (r == Replaced::target_full) {
                vserver::warn("%s has too many links: some identical files are left as they are",
                              full_path(names[t.names.front()]).c_str());
                ++count.errors;
                return;
            }
            if (r == Replaced::yes) {
                ++done;
                ++count.unified;
                o.gone = true;
            }
        }
        if (done == o.nlink)
            count.saved += static_cast<std::uint64_t>(o.size);
    }
}

std::uint64_t name_count(const std::vector<std::uint32_t> &group) {
    std::uint64_t n = 0;
    for (auto i : group)
        n += inodes[i].names.size();
    return n;
}

// The inode of the group the others are linked to: the one with the most
// names, the first found on a tie.  UINT32_MAX if none may be.
std::uint32_t pick_target(const std::vector<std::uint32_t> &candidates) {
    std::uint32_t best = UINT32_MAX;
    for (auto i : candidates)
        if (can_be_target(inodes[i]) &&
            (best == UINT32_MAX || inodes[i].names.size() > inodes[best].names.size()))
            best = i;
    return best;
}

// One set of identical inodes (same metadata and content).
void unify_group(const std::vector<std::uint32_t> &group) {
    std::map<dev_t, std::vector<std::uint32_t>> by_dev;
    for (auto i : group)
        by_dev[inodes[i].dev].push_back(i);
    for (auto &[dev, part] : by_dev) {
        std::vector<std::uint32_t> refs, others;
        for (auto i : part)
            (inodes[i].in_reference ? refs : others).push_back(i);
        if (!opt.all) {
            if (others.empty())
                continue;
            if (refs.empty()) {
                // The reference has this file only on another file system.
                if (std::any_of(group.begin(), group.end(),
                                [](auto i) { return inodes[i].in_reference; }))
                    count.cross_device += name_count(others);
                continue;
            }
            std::uint32_t t = pick_target(refs);
            if (t == UINT32_MAX) {
                if (opt.verbose)
                    std::printf("not unified: %s has links outside the unified trees or "
                                "attributes of its own\n",
                                full_path(names[inodes[refs.front()].names.front()]).c_str());
                continue;
            }
            std::erase_if(others, [](auto i) { return is_protected(inodes[i]); });
            unify_onto(inodes[t], others);
            continue;
        }
        // --all: the group must span two servers on this file system.
        bool multi = false;
        for (auto i : part)
            if (inodes[i].multi_root || inodes[i].first_root != inodes[part.front()].first_root)
                multi = true;
        if (part.size() < 2 || !multi) {
            if (by_dev.size() > 1)
                count.cross_device += name_count(part);
            continue;
        }
        std::uint32_t t = pick_target(part);
        if (t == UINT32_MAX)
            continue;
        std::erase_if(others, [&](auto i) { return i == t || is_protected(inodes[i]); });
        unify_onto(inodes[t], others);
    }
}

auto meta_key(const Inode &in) {
    return std::make_tuple(in.size, in.mode, in.uid, in.gid, opt.ignore_mtime ? 0 : in.mtime.tv_sec,
                           opt.ignore_mtime ? 0 : in.mtime.tv_nsec);
}

// Is a group of inodes with the same metadata worth hashing?
bool worth_hashing(const std::vector<std::uint32_t> &run) {
    if (run.size() < 2)
        return false;
    if (!opt.all) {
        bool ref = false, other = false;
        for (auto i : run)
            (inodes[i].in_reference ? ref : other) = true;
        return ref && other;
    }
    for (auto i : run)
        if (inodes[i].multi_root || inodes[i].first_root != inodes[run.front()].first_root)
            return true;
    return false;
}

void remove_leftovers() {
    for (const auto &l : leftovers) {
        std::string path = dir_full_path(l.root, l.dir);
        if (path.back() != '/')
            path += '/';
        path += l.name;
        int dirfd = open_dir(l.root, l.dir);
        struct stat st;
        // Only an extra name: the content has another one.
        if (dirfd < 0 || ::fstatat(dirfd, l.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode) || st.st_ino != l.ino || st.st_dev != l.dev)
            continue;
        if (st.st_nlink < 2) {
            vserver::warn("%s looks like a temporary link of vunify but is the only name of "
                          "its file: left alone",
                          path.c_str());
            continue;
        }
        if (!opt.dry_run && ::unlinkat(dirfd, l.name.c_str(), 0) < 0) {
            vserver::warn("cannot remove %s: %s", path.c_str(), std::strerror(errno));
            ++count.errors;
            continue;
        }
        // The inode has one name less now (and, unless this is a dry run, a
        // new change time).
        std::uint32_t i = find_inode(l.dev, l.ino);
        if (i != UINT32_MAX) {
            Inode &in = inodes[i];
            if (in.nlink > 0)
                --in.nlink;
            const Name &n = names[in.names.front()];
            int fd = opt.dry_run ? -1 : open_dir(n.root, n.dir);
            if (fd >= 0 && ::fstatat(fd, n.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                st.st_ino == in.ino && st.st_dev == in.dev)
                in.ctime = st.st_ctim;
        }
        ++count.leftovers;
        if (opt.verbose)
            std::printf("%s leftover %s\n", opt.dry_run ? "would remove" : "removed", path.c_str());
    }
}

bool have_cap_linux_immutable() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) < 0)
        return false;
    return data[CAP_LINUX_IMMUTABLE / 32].effective & (1U << (CAP_LINUX_IMMUTABLE % 32));
}

void finish(int status) {
    std::string line = std::to_string(count.unified) + (count.unified == 1 ? " file" : " files") +
                       (opt.dry_run ? " would be unified, " : " unified, ") +
                       std::to_string(count.saved) +
                       (opt.dry_run ? " bytes would be saved" : " bytes saved");
    if (count.leftovers)
        line += "; " + std::to_string(count.leftovers) + " leftover temporary link" +
                (count.leftovers == 1 ? "" : "s") +
                (opt.dry_run ? " would be removed" : " removed");
    if (count.attributed)
        line += "; " + std::to_string(count.attributed) + " shared file" +
                (count.attributed == 1 ? "" : "s") + (opt.dry_run ? " would be given" : " given") +
                " the attributes";
    if (count.cross_device)
        line += "; " + std::to_string(count.cross_device) +
                " identical on another file system, not unified";
    if (count.changed)
        line += "; " + std::to_string(count.changed) + " changed during the run, left alone";
    std::printf("%s\n", line.c_str());
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        vserver::warn("write error: %s", std::strerror(errno ? errno : EIO));
        std::exit(exit_runtime);
    }
    if (status == 0 && count.errors)
        status = exit_runtime;
    std::exit(status);
}

void read_exclude_file(const std::string &file, bool missing_ok) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (missing_ok && errno == ENOENT) {
            excludes.add_text(vunify_defaults::builtin_excludes);
            return;
        }
        vserver::die_errno("cannot read the exclude file %s", file.c_str());
    }
    auto text = read_all(fd);
    int err = errno;
    ::close(fd);
    if (!text) {
        errno = err;
        vserver::die_errno("cannot read the exclude file %s", file.c_str());
    }
    excludes.add_text(*text);
}

// --show-attr: lsattr's output, iunlink included.  1 if a FILE could not
// be looked at.
[[noreturn]] void show_attr(char **files) {
    int status = 0;
    for (; *files; ++files) {
        // Like lsattr, regular files and directories only: opening a device
        // could have effects.
        struct stat st;
        if (::lstat(*files, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            vserver::warn("cannot read the attributes of %s: %s", *files,
                          std::strerror(EOPNOTSUPP));
            status = 1;
            continue;
        }
        int fd = ::open(*files, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            vserver::warn("cannot open %s: %s", *files, std::strerror(errno));
            status = 1;
            continue;
        }
        try {
            std::uint32_t flags = vserver::get_fs_flags(fd);
            if (opt.verbose)
                std::printf("%-28s %s\n", *files, vserver::format_fs_flags_long(flags).c_str());
            else
                std::printf("%s %s\n", vserver::format_fs_flags(flags).c_str(), *files);
        } catch (const vserver::SysError &e) {
            vserver::warn("cannot read the attributes of %s: %s", *files, std::strerror(e.error()));
            status = 1;
        }
        ::close(fd);
    }
    if (status == 0)
        vserver::exit_success();
    std::fflush(stdout);
    std::exit(status);
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    bool default_excludes = true;
    bool show = false;
    std::vector<std::string> exclude_files;
    std::vector<std::string> exclude_patterns;

    int c;
    while ((c = getopt_long(argc, argv, "+nv", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_ALL:
            opt.all = true;
            break;
        case 'n':
            opt.dry_run = true;
            break;
        case 'v':
            opt.verbose = true;
            break;
        case OPT_IGNORE_MTIME:
            opt.ignore_mtime = true;
            break;
        case OPT_NO_ATTR:
            opt.no_attr = true;
            break;
        case OPT_EXCLUDE:
            if (std::string_view(optarg).find_first_not_of(" \t") == std::string_view::npos)
                vserver::usage_error("empty exclude pattern");
            exclude_patterns.emplace_back(optarg);
            break;
        case OPT_EXCLUDE_FROM:
            exclude_files.emplace_back(optarg);
            break;
        case OPT_NO_DEFAULT_EXCLUDES:
            default_excludes = false;
            break;
        case OPT_SHOW_ATTR:
            show = true;
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
    int nargs = argc - optind;
    if (show) {
        if (nargs == 0)
            vserver::usage_error("missing FILE");
        show_attr(argv + optind);
    }
    if (nargs == 0)
        vserver::usage_error(opt.all ? "missing SERVER" : "missing REFERENCE and SERVER");
    if (nargs == 1)
        vserver::usage_error(opt.all ? "--all needs at least two servers"
                                     : "missing SERVER after the reference '%s'",
                             argv[optind]);

    if (default_excludes)
        read_exclude_file(default_exclude_file(), true);
    for (const auto &f : exclude_files)
        read_exclude_file(f, false);
    for (const auto &p : exclude_patterns)
        excludes.add(p);

    for (int i = optind; i < argc; ++i) {
        Root r;
        r.path = argv[i];
        while (r.path.size() > 1 && r.path.back() == '/')
            r.path.pop_back();
        if (r.path == "/")
            r.path.clear(); // paths are then "" + "/usr/bin/ls"
        r.fd.reset(::open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!r.fd) {
            if (errno == ENOTDIR)
                vserver::die("%s: not a directory", argv[i]);
            vserver::die_errno("cannot open %s", argv[i]);
        }
        struct stat st;
        if (::fstat(r.fd.get(), &st) < 0)
            vserver::die_errno("cannot stat %s", argv[i]);
        r.dev = st.st_dev;
        r.ino = st.st_ino;
        for (const auto &o : roots)
            if (o.dev == r.dev && o.ino == r.ino)
                vserver::usage_error("%s and %s are the same directory",
                                     o.path.empty() ? "/" : o.path.c_str(), argv[i]);
        roots.push_back(std::move(r));
    }

    if (!opt.dry_run && !opt.no_attr && !have_cap_linux_immutable()) {
        vserver::warn("setting the immutable and iunlink attributes needs CAP_LINUX_IMMUTABLE "
                      "(run as root, or use --no-attr)");
        return exit_runtime;
    }
    if (!opt.dry_run) {
        for (auto &r : roots) {
            if (::flock(r.fd.get(), LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                    vserver::warn("%s is being unified by another vunify",
                                  r.path.empty() ? "/" : r.path.c_str());
                else
                    vserver::warn("cannot lock %s: %s", r.path.empty() ? "/" : r.path.c_str(),
                                  std::strerror(errno));
                return exit_runtime;
            }
        }
    }
    if (::getrandom(&random_state, sizeof(random_state), 0) != sizeof(random_state) ||
        !random_state)
        random_state = static_cast<std::uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ULL + 1;

    // The servers' configuration files, then the walk.
    for (auto &r : roots) {
        std::size_t dpkg = read_dpkg_conffiles(r);
        auto rpm = read_rpm_conffiles(r);
        if (opt.verbose && (dpkg || rpm))
            std::printf("%s: %zu configuration files (dpkg %zu, rpm %zu) left alone\n",
                        r.path.empty() ? "/" : r.path.c_str(), r.conffile_paths.size(), dpkg,
                        rpm.value_or(0));
    }
    dirs.emplace_back();
    for (std::uint32_t i = 0; i < roots.size(); ++i) {
        int fd = ::openat(roots[i].fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            vserver::die_errno("cannot open %s",
                               roots[i].path.empty() ? "/" : roots[i].path.c_str());
        walk_dir(i, fd, 0, excludes.excluded_in("/", false));
    }
    remove_leftovers();

    // Groups of inodes with the same metadata; those that span servers are
    // hashed (in inode order, roughly the disk's), then split by content.
    std::vector<std::uint32_t> order(inodes.size());
    for (std::uint32_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [](auto a, auto b) {
        return std::make_pair(meta_key(inodes[a]), a) < std::make_pair(meta_key(inodes[b]), b);
    });
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    std::vector<std::uint32_t> to_hash;
    for (std::size_t begin = 0; begin < order.size();) {
        std::size_t end = begin + 1;
        while (end < order.size() && meta_key(inodes[order[end]]) == meta_key(inodes[order[begin]]))
            ++end;
        std::vector<std::uint32_t> run(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                       order.begin() + static_cast<std::ptrdiff_t>(end));
        if (worth_hashing(run)) {
            runs.push_back({begin, end});
            to_hash.insert(to_hash.end(), run.begin(), run.end());
        }
        begin = end;
    }
    std::sort(to_hash.begin(), to_hash.end(), [](auto a, auto b) {
        return std::make_pair(inodes[a].dev, inodes[a].ino) <
               std::make_pair(inodes[b].dev, inodes[b].ino);
    });
    for (auto i : to_hash)
        hash_inode(inodes[i]);

    for (auto [begin, end] : runs) {
        std::vector<std::uint32_t> run;
        for (std::size_t k = begin; k < end; ++k)
            if (inodes[order[k]].hashed)
                run.push_back(order[k]);
        auto content_less = [](auto a, auto b) {
            const Inode &x = inodes[a], &y = inodes[b];
            return std::tie(x.digest, x.xattrs, a) < std::tie(y.digest, y.xattrs, b);
        };
        std::sort(run.begin(), run.end(), content_less);
        for (std::size_t b = 0; b < run.size();) {
            std::size_t e = b + 1;
            while (e < run.size() && inodes[run[e]].digest == inodes[run[b]].digest &&
                   inodes[run[e]].xattrs == inodes[run[b]].xattrs)
                ++e;
            if (e - b >= 2)
                unify_group(
                    std::vector<std::uint32_t>(run.begin() + static_cast<std::ptrdiff_t>(b),
                                               run.begin() + static_cast<std::ptrdiff_t>(e)));
            b = e;
        }
    }
    protect_shared();
    finish(0);
}
