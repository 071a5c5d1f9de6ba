#include <vserver/net.hpp>
#include <vserver/syscall.hpp>

#include <linux/vserver.h>

#include <algorithm>
#include <arpa/inet.h>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vserver {

namespace {

std::uint32_t host_order(in_addr addr) { return ntohl(addr.s_addr); }

// An address of the prefix the kernel gives servers their ::1 from.
bool is_server_loopback6(const in6_addr &addr) {
    std::uint64_t prefix = 0;
    for (int i = 0; i < 8; ++i)
        prefix = prefix << 8 | addr.s6_addr[i];
    return prefix == VX_LOOPBACK6_PREFIX;
}

// getent(1) of libc-bin, which every Debian system has.
constexpr const char *getent_path = "/usr/bin/getent";

} // namespace

std::optional<in_addr> parse_ipv4(std::string_view text) {
    std::uint32_t value = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (text.empty() || text.front() != '.')
                return std::nullopt;
            text.remove_prefix(1);
        }
        std::size_t digits = 0;
        unsigned number = 0;
        while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
            number = number * 10 + static_cast<unsigned>(text[digits] - '0');
            if (++digits > 3)
                return std::nullopt;
        }
        if (digits == 0 || number > 255 || (digits > 1 && text.front() == '0'))
            return std::nullopt;
        text.remove_prefix(digits);
        value = value << 8 | number;
    }
    if (!text.empty())
        return std::nullopt;
    in_addr addr{};
    addr.s_addr = htonl(value);
    return addr;
}

bool looks_like_ipv4(std::string_view text) {
    if (text.empty() || parse_ipv4(text))
        return false;
    // Digits and dots only: no host name (a top-level domain is never all
    // numeric, RFC 3696), so a mistyped address such as 10.0.0.300.
    if (text.find_first_not_of("0123456789.") == std::string_view::npos &&
        text.find_first_of("0123456789") != std::string_view::npos)
        return true;
    in_addr addr{};
    return ::inet_aton(std::string(text).c_str(), &addr) != 0;
}

std::optional<int> parse_netmask(std::string_view text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
        std::size_t digits = text.find_first_not_of('0');
        std::string_view value = digits == std::string_view::npos ? "0" : text.substr(digits);
        if (value.size() > 2)
            return std::nullopt;
        int bits = std::stoi(std::string(value));
        return bits <= 32 ? std::optional<int>(bits) : std::nullopt;
    }
    auto mask = parse_ipv4(text);
    if (!mask)
        return std::nullopt;
    std::uint32_t m = host_order(*mask);
    int bits = __builtin_popcount(m);
    std::uint32_t contiguous = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return m == contiguous ? std::optional<int>(bits) : std::nullopt;
}

std::string format_ipv4(in_addr addr) {
    char buf[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &addr, buf, sizeof(buf));
    return buf;
}

std::string format_ipv4_list(const std::vector<in_addr> &addrs, std::string_view separator) {
    std::string text;
    for (in_addr addr : addrs) {
        if (!text.empty())
            text += separator;
        text += format_ipv4(addr);
    }
    return text;
}

std::optional<in6_addr> parse_ipv6(std::string_view text) {
    in6_addr addr{};
    if (text.find(':') == std::string_view::npos ||
        ::inet_pton(AF_INET6, std::string(text).c_str(), &addr) != 1)
        return std::nullopt;
    return addr;
}

std::string format_ipv6(const in6_addr &addr) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
    return buf;
}

bool usable_ipv6root(const in6_addr &addr) {
    return !IN6_IS_ADDR_UNSPECIFIED(&addr) && !IN6_IS_ADDR_LOOPBACK(&addr) &&
           !IN6_IS_ADDR_MULTICAST(&addr) && !IN6_IS_ADDR_LINKLOCAL(&addr) &&
           !IN6_IS_ADDR_SITELOCAL(&addr) && !IN6_IS_ADDR_V4MAPPED(&addr) &&
           !IN6_IS_ADDR_V4COMPAT(&addr) && !is_server_loopback6(addr);
}

bool usable_ipv4root(in_addr addr) {
    std::uint32_t a = host_order(addr);
    return (a >> 24) != 0 && !IN_MULTICAST(a) && a != INADDR_BROADCAST;
}

bool usable_ipv4root_bcast(in_addr addr) {
    std::uint32_t a = host_order(addr);
    return a == 0 || ((a >> 24) != 0 && !IN_MULTICAST(a));
}

HostInterfaces host_interfaces() {
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) < 0)
        throw SysError(errno, "cannot list the network interfaces");
    HostInterfaces ifs;
    for (const ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_name)
            continue;
        std::string name = ifa->ifa_name;
        if (std::find(ifs.names.begin(), ifs.names.end(), name) == ifs.names.end())
            ifs.names.push_back(name);
        if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET)
            continue;
        InterfaceAddress entry;
        entry.name = std::move(name);
        entry.addr = reinterpret_cast<const sockaddr_in *>(ifa->ifa_addr)->sin_addr;
        if ((ifa->ifa_flags & IFF_BROADCAST) && ifa->ifa_broadaddr &&
            ifa->ifa_broadaddr->sa_family == AF_INET)
            entry.bcast = reinterpret_cast<const sockaddr_in *>(ifa->ifa_broadaddr)->sin_addr;
        // (without a broadcast address of its own, glibc reports the
        // address itself there)
        if (entry.bcast.s_addr == entry.addr.s_addr)
            entry.bcast = {};
        if (ifa->ifa_netmask && ifa->ifa_netmask->sa_family == AF_INET)
            entry.prefix = std::popcount(
                reinterpret_cast<const sockaddr_in *>(ifa->ifa_netmask)->sin_addr.s_addr);
        ifs.ipv4.push_back(std::move(entry));
    }
    ::freeifaddrs(list);
    return ifs;
}

bool has_interface(const HostInterfaces &ifs, std::string_view name) {
    return !name.empty() && std::find(ifs.names.begin(), ifs.names.end(), name) != ifs.names.end();
}

std::optional<InterfaceAddress> interface_ipv4(const HostInterfaces &ifs, std::string_view name) {
    if (name.empty())
        return std::nullopt;
    for (const InterfaceAddress &entry : ifs.ipv4) {
        std::string_view label = entry.name;
        if (label == name ||
            (label.starts_with(name) && label.size() > name.size() && label[name.size()] == ':'))
            return entry;
    }
    return std::nullopt;
}

bool has_ipv4(const HostInterfaces &ifs, in_addr addr) {
    return std::any_of(ifs.ipv4.begin(), ifs.ipv4.end(), [&](const InterfaceAddress &entry) {
        return entry.addr.s_addr == addr.s_addr;
    });
}

namespace {

// What a UDP socket does with addr: bind to it, then connect to it without
// SO_BROADCAST.  A local address does both; a subnet's broadcast address
// binds, but connect() refuses it (EACCES).
struct AddressTest {
    bool binds = false;
    bool connects = false;
};

// Whether a UDP socket of family binds to sa (the socket is closed again).
bool binds(int family, const sockaddr *sa, socklen_t len) {
    int fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw SysError(errno, "cannot create a socket");
    bool ok = ::bind(fd, sa, len) == 0;
    ::close(fd);
    return ok;
}

AddressTest try_address(in_addr addr) {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw SysError(errno, "cannot create a socket");
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr = addr;
    AddressTest test;
    test.binds = ::bind(fd, reinterpret_cast<const sockaddr *>(&sin), sizeof(sin)) == 0;
    sin.sin_port = htons(9); // discard; nothing is sent
    test.connects =
        test.binds && ::connect(fd, reinterpret_cast<const sockaddr *>(&sin), sizeof(sin)) == 0;
    ::close(fd);
    return test;
}

} // namespace

bool is_local_ipv6(const in6_addr &addr) {
    if (!usable_ipv6root(addr))
        return false;
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = addr;
    return binds(AF_INET6, reinterpret_cast<const sockaddr *>(&sin6), sizeof(sin6));
}

bool is_local_ipv4(in_addr addr) {
    if (!usable_ipv4root(addr))
        return false;
    // Most often the answer needs no list of the interfaces.
    AddressTest test = try_address(addr);
    if (test.connects)
        return true;
    // An address of an interface that is down binds no socket.
    HostInterfaces ifs = host_interfaces();
    if (has_ipv4(ifs, addr))
        return true;
    // bind() also takes a subnet's broadcast address, which is no host's.
    if (std::any_of(ifs.ipv4.begin(), ifs.ipv4.end(), [&](const InterfaceAddress &entry) {
            return entry.bcast.s_addr == addr.s_addr;
        }))
        return false;
    return test.binds;
}

// Host names go through getent(1), that is the system's own name service
// switch: the tools are static binaries (their exec is most of what chbind
// and a server's start cost), and a static getaddrinfo() could only load
// the NSS modules of the very C library it was linked with.
std::vector<in_addr> resolve_ipv4(const std::string &name) {
    if (name.empty() || name.front() == '-')
        throw ResolveError("not a host name");
    int out[2];
    if (::pipe2(out, O_CLOEXEC) < 0)
        throw ResolveError(std::strerror(errno));
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::string key = name;
    char *argv[] = {const_cast<char *>("getent"), const_cast<char *>("ahostsv4"),
                    const_cast<char *>("--"), key.data(), nullptr};
    pid_t pid = 0;
    int spawn_error = ::posix_spawn(&pid, getent_path, &actions, nullptr, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string text;
    if (spawn_error == 0) {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(out[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
            text.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    }
    ::close(out[0]);
    if (spawn_error != 0)
        throw ResolveError(std::string("cannot run ") + getent_path + ": " +
                           std::strerror(spawn_error));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
        throw ResolveError("no such host");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw ResolveError(std::string(getent_path) + " ahostsv4 failed");
    // "ADDRESS STREAM NAME", "ADDRESS DGRAM", "ADDRESS RAW" per address
    std::vector<in_addr> addrs;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(std::min(rest.size(), line.size() + 1));
        std::optional<in_addr> addr = parse_ipv4(line.substr(0, line.find_first_of(" \t")));
        if (addr && std::none_of(addrs.begin(), addrs.end(),
                                 [&](in_addr a) { return a.s_addr == addr->s_addr; }))
            addrs.push_back(*addr);
    }
    if (addrs.empty())
        throw ResolveError("no IPv4 address");
    return addrs;
}

namespace {

// An RTM_NEWADDR request: the header, then the attributes.
struct AddressRequest {
    nlmsghdr header;
    ifaddrmsg address;
    char attributes[128];
};

void add_attribute(AddressRequest &req, unsigned short type, const void *data, std::size_t len) {
    auto *attr = reinterpret_cast<rtattr *>(reinterpret_cast<char *>(&req) +
                                            NLMSG_ALIGN(req.header.nlmsg_len));
    attr->rta_type = type;
    attr->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    std::memcpy(RTA_DATA(attr), data, len);
    req.header.nlmsg_len = NLMSG_ALIGN(req.header.nlmsg_len) + RTA_ALIGN(attr->rta_len);
}

} // namespace

namespace {

// Sends an RTM_NEWADDR request and waits for the kernel's answer. Throws
// SysError with what.
void send_address_request(const AddressRequest &req, const std::string &what) {
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        throw SysError(errno, "cannot open a netlink socket");
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    int err = 0;
    if (::sendto(fd, &req, req.header.nlmsg_len, 0, reinterpret_cast<sockaddr *>(&kernel),
                 sizeof(kernel)) < 0) {
        err = errno;
    } else {
        union {
            nlmsghdr header;
            char bytes[512];
        } reply;
        ssize_t n = ::recv(fd, &reply, sizeof(reply), 0);
        if (n < 0)
            err = errno;
        else if (n < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))) ||
                 reply.header.nlmsg_type != NLMSG_ERROR)
            err = EPROTO;
        else
            err = -static_cast<const nlmsgerr *>(NLMSG_DATA(&reply.header))->error;
    }
    ::close(fd);
    if (err)
        throw SysError(err, what);
}

AddressRequest new_address_request(const std::string &dev, int family, int prefix) {
    unsigned index = ::if_nametoindex(dev.c_str());
    if (index == 0)
        throw SysError(errno, "no network interface " + dev);
    AddressRequest req{};
    req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
    req.header.nlmsg_type = RTM_NEWADDR;
    req.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    req.header.nlmsg_seq = 1;
    req.address.ifa_family = static_cast<unsigned char>(family);
    req.address.ifa_prefixlen = static_cast<unsigned char>(prefix);
    req.address.ifa_index = index;
    return req;
}

} // namespace

void add_ipv4_address(const std::string &dev, in_addr addr, int prefix, in_addr bcast,
                      const std::string &label) {
    if (label.size() >= IFNAMSIZ)
        throw SysError(EINVAL, "address label " + label + " is too long");
    AddressRequest req = new_address_request(dev, AF_INET, prefix);
    req.address.ifa_scope = (ntohl(addr.s_addr) >> 24) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    add_attribute(req, IFA_LOCAL, &addr, sizeof(addr));
    add_attribute(req, IFA_ADDRESS, &addr, sizeof(addr));
    if (bcast.s_addr)
        add_attribute(req, IFA_BROADCAST, &bcast, sizeof(bcast));
    add_attribute(req, IFA_LABEL, label.c_str(), label.size() + 1);
    send_address_request(req, "cannot add " + format_ipv4(addr) + "/" + std::to_string(prefix) +
                                  " to " + dev);
}

void add_ipv6_address(const std::string &dev, const in6_addr &addr, int prefix) {
    AddressRequest req = new_address_request(dev, AF_INET6, prefix);
    req.address.ifa_scope = RT_SCOPE_UNIVERSE;
    req.address.ifa_flags = IFA_F_NODAD;
    add_attribute(req, IFA_ADDRESS, &addr, sizeof(addr));
    send_address_request(req, "cannot add " + format_ipv6(addr) + "/" + std::to_string(prefix) +
                                  " to " + dev);
}

} // namespace vserver
