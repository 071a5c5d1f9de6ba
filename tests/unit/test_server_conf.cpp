#include <vserver/parse.hpp>
#include <vserver/server_conf.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace vserver;

namespace {

std::string value(const ServerConf &conf, std::string_view key) {
    for (const auto &[k, v] : conf.values)
        if (k == key)
            return v;
    return "(missing)";
}

// The problem check_server_conf() reports, or "" when it accepts text.
std::string problem(const std::string &text) {
    try {
        check_server_conf(text);
    } catch (const ParseError &e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(ServerConf, ValuesAsStartUsesThem) {
    ServerConf conf = check_server_conf("IPROOT=127.0.0.1\nIPROOTMASK=255.255.255.0\n"
                                        "S_CONTEXT=00042\nS_FLAGS=\"lock\tnproc  sched\"\n");
    EXPECT_EQ(conf.ip, "127.0.0.1");
    EXPECT_EQ(value(conf, "IPROOTMASK"), "24");
    EXPECT_EQ(value(conf, "S_CONTEXT"), "42");
    EXPECT_EQ(conf.flag_list, "lock,nproc,sched");
    EXPECT_EQ(value(conf, "ONBOOT"), "");
}

TEST(ServerConf, AddressLists) {
    // IPROOT takes a list, blanks between; the first is the source address.
    EXPECT_EQ(check_server_conf("IPROOT=\"127.0.0.3  127.0.0.2\t127.0.0.4\"\n").ip,
              "127.0.0.3 127.0.0.2 127.0.0.4");
    EXPECT_EQ(check_server_conf("IPROOT=' 127.0.0.3 '\n").ip, "127.0.0.3");
    EXPECT_EQ(problem("IPROOT=\"127.0.0.2 127.0.0.3 127.0.0.2\""), "IPROOT lists 127.0.0.2 twice");
    EXPECT_EQ(problem("IPROOT=\"127.0.0.2 10.0.0.300\""),
              "IPROOT '10.0.0.300' is not a dotted IPv4 address");
    std::string sixteen, seventeen;
    for (int i = 1; i <= 17; i++)
        (i <= 16 ? sixteen : seventeen) += " 127.0.1." + std::to_string(i);
    EXPECT_EQ(problem("IPROOT=\"" + sixteen + "\""), "");
    EXPECT_EQ(problem("IPROOT=\"" + sixteen + seventeen + "\""),
              "IPROOT lists 17 addresses, at most 16 are allowed");
}

TEST(ServerConf, Ipv6Addresses) {
    // IPv6 addresses come after the IPv4 ones, compressed, from IPROOT or IPROOT6.
    EXPECT_EQ(check_server_conf("IPROOT=\"2001:db8:0::1 127.0.0.2\"\n").ip,
              "127.0.0.2 2001:db8::1");
    EXPECT_EQ(check_server_conf("IPROOT=127.0.0.2\nIPROOT6=\"2001:db8::2 2001:db8::1\"\n").ip,
              "127.0.0.2 2001:db8::2 2001:db8::1");
    EXPECT_EQ(problem("IPROOT=2001:db8::1"), "IPROOT needs an IPv4 address beside its IPv6 ones");
    EXPECT_EQ(problem("IPROOT=127.0.0.2\nIPROOT6=::1"),
              "IPROOT '::1' cannot be a server's address (::1, link-local, site-local, "
              "multicast, IPv4-mapped and fd76:7365:7276:6572::/64 addresses are not allowed)");
    EXPECT_EQ(problem("IPROOT=\"127.0.0.2 fe80::1\""),
              "IPROOT 'fe80::1' cannot be a server's address (::1, link-local, site-local, "
              "multicast, IPv4-mapped and fd76:7365:7276:6572::/64 addresses are not allowed)");
    EXPECT_EQ(problem("IPROOT=127.0.0.2\nIPROOT6=fd76:7365:7276:6572::2a"),
              "IPROOT 'fd76:7365:7276:6572::2a' cannot be a server's address (::1, link-local, "
              "site-local, multicast, IPv4-mapped and fd76:7365:7276:6572::/64 addresses are "
              "not allowed)");
    EXPECT_EQ(problem("IPROOT=\"127.0.0.2 2001:db8::zz\""),
              "IPROOT '2001:db8::zz' is not an IPv6 address");
    EXPECT_EQ(problem("IPROOT=127.0.0.2\nIPROOT6=127.0.0.3"),
              "IPROOT6 '127.0.0.3' is not an IPv6 address");
    EXPECT_EQ(problem("IPROOT=\"127.0.0.2 2001:db8::1\"\nIPROOT6=2001:db8:0::1"),
              "IPROOT lists 2001:db8::1 twice");
}

TEST(ServerConf, DeviceDefaults) {
    // lo is 127.0.0.1/8 on every Linux host, without a broadcast address.
    ServerConf conf = check_server_conf("IPROOT=127.0.0.2\nIPROOTDEV=lo\n");
    EXPECT_EQ(value(conf, "IPROOTMASK"), "8");
    EXPECT_EQ(value(conf, "IPROOTBCAST"), "");
    conf = check_server_conf("IPROOT=127.0.0.2\nIPROOTDEV=lo\nIPROOTMASK=16\n");
    EXPECT_EQ(value(conf, "IPROOTMASK"), "16");
}

TEST(ServerConf, BadValues) {
    EXPECT_EQ(problem("ONBOOT=YES"), "ONBOOT must be yes or no, not 'YES'");
    EXPECT_EQ(problem("IPROOT=127.0.0.2\nHOSTLOOPBACK=1"),
              "HOSTLOOPBACK must be yes or no, not '1'");
    EXPECT_EQ(problem("HOSTLOOPBACK=yes"), "HOSTLOOPBACK=yes needs IPROOT");
    EXPECT_EQ(problem("HOSTLOOPBACK=no"), "");
    EXPECT_EQ(problem("IPROOT=127.0.0.2\nHOSTLOOPBACK=yes"), "");
    EXPECT_EQ(problem("SYSLOG=Host"), "SYSLOG must be host or server, not 'Host'");
    EXPECT_EQ(problem("SYSLOG=host"), "");
    EXPECT_EQ(problem("SYSLOG=server"), "");
    EXPECT_EQ(problem("S_CONTEXT=49152"),
              "S_CONTEXT must be a context id from 2 to 49151, not '49152'");
    EXPECT_EQ(problem("S_CONTEXT=-5"), "S_CONTEXT must be a context id from 2 to 49151, not '-5'");
    EXPECT_EQ(problem("S_NICE=-21"), "S_NICE must be a nice level from -20 to 19, not '-21'");
    EXPECT_EQ(problem("S_NICE=-"), "S_NICE must be a nice level from -20 to 19, not '-'");
    EXPECT_EQ(problem("S_NICE=-20"), "");
    EXPECT_EQ(problem("S_FLAGS=lock,nproc"),
              "S_FLAGS: unknown flag 'lock,nproc' (known: lock sched nproc private fakeinit "
              "userns)");
    EXPECT_EQ(problem("S_FLAGS=LOCK"),
              "S_FLAGS: unknown flag 'LOCK' (known: lock sched nproc private fakeinit userns)");
    EXPECT_EQ(problem("ULIMIT='-u 1; reboot'"),
              "ULIMIT may only hold ulimit options and numbers, not '-u 1; reboot'");
    EXPECT_EQ(problem("ULIMIT='-u'"), "ULIMIT: ulimit option '-u' needs a value");
    EXPECT_EQ(problem("MEMORY_MAX=64MB"),
              "MEMORY_MAX must be a size (bytes, or a number with K, M, G or T) or max, not "
              "'64MB'");
    EXPECT_EQ(problem("MEMORY_HIGH=64M"), "");
    EXPECT_EQ(problem("CPU_MAX='50000  100000'"),
              "CPU_MAX must be N% (of one CPU), QUOTA [PERIOD] in microseconds or max, not "
              "'50000  100000'");
    EXPECT_EQ(problem("CPU_MAX='50000 100000'"), "");
    EXPECT_EQ(problem("CPU_MAX=0%"),
              "CPU_MAX must be N% (of one CPU), QUOTA [PERIOD] in microseconds or max, not '0%'");
    EXPECT_EQ(problem("CPU_WEIGHT=010"), "CPU_WEIGHT must be a weight from 1 to 10000, not '010'");
    EXPECT_EQ(problem("IO_WEIGHT=10001"),
              "IO_WEIGHT must be a weight from 1 to 10000, not '10001'");
    EXPECT_EQ(problem("PIDS_MAX=many"), "PIDS_MAX must be a number of tasks or max, not 'many'");
    EXPECT_EQ(problem("IPROOT=10.0.0.300"), "IPROOT '10.0.0.300' is not a dotted IPv4 address");
    EXPECT_EQ(problem("IPROOT=no-such-host.invalid"),
              "IPROOT 'no-such-host.invalid' is neither an IPv4 address nor a known host name");
    EXPECT_EQ(problem("IPROOTDEV=lo"), "IPROOTDEV is set but IPROOT is not");
    EXPECT_EQ(problem("IPROOT=127.0.0.2\nIPROOTDEV=nosuchdev0"),
              "IPROOTDEV 'nosuchdev0' is not a network interface of this host");
    EXPECT_EQ(problem("S_HOSTNAME=" + std::string(65, 'h')),
              "S_HOSTNAME '" + std::string(65, 'h') + "' is longer than 64 bytes");
    EXPECT_EQ(problem("S_CAPS='NET_RAW BOGUS'"), "unknown capability 'BOGUS'");
    EXPECT_EQ(problem("FOO=1"), "line 1: unknown key FOO");
}

TEST(Ulimit, Options) {
    auto limits = parse_ulimit("-H -u 1000");
    ASSERT_EQ(limits.size(), 1U);
    EXPECT_EQ(limits[0].resource, RLIMIT_NPROC);
    EXPECT_TRUE(limits[0].hard);
    EXPECT_TRUE(limits[0].soft); // as the seed's vserver set it
    EXPECT_EQ(limits[0].value, 1000U);

    limits = parse_ulimit("-S -n 64 -Hv unlimited -c 0");
    ASSERT_EQ(limits.size(), 3U);
    EXPECT_EQ(limits[0].resource, RLIMIT_NOFILE);
    EXPECT_FALSE(limits[0].hard);
    EXPECT_EQ(limits[1].resource, RLIMIT_AS);
    EXPECT_EQ(limits[1].value, RLIM_INFINITY);
    EXPECT_TRUE(limits[1].hard);
    EXPECT_EQ(limits[2].resource, RLIMIT_CORE);
    EXPECT_EQ(limits[2].value, 0U);

    EXPECT_EQ(parse_ulimit("-s 8192")[0].value, 8192U * 1024); // KiB
    EXPECT_EQ(parse_ulimit("-t 5")[0].value, 5U);              // seconds
    EXPECT_TRUE(parse_ulimit("").empty());
}

TEST(Ulimit, Bad) {
    EXPECT_THROW(parse_ulimit("-u"), ParseError);
    EXPECT_THROW(parse_ulimit("-u many"), ParseError);
    EXPECT_THROW(parse_ulimit("-z 1"), ParseError);
    EXPECT_THROW(parse_ulimit("1000"), ParseError);
    EXPECT_THROW(parse_ulimit("-un 1 2"), ParseError);
    EXPECT_THROW(parse_ulimit("-v 99999999999999999999"), ParseError);
}

TEST(CgroupSetting, FileAndText) {
    CgroupSetting memory = cgroup_setting("MEMORY_MAX=64M");
    EXPECT_EQ(memory.file, "memory.max");
    EXPECT_EQ(memory.text, "64M");
    EXPECT_EQ(memory.controller, "memory");
    CgroupSetting cpu = cgroup_setting("CPU_MAX=150%");
    EXPECT_EQ(cpu.file, "cpu.max");
    EXPECT_EQ(cpu.text, "150000 100000");
    EXPECT_EQ(cgroup_setting("CPU_MAX=50000 100000").text, "50000 100000");
    EXPECT_EQ(cgroup_setting("IO_WEIGHT=300").text, "default 300");
    EXPECT_EQ(cgroup_setting("IO_WEIGHT=300").controller, "io");
    EXPECT_EQ(cgroup_setting("PIDS_MAX=max").file, "pids.max");
    EXPECT_EQ(cgroup_setting("CPU_WEIGHT=50").controller, "cpu");
}

TEST(CgroupSetting, Bad) {
    EXPECT_THROW(cgroup_setting("MEMORY_MAX"), ParseError);
    EXPECT_THROW(cgroup_setting("MEMORY_MAX="), ParseError);
    EXPECT_THROW(cgroup_setting("MEMORY_MAX=lots"), ParseError);
    EXPECT_THROW(cgroup_setting("CPU_MAX=0%"), ParseError);
    EXPECT_THROW(cgroup_setting("S_NICE=5"), ParseError);
    EXPECT_THROW(cgroup_setting("PIDS_MAX=-1"), ParseError);
}
