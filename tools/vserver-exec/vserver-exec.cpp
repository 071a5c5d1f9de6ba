// vserver-exec: run a command inside a virtual server, the engine of
// "vserver NAME start", "enter" and "exec".
//
// Everything before the final exec is this trusted host binary, so nothing
// the server's root could have changed inside the server runs with the
// host's powers. The command gets, in this order: the server's root
// directory behind a private mount namespace (pivot_root, the host's tree
// detached, so a chroot escape cannot reach it), its IPv4 root, its nice
// level, its security context and capability ceiling, and no descriptor
// of the caller beyond 0, 1 and 2.
//
// The host side (the parent) keeps the namespace alive by bind-mounting it
// on a file, moves the server into its cgroup before it enters its
// context (afterwards the host could no longer see it), and records the
// context id the kernel chose.
//
// The command's standard input, output and error are pipes this host side
// relays (or, with --pty, a new terminal of the server's own): no
// descriptor of the host, its terminal, a log file or /dev/null, ever
// enters the server, where root could use it through /proc/PID/fd.
//
// It runs from a sealed in-memory copy of itself, not from the host's
// file: a command inside the server that is a link to /proc/self/exe would
// otherwise execute the host's binary there, where the server's root can
// keep a descriptor of it and rewrite it once it is no longer busy
// (CVE-2019-5736).
#include <vserver/vserver.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <getopt.h>
#include <map>
#include <optional>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace {

// Re-executes this program from a sealed memfd copy of its file, unless it
// runs from one already; returns only in the copy.
void run_from_sealed_copy(char *argv[]) {
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        vserver::die_errno("cannot open /proc/self/exe");
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & F_SEAL_WRITE)) {
        close(self);
        return;
    }
    int copy = memfd_create("vserver-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    struct stat st;
    if (copy < 0 || fstat(self, &st) != 0)
        vserver::die_errno("cannot make a sealed copy of vserver-exec");
    for (off_t done = 0; done < st.st_size;) {
        ssize_t n = sendfile(copy, self, &done, static_cast<std::size_t>(st.st_size - done));
        if (n <= 0)
            vserver::die_errno("cannot make a sealed copy of vserver-exec");
    }
    if (fcntl(copy, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0)
        vserver::die_errno("cannot seal the copy of vserver-exec");
    close(self);
    fexecve(copy, argv, environ);
    vserver::die_errno("cannot run the sealed copy of vserver-exec");
}

enum Option {
    OPT_NEW_NS = 256,
    OPT_JOIN_NS,
    OPT_CTX,
    OPT_CTX_FILE,
    OPT_FLAG,
    OPT_HOSTNAME,
    OPT_DOMAINNAME,
    OPT_KEEP_CAP,
    OPT_IP,
    OPT_BCAST,
    OPT_HOST_LOOPBACK,
    OPT_NICE,
    OPT_CGROUP,
    OPT_NEW_CGROUP,
    OPT_CGROUP_SET,
    OPT_BACKGROUND,
    OPT_ULIMIT,
    OPT_LOCK,
    OPT_LOCK_WAIT,
    OPT_ALIAS_DEV,
    OPT_ALIAS_PREFIX,
    OPT_ALIAS_LABEL,
    OPT_ALIAS_FILE,
    OPT_TIMEOUT,
    OPT_CHECK_KERNEL,
    OPT_READ_CONF,
    OPT_CONF_VALUE,
    OPT_PATHS,
    OPT_PROCESSES,
    OPT_WAIT_EMPTY,
    OPT_PTY,
    OPT_CHDIR,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"new-ns", required_argument, nullptr, OPT_NEW_NS},
    {"join-ns", required_argument, nullptr, OPT_JOIN_NS},
    {"ctx", required_argument, nullptr, OPT_CTX},
    {"ctx-file", required_argument, nullptr, OPT_CTX_FILE},
    {"flag", required_argument, nullptr, OPT_FLAG},
    {"hostname", required_argument, nullptr, OPT_HOSTNAME},
    {"domainname", required_argument, nullptr, OPT_DOMAINNAME},
    {"keep-cap", required_argument, nullptr, OPT_KEEP_CAP},
    {"ip", required_argument, nullptr, OPT_IP},
    {"bcast", required_argument, nullptr, OPT_BCAST},
    {"host-loopback", no_argument, nullptr, OPT_HOST_LOOPBACK},
    {"nice", required_argument, nullptr, OPT_NICE},
    {"cgroup", required_argument, nullptr, OPT_CGROUP},
    {"new-cgroup", required_argument, nullptr, OPT_NEW_CGROUP},
    {"cgroup-set", required_argument, nullptr, OPT_CGROUP_SET},
    {"background", no_argument, nullptr, OPT_BACKGROUND},
    {"ulimit", required_argument, nullptr, OPT_ULIMIT},
    {"lock", required_argument, nullptr, OPT_LOCK},
    {"lock-wait", required_argument, nullptr, OPT_LOCK_WAIT},
    {"alias-dev", required_argument, nullptr, OPT_ALIAS_DEV},
    {"alias-prefix", required_argument, nullptr, OPT_ALIAS_PREFIX},
    {"alias-label", required_argument, nullptr, OPT_ALIAS_LABEL},
    {"alias-file", required_argument, nullptr, OPT_ALIAS_FILE},
    {"timeout", required_argument, nullptr, OPT_TIMEOUT},
    {"check-kernel", no_argument, nullptr, OPT_CHECK_KERNEL},
    {"read-conf", required_argument, nullptr, OPT_READ_CONF},
    {"conf-value", required_argument, nullptr, OPT_CONF_VALUE},
    {"paths", no_argument, nullptr, OPT_PATHS},
    {"processes", no_argument, nullptr, OPT_PROCESSES},
    {"wait-empty", required_argument, nullptr, OPT_WAIT_EMPTY},
    {"pty", no_argument, nullptr, OPT_PTY},
    {"chdir", required_argument, nullptr, OPT_CHDIR},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf(
        "Usage: %s (--new-ns FILE ROOT | --join-ns FILE) [OPTION]... COMMAND [ARG]...\n"
        "Run COMMAND inside a virtual server: its root, context, address and ceiling.\n"
        "\n"
        "  --new-ns FILE        start a server: a private mount namespace whose root is\n"
        "                       ROOT (pivot_root; /proc, /dev/pts, /dev/shm and /run\n"
        "                       mounted), kept alive by a bind mount on FILE\n"
        "  --join-ns FILE       enter the running server whose namespace is kept at FILE\n"
        "  --ctx N|new          the security context to create or enter (default: new)\n"
        "  --ctx-file FILE      write the context id to FILE (host side)\n"
        "  --flag F[,F...]      context flags, when the context is created\n"
        "  --hostname NAME      host name, when the context is created\n"
        "  --domainname NAME    NIS domain name, when the context is created\n"
        "  --keep-cap CAP[,...] capabilities kept on top of the secure set (repeatable)\n"
        "  --ip ADDR            lock COMMAND to this IPv4 or IPv6 address (repeatable: to\n"
        "                       a set of up to 16, one at least IPv4, the first of each\n"
        "                       family its source address)\n"
        "  --bcast ADDR         the broadcast address UDP may also bind\n"
        "  --host-loopback      127.0.0.0/8 stays the host's (default: it is ADDR)\n"
        "  --nice N             nice level; COMMAND cannot go below it (-20..19)\n"
        "  --cgroup DIR         move COMMAND into this cgroup before it enters the context\n"
        "  --new-cgroup DIR     the same, into a cgroup made first, with the controllers\n"
        "                       its settings (and the sched flag) need enabled above it\n"
        "  --cgroup-set KEY=VALUE  a resource key of NAME.conf (MEMORY_MAX, MEMORY_HIGH,\n"
        "                       CPU_MAX, CPU_WEIGHT, PIDS_MAX, IO_WEIGHT) written into\n"
        "                       the new cgroup (repeatable)\n"
        "  --background         return once COMMAND runs, do not wait for it\n"
        "  --pty                run COMMAND on a new terminal of the server's own, relayed\n"
        "                       to this one (an interactive shell)\n"
        "  --chdir DIR          start COMMAND in DIR of the server (/ if it cannot)\n"
        "  --alias-dev DEV      add each --ip address this host does not have to DEV\n"
        "                       first (with --bcast), as:\n"
        "  --alias-prefix N     its prefix length (default 32; IPv6 addresses: 128)\n"
        "  --alias-label LABEL  its label (default DEV)\n"
        "  --alias-file FILE    written first: \"ADDR ADDR/N DEV\" for each address added,\n"
        "                       \"ADDR - -\" for each the host has, a line each\n"
        "  --ulimit OPTIONS     resource limits for COMMAND, as bash's ulimit takes them\n"
        "                       (\"-H -u 1000 -n 4096\"; a hard limit is also the soft one)\n"
        "  --timeout SECONDS    stop waiting for COMMAND after SECONDS; status 124\n"
        "  --check-kernel       only check that the kernel has vserver support (after\n"
        "                       FILE, with --read-conf)\n"
        "  --lock FD            first take an exclusive lock on descriptor FD, waiting\n"
        "                       at most 60 s (then status 75)\n"
        "  --lock-wait SECONDS  wait that long for --lock instead\n"
        "  --read-conf FILE     only check a server's NAME.conf and print KEY=value for\n"
        "                       each key as start uses it (shell-quoted, empty when\n"
        "                       unset), then IP=, the address, and FLAG_LIST=\n"
        "  --conf-value KEY FILE  only print the value of the last assignment to KEY in\n"
        "                       a configuration file (status 1 without one)\n"
        "  --paths              only print VSERVER_CONFDIR=, VSERVER_RUNDIR= and\n"
        "                       VSERVER_ROOTDIR= (the environment, else the global\n"
        "                       configuration file, else the defaults)\n"
        "  --processes [PID|self]...  only print \"PID CTX VSZ RSS UTIME STIME START\n"
        "                       ADDRS\" for these processes or every one of\n"
        "                       $VSERVER_PROC (/proc)\n"
        "  --wait-empty DIR     only wait until the cgroup DIR has no process left (or\n"
        "                       is gone), then run COMMAND, if one is given, as it is\n"
        "                       (what start leaves to notice a server that ends alone)\n"
        "  --help               display this help and exit\n"
        "  --version            output version information and exit\n"
        "\n"
        "COMMAND's environment is PATH, HOME=/root, TERM (this one's) and LANG=C.\n"
        "\n"
        "Exit status: that of COMMAND (0 with --background); 1 for a usage error or\n"
        "when the server cannot be set up; 126 if COMMAND cannot be executed, 127 if it\n"
        "is not found.\n",
        program_invocation_short_name);
    vserver::exit_success();
}

// What --lock exits with when the lock stays busy (EX_TEMPFAIL).
constexpr int lock_busy_status = 75;

void check_kernel() {
    try {
        vserver::api_version();
    } catch (const vserver::SysError &e) {
        vserver::die_sys(e, "cannot ask the kernel for its vserver version");
    }
}

// --lock: the caller's lock (a server's, held on its descriptor once this
// program has ended), taken before anything else is read.
void take_lock(int fd, unsigned patience) {
    // (no SA_RESTART: the alarm must interrupt the wait)
    struct sigaction wake {
    }, saved{};
    wake.sa_handler = [](int) {};
    sigaction(SIGALRM, &wake, &saved);
    alarm(patience);
    int taken = flock(fd, LOCK_EX);
    int err = errno;
    alarm(0);
    sigaction(SIGALRM, &saved, nullptr);
    if (taken == 0)
        return;
    if (err == EINTR) {
        vserver::warn("descriptor %d is still locked after %u s", fd, patience);
        std::exit(lock_busy_status);
    }
    errno = err;
    vserver::die_errno("cannot lock descriptor %d", fd);
}

// KEY='value', quoted for the shell that evaluates it.
void print_assignment(std::string_view key, std::string_view value) {
    std::string quoted = "'";
    for (char c : value)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    std::printf("%.*s=%s'\n", static_cast<int>(key.size()), key.data(), quoted.c_str());
}

// --read-conf: the one reader of a server's configuration for the vserver
// script, which evaluates what this prints; with --check-kernel, once the
// file is found good.
[[noreturn]] void print_conf(const char *file, bool and_check_kernel) {
    auto text = vserver::read_file(file);
    if (!text)
        vserver::die_errno("cannot read %s", file);
    vserver::ServerConf conf;
    try {
        conf = vserver::check_server_conf(*text);
    } catch (const vserver::ParseError &e) {
        vserver::die("%s: %s", file, e.what());
    } catch (const vserver::SysError &e) {
        vserver::die_sys(e, "%s", file);
    }
    if (and_check_kernel)
        check_kernel();
    for (const auto &[key, value] : conf.values)
        print_assignment(key, value);
    print_assignment("IP", conf.ip);
    print_assignment("FLAG_LIST", conf.flag_list);
    vserver::exit_success();
}

// --conf-value: the scripts' reader of one key of any configuration file
// (the global vservers.conf, another server's ONBOOT or S_CONTEXT).
[[noreturn]] void print_conf_value(const char *key, const char *file) {
    auto value = vserver::read_conf_value(file, key);
    if (!value)
        std::exit(1);
    std::printf("%s\n", value->c_str());
    vserver::exit_success();
}

// --paths: where the servers live, as the scripts and the C++ tools agree.
[[noreturn]] void print_paths() {
    vserver::Paths paths = vserver::vserver_paths();
    print_assignment("VSERVER_CONFDIR", paths.confdir);
    print_assignment("VSERVER_RUNDIR", paths.rundir);
    print_assignment("VSERVER_ROOTDIR", paths.rootdir);
    vserver::exit_success();
}

// cgroup.events says "populated 1" while the cgroup or one below it has
// a process.
bool populated(const char *events) {
    for (const char *line = events; line && *line;) {
        if (std::strncmp(line, "populated ", 10) == 0)
            return line[10] == '1';
        line = std::strchr(line, '\n');
        if (line)
            ++line;
    }
    return false;
}

// --wait-empty: the kernel signals a change of cgroup.events with POLLPRI;
// reading the file first arms that, so no change between the read and the
// poll is missed.  A cgroup that is gone, or goes, is empty.
[[noreturn]] void wait_empty(const char *cgroup, char **command) {
    std::string events = std::string(cgroup) + "/cgroup.events";
    int fd = open(events.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT)
        vserver::die_errno("cannot open %s", events.c_str());
    while (fd >= 0) {
        char text[512];
        ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        text[n] = '\0';
        if (!populated(text))
            break;
        pollfd change{fd, POLLPRI, 0};
        if (poll(&change, 1, -1) < 0 && errno != EINTR)
            vserver::die_errno("cannot wait for %s", events.c_str());
    }
    if (fd >= 0)
        close(fd);
    if (!*command)
        vserver::exit_success();
    vserver::exec_command(command);
}

// --processes: what vps, vserver-stat and the scripts read of /proc, one
// line per process: its context ("-": the kernel shows none), VmSize and
// VmRSS in KiB, utime, stime and starttime in clock ticks ("-" each when
// its stat is unreadable), and the addresses it is locked to, separated by
// commas ("-": none).  A process that has ended is left out.
[[noreturn]] void print_processes(char **pids) {
    std::string proc = vserver::vserver_paths().proc;
    std::vector<pid_t> wanted;
    try {
        if (!*pids)
            wanted = vserver::list_processes(proc);
    } catch (const vserver::SysError &e) {
        vserver::die("%s", e.what());
    }
    for (; *pids; ++pids) {
        if (std::strcmp(*pids, "self") == 0) {
            wanted.push_back(0);
            continue;
        }
        try {
            wanted.push_back(vserver::parse_pid(*pids));
        } catch (const vserver::ParseError &e) {
            vserver::usage_error("%s", e.what());
        }
    }
    for (pid_t pid : wanted) {
        auto p = vserver::read_process(pid, proc);
        if (!p)
            continue;
        std::string ctx = p->ctx ? std::to_string(*p->ctx) : "-";
        std::printf("%s %s %llu %llu", pid ? std::to_string(pid).c_str() : "self", ctx.c_str(),
                    static_cast<unsigned long long>(p->vsz_kib),
                    static_cast<unsigned long long>(p->rss_kib));
        if (p->has_times)
            std::printf(" %llu %llu %llu", static_cast<unsigned long long>(p->utime),
                        static_cast<unsigned long long>(p->stime),
                        static_cast<unsigned long long>(p->starttime));
        else
            std::printf(" - - -");
        std::string addrs = vserver::format_ipv4_list(p->addrs, ",");
        for (const in6_addr &addr : p->addrs6)
            addrs.append(addrs.empty() ? "" : ",").append(vserver::format_ipv6(addr));
        std::printf(" %s\n", addrs.empty() ? "-" : addrs.c_str());
    }
    vserver::exit_success();
}

struct Settings {
    const char *new_ns = nullptr;
    const char *join_ns = nullptr;
    const char *root = nullptr;
    int ctx = VX_CTX_NEW;
    const char *ctx_file = nullptr;
    std::uint32_t flags = 0;
    std::string hostname;
    std::string domainname;
    std::uint64_t keep_caps = 0;
    bool locked = false;
    std::vector<in_addr> ips;   // --ip: the first is the source address
    std::vector<in6_addr> ips6; // --ip with IPv6 addresses, likewise
    in_addr bcast{};
    bool host_loopback = false;
    bool has_nice = false;
    int nice = 0;
    const char *cgroup = nullptr;
    bool new_cgroup = false;
    std::vector<vserver::CgroupSetting> cgroup_settings;
    bool background = false;
    std::vector<vserver::UlimitSetting> limits;
    unsigned timeout = 0;
    const char *read_conf = nullptr;
    const char *conf_value_key = nullptr;
    bool paths = false;
    bool processes = false;
    const char *wait_empty = nullptr;
    bool check_kernel = false;
    int lock_fd = -1;
    unsigned lock_wait = 60;
    const char *alias_dev = nullptr;
    int alias_prefix = 32;
    const char *alias_label = nullptr;
    const char *alias_file = nullptr;
    bool pty = false;
    const char *chdir = nullptr;
};

// The --ip addresses, IPv4 ones first, separated by separator.
std::string address_list(const Settings &s, const char *separator) {
    std::string text = vserver::format_ipv4_list(s.ips, separator);
    for (const in6_addr &addr : s.ips6)
        text += (text.empty() ? "" : separator) + vserver::format_ipv6(addr);
    return text;
}

in_addr parse_ipv4(const char *text, const char *what) {
    in_addr addr{};
    if (inet_pton(AF_INET, text, &addr) != 1)
        vserver::usage_error("invalid %s '%s' (expected a dotted IPv4 address)", what, text);
    return addr;
}

int parse_nice(const char *text) {
    char *end = nullptr;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno || end == text || *end || value < -20 || value > 19)
        vserver::usage_error("invalid nice level '%s' (expected -20 to 19)", text);
    return static_cast<int>(value);
}

int parse_fd(const char *text) {
    char *end = nullptr;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno || end == text || *end || value < 0 || value > 1023 || fcntl(value, F_GETFD) < 0)
        vserver::usage_error("invalid descriptor '%s' (expected an open one)", text);
    return static_cast<int>(value);
}

unsigned parse_seconds(const char *text, const char *what) {
    char *end = nullptr;
    errno = 0;
    unsigned long value = std::strtoul(text, &end, 10);
    if (errno || end == text || *end || *text == '-' || value == 0 || value > 86400)
        vserver::usage_error("invalid %s '%s' (expected 1 to 86400 seconds)", what, text);
    return static_cast<unsigned>(value);
}

// Nothing of the caller's environment goes into a server but its terminal
// type.
void set_command_environment() {
    const char *term = std::getenv("TERM");
    std::string keep_term = term && *term ? term : "dumb";
    if (clearenv() != 0 ||
        setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1) != 0 ||
        setenv("HOME", "/root", 1) != 0 || setenv("TERM", keep_term.c_str(), 1) != 0 ||
        setenv("LANG", "C", 1) != 0)
        vserver::die_errno("cannot set the command's environment");
}

// The server's resource limits, set on the host side of the entry, where
// raising one is still allowed.
void apply_limits(const std::vector<vserver::UlimitSetting> &limits) {
    for (const auto &limit : limits) {
        rlimit now;
        if (getrlimit(limit.resource, &now) != 0)
            vserver::die_errno("cannot read a resource limit");
        if (limit.hard)
            now.rlim_max = limit.value;
        if (limit.soft)
            now.rlim_cur = limit.value;
        if (now.rlim_cur > now.rlim_max && now.rlim_max != RLIM_INFINITY)
            now.rlim_cur = now.rlim_max;
        if (setrlimit(limit.resource, &now) != 0)
            vserver::die_errno("cannot set the resource limit %d (ULIMIT)", limit.resource);
    }
}

// --timeout: the host side stops waiting, as timeout(1) would report it;
// what the command leaves running is the caller's to end (vserver stop
// does, through the server's cgroup).
void give_up_waiting(int) { _exit(124); }

// The lines of an alias file by their first word (none if it is absent).
std::map<std::string, std::string> alias_records(const char *file) {
    std::map<std::string, std::string> lines;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        lines.emplace(line.substr(0, line.find(' ')), line);
    return lines;
}

// --alias-dev: each of the server's addresses on the host, unless it is
// there already (IPv6 ones without duplicate address detection, usable at
// once). The record comes first ("ADDRESS ALIAS/PREFIX DEVICE" for
// each address to add; for the others the file's line, which says whether
// vserver start adopted an alias a server left, else "ADDRESS - -"; a line
// each), so that whoever cleans up after a failure knows what to remove.
void add_aliases(const Settings &s) {
    // Each address as text, its alias (IPv6 ones are /128: no prefix
    // route), and whether the host has it already.
    struct Alias {
        std::string addr;
        std::string alias;
        bool present = false;
        const in6_addr *ipv6 = nullptr;
        in_addr ipv4{};
    };
    std::vector<Alias> aliases;
    try {
        vserver::HostInterfaces ifs = vserver::host_interfaces();
        for (in_addr ip : s.ips) {
            std::string addr = vserver::format_ipv4(ip);
            aliases.push_back({addr, addr + "/" + std::to_string(s.alias_prefix),
                               vserver::has_ipv4(ifs, ip), nullptr, ip});
        }
        for (const in6_addr &ip : s.ips6) {
            std::string addr = vserver::format_ipv6(ip);
            aliases.push_back({addr, addr + "/128", vserver::is_local_ipv6(ip), &ip, {}});
        }
    } catch (const vserver::SysError &e) {
        vserver::die_sys(e, "cannot list this host's addresses");
    }
    if (s.alias_file) {
        std::map<std::string, std::string> old = alias_records(s.alias_file);
        std::string text;
        for (const Alias &a : aliases) {
            auto kept = old.find(a.addr);
            if (!a.present)
                text += a.addr + " " + a.alias + " " + s.alias_dev + "\n";
            else if (kept != old.end())
                text += kept->second + "\n";
            else
                text += a.addr + " - -\n";
        }
        FILE *f = std::fopen(s.alias_file, "w");
        if (!f || std::fputs(text.c_str(), f) < 0 || std::fclose(f) != 0)
            vserver::die_errno("cannot write %s", s.alias_file);
    }
    for (const Alias &a : aliases) {
        if (a.present)
            continue;
        try {
            if (a.ipv6)
                vserver::add_ipv6_address(s.alias_dev, *a.ipv6, 128);
            else
                vserver::add_ipv4_address(s.alias_dev, a.ipv4, s.alias_prefix, s.bcast,
                                          s.alias_label ? s.alias_label : s.alias_dev);
        } catch (const vserver::SysError &e) {
            vserver::die_sys(e, "cannot add %s to %s", a.alias.c_str(), s.alias_dev);
        }
    }
}

bool write_cgroup_file(const std::string &file, const std::string &text) {
    int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    int err = errno;
    close(fd);
    errno = err;
    return ok;
}

bool cgroup_file_has_word(const std::string &file, std::string_view word) {
    auto text = vserver::read_file(file);
    if (!text)
        return false;
    std::string padded = " " + *text + " ";
    for (char &c : padded)
        if (c == '\n')
            c = ' ';
    std::string needle = " ";
    needle.append(word).append(" ");
    return padded.find(needle) != std::string::npos;
}

// --new-cgroup: the server's cgroup, complete before anything joins it.
// Controllers are enabled only in the parent (vserver/, or the unit's
// own delegated cgroup): the root's cgroup.subtree_control belongs to the
// system manager.
void make_cgroup(const Settings &s) {
    std::string dir = s.cgroup;
    std::string parent = dir.substr(0, dir.find_last_of('/'));
    std::vector<std::string> controllers;
    if (s.flags & VXF_SCHED)
        controllers.emplace_back("cpu");
    for (const auto &setting : s.cgroup_settings)
        controllers.push_back(setting.controller);
    for (const auto &controller : controllers) {
        if (cgroup_file_has_word(parent + "/cgroup.subtree_control", controller))
            continue;
        if (!cgroup_file_has_word(parent + "/cgroup.controllers", controller))
            vserver::die("the %s cgroup controller is not enabled for %s (enable it in its "
                         "parent's cgroup.subtree_control, or start the server through "
                         "vserver@.service)",
                         controller.c_str(), parent.c_str());
        if (!write_cgroup_file(parent + "/cgroup.subtree_control", "+" + controller))
            vserver::die_errno("cannot enable the %s cgroup controller in %s", controller.c_str(),
                               parent.c_str());
    }
    if (mkdir(dir.c_str(), 0755) != 0)
        vserver::die_errno("cannot create the cgroup %s", dir.c_str());
    for (const auto &setting : s.cgroup_settings) {
        std::string file = dir + "/" + setting.file;
        if (write_cgroup_file(file, setting.text))
            continue;
        int err = errno;
        rmdir(dir.c_str());
        if (err == ENOENT)
            vserver::die("%s: this kernel has no %s (its cgroup controller lacks it)",
                         setting.key.c_str(), setting.file.c_str());
        errno = err;
        vserver::die_errno("%s: the kernel refused '%s' for %s", setting.key.c_str(),
                           setting.text.c_str(), setting.file.c_str());
    }
}

// The messages between the two sides: the server side says "n" once its
// namespace exists, the host side answers "g", the server side then sends
// its context id as text. EOF where a message is due means the other side
// failed (and said why).
void read_all(int fd, std::string &out) {
    char buf[32];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        out.append(buf, static_cast<std::size_t>(n));
}

bool read_byte(int fd, char expected) {
    char c;
    ssize_t n;
    do
        n = read(fd, &c, 1);
    while (n < 0 && errno == EINTR);
    return n == 1 && c == expected;
}

void write_text(int fd, const std::string &text) {
    if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        vserver::die_errno("cannot talk to the other side");
}

void mount_or_die(const char *source, const std::string &target, const char *type,
                  unsigned long flags, const char *data) {
    if (mount(source, target.c_str(), type, flags, data) != 0)
        vserver::die_errno("cannot mount %s on %s",
                           type     ? type
                           : source ? source
                                    : "(remount)",
                           target.c_str());
}

bool is_dir(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

// Binds source on target with flags of its own (a bind first takes those
// of the mount it comes from): nosuid, nodev, noexec and any in extra.
void bind_mount(const char *source, const char *target, unsigned long extra,
                unsigned long rec = 0) {
    mount_or_die(source, target, nullptr, MS_BIND | rec, nullptr);
    mount_or_die(nullptr, target, nullptr,
                 MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC | extra, nullptr);
}

// What the kernel refuses a context in /proc, the mount table says too, as
// LXC and the OCI runtimes do (the kernel stays the real fence): /proc/sys
// read-only but for the server's own host names and IPC limits, and the
// host's kernel interfaces hidden.  Done inside the new root: nothing the
// server could have planted in its tree leads outside it any more.
void mask_proc() {
    static const char *const own_settings[] = {
        "/proc/sys/kernel/hostname",    "/proc/sys/kernel/domainname",
        "/proc/sys/kernel/shmmax",      "/proc/sys/kernel/shmall",
        "/proc/sys/kernel/shmmni",      "/proc/sys/kernel/shm_rmid_forced",
        "/proc/sys/kernel/msgmax",      "/proc/sys/kernel/msgmnb",
        "/proc/sys/kernel/msgmni",      "/proc/sys/kernel/auto_msgmni",
        "/proc/sys/kernel/sem",         "/proc/sys/kernel/msg_next_id",
        "/proc/sys/kernel/sem_next_id", "/proc/sys/kernel/shm_next_id",
        "/proc/sys/fs/mqueue",
    };
    static const char *const hidden_files[] = {
        "/proc/sysrq-trigger", "/proc/kcore",    "/proc/timer_list",
        "/proc/sched_debug",   "/proc/kallsyms", "/proc/sys/kernel/core_pattern",
    };
    static const char *const hidden_dirs[] = {"/proc/irq", "/proc/bus", "/proc/acpi", "/proc/scsi",
                                              "/proc/fs"};
    bind_mount("/proc/sys", "/proc/sys", MS_RDONLY, MS_REC);
    for (const char *path : own_settings)
        if (exists(path))
            bind_mount(path, path, 0); // writable again
    // Whatever the server made of its /dev/null in an earlier life would be
    // what these files show.
    struct stat null_dev;
    if (lstat("/dev/null", &null_dev) != 0 || !S_ISCHR(null_dev.st_mode) ||
        null_dev.st_rdev != makedev(1, 3))
        vserver::die("the server's /dev/null is not the null device");
    // (nodev: opening one fails, EACCES, rather than seem to work)
    for (const char *path : hidden_files)
        if (exists(path))
            bind_mount("/dev/null", path, MS_RDONLY);
    for (const char *path : hidden_dirs)
        if (is_dir(path))
            mount_or_die("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         "size=0,mode=0555");
}

// The server's own tree as the root of this (new, private) mount namespace.
void enter_new_root(const std::string &root) {
    mount_or_die(root.c_str(), root, nullptr, MS_BIND | MS_REC, nullptr);
    mount_or_die("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    if (is_dir(root + "/dev/pts"))
        // Its own instance: the server sees only its own terminals.
        mount_or_die("devpts", root + "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                     "newinstance,ptmxmode=0666,mode=0620,gid=5");
    if (is_dir(root + "/dev/shm"))
        mount_or_die("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    if (is_dir(root + "/run"))
        mount_or_die("tmpfs", root + "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
    if (chdir(root.c_str()) != 0)
        vserver::die_errno("cannot enter %s", root.c_str());
    // pivot_root(".", ".") stacks the old root on the new one; detaching
    // it leaves nothing of the host's tree in this namespace.
    if (syscall(SYS_pivot_root, ".", ".") != 0)
        vserver::die_errno("cannot make %s the root", root.c_str());
    if (umount2(".", MNT_DETACH) != 0)
        vserver::die_errno("cannot detach the host's file system tree");
    if (chdir("/") != 0)
        vserver::die_errno("cannot enter the new root");
}

void join_namespace(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        vserver::die_errno("cannot open the server's namespace %s", file);
    // Also moves root and working directory to the namespace's root.
    if (setns(fd, CLONE_NEWNS) != 0)
        vserver::die_errno("cannot enter the server's namespace %s", file);
    close(fd);
    if (chdir("/") != 0)
        vserver::die_errno("cannot enter the server's root");
}

// The exit status of a shell for a child's wait status.
int exit_code(int status) {
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

int wait_status(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            vserver::die_errno("cannot wait for the server's command");
    return exit_code(status);
}

void copy_window_size(int from, int to) {
    winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0)
        ioctl(to, TIOCSWINSZ, &ws);
}

bool write_fully(int fd, const char *buf, std::size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

// Copies between the caller's terminal (0 and 1) and master until the
// command has exited and said everything; returns its exit status.
// Copies between the caller's terminal (0 and 1) and master until the
// command has exited and said everything; returns its exit status.  This
// process holds slave too: then FIONREAD tells whether the command has
// read its input yet, and the terminal lasts until the command is gone.
int relay(int master, int slave, pid_t command) {
    termios saved;
    bool raw = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (raw) {
        termios t = saved;
        cfmakeraw(&t);
        tcsetattr(STDIN_FILENO, TCSANOW, &t);
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGCHLD);
    sigaddset(&signals, SIGWINCH);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    int sigfd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0)
        vserver::die_errno("cannot relay the terminal");

    bool input_open = true;
    // The end of piped input is an end-of-file on the terminal, once the
    // command has read all that came before it, and again every 200 ms
    // while it runs: a shell that switches its terminal between line and
    // raw mode can lose one, and would then wait forever.
    int eof_waits = -1;
    int status = 0;
    bool exited = false;
    char buf[4096];
    for (;;) {
        if (!exited)
            exited = waitpid(command, &status, WNOHANG) == command;
        int pending = 0;
        if (eof_waits >= 0 && !exited && eof_waits % 20 == 0 &&
            ioctl(slave, FIONREAD, &pending) == 0 && pending == 0) {
            termios t;
            char eof = tcgetattr(master, &t) == 0 ? static_cast<char>(t.c_cc[VEOF]) : 4;
            write_fully(master, &eof, 1);
        }
        pollfd fds[3] = {{master, POLLIN, 0}, {sigfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        // Once the command is gone, only what it left in the terminal.
        int timeout = exited ? 0 : eof_waits >= 0 ? 10 : -1;
        int n = poll(fds, input_open && !exited ? 3 : 2, timeout);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (n == 0 && exited))
            break;
        if (n == 0) {
            eof_waits++;
            continue;
        }
        if (fds[1].revents) {
            signalfd_siginfo info;
            while (read(sigfd, &info, sizeof(info)) > 0)
                if (info.ssi_signo == SIGWINCH)
                    copy_window_size(STDIN_FILENO, master);
        }
        if (fds[0].revents) {
            ssize_t got = read(master, buf, sizeof(buf));
            if (got <= 0 || !write_fully(STDOUT_FILENO, buf, static_cast<std::size_t>(got)))
                break;
        }
        if (input_open && !exited && fds[2].revents) {
            ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
            if (got <= 0) {
                input_open = false;
                eof_waits = 0;
            } else if (!write_fully(master, buf, static_cast<std::size_t>(got))) {
                break;
            }
        }
    }
    close(sigfd);
    if (raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return exited ? exit_code(status) : wait_status(command);
}

// A new pseudo-terminal of the server's own devpts instance for the
// command, whose output and input this process relays: what the server
// does to its terminal (TIOCSTI included) never reaches the caller's, and
// this process, still in the host's context, is invisible to the server.
// Returns in the command's process, never in the relay.
void run_on_new_terminal(int to_host) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
        vserver::die_errno("cannot open a terminal in the server");
    std::string slave = ptsname(master);
    int held = open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (held < 0)
        vserver::die_errno("cannot open the terminal %s", slave.c_str());
    copy_window_size(STDIN_FILENO, master);
    std::fflush(nullptr);
    pid_t command = fork();
    if (command < 0)
        vserver::die_errno("cannot fork");
    if (command > 0) {
        close(to_host);
        std::exit(relay(master, held, command));
    }
    close(held);
    close(master);
    int fd = -1;
    if (setsid() < 0 || (fd = open(slave.c_str(), O_RDWR)) < 0 || ioctl(fd, TIOCSCTTY, 0) != 0)
        vserver::die_errno("cannot make %s the terminal of the command", slave.c_str());
    for (int target = 0; target <= 2; target++)
        if (dup2(fd, target) < 0)
            vserver::die_errno("cannot use the terminal %s", slave.c_str());
    if (fd > 2)
        close(fd);
}

// The command's standard descriptors, unless it gets a terminal: the
// read end of one pipe and the write ends of two, whose other ends the
// host side relays to and from its own.
struct Stdio {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
};

Stdio make_stdio() {
    Stdio io;
    if (pipe2(io.in, O_CLOEXEC) != 0 || pipe2(io.out, O_CLOEXEC) != 0 ||
        pipe2(io.err, O_CLOEXEC) != 0)
        vserver::die_errno("cannot create a pipe");
    return io;
}

void close_fd(int &fd) {
    if (fd >= 0)
        close(fd);
    fd = -1;
}

// The server side's ends become 0, 1 and 2 (dup2() clears close-on-exec).
void take_stdio(Stdio &io) {
    if (dup2(io.in[0], STDIN_FILENO) < 0 || dup2(io.out[1], STDOUT_FILENO) < 0 ||
        dup2(io.err[1], STDERR_FILENO) < 0)
        _exit(1); // nowhere left to say why; the host side sees no context
}

// The host side keeps the other ends.
void keep_host_ends(Stdio &io) {
    close_fd(io.in[0]);
    close_fd(io.out[1]);
    close_fd(io.err[1]);
}

// Closes every descriptor from 3 up but a and b (-1: none).
void keep_only_fds(int a, int b) {
    if (a > b)
        std::swap(a, b);
    unsigned from = 3;
    for (int keep : {a, b}) {
        if (keep < static_cast<int>(from))
            continue;
        if (static_cast<unsigned>(keep) > from)
            close_range(from, static_cast<unsigned>(keep) - 1, 0);
        from = static_cast<unsigned>(keep) + 1;
    }
    close_range(from, ~0U, 0);
}

// Copies between the caller's descriptors and the command's pipes.  Input
// goes to the command until the caller's input ends (or the command does);
// output and error come back until the command has exited and its pipes
// are at their end, or idle for a moment: then what is left to copy
// (processes the command left behind still write there) is handed to a
// detached copy of this relay, and the command's exit status returned.
class StdioRelay {
public:
    StdioRelay(Stdio &io) : in_(io.in[1]), out_(io.out[0]), err_(io.err[0]) {
        io.in[1] = io.out[0] = io.err[0] = -1;
        fcntl(in_, F_SETFL, O_NONBLOCK);
    }

    int run(pid_t command) {
        // A pidfd would not do: once in its context the command is no
        // longer visible from here; its SIGCHLD still comes.
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, nullptr);
        int exited = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
        if (exited < 0)
            vserver::die_errno("cannot watch the server's command");
        int status = -1;
        for (;;) {
            if (status < 0) {
                int st;
                if (waitpid(command, &st, WNOHANG) == command)
                    status = exit_code(st);
            }
            pollfd fds[5];
            nfds_t n = 0;
            int idle = -1;
            if (status < 0)
                fds[n++] = {exited, POLLIN, 0};
            else
                idle = 200;
            watch(fds, n, status < 0);
            if (n == 0)
                break;
            int ready = poll(fds, n, idle);
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready < 0)
                vserver::die_errno("cannot relay the server's command");
            if (ready == 0)
                break; // the command is gone and so is what it said
            for (nfds_t i = 0; i < n; i++)
                if (fds[i].revents) {
                    if (fds[i].fd == exited) {
                        signalfd_siginfo info;
                        while (read(exited, &info, sizeof(info)) > 0) {
                        }
                    } else {
                        copy(fds[i].fd);
                    }
                }
        }
        close(exited);
        sigprocmask(SIG_UNBLOCK, &chld, nullptr);
        close_fd(in_);
        hand_off();
        return status;
    }

    // The command runs on (--background): its output goes on being copied.
    void detach() {
        close_fd(in_);
        hand_off();
    }

private:
    void watch(pollfd *fds, nfds_t &n, bool command_runs) {
        if (in_ >= 0 && command_runs)
            fds[n++] = pending_.empty() ? pollfd{STDIN_FILENO, POLLIN, 0} : pollfd{in_, POLLOUT, 0};
        if (out_ >= 0)
            fds[n++] = {out_, POLLIN, 0};
        if (err_ >= 0)
            fds[n++] = {err_, POLLIN, 0};
    }

    void copy(int fd) {
        char buf[4096];
        if (fd == in_) {
            ssize_t n = write(in_, pending_.data(), pending_.size());
            if (n > 0)
                pending_.erase(0, static_cast<std::size_t>(n));
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                close_fd(in_); // the command closed its input
            return;
        }
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            return;
        if (fd == STDIN_FILENO) {
            if (n <= 0)
                close_fd(in_); // the end of the caller's input is the command's
            else
                pending_.append(buf, static_cast<std::size_t>(n));
            return;
        }
        int &from = fd == out_ ? out_ : err_;
        if (n <= 0 || !write_fully(fd == out_ ? STDOUT_FILENO : STDERR_FILENO, buf,
                                   static_cast<std::size_t>(n)))
            close_fd(from);
    }

    // What is left goes on in a process of its own, which ends with the
    // last writer; it stays on the host, where the server cannot see it.
    void hand_off() {
        if (out_ < 0 && err_ < 0)
            return;
        std::fflush(nullptr);
        pid_t child = fork();
        if (child == 0) {
            setsid();
            // Nothing else of the caller's (its lock on the server above all).
            close(STDIN_FILENO);
            keep_only_fds(out_, err_);
            for (;;) {
                pollfd fds[2];
                nfds_t n = 0;
                watch(fds, n, false);
                if (n == 0)
                    _exit(0);
                if (poll(fds, n, -1) < 0 && errno != EINTR)
                    _exit(1);
                for (nfds_t i = 0; i < n; i++)
                    if (fds[i].revents)
                        copy(fds[i].fd);
            }
        }
        close_fd(out_);
        close_fd(err_);
    }

    int in_, out_, err_;
    std::string pending_; // read from the caller, not yet taken by the command
};

[[noreturn]] void run_server_side(const Settings &s, int to_host, int from_host, Stdio &io,
                                  char *const command[]) {
    if (!s.pty)
        take_stdio(io);
    apply_limits(s.limits);
    if (s.new_ns) {
        if (unshare(CLONE_NEWNS) != 0)
            vserver::die_errno("cannot create a mount namespace");
        if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            vserver::die_errno("cannot make the mount namespace private");
    }
    write_text(to_host, "n");
    if (!read_byte(from_host, 'g'))
        _exit(1); // the host side said why
    if (s.new_ns)
        enter_new_root(s.root);
    else
        join_namespace(s.join_ns);
    // Inside the server's root already: DIR cannot lead out of it.
    if (s.chdir && chdir(s.chdir) != 0 && chdir("/") != 0)
        vserver::die_errno("cannot enter the server's root");
    if (s.pty)
        run_on_new_terminal(to_host);

    if (s.has_nice) {
        // Root too: the ceiling has no CAP_SYS_NICE unless kept on purpose.
        rlimit limit{static_cast<rlim_t>(20 - s.nice), static_cast<rlim_t>(20 - s.nice)};
        if (setpriority(PRIO_PROCESS, 0, s.nice) != 0 || setrlimit(RLIMIT_NICE, &limit) != 0)
            vserver::die_errno("cannot set the nice level %d", s.nice);
    }
    // The ceiling comes down only once /proc is masked: the context's own
    // IPC settings exist in /proc/sys once its namespaces do, and masking
    // needs CAP_SYS_ADMIN.  No process of the server can trace or use this
    // one meanwhile: it holds capabilities they lack.
    const std::uint64_t remove_caps = vserver::secure_remove_caps() & ~s.keep_caps;
    int ctx;
    try {
        ctx = vserver::new_s_context(s.ctx, s.new_ns ? 0 : remove_caps, s.flags, s.hostname,
                                     s.domainname);
    } catch (const vserver::SysError &e) {
        if (s.ctx == VX_CTX_NEW)
            vserver::die_sys(e, "cannot create a new security context");
        if (e.code().value() == EEXIST)
            vserver::die("security context %d exists already, with other flags or names "
                         "(vps shows its processes)",
                         s.ctx);
        vserver::die_sys(e, "cannot enter security context %d", s.ctx);
    }
    if (s.new_ns) {
        mask_proc();
        try {
            vserver::new_s_context(VX_CTX_KEEP, remove_caps, 0, {}, {});
        } catch (const vserver::SysError &e) {
            vserver::die_sys(e, "cannot lower the capability ceiling");
        }
    }
    // Locked in the context: the kernel gives the lock the server's own
    // loopback address.  Out of the server's reach until the exec.
    try {
        if (s.locked)
            vserver::set_ipv4roots(s.ips, s.bcast, s.host_loopback, s.ips6);
    } catch (const vserver::SysError &e) {
        if (!s.ips6.empty() && e.error() == EAFNOSUPPORT && !vserver::kernel_knows_ipv6_sets())
            vserver::die("cannot lock the server to IPv6 addresses: this kernel's vserver "
                         "interface is older than 1.5");
        if (s.host_loopback && e.error() == EINVAL && !vserver::kernel_knows_host_loopback())
            vserver::die("cannot keep the host's loopback: this kernel's vserver interface "
                         "is older than 1.2");
        if (s.ips.size() > 1 && e.error() == EINVAL && !vserver::kernel_knows_ipv4_sets())
            vserver::die("cannot lock the server to several addresses: this kernel's vserver "
                         "interface is older than 1.3");
        vserver::die_sys(e, "cannot lock the server to %s", address_list(s, " ").c_str());
    }
    write_text(to_host, std::to_string(ctx) + "\n");
    // No terminal of the host's: --pty made a session of its own already.
    if (!s.pty && setsid() < 0)
        vserver::die_errno("cannot start a new session");
    // Nothing of the caller's beyond the standard descriptors goes in; the
    // host side sees to_host close when the command runs, or reads "x"
    // first when it could not be executed.
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        vserver::die_errno("cannot close the caller's descriptors");
    vserver::exec_command(command, to_host);
}

// The host side's steps report their failure themselves and return false.
bool keep_namespace(const char *file, pid_t server) {
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        vserver::warn("cannot create %s: %s", file, std::strerror(errno));
        return false;
    }
    close(fd);
    std::string ns = "/proc/" + std::to_string(server) + "/ns/mnt";
    if (mount(ns.c_str(), file, nullptr, MS_BIND, nullptr) != 0) {
        vserver::warn("cannot keep the server's namespace on %s: %s", file, std::strerror(errno));
        unlink(file);
        return false;
    }
    return true;
}

void release_namespace(const char *file) {
    umount2(file, MNT_DETACH);
    unlink(file);
}

bool join_cgroup(const char *dir, pid_t server) {
    if (write_cgroup_file(std::string(dir) + "/cgroup.procs", std::to_string(server)))
        return true;
    vserver::warn("cannot move the server into the cgroup %s: %s", dir, std::strerror(errno));
    return false;
}

int run_host_side(const Settings &s, pid_t server, int from_server, int to_server, Stdio &io) {
    // Without a terminal, even what the server side says of its own
    // failures comes through the relay.
    std::optional<StdioRelay> relay;
    if (!s.pty)
        relay.emplace(io);
    if (s.timeout) {
        signal(SIGALRM, give_up_waiting);
        alarm(s.timeout);
    }
    auto finish = [&] { return relay ? relay->run(server) : wait_status(server); };

    if (!read_byte(from_server, 'n'))
        return finish();
    bool kept = s.new_ns && keep_namespace(s.new_ns, server);
    if ((s.new_ns && !kept) || (s.cgroup && !join_cgroup(s.cgroup, server))) {
        // The server side has entered nothing yet: stop it, undo, report.
        kill(server, SIGKILL);
        finish();
        if (kept)
            release_namespace(s.new_ns);
        return 1;
    }
    write_text(to_server, "g");
    close(to_server);

    // "CTX\n" once the context is entered, then "x" if the command could
    // not be executed; the end once it runs (or the server side failed).
    std::string said;
    read_all(from_server, said);
    close(from_server);
    std::string ctx = said.substr(0, said.find('\n'));
    bool command_runs = said.size() > ctx.size() && said.back() != 'x';
    if (ctx.empty()) {
        // The server side failed before its command ran, and said why.
        int status = finish();
        if (kept)
            release_namespace(s.new_ns);
        return status ? status : 1;
    }
    if (s.ctx_file) {
        FILE *f = std::fopen(s.ctx_file, "w");
        if (!f || std::fprintf(f, "%s\n", ctx.c_str()) < 0 || std::fclose(f) != 0)
            vserver::warn("cannot write the context id to %s: %s", s.ctx_file,
                          std::strerror(errno));
    }
    if (s.background && command_runs) {
        if (relay)
            relay->detach();
        return 0;
    }
    return finish();
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    Settings s;
    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        try {
            switch (c) {
            case OPT_NEW_NS:
                s.new_ns = optarg;
                break;
            case OPT_JOIN_NS:
                s.join_ns = optarg;
                break;
            case OPT_CTX:
                s.ctx = std::string_view(optarg) == "new"
                            ? VX_CTX_NEW
                            : vserver::parse_ctx_id(optarg, VX_CTX_STATIC_MIN, VX_CTX_MAX);
                break;
            case OPT_CTX_FILE:
                s.ctx_file = optarg;
                break;
            case OPT_FLAG:
                s.flags |= vserver::parse_flag_list(optarg);
                break;
            case OPT_HOSTNAME:
            case OPT_DOMAINNAME:
                if (std::string_view(optarg).size() > vserver::max_name_length)
                    vserver::usage_error("%s name '%s' is longer than %zu bytes",
                                         c == OPT_HOSTNAME ? "host" : "domain", optarg,
                                         vserver::max_name_length);
                (c == OPT_HOSTNAME ? s.hostname : s.domainname) = optarg;
                break;
            case OPT_KEEP_CAP:
                s.keep_caps |= vserver::parse_cap_list(optarg);
                break;
            case OPT_IP: {
                if (s.ips.size() + s.ips6.size() == vserver::max_ipv4roots)
                    vserver::usage_error("at most %zu --ip addresses", vserver::max_ipv4roots);
                s.locked = true;
                if (auto ip6 = vserver::parse_ipv6(optarg)) {
                    for (const in6_addr &other : s.ips6)
                        if (std::memcmp(&other, &*ip6, sizeof(other)) == 0)
                            vserver::usage_error("--ip %s is given twice", optarg);
                    s.ips6.push_back(*ip6);
                    break;
                }
                in_addr ip = parse_ipv4(optarg, "address");
                for (in_addr other : s.ips)
                    if (other.s_addr == ip.s_addr)
                        vserver::usage_error("--ip %s is given twice", optarg);
                s.ips.push_back(ip);
                break;
            }
            case OPT_BCAST:
                s.bcast = parse_ipv4(optarg, "broadcast address");
                break;
            case OPT_HOST_LOOPBACK:
                s.host_loopback = true;
                break;
            case OPT_NICE:
                s.nice = parse_nice(optarg);
                s.has_nice = true;
                break;
            case OPT_CGROUP:
            case OPT_NEW_CGROUP:
                s.cgroup = optarg;
                s.new_cgroup = c == OPT_NEW_CGROUP;
                break;
            case OPT_CGROUP_SET:
                s.cgroup_settings.push_back(vserver::cgroup_setting(optarg));
                break;
            case OPT_BACKGROUND:
                s.background = true;
                break;
            case OPT_ULIMIT:
                s.limits = vserver::parse_ulimit(optarg);
                break;
            case OPT_ALIAS_DEV:
                s.alias_dev = optarg;
                break;
            case OPT_ALIAS_PREFIX:
                if (auto prefix = vserver::parse_netmask(optarg))
                    s.alias_prefix = *prefix;
                else
                    vserver::usage_error("invalid prefix length '%s' (expected 0 to 32)", optarg);
                break;
            case OPT_ALIAS_LABEL:
                s.alias_label = optarg;
                break;
            case OPT_ALIAS_FILE:
                s.alias_file = optarg;
                break;
            case OPT_TIMEOUT:
                s.timeout = parse_seconds(optarg, "timeout");
                break;
            case OPT_READ_CONF:
                s.read_conf = optarg;
                break;
            case OPT_CONF_VALUE:
                s.conf_value_key = optarg;
                break;
            case OPT_PATHS:
                s.paths = true;
                break;
            case OPT_PROCESSES:
                s.processes = true;
                break;
            case OPT_WAIT_EMPTY:
                s.wait_empty = optarg;
                break;
            case OPT_CHECK_KERNEL:
                s.check_kernel = true;
                break;
            case OPT_LOCK:
                s.lock_fd = parse_fd(optarg);
                break;
            case OPT_LOCK_WAIT:
                s.lock_wait = parse_seconds(optarg, "lock wait");
                break;
            case OPT_PTY:
                s.pty = true;
                break;
            case OPT_CHDIR:
                s.chdir = optarg;
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
    if (s.paths)
        print_paths();
    if (s.processes)
        print_processes(argv + optind);
    if (s.wait_empty)
        wait_empty(s.wait_empty, argv + optind);
    if (s.conf_value_key) {
        if (argc - optind != 1)
            vserver::usage_error("--conf-value needs KEY and one FILE");
        print_conf_value(s.conf_value_key, argv[optind]);
    }
    if (s.lock_fd >= 0)
        take_lock(s.lock_fd, s.lock_wait);
    if (s.read_conf)
        print_conf(s.read_conf, s.check_kernel);
    if (s.check_kernel) {
        check_kernel();
        vserver::exit_success();
    }
    if (!s.new_ns == !s.join_ns)
        vserver::usage_error("give exactly one of --new-ns and --join-ns");
    if (s.new_ns) {
        if (optind >= argc)
            vserver::usage_error("missing server root directory");
        s.root = argv[optind++];
        if (s.root[0] != '/')
            vserver::usage_error("the server root '%s' is not an absolute path", s.root);
        if (!is_dir(s.root))
            vserver::die("the server root %s is not a directory", s.root);
    }
    if (optind >= argc)
        vserver::usage_error("missing command");
    if (s.bcast.s_addr && !s.locked)
        vserver::usage_error("--bcast needs --ip");
    if (s.host_loopback && !s.locked)
        vserver::usage_error("--host-loopback needs --ip");
    if (s.pty && s.background)
        vserver::usage_error("--pty and --background do not go together");
    if (s.alias_dev && !s.locked)
        vserver::usage_error("--alias-dev needs --ip");
    if (!s.cgroup_settings.empty() && !s.new_cgroup)
        vserver::usage_error("--cgroup-set needs --new-cgroup");
    set_command_environment();
    // (only what enters a server needs it: the reader and the kernel check
    // above run nothing there; the host steps below run once, in the copy)
    run_from_sealed_copy(argv);
    if (s.alias_dev)
        add_aliases(s);
    if (s.new_cgroup)
        make_cgroup(s);

    int to_host[2], to_server[2];
    if (pipe2(to_host, O_CLOEXEC) != 0 || pipe2(to_server, O_CLOEXEC) != 0)
        vserver::die_errno("cannot create a pipe");
    Stdio io;
    if (!s.pty)
        io = make_stdio();
    std::fflush(nullptr);
    pid_t server = fork();
    if (server < 0)
        vserver::die_errno("cannot fork");
    if (server == 0) {
        close(to_host[0]);
        close(to_server[1]);
        run_server_side(s, to_host[1], to_server[0], io, argv + optind);
    }
    close(to_host[1]);
    close(to_server[0]);
    keep_host_ends(io);
    return run_host_side(s, server, to_host[0], to_server[1], io);
}
