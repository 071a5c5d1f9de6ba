// chbind: run a command locked to one IPv4 address (the IPv4 root), or to a
// set of IPv4 and IPv6 addresses.
#include <vserver/vserver.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <net/if.h>
#include <optional>
#include <string>
#include <vector>

namespace {

enum Option {
    OPT_IP = 256,
    OPT_BCAST,
    OPT_HOST_LOOPBACK,
    OPT_SILENT,
    OPT_HELP,
    OPT_VERSION,
};

const option long_options[] = {
    {"ip", required_argument, nullptr, OPT_IP},
    {"bcast", required_argument, nullptr, OPT_BCAST},
    {"host-loopback", no_argument, nullptr, OPT_HOST_LOOPBACK},
    {"silent", no_argument, nullptr, OPT_SILENT},
    {"help", no_argument, nullptr, OPT_HELP},
    {"version", no_argument, nullptr, OPT_VERSION},
    {nullptr, 0, nullptr, 0},
};

[[noreturn]] void usage() {
    std::printf("Usage: %s --ip ADDRESS [--ip ADDRESS]... [OPTION]... COMMAND [ARG]...\n"
                "Run COMMAND locked to one IPv4 address, or to a set of up to %zu IPv4 and\n"
                "IPv6 addresses, with all its children.\n"
                "\n"
                "  --ip ADDRESS         an address: a network interface (its primary IPv4\n"
                "                       address; a label such as eth0:1 selects that one), a\n"
                "                       dotted quad, an IPv6 address, or a host name; it must\n"
                "                       be configured on this host; repeat it for more (one\n"
                "                       at least IPv4; the first of each family is the source\n"
                "                       of connections that bind no address)\n"
                "  --bcast ADDRESS      the broadcast address that UDP may also bind (default:\n"
                "                       that of the first interface given with --ip, else none)\n"
                "  --host-loopback      inside a security context of its own, keep the host's\n"
                "                       127.0.0.0/8 (by default it means the first ADDRESS)\n"
                "  --silent             do not print \"ipv4root is now ADDRESS...\" on stderr\n"
                "  --help               display this help and exit\n"
                "  --version            output version information and exit\n"
                "\n"
                "Once locked, a bind to 0.0.0.0 binds ADDRESS (with several, TCP and UDP\n"
                "answer on each of them; a bind to :: on each IPv6 one too), a bind to any\n"
                "other address fails, and the lock cannot be changed or removed (see\n"
                "chbind(8)).\n"
                "\n"
                "Exit status: that of COMMAND; 1 for a usage error or when the address cannot be\n"
                "used; 126 if COMMAND cannot be executed, 127 if it is not found.\n",
                program_invocation_short_name, vserver::max_ipv4roots);
    vserver::exit_success();
}

std::string ip_text(in_addr addr) { return vserver::format_ipv4(addr); }

// The address chosen by --ip (addr6 for an IPv6 one) and, when it named an
// interface, its broadcast.
struct Target {
    in_addr addr{};
    in_addr bcast{};
    std::optional<in6_addr> addr6;
};

// Resolves the --ip argument: an interface (or address label) first, then a
// dotted quad, then the resolver. Dies with one line when it cannot; throws
// SysError when the interfaces cannot be listed.
Target resolve_target(const std::string &text) {
    Target target;
    std::optional<in_addr> quad = vserver::parse_ipv4(text);
    // A dotted quad that is no interface's name needs no list of the
    // interfaces (two netlink dumps): the common case of a server's start.
    if (!quad || ::if_nametoindex(text.c_str()) != 0) {
        vserver::HostInterfaces ifs = vserver::host_interfaces();
        if (vserver::has_interface(ifs, text)) {
            auto entry = vserver::interface_ipv4(ifs, text);
            if (!entry)
                vserver::die("interface %s has no IPv4 address", text.c_str());
            target.addr = entry->addr;
            target.bcast = entry->bcast;
            return target;
        }
    }
    if (auto addr = quad) {
        if (!vserver::usable_ipv4root(*addr))
            vserver::die("%s cannot be an IPv4 root (0.0.0.0/8, multicast and "
                         "255.255.255.255 are not allowed)",
                         text.c_str());
        target.addr = *addr;
        if (!vserver::is_local_ipv4(target.addr))
            vserver::die("address %s is not configured on this host", text.c_str());
        return target;
    }
    if (auto addr6 = vserver::parse_ipv6(text)) {
        if (!vserver::usable_ipv6root(*addr6))
            vserver::die("%s cannot be in an address set (::, ::1, multicast, link-local, "
                         "site-local, IPv4-mapped and fd76:7365:7276:6572::/64 addresses "
                         "are not allowed)",
                         text.c_str());
        if (!vserver::is_local_ipv6(*addr6))
            vserver::die("address %s is not configured on this host", text.c_str());
        target.addr6 = addr6;
        return target;
    }
    if (text.find(':') != std::string::npos)
        vserver::die("invalid IPv6 address '%s' (expected one such as 2001:db8::1)", text.c_str());
    if (vserver::looks_like_ipv4(text))
        vserver::die("invalid IPv4 address '%s' (expected a dotted quad such as "
                     "192.0.2.1)",
                     text.c_str());
    std::vector<in_addr> addrs;
    try {
        addrs = vserver::resolve_ipv4(text);
    } catch (const vserver::ResolveError &e) {
        vserver::die("'%s' is not a network interface, an IPv4 address or a known host name (%s)",
                     text.c_str(), e.what());
    }
    for (in_addr addr : addrs) {
        if (vserver::is_local_ipv4(addr)) {
            target.addr = addr;
            return target;
        }
    }
    vserver::die("address %s of %s is not configured on this host", ip_text(addrs.front()).c_str(),
                 text.c_str());
}

// A lock: its addresses (none: not locked) and broadcast.
struct Lock {
    std::vector<in_addr> addrs;
    std::vector<in6_addr> addrs6;
    in_addr bcast{};
};

// "A.B.C.D ... 2001:db8::1 ...".
std::string addresses(const Lock &lock) {
    std::string text = vserver::format_ipv4_list(lock.addrs);
    for (const in6_addr &addr : lock.addrs6)
        text.append(" ").append(vserver::format_ipv6(addr));
    return text;
}

// The addresses, with " (broadcast E.F.G.H)" when the lock has one.
std::string describe(const Lock &lock) {
    std::string text = addresses(lock);
    if (lock.bcast.s_addr != 0)
        text += " (broadcast " + ip_text(lock.bcast) + ")";
    return text;
}

// The caller's current lock: /proc/self/status, else VCMD_GET_CONTEXT_INFO
// (its first address only). nullopt when neither tells.
std::optional<Lock> current_lock() {
    try {
        vserver::StatusMap status = vserver::read_proc_status();
        if (auto root = vserver::status_ipv4root(status)) {
            Lock lock;
            if (auto addrs = vserver::status_netaddrs(status)) {
                lock.addrs = std::move(addrs->ipv4);
                lock.addrs6 = std::move(addrs->ipv6);
            } else {
                lock.addrs = {*root};
            }
            if (root->s_addr == 0)
                lock.addrs.clear();
            lock.bcast = vserver::status_ipv4root_bcast(status).value_or(in_addr{});
            return lock;
        }
    } catch (const vserver::SysError &) {
    }
    try {
        vserver::ContextInfo info = vserver::context_info(0);
        Lock lock;
        if (info.ipv4root.s_addr != 0)
            lock.addrs = {info.ipv4root};
        lock.bcast = info.ipv4root_bcast;
        return lock;
    } catch (const vserver::SysError &) {
    }
    return std::nullopt;
}

bool same_addrs(std::vector<in_addr> a, std::vector<in_addr> b) {
    auto before = [](in_addr x, in_addr y) { return x.s_addr < y.s_addr; };
    std::sort(a.begin(), a.end(), before);
    std::sort(b.begin(), b.end(), before);
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](in_addr x, in_addr y) { return x.s_addr == y.s_addr; });
}

bool same_addrs6(std::vector<in6_addr> a, std::vector<in6_addr> b) {
    auto before = [](const in6_addr &x, const in6_addr &y) {
        return std::memcmp(&x, &y, sizeof(x)) < 0;
    };
    std::sort(a.begin(), a.end(), before);
    std::sort(b.begin(), b.end(), before);
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(),
        [](const in6_addr &x, const in6_addr &y) { return std::memcmp(&x, &y, sizeof(x)) == 0; });
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    std::vector<std::string> ips;
    std::optional<in_addr> bcast;
    bool host_loopback = false;
    bool silent = false;

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_IP:
            if (!*optarg)
                vserver::die("empty --ip address");
            if (ips.size() == vserver::max_ipv4roots)
                vserver::die("at most %zu --ip addresses", vserver::max_ipv4roots);
            ips.emplace_back(optarg);
            break;
        case OPT_BCAST:
            bcast = vserver::parse_ipv4(optarg);
            if (!bcast)
                vserver::die("invalid broadcast address '%s' (expected a dotted quad such "
                             "as 192.0.2.255)",
                             optarg);
            if (!vserver::usable_ipv4root_bcast(*bcast))
                vserver::die("%s cannot be a broadcast address (0.0.0.0/8 and multicast "
                             "are not allowed)",
                             optarg);
            break;
        case OPT_HOST_LOOPBACK:
            host_loopback = true;
            break;
        case OPT_SILENT:
            silent = true;
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
    if (ips.empty())
        vserver::die("missing --ip");
    if (optind >= argc)
        vserver::die("missing command");

    Lock want;
    in_addr first_bcast{};
    for (const std::string &ip : ips) {
        Target target;
        try {
            target = resolve_target(ip);
        } catch (const vserver::SysError &e) {
            vserver::die("%s", e.what());
        }
        if (target.addr6) {
            for (const in6_addr &addr : want.addrs6)
                if (std::memcmp(&addr, &*target.addr6, sizeof(addr)) == 0)
                    vserver::die("address %s is given twice (--ip %s)",
                                 vserver::format_ipv6(addr).c_str(), ip.c_str());
            want.addrs6.push_back(*target.addr6);
            continue;
        }
        for (in_addr addr : want.addrs)
            if (addr.s_addr == target.addr.s_addr)
                vserver::die("address %s is given twice (--ip %s)", ip_text(addr).c_str(),
                             ip.c_str());
        if (want.addrs.empty())
            first_bcast = target.bcast;
        want.addrs.push_back(target.addr);
    }
    if (want.addrs.empty())
        vserver::die("at least one --ip address must be IPv4");
    want.bcast = bcast.value_or(first_bcast);
    for (in_addr addr : want.addrs) {
        if (want.bcast.s_addr != addr.s_addr)
            continue;
        // An interface whose broadcast is its own address (a /32) has none.
        if (bcast)
            vserver::die("the broadcast address cannot be an --ip address (%s)",
                         ip_text(addr).c_str());
        want.bcast = in_addr{};
    }

    try {
        vserver::set_ipv4roots(want.addrs, want.bcast, host_loopback, want.addrs6);
    } catch (const vserver::SysError &e) {
        if (!want.addrs6.empty() && e.error() == EAFNOSUPPORT && !vserver::kernel_knows_ipv6_sets())
            vserver::die("IPv6 --ip addresses: this kernel's vserver interface is older than "
                         "1.5");
        if (host_loopback && e.error() == EINVAL && !vserver::kernel_knows_host_loopback())
            vserver::die("--host-loopback: this kernel's vserver interface is older than 1.2");
        if (want.addrs.size() > 1 && e.error() == EINVAL && !vserver::kernel_knows_ipv4_sets())
            vserver::die("several --ip addresses: this kernel's vserver interface is older "
                         "than 1.3");
        if (e.error() != EPERM)
            vserver::die_sys(e, "cannot set the IPv4 root to %s", describe(want).c_str());
        auto now = current_lock();
        if (!now || now->addrs.empty())
            vserver::die_sys(e, "cannot set the IPv4 root to %s", describe(want).c_str());
        // Already locked to these very addresses (a nested chbind, an init
        // script started from a locked shell): the goal holds, go on. An
        // explicit --bcast must match too.
        bool same = now->addrs.front().s_addr == want.addrs.front().s_addr &&
                    same_addrs(now->addrs, want.addrs) && same_addrs6(now->addrs6, want.addrs6) &&
                    (!bcast || now->bcast.s_addr == bcast->s_addr);
        if (!same)
            vserver::die("cannot lock to %s: this process is already locked to %s",
                         describe(want).c_str(), describe(*now).c_str());
    }
    if (!silent)
        std::fprintf(stderr, "ipv4root is now %s\n", addresses(want).c_str());
    vserver::exec_command(argv + optind);
}
