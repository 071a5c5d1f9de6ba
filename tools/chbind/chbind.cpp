// chbind: run a command locked to one IPv4 address (the IPv4 root).
#include <vserver/vserver.hpp>

#include <cerrno>
#include <cstdio>
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
    std::printf("Usage: %s --ip ADDRESS [OPTION]... COMMAND [ARG]...\n"
                "Run COMMAND locked to one IPv4 address, with all its children.\n"
                "\n"
                "  --ip ADDRESS         the address: a network interface (its primary IPv4\n"
                "                       address; a label such as eth0:1 selects that one), a\n"
                "                       dotted quad, or a host name; it must be configured on\n"
                "                       this host\n"
                "  --bcast ADDRESS      the broadcast address that UDP may also bind (default:\n"
                "                       that of the interface given with --ip, else none)\n"
                "  --host-loopback      inside a security context of its own, keep the host's\n"
                "                       127.0.0.0/8 (by default it means ADDRESS there)\n"
                "  --silent             do not print \"ipv4root is now ADDRESS\" on stderr\n"
                "  --help               display this help and exit\n"
                "  --version            output version information and exit\n"
                "\n"
                "Once locked, a bind to 0.0.0.0 binds ADDRESS, a bind to any other address\n"
                "fails, and the lock cannot be changed or removed (see chbind(8)).\n"
                "\n"
                "Exit status: that of COMMAND; 1 for a usage error or when the address cannot be\n"
                "used; 126 if COMMAND cannot be executed, 127 if it is not found.\n",
                program_invocation_short_name);
    vserver::exit_success();
}

std::string ip_text(in_addr addr) { return vserver::format_ipv4(addr); }

// "A.B.C.D", or "A.B.C.D (broadcast E.F.G.H)" when bcast is set.
std::string describe(in_addr addr, in_addr bcast) {
    std::string text = ip_text(addr);
    if (bcast.s_addr != 0)
        text += " (broadcast " + ip_text(bcast) + ")";
    return text;
}

// The address chosen by --ip and, when it named an interface, its broadcast.
struct Target {
    in_addr addr{};
    in_addr bcast{};
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

// The caller's current IPv4 root and broadcast: /proc/self/status, else
// VCMD_GET_CONTEXT_INFO. nullopt when neither tells.
std::optional<std::pair<in_addr, in_addr>> current_root() {
    try {
        vserver::StatusMap status = vserver::read_proc_status();
        if (auto root = vserver::status_ipv4root(status))
            return std::pair{*root, vserver::status_ipv4root_bcast(status).value_or(in_addr{})};
    } catch (const vserver::SysError &) {
    }
    try {
        vserver::ContextInfo info = vserver::context_info(0);
        return std::pair{info.ipv4root, info.ipv4root_bcast};
    } catch (const vserver::SysError &) {
    }
    return std::nullopt;
}

} // namespace

int main(int argc, char *argv[]) {
    vserver::init_program(argv);

    std::optional<std::string> ip;
    std::optional<in_addr> bcast;
    bool host_loopback = false;
    bool silent = false;

    int c;
    while ((c = getopt_long(argc, argv, "+", long_options, nullptr)) != -1) {
        switch (c) {
        case OPT_IP:
            ip = optarg;
            if (ip->empty())
                vserver::die("empty --ip address");
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
    if (!ip)
        vserver::die("missing --ip");
    if (optind >= argc)
        vserver::die("missing command");

    Target target;
    try {
        target = resolve_target(*ip);
    } catch (const vserver::SysError &e) {
        vserver::die("%s", e.what());
    }
    in_addr root_bcast = bcast.value_or(target.bcast);
    if (root_bcast.s_addr == target.addr.s_addr) {
        // An interface whose broadcast is its own address (a /32) has none.
        if (bcast)
            vserver::die("the broadcast address cannot be the IPv4 root itself (%s)",
                         ip_text(target.addr).c_str());
        root_bcast = in_addr{};
    }

    try {
        vserver::set_ipv4root(target.addr, root_bcast, host_loopback);
    } catch (const vserver::SysError &e) {
        if (host_loopback && e.error() == EINVAL && !vserver::kernel_knows_host_loopback())
            vserver::die("--host-loopback: this kernel's vserver interface is older than 1.2");
        if (e.error() != EPERM)
            vserver::die_sys(e, "cannot set the IPv4 root to %s",
                             describe(target.addr, root_bcast).c_str());
        auto now = current_root();
        if (!now || now->first.s_addr == 0)
            vserver::die_sys(e, "cannot set the IPv4 root to %s",
                             describe(target.addr, root_bcast).c_str());
        // Already locked to this very address (a nested chbind, an init
        // script started from a locked shell): the goal holds, go on. An
        // explicit --bcast must match too.
        bool same = now->first.s_addr == target.addr.s_addr &&
                    (!bcast || now->second.s_addr == bcast->s_addr);
        if (!same)
            vserver::die("cannot lock to %s: this process is already locked to %s",
                         describe(target.addr, root_bcast).c_str(),
                         describe(now->first, now->second).c_str());
    }
    if (!silent)
        std::fprintf(stderr, "ipv4root is now %s\n", ip_text(target.addr).c_str());
    vserver::exec_command(argv + optind);
}
