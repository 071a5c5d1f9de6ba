#include <vserver/flags.hpp>
#include <vserver/parse.hpp>

#include <gtest/gtest.h>

#include <linux/vserver.h>

using namespace vserver;

TEST(Flags, Names) {
    EXPECT_EQ(flag_name(VXF_LOCK), "lock");
    EXPECT_EQ(flag_name(VXF_SCHED), "sched");
    EXPECT_EQ(flag_name(VXF_NPROC), "nproc");
    EXPECT_EQ(flag_name(VXF_PRIVATE), "private");
    EXPECT_EQ(flag_name(VXF_FAKEINIT), "fakeinit");
    EXPECT_EQ(flag_name(VXF_USERNS), "userns");
    EXPECT_EQ(flag_name(0), "");
    EXPECT_EQ(flag_name(VXF_LOCK | VXF_SCHED), "");
    EXPECT_EQ(flag_name(1U << 6), "");
}

TEST(Flags, LookupIsCaseInsensitive) {
    EXPECT_EQ(flag_from_name("lock"), VXF_LOCK);
    EXPECT_EQ(flag_from_name("LOCK"), VXF_LOCK);
    EXPECT_EQ(flag_from_name("Sched"), VXF_SCHED);
    EXPECT_EQ(flag_from_name("nProc"), VXF_NPROC);
    EXPECT_EQ(flag_from_name("PRIVATE"), VXF_PRIVATE);
    EXPECT_EQ(flag_from_name("FakeInit"), VXF_FAKEINIT);
    EXPECT_EQ(flag_from_name("UserNS"), VXF_USERNS);
    EXPECT_EQ(flag_from_name(""), std::nullopt);
    EXPECT_EQ(flag_from_name("nosuch"), std::nullopt);
    EXPECT_EQ(flag_from_name("lock "), std::nullopt);
    EXPECT_EQ(flag_from_name("1"), std::nullopt);
}

TEST(Flags, ParseList) {
    EXPECT_EQ(parse_flag_list("lock"), VXF_LOCK);
    EXPECT_EQ(parse_flag_list("lock,sched"), VXF_LOCK | VXF_SCHED);
    EXPECT_EQ(parse_flag_list("LOCK,Sched,nproc,private,fakeinit,userns"),
              static_cast<std::uint32_t>(VXF_ALL));
    EXPECT_EQ(parse_flag_list("lock sched"), VXF_LOCK | VXF_SCHED);
    EXPECT_EQ(parse_flag_list(" lock,,lock, "), VXF_LOCK);
    EXPECT_THROW(parse_flag_list(""), ParseError);
    EXPECT_THROW(parse_flag_list(","), ParseError);
    EXPECT_THROW(parse_flag_list("lock,nosuch"), ParseError);
    try {
        parse_flag_list("nosuch");
        FAIL();
    } catch (const ParseError &e) {
        EXPECT_STREQ(
            e.what(),
            "unknown context flag 'nosuch' (known: lock, sched, nproc, private, fakeinit, userns)");
    }
}

TEST(Flags, FormatAndRoundTrip) {
    EXPECT_EQ(format_flags(0), "");
    EXPECT_EQ(format_flags(VXF_LOCK), "lock");
    EXPECT_EQ(format_flags(VXF_FAKEINIT | VXF_LOCK), "lock,fakeinit");
    EXPECT_EQ(format_flags(VXF_ALL), "lock,sched,nproc,private,fakeinit,userns");
    EXPECT_EQ(format_flags(VXF_SCHED | (1U << 8)), "sched,0x100");
    for (std::uint32_t mask = 1; mask <= VXF_ALL; ++mask)
        EXPECT_EQ(parse_flag_list(format_flags(mask)), mask) << mask;
}
