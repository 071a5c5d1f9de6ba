#include <vserver/caps.hpp>
#include <vserver/parse.hpp>

#include <fstream>
#include <gtest/gtest.h>

#include <bit>
#include <cctype>
#include <linux/capability.h>
#include <string>

using namespace vserver;

namespace {

struct Known {
    int number;
    const char *name;
};

// Straight from include/uapi/linux/capability.h of Linux 6.12.
const Known known_caps[] = {
    {0, "CAP_CHOWN"},
    {1, "CAP_DAC_OVERRIDE"},
    {2, "CAP_DAC_READ_SEARCH"},
    {3, "CAP_FOWNER"},
    {4, "CAP_FSETID"},
    {5, "CAP_KILL"},
    {6, "CAP_SETGID"},
    {7, "CAP_SETUID"},
    {8, "CAP_SETPCAP"},
    {9, "CAP_LINUX_IMMUTABLE"},
    {10, "CAP_NET_BIND_SERVICE"},
    {11, "CAP_NET_BROADCAST"},
    {12, "CAP_NET_ADMIN"},
    {13, "CAP_NET_RAW"},
    {14, "CAP_IPC_LOCK"},
    {15, "CAP_IPC_OWNER"},
    {16, "CAP_SYS_MODULE"},
    {17, "CAP_SYS_RAWIO"},
    {18, "CAP_SYS_CHROOT"},
    {19, "CAP_SYS_PTRACE"},
    {20, "CAP_SYS_PACCT"},
    {21, "CAP_SYS_ADMIN"},
    {22, "CAP_SYS_BOOT"},
    {23, "CAP_SYS_NICE"},
    {24, "CAP_SYS_RESOURCE"},
    {25, "CAP_SYS_TIME"},
    {26, "CAP_SYS_TTY_CONFIG"},
    {27, "CAP_MKNOD"},
    {28, "CAP_LEASE"},
    {29, "CAP_AUDIT_WRITE"},
    {30, "CAP_AUDIT_CONTROL"},
    {31, "CAP_SETFCAP"},
    {32, "CAP_MAC_OVERRIDE"},
    {33, "CAP_MAC_ADMIN"},
    {34, "CAP_SYSLOG"},
    {35, "CAP_WAKE_ALARM"},
    {36, "CAP_BLOCK_SUSPEND"},
    {37, "CAP_AUDIT_READ"},
    {38, "CAP_PERFMON"},
    {39, "CAP_BPF"},
    {40, "CAP_CHECKPOINT_RESTORE"},
};

std::string lower(std::string s) {
    for (auto &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

TEST(Caps, TheRunningKernelsCapabilities) {
    // libcap reads /proc/sys/kernel/cap_last_cap: what the kernel has, not
    // a table of this program's (6.12 and Debian 12's 6.1 have 40).
    std::ifstream file("/proc/sys/kernel/cap_last_cap");
    int kernel_last = -1;
    if (file >> kernel_last) {
        EXPECT_EQ(cap_last(), kernel_last);
    }
    EXPECT_GE(cap_last(), 40);
    EXPECT_EQ(cap_all_mask(), cap_last() >= 63 ? ~0ULL : (1ULL << (cap_last() + 1)) - 1);
    EXPECT_EQ(std::size(known_caps), 41u);
#ifdef CAP_CHECKPOINT_RESTORE
    EXPECT_EQ(CAP_CHECKPOINT_RESTORE, 40);
    EXPECT_EQ(CAP_NET_RAW, 13);
    EXPECT_EQ(CAP_SYS_ADMIN, 21);
#endif
    for (const auto &k : known_caps)
        EXPECT_EQ(cap_name(k.number), k.name) << k.number;
}

TEST(Caps, NameOutOfRangeIsEmpty) {
    EXPECT_EQ(cap_name(-1), "");
    EXPECT_EQ(cap_name(cap_last() + 1), "");
    EXPECT_EQ(cap_name(64), "");
}

TEST(Caps, LookupWithAndWithoutPrefixInAnyCase) {
    for (const auto &k : known_caps) {
        std::string full = k.name;
        std::string bare = full.substr(4);
        EXPECT_EQ(cap_from_name(full), k.number) << full;
        EXPECT_EQ(cap_from_name(bare), k.number) << bare;
        EXPECT_EQ(cap_from_name(lower(full)), k.number) << full;
        EXPECT_EQ(cap_from_name(lower(bare)), k.number) << bare;
        std::string mixed = "Cap_" + lower(bare);
        EXPECT_EQ(cap_from_name(mixed), k.number) << mixed;
        EXPECT_EQ(parse_cap(bare), k.number);
    }
}

TEST(Caps, LookupByNumber) {
    for (int i = 0; i <= cap_last(); ++i)
        EXPECT_EQ(cap_from_name(std::to_string(i)), i);
    EXPECT_EQ(cap_from_name("013"), 13);
    EXPECT_EQ(cap_from_name(std::to_string(cap_last() + 1)), std::nullopt);
    EXPECT_EQ(cap_from_name("-1"), std::nullopt);
    EXPECT_EQ(cap_from_name("+1"), std::nullopt);
    EXPECT_EQ(cap_from_name("99999999999999999999"), std::nullopt);
}

TEST(Caps, UnknownNames) {
    for (const char *bad : {"", "NOSUCH", "CAP_", "CAP_NOSUCH", "NET RAW", "CAPNET_RAW",
                            "CAP_CAP_NET_RAW", " NET_RAW", "NET_RAW ", "1x", "0x0d"})
        EXPECT_EQ(cap_from_name(bad), std::nullopt) << '"' << bad << '"';
    EXPECT_THROW(parse_cap("NOSUCH"), ParseError);
    try {
        parse_cap("NOSUCH");
        FAIL();
    } catch (const ParseError &e) {
        EXPECT_STREQ(e.what(), "unknown capability 'NOSUCH'");
    }
}

TEST(Caps, ParseList) {
    EXPECT_EQ(parse_cap_list("NET_RAW"), cap_bit(13));
    EXPECT_EQ(parse_cap_list("NET_RAW,sys_admin"), cap_bit(13) | cap_bit(21));
    EXPECT_EQ(parse_cap_list("CAP_NET_RAW CAP_SYS_TIME"), cap_bit(13) | cap_bit(25));
    EXPECT_EQ(parse_cap_list(" net_raw , 21,,"), cap_bit(13) | cap_bit(21));
    EXPECT_EQ(parse_cap_list("NET_RAW,NET_RAW"), cap_bit(13));
    EXPECT_EQ(parse_cap_list("0,40"), cap_bit(0) | cap_bit(40));
    EXPECT_THROW(parse_cap_list(""), ParseError);
    EXPECT_THROW(parse_cap_list(", ,"), ParseError);
    EXPECT_THROW(parse_cap_list("NET_RAW,NOSUCH"), ParseError);
    try {
        parse_cap_list("NET_RAW,bogus,SYS_ADMIN");
        FAIL();
    } catch (const ParseError &e) {
        EXPECT_STREQ(e.what(), "unknown capability 'bogus'");
    }
}

TEST(Caps, FormatMask) {
    EXPECT_EQ(format_caps(0), "");
    EXPECT_EQ(format_caps(cap_bit(13)), "CAP_NET_RAW");
    EXPECT_EQ(format_caps(cap_bit(0) | cap_bit(21) | cap_bit(40)),
              "CAP_CHOWN,CAP_SYS_ADMIN,CAP_CHECKPOINT_RESTORE");
    if (cap_last() < 62) {
        int beyond = cap_last() + 1;
        EXPECT_EQ(format_caps(cap_bit(5) | cap_bit(beyond) | cap_bit(63)),
                  "CAP_KILL," + std::to_string(beyond) + ",63");
    }
}

TEST(Caps, FormatParseRoundTrip) {
    EXPECT_EQ(parse_cap_list(format_caps(cap_all_mask())), cap_all_mask());
    for (int i = 0; i <= cap_last(); ++i) {
        EXPECT_EQ(parse_cap_list(format_caps(cap_bit(i))), cap_bit(i));
        std::uint64_t without = cap_all_mask() & ~cap_bit(i);
        EXPECT_EQ(parse_cap_list(format_caps(without)), without);
    }
    for (std::uint64_t mask : {0x1ULL, 0x2a5ULL, 0x155555555ULL, 0x1fffeffffffULL, 0x3000ULL})
        EXPECT_EQ(parse_cap_list(format_caps(mask)), mask) << std::hex << mask;
    // The names in a formatted full mask are all the names, in order.
    std::string all;
    for (const auto &k : known_caps)
        all.append(all.empty() ? "" : ",").append(k.name);
    if (cap_last() == 40) {
        EXPECT_EQ(format_caps(cap_all_mask()), all);
    }
}

TEST(Caps, SecureSetDropsDangerousCapabilities) {
    const std::uint64_t remove = secure_remove_caps();
    for (const char *name : {"SYS_ADMIN",         "SYS_MODULE",   "SYS_RAWIO",
                             "SYS_BOOT",          "SYS_TIME",     "NET_ADMIN",
                             "NET_RAW",           "MKNOD",        "LINUX_IMMUTABLE",
                             "DAC_READ_SEARCH",   "SETPCAP",      "SYS_PACCT",
                             "SYS_NICE",          "SYS_RESOURCE", "SYS_TTY_CONFIG",
                             "NET_BROADCAST",     "IPC_LOCK",     "IPC_OWNER",
                             "AUDIT_CONTROL",     "AUDIT_READ",   "MAC_OVERRIDE",
                             "MAC_ADMIN",         "SYSLOG",       "WAKE_ALARM",
                             "BLOCK_SUSPEND",     "PERFMON",      "BPF",
                             "CHECKPOINT_RESTORE"})
        EXPECT_TRUE(remove & cap_bit(parse_cap(name))) << name;
}

TEST(Caps, SecureSetKeepsWhatServicesNeed) {
    const std::uint64_t remove = secure_remove_caps();
    const std::uint64_t keep = secure_keep_caps();
    for (const char *name :
         {"NET_BIND_SERVICE", "CHOWN", "KILL", "SETUID", "SETGID", "DAC_OVERRIDE", "FOWNER",
          "FSETID", "SYS_CHROOT", "SYS_PTRACE", "AUDIT_WRITE", "SETFCAP", "LEASE"}) {
        EXPECT_FALSE(remove & cap_bit(parse_cap(name))) << name;
        EXPECT_TRUE(keep & cap_bit(parse_cap(name))) << name;
    }
}

TEST(Caps, SecureSetPartitionsAllCapabilities) {
    EXPECT_EQ(secure_remove_caps() & secure_keep_caps(), 0u);
    EXPECT_EQ(secure_remove_caps() | secure_keep_caps(), cap_all_mask());
    EXPECT_EQ(std::popcount(secure_keep_caps()), 13);
    EXPECT_EQ(std::popcount(secure_remove_caps()), 28);
}
