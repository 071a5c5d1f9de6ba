// IPv4 addresses for chbind: strict parsing, the addresses of this host's
// interfaces (getifaddrs) and host names (getent ahostsv4).
#pragma once

#include <netinet/in.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vserver {

// A dotted quad: exactly four decimal numbers 0-255 separated by dots, without
// leading zeros ("010" would be octal to inet_aton) or anything around them.
// nullopt on anything else.
std::optional<in_addr> parse_ipv4(std::string_view text);

// True when text is meant as an address but is no dotted quad: inet_aton()
// takes it ("10.1", "0x7f000001", "010.0.0.1") or it has only digits and
// dots ("10.0.0.300", "1.2.3.4.5"). A malformed address, not a host name.
bool looks_like_ipv4(std::string_view text);

// A prefix length from "24" (decimal, 0 to 32) or "255.255.255.0" (a dotted
// quad of contiguous ones). nullopt on anything else.
std::optional<int> parse_netmask(std::string_view text);

// "A.B.C.D".
std::string format_ipv4(in_addr addr);

// The addresses as dotted quads, each after the first preceded by
// separator: "10.0.0.1 10.0.0.2".
std::string format_ipv4_list(const std::vector<in_addr> &addrs, std::string_view separator = " ");

// An IPv6 address as inet_pton() reads it ("2001:db8::1"), without a zone
// or prefix. nullopt on anything else.
std::optional<in6_addr> parse_ipv6(std::string_view text);

// The compressed form ("2001:db8::1").
std::string format_ipv6(const in6_addr &addr);

// Whether addr may be in an address set: a unicast address outside ::1,
// link-local fe80::/10, site-local fec0::/10, the IPv4-mapped and
// -compatible ranges and the servers' own ::1 addresses
// (VX_LOOPBACK6_PREFIX); the kernel refuses those with EINVAL.
bool usable_ipv6root(const in6_addr &addr);

// Whether addr is an IPv6 address this host has and a socket can bind (not
// one still in duplicate address detection). Throws SysError.
bool is_local_ipv6(const in6_addr &addr);

// Whether addr may be an IPv4 root: not in 0.0.0.0/8, not multicast
// (224.0.0.0/4), not 255.255.255.255 (the kernel refuses those with EINVAL).
bool usable_ipv4root(in_addr addr);

// Whether addr may be the broadcast address given with an IPv4 root:
// 0.0.0.0 (none), or an address outside 0.0.0.0/8 and multicast.
bool usable_ipv4root_bcast(in_addr addr);

// One IPv4 address of an interface.
struct InterfaceAddress {
    std::string name; // the interface, or the address's label ("eth0:1")
    in_addr addr{};
    in_addr bcast{}; // its broadcast address; 0.0.0.0 when it has none
    int prefix = 32; // the length of its netmask
};

// What getifaddrs() reports: the names of all interfaces (any family, down
// ones included) and the IPv4 addresses, both in the kernel's order (the
// order of `ip addr`).
struct HostInterfaces {
    std::vector<std::string> names;
    std::vector<InterfaceAddress> ipv4;
};

// This host's interfaces. Throws SysError.
HostInterfaces host_interfaces();

// Whether name is an interface or an address label of ifs.
bool has_interface(const HostInterfaces &ifs, std::string_view name);

// The primary IPv4 address of interface name: the first one that
// `ip -4 addr show dev NAME` lists, i.e. the first address labelled name or
// "name:..." (a label such as "eth0:1" selects that address). nullopt when
// the interface has no IPv4 address.
std::optional<InterfaceAddress> interface_ipv4(const HostInterfaces &ifs, std::string_view name);

// Whether addr is one of the IPv4 addresses of ifs.
bool has_ipv4(const HostInterfaces &ifs, in_addr addr);

// Whether addr is a unicast address this host can bind a socket to: an
// address of one of its interfaces, or else one a bind() succeeds with
// (127.0.0.0/8 beyond 127.0.0.1, local routes, net.ipv4.ip_nonlocal_bind),
// not 0.0.0.0/8, multicast or a broadcast address. Throws SysError.
bool is_local_ipv4(in_addr addr);

// Adds addr/prefix to the interface dev (rtnetlink, as `ip addr add` does),
// with the broadcast address bcast unless 0.0.0.0, under label (at most 15
// bytes: "eth0:web"); scope host for 127.0.0.0/8 as iproute2 gives it.
// Throws SysError (EEXIST when dev has the address already).
void add_ipv4_address(const std::string &dev, in_addr addr, int prefix, in_addr bcast,
                      const std::string &label);

// Adds addr/prefix to the interface dev (rtnetlink, as `ip -6 addr add ...
// nodad` does: usable at once, no duplicate address detection). Throws
// SysError (EEXIST when dev has the address already).
void add_ipv6_address(const std::string &dev, const in6_addr &addr, int prefix);

// A failed name resolution; what() says why in a few words.
class ResolveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The IPv4 addresses of a host name (getent ahostsv4: the system's name
// service switch), in the resolver's order, without repeats. Throws
// ResolveError.
std::vector<in_addr> resolve_ipv4(const std::string &name);

} // namespace vserver
