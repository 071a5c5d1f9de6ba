#include <vserver/net.hpp>
#include <vserver/syscall.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <string>

using namespace vserver;

namespace {

in_addr ip(const char *text) {
    in_addr addr{};
    EXPECT_EQ(inet_pton(AF_INET, text, &addr), 1) << text;
    return addr;
}

std::string parsed(const char *text) {
    auto addr = parse_ipv4(text);
    return addr ? format_ipv4(*addr) : "none";
}

InterfaceAddress entry(const char *name, const char *addr, const char *bcast = "0.0.0.0") {
    return InterfaceAddress{name, ip(addr), ip(bcast)};
}

// eth0 with a primary, a secondary and a labelled alias; eth1 without IPv4;
// eth10 whose name starts like eth1.
HostInterfaces sample() {
    HostInterfaces ifs;
    ifs.names = {"lo", "eth0", "eth1", "eth10", "eth0:1"};
    ifs.ipv4 = {
        entry("lo", "127.0.0.1"),
        entry("eth0", "192.0.2.2", "192.0.2.255"),
        entry("eth0", "192.0.2.3", "192.0.2.255"),
        entry("eth0:1", "198.51.100.9", "198.51.100.255"),
        entry("eth10", "203.0.113.10"),
    };
    return ifs;
}

} // namespace

TEST(ParseIpv4, Valid) {
    EXPECT_EQ(parsed("192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(parsed("0.0.0.0"), "0.0.0.0");
    EXPECT_EQ(parsed("255.255.255.255"), "255.255.255.255");
    EXPECT_EQ(parsed("10.0.0.1"), "10.0.0.1");
    EXPECT_EQ(parsed("127.0.0.1"), "127.0.0.1");
    auto addr = parse_ipv4("1.2.3.4");
    ASSERT_TRUE(addr);
    EXPECT_EQ(ntohl(addr->s_addr), 0x01020304u);
}

TEST(ParseIpv4, Invalid) {
    for (const char *bad :
         {"",           "1",          "1.2",      "1.2.3",    "1.2.3.4.5", "256.1.1.1",
          "1.2.3.256",  "1.2.3.1000", "01.2.3.4", "1.2.3.04", "1.2.3.00",  "0x7f.0.0.1",
          "0x7f000001", "2130706433", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4.",  ".1.2.3.4",
          "1..2.3",     "1.2.3.-4",   "+1.2.3.4", "a.b.c.d",  "eth0",      "localhost",
          "1.2.3.4/24", "::1"})
        EXPECT_EQ(parsed(bad), "none") << '"' << bad << '"';
}

TEST(ParseIpv4, LooksLikeIpv4) {
    for (const char *numeric : {"10.1", "127.1", "2130706433", "0x7f000001", "010.0.0.1", "1.2.3",
                                "127.1.0.300", "1.2.3.4.5", "256.0.0.1", "1..2.3", "99999999999"})
        EXPECT_TRUE(looks_like_ipv4(numeric)) << numeric;
    for (const char *other : {"1.2.3.4", "eth0", "localhost", "www.example.org", "", ".", "...",
                              "1.2.3.4a", "x1.2.3.4"})
        EXPECT_FALSE(looks_like_ipv4(other)) << other;
}

TEST(ParseNetmask, PrefixOrDottedMask) {
    EXPECT_EQ(parse_netmask("24"), 24);
    EXPECT_EQ(parse_netmask("0"), 0);
    EXPECT_EQ(parse_netmask("32"), 32);
    EXPECT_EQ(parse_netmask("024"), 24);
    EXPECT_EQ(parse_netmask("255.255.255.0"), 24);
    EXPECT_EQ(parse_netmask("255.255.255.255"), 32);
    EXPECT_EQ(parse_netmask("0.0.0.0"), 0);
    EXPECT_EQ(parse_netmask("255.255.240.0"), 20);
    for (const char *bad :
         {"", "33", "100", "255.0.255.0", "255.255.255.256", "abc", "24.5", "-1", "0.255.255.255"})
        EXPECT_EQ(parse_netmask(bad), std::nullopt) << bad;
}

TEST(Ipv4root, UsableAddresses) {
    for (const char *good : {"192.0.2.1", "127.0.0.1", "10.0.0.0", "1.0.0.0", "223.255.255.255",
                             "240.0.0.1", "255.255.255.254"})
        EXPECT_TRUE(usable_ipv4root(ip(good))) << good;
    for (const char *bad :
         {"0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.255", "255.255.255.255"})
        EXPECT_FALSE(usable_ipv4root(ip(bad))) << bad;
    for (const char *good : {"0.0.0.0", "192.0.2.255", "255.255.255.255", "10.255.255.255"})
        EXPECT_TRUE(usable_ipv4root_bcast(ip(good))) << good;
    for (const char *bad : {"0.0.0.1", "0.255.255.255", "224.0.0.1", "239.1.1.1"})
        EXPECT_FALSE(usable_ipv4root_bcast(ip(bad))) << bad;
}

TEST(Interfaces, PrimaryAddressIsTheFirstListed) {
    HostInterfaces ifs = sample();
    auto eth0 = interface_ipv4(ifs, "eth0");
    ASSERT_TRUE(eth0);
    EXPECT_EQ(format_ipv4(eth0->addr), "192.0.2.2");
    EXPECT_EQ(format_ipv4(eth0->bcast), "192.0.2.255");
    EXPECT_EQ(eth0->name, "eth0");

    auto alias = interface_ipv4(ifs, "eth0:1");
    ASSERT_TRUE(alias);
    EXPECT_EQ(format_ipv4(alias->addr), "198.51.100.9");
    EXPECT_EQ(format_ipv4(alias->bcast), "198.51.100.255");

    auto lo = interface_ipv4(ifs, "lo");
    ASSERT_TRUE(lo);
    EXPECT_EQ(format_ipv4(lo->addr), "127.0.0.1");
    EXPECT_EQ(format_ipv4(lo->bcast), "0.0.0.0");

    // eth1 exists but has no IPv4 address; eth10's address is not eth1's.
    EXPECT_TRUE(has_interface(ifs, "eth1"));
    EXPECT_FALSE(interface_ipv4(ifs, "eth1"));
    auto eth10 = interface_ipv4(ifs, "eth10");
    ASSERT_TRUE(eth10);
    EXPECT_EQ(format_ipv4(eth10->addr), "203.0.113.10");

    EXPECT_FALSE(has_interface(ifs, "eth2"));
    EXPECT_FALSE(has_interface(ifs, ""));
    EXPECT_FALSE(has_interface(ifs, "eth"));
    EXPECT_FALSE(interface_ipv4(ifs, "eth"));
    EXPECT_FALSE(interface_ipv4(ifs, ""));
}

TEST(Interfaces, PrimaryAfterALabelledAlias) {
    // An alias listed first still belongs to the device: `ip -4 addr show
    // dev eth0` lists it first.
    HostInterfaces ifs;
    ifs.names = {"eth0", "eth0:web"};
    ifs.ipv4 = {entry("eth0:web", "10.0.0.5", "10.0.0.255"), entry("eth0", "10.0.0.6")};
    auto eth0 = interface_ipv4(ifs, "eth0");
    ASSERT_TRUE(eth0);
    EXPECT_EQ(format_ipv4(eth0->addr), "10.0.0.5");
}

TEST(Interfaces, HasIpv4) {
    HostInterfaces ifs = sample();
    EXPECT_TRUE(has_ipv4(ifs, ip("192.0.2.3")));
    EXPECT_TRUE(has_ipv4(ifs, ip("198.51.100.9")));
    EXPECT_FALSE(has_ipv4(ifs, ip("192.0.2.4")));
    EXPECT_FALSE(has_ipv4(ifs, ip("0.0.0.0")));
}

TEST(Interfaces, ThisHost) {
    HostInterfaces ifs = host_interfaces();
    // Every Linux host has a loopback interface, normally with 127.0.0.1.
    ASSERT_TRUE(has_interface(ifs, "lo"));
    if (auto lo = interface_ipv4(ifs, "lo")) {
        EXPECT_EQ(format_ipv4(lo->addr), "127.0.0.1");
        EXPECT_EQ(format_ipv4(lo->bcast), "0.0.0.0");
        EXPECT_TRUE(has_ipv4(ifs, lo->addr));
        EXPECT_TRUE(is_local_ipv4(lo->addr));
    }
    for (const InterfaceAddress &a : ifs.ipv4)
        EXPECT_TRUE(is_local_ipv4(a.addr)) << a.name << ' ' << format_ipv4(a.addr);
    // Documentation addresses (RFC 5737), not configured here.
    EXPECT_FALSE(is_local_ipv4(ip("198.51.100.213")));
    EXPECT_FALSE(is_local_ipv4(ip("203.0.113.213")));
}

TEST(Resolve, Localhost) {
    // /etc/hosts, no DNS needed.
    std::vector<in_addr> addrs;
    try {
        addrs = resolve_ipv4("localhost");
    } catch (const ResolveError &e) {
        GTEST_SKIP() << "localhost does not resolve here: " << e.what();
    }
    ASSERT_FALSE(addrs.empty());
    EXPECT_EQ(ntohl(addrs.front().s_addr) >> 24, 127u);
    EXPECT_EQ(resolve_ipv4("192.0.2.1").size(), 1u);
}

TEST(Resolve, Failure) {
    // RFC 6761: .invalid never resolves.
    EXPECT_THROW(resolve_ipv4("no-such-host.invalid"), ResolveError);
    EXPECT_THROW(resolve_ipv4(""), ResolveError);
}

TEST(SetIpv4root, ZeroAddressChangesNothing) {
    try {
        // The address is not usable as a root, so even a patched kernel
        // changes nothing: EINVAL.
        set_ipv4root(ip("0.0.0.0"));
        FAIL() << "set_ipv4root(0.0.0.0) succeeded";
    } catch (const SysError &e) {
        if (!e.lacks_kernel_support()) {
            EXPECT_EQ(e.error(), EINVAL);
            EXPECT_EQ(e.what_failed(), "VCMD_SET_IPV4ROOT 0.0.0.0");
        }
    }
}

TEST(Net, ParsesIpv6Addresses) {
    auto text = [](std::string_view in) {
        auto addr = parse_ipv6(in);
        return addr ? format_ipv6(*addr) : std::string("none");
    };
    EXPECT_EQ(text("2001:db8:0:0::1"), "2001:db8::1");
    EXPECT_EQ(text("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
    EXPECT_EQ(text("2001:db8::zz"), "none");
    EXPECT_EQ(text("2001:db8::1/64"), "none");
    EXPECT_EQ(text("fe80::1%eth0"), "none");
    EXPECT_EQ(text("127.0.0.1"), "none");
    auto usable = [](const char *in) { return usable_ipv6root(*parse_ipv6(in)); };
    EXPECT_TRUE(usable("2001:db8::1"));
    EXPECT_TRUE(usable("fd00::1"));
    EXPECT_FALSE(usable("fd76:7365:7276:6572::2a")); // a server's ::1
    EXPECT_TRUE(usable("fd76:7365:7276:6573::2a"));
    EXPECT_FALSE(usable("::"));
    EXPECT_FALSE(usable("::1"));
    EXPECT_FALSE(usable("fe80::1"));
    EXPECT_FALSE(usable("fec0::1"));
    EXPECT_FALSE(usable("ff02::1"));
    EXPECT_FALSE(usable("::ffff:127.0.0.2"));
}

TEST(Net, FormatsAnAddressList) {
    EXPECT_EQ(format_ipv4_list({}), "");
    EXPECT_EQ(format_ipv4_list({ip("10.0.0.1")}), "10.0.0.1");
    EXPECT_EQ(format_ipv4_list({ip("10.0.0.1"), ip("127.0.2.1")}), "10.0.0.1 127.0.2.1");
    EXPECT_EQ(format_ipv4_list({ip("10.0.0.1"), ip("127.0.2.1")}, ","), "10.0.0.1,127.0.2.1");
}
