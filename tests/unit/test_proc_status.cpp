#include <vserver/caps.hpp>
#include <vserver/net.hpp>
#include <vserver/proc_status.hpp>
#include <vserver/syscall.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <linux/vserver.h>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

using namespace vserver;

namespace {

// /proc/PID/status of a task in context 5 under a patched kernel.
constexpr const char *sample = "Name:\tbash\n"
                               "Umask:\t0022\n"
                               "State:\tS (sleeping)\n"
                               "Tgid:\t1234\n"
                               "Pid:\t1234\n"
                               "PPid:\t1\n"
                               "Uid:\t0\t0\t0\t0\n"
                               "Groups:\t\n"
                               "CapInh:\t0000000000000000\n"
                               "CapPrm:\t000001ffffffffff\n"
                               "CapEff:\t000001ffffffffff\n"
                               "CapBnd:\t000000000020fbff\n"
                               "CapAmb:\t0000000000000000\n"
                               "s_context:\t5\n"
                               "ctxflags:\t17\n"
                               "initpid:\t1234\n"
                               "ipv4root:\t192.0.2.7\n"
                               "ipv4root_bcast:\t192.0.2.255\n"
                               "voluntary_ctxt_switches:\t3\n";

} // namespace

TEST(ProcStatus, ParsesKeysAndValues) {
    StatusMap status = parse_proc_status(sample);
    EXPECT_EQ(status.size(), 19u);
    EXPECT_EQ(status.at("Name"), "bash");
    EXPECT_EQ(status.at("State"), "S (sleeping)");
    EXPECT_EQ(status.at("Uid"), "0\t0\t0\t0");
    EXPECT_EQ(status.at("Groups"), "");
    EXPECT_EQ(status.at("ipv4root"), "192.0.2.7");
    EXPECT_EQ(status.at("ipv4root_bcast"), "192.0.2.255");
    EXPECT_EQ(status.at("voluntary_ctxt_switches"), "3");
}

TEST(ProcStatus, VserverHelpers) {
    StatusMap status = parse_proc_status(sample);
    EXPECT_EQ(status_s_context(status), 5);
    EXPECT_EQ(status_ctxflags(status), VXF_LOCK | VXF_FAKEINIT);
    EXPECT_EQ(status_initpid(status), 1234);
    EXPECT_EQ(status_cap_bnd(status), 0x20fbffULL);
    ASSERT_TRUE(status_ipv4root(status).has_value());
    EXPECT_EQ(format_ipv4(*status_ipv4root(status)), "192.0.2.7");
    ASSERT_TRUE(status_ipv4root_bcast(status).has_value());
    EXPECT_EQ(format_ipv4(*status_ipv4root_bcast(status)), "192.0.2.255");
}

TEST(ProcStatus, Ipv4root) {
    auto root = [](const char *text) {
        auto addr = status_ipv4root(parse_proc_status(text));
        return addr ? format_ipv4(*addr) : std::string("none");
    };
    auto bcast = [](const char *text) {
        auto addr = status_ipv4root_bcast(parse_proc_status(text));
        return addr ? format_ipv4(*addr) : std::string("none");
    };
    // Not locked: both lines show 0.0.0.0.
    EXPECT_EQ(root("ipv4root:\t0.0.0.0\nipv4root_bcast:\t0.0.0.0\n"), "0.0.0.0");
    EXPECT_EQ(bcast("ipv4root:\t0.0.0.0\nipv4root_bcast:\t0.0.0.0\n"), "0.0.0.0");
    EXPECT_EQ(root("ipv4root:\t10.1.2.3\n"), "10.1.2.3");
    EXPECT_EQ(bcast("ipv4root:\t10.1.2.3\n"), "none");
    // Absent: a kernel without vserver, or without set_ipv4root.
    EXPECT_EQ(root("Name:\tx\ns_context:\t0\n"), "none");
    EXPECT_EQ(bcast("Name:\tx\n"), "none");
    // Malformed, including the hex form of older drafts.
    EXPECT_EQ(root("ipv4root:\t0100007f\n"), "none");
    EXPECT_EQ(root("ipv4root:\t10.1.2\n"), "none");
    EXPECT_EQ(root("ipv4root:\t\n"), "none");
    EXPECT_EQ(bcast("ipv4root_bcast:\t256.1.1.1\n"), "none");
}

TEST(ProcStatus, Netaddrs) {
    auto addrs = [](const char *text) {
        auto list = status_netaddrs(parse_proc_status(text));
        if (!list)
            return std::string("none");
        std::string out = "[";
        for (in_addr addr : list->ipv4)
            out.append(out.size() > 1 ? "," : "").append(format_ipv4(addr));
        return out + "]";
    };
    EXPECT_EQ(addrs("netaddrs:\t127.0.0.2 127.0.0.3\n"), "[127.0.0.2,127.0.0.3]");
    EXPECT_EQ(addrs("netaddrs:\t10.1.2.3\n"), "[10.1.2.3]");
    // Not locked: an empty line.
    EXPECT_EQ(addrs("netaddrs:\t\n"), "[]");
    // Absent: a kernel older than 1.3.
    EXPECT_EQ(addrs("ipv4root:\t10.1.2.3\n"), "none");
    // Malformed.
    EXPECT_EQ(addrs("netaddrs:\t10.1.2.3  10.1.2.4\n"), "none");
    EXPECT_EQ(addrs("netaddrs:\t10.1.2.3,10.1.2.4\n"), "none");
    EXPECT_EQ(addrs("netaddrs:\t10.1.2.300\n"), "none");
}

TEST(ProcStatus, NetaddrsOfBothFamilies) {
    const char *text = "netaddrs:\t127.0.0.2 2001:db8::1 2001:db8::2\n";
    auto addrs = status_netaddrs(parse_proc_status(text));
    ASSERT_TRUE(addrs);
    ASSERT_EQ(addrs->ipv4.size(), 1u);
    EXPECT_EQ(format_ipv4(addrs->ipv4.front()), "127.0.0.2");
    ASSERT_EQ(addrs->ipv6.size(), 2u);
    EXPECT_EQ(format_ipv6(addrs->ipv6[0]), "2001:db8::1");
    EXPECT_EQ(format_ipv6(addrs->ipv6[1]), "2001:db8::2");
    EXPECT_FALSE(status_netaddrs(parse_proc_status("netaddrs:\t2001:db8::zz\n")));
    EXPECT_TRUE(status_netaddrs(parse_proc_status("netaddrs:\t127.0.0.2\n"))->ipv6.empty());
}

TEST(ProcStatus, TolerantLineHandling) {
    StatusMap status = parse_proc_status("no colon here\n"
                                         ":\tempty key\n"
                                         "Spaces :   padded value  \n"
                                         "Colon:\ta:b\n"
                                         "Last:\tno newline");
    EXPECT_EQ(status.size(), 3u);
    EXPECT_EQ(status.at("Spaces"), "padded value");
    EXPECT_EQ(status.at("Colon"), "a:b");
    EXPECT_EQ(status.at("Last"), "no newline");
    EXPECT_TRUE(parse_proc_status("").empty());
}

TEST(ProcStatus, CtxflagsForms) {
    auto flags = [](const char *value) {
        return status_ctxflags(parse_proc_status(std::string("ctxflags:\t") + value + "\n"));
    };
    EXPECT_EQ(flags("0"), 0u);
    EXPECT_EQ(flags("3"), VXF_LOCK | VXF_SCHED);
    EXPECT_EQ(flags("0x18"), VXF_PRIVATE | VXF_FAKEINIT);
    EXPECT_EQ(flags("lock,nproc"), VXF_LOCK | VXF_NPROC);
    EXPECT_EQ(flags("lock nproc fakeinit"), VXF_LOCK | VXF_NPROC | VXF_FAKEINIT);
    EXPECT_EQ(flags("none"), 0u);
    EXPECT_EQ(flags("bogus"), std::nullopt);
    EXPECT_EQ(flags("0xzz"), std::nullopt);
}

TEST(ProcStatus, MissingOrMalformed) {
    StatusMap status = parse_proc_status("Name:\tx\ns_context:\tfive\ninitpid:\t-\n"
                                         "CapBnd:\txyz\n");
    EXPECT_EQ(status_s_context(status), std::nullopt);
    EXPECT_EQ(status_initpid(status), std::nullopt);
    EXPECT_EQ(status_cap_bnd(status), std::nullopt);
    EXPECT_EQ(status_ctxflags(status), std::nullopt);
    StatusMap empty;
    EXPECT_EQ(status_s_context(empty), std::nullopt);
    EXPECT_EQ(status_cap_bnd(empty), std::nullopt);
}

TEST(ProcStatus, ThisHostSelf) {
    StatusMap status = read_proc_status();
    ASSERT_TRUE(status.count("Pid"));
    EXPECT_EQ(status.at("Pid"), std::to_string(getpid()));
    EXPECT_EQ(read_proc_status(getpid()).at("Pid"), std::to_string(getpid()));

    auto bnd = status_cap_bnd(status);
    ASSERT_TRUE(bnd.has_value());
    std::uint64_t expected = 0;
    for (int cap = 0; cap < 64; ++cap) {
        int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (r < 0)
            break;
        if (r == 1)
            expected |= cap_bit(cap);
    }
    EXPECT_EQ(*bnd, expected);

    // Present only on a kernel with vserver support, and then consistent.
    if (auto ctx = status_s_context(status)) {
        EXPECT_GE(*ctx, 0);
        EXPECT_LE(*ctx, VX_CTX_MAX);
    }
    if (status.count("ipv4root")) {
        EXPECT_TRUE(status_ipv4root(status).has_value()) << status.at("ipv4root");
    }
    if (status.count("ipv4root_bcast")) {
        EXPECT_TRUE(status_ipv4root_bcast(status).has_value()) << status.at("ipv4root_bcast");
    }
}

TEST(ProcStatus, MissingProcessThrowsSysError) {
    try {
        read_proc_status(0x7ffffff0);
        FAIL();
    } catch (const SysError &e) {
        EXPECT_EQ(e.error(), ENOENT);
        EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos);
    }
}

// A fake proc file system: PROC/PID/status and, optionally, PROC/PID/stat.
class FakeProc : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vserver-proc.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    void add(const std::string &pid, const std::string &status, const char *stat) {
        std::filesystem::create_directory(dir_ + "/" + pid);
        std::ofstream(dir_ + "/" + pid + "/status") << status;
        if (stat)
            std::ofstream(dir_ + "/" + pid + "/stat") << stat;
    }
    std::string dir_;
};

TEST_F(FakeProc, ReadsContextSizesAndTimes) {
    // (a command name may hold blanks and ')')
    add("42", "Name:\tx\ns_context:\t7\nVmSize:\t  2048 kB\nVmRSS:\t 512 kB\n",
        "42 (a) b) S 1 42 42 0 -1 4194560 100 0 0 0 11 22 0 0 20 0 1 0 333 0 0\n");
    auto p = read_process(42, dir_);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->pid, 42);
    EXPECT_EQ(p->ctx, 7);
    EXPECT_EQ(p->vsz_kib, 2048u);
    EXPECT_EQ(p->rss_kib, 512u);
    ASSERT_TRUE(p->has_times);
    EXPECT_EQ(p->utime, 11u);
    EXPECT_EQ(p->stime, 22u);
    EXPECT_EQ(p->starttime, 333u);
}

TEST_F(FakeProc, ReadsTheAddressesALockedProcessHas) {
    add("5", "Name:\tx\ns_context:\t7\nipv4root:\t10.0.0.1\nnetaddrs:\t10.0.0.1 10.0.0.2\n",
        nullptr);
    add("6", "Name:\tx\ns_context:\t7\nipv4root:\t10.0.0.3\n", nullptr); // before API 1.3
    add("7", "Name:\tx\ns_context:\t7\nipv4root:\t0.0.0.0\nnetaddrs:\t\n", nullptr);
    EXPECT_EQ(format_ipv4_list(read_process(5, dir_)->addrs), "10.0.0.1 10.0.0.2");
    EXPECT_EQ(format_ipv4_list(read_process(6, dir_)->addrs), "10.0.0.3");
    EXPECT_TRUE(read_process(7, dir_)->addrs.empty());
}

TEST_F(FakeProc, KernelThreadWithoutVserverOrStat) {
    add("2", "Name:\tkthreadd\n", nullptr);
    auto p = read_process(2, dir_);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ctx, std::nullopt);
    EXPECT_EQ(p->vsz_kib, 0u);
    EXPECT_FALSE(p->has_times);
    EXPECT_EQ(read_process(3, dir_), std::nullopt); // ended
}

TEST_F(FakeProc, ListsProcessDirectoriesInOrder) {
    add("10", "Name:\ta\n", nullptr);
    add("9", "Name:\tb\n", nullptr);
    std::filesystem::create_directory(dir_ + "/sys");
    EXPECT_EQ(list_processes(dir_), (std::vector<pid_t>{9, 10}));
}
