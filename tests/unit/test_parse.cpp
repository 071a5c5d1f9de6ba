#include <vserver/parse.hpp>

#include <gtest/gtest.h>

#include <csignal>

using namespace vserver;

TEST(CtxId, Valid) {
    EXPECT_EQ(parse_ctx_id("1"), 1);
    EXPECT_EQ(parse_ctx_id("2"), 2);
    EXPECT_EQ(parse_ctx_id("42"), 42);
    EXPECT_EQ(parse_ctx_id("65535"), 65535);
    EXPECT_EQ(parse_ctx_id("007"), 7);
    EXPECT_EQ(parse_ctx_id("0", 0, 65535), 0);
}

TEST(CtxId, Invalid) {
    for (const char *bad : {"0", "65536", "70000", "-1", "+5", "", " 5", "5 ", "5x", "0x10", "1.5",
                            "99999999999999999999999", "ctx"})
        EXPECT_THROW(parse_ctx_id(bad), ParseError) << '"' << bad << '"';
    EXPECT_THROW(parse_ctx_id("1", 2, 65535), ParseError);
    try {
        parse_ctx_id("70000");
        FAIL();
    } catch (const ParseError &e) {
        EXPECT_STREQ(e.what(), "invalid context id '70000' (expected an integer from 1 to 65535)");
    }
}

TEST(Pid, ValidAndInvalid) {
    EXPECT_EQ(parse_pid("1"), 1);
    EXPECT_EQ(parse_pid("4194304"), 4194304);
    for (const char *bad : {"0", "-1", "", "abc", "12a", " 1", "2147483648"})
        EXPECT_THROW(parse_pid(bad), ParseError) << '"' << bad << '"';
}

TEST(Signal, Names) {
    EXPECT_EQ(parse_signal("TERM"), SIGTERM);
    EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
    EXPECT_EQ(parse_signal("term"), SIGTERM);
    EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
    EXPECT_EQ(parse_signal("SigKill"), SIGKILL);
    EXPECT_EQ(parse_signal("HUP"), SIGHUP);
    EXPECT_EQ(parse_signal("INT"), SIGINT);
    EXPECT_EQ(parse_signal("usr1"), SIGUSR1);
    EXPECT_EQ(parse_signal("USR2"), SIGUSR2);
    EXPECT_EQ(parse_signal("STOP"), SIGSTOP);
    EXPECT_EQ(parse_signal("CONT"), SIGCONT);
    EXPECT_EQ(parse_signal("CHLD"), SIGCHLD);
    EXPECT_EQ(parse_signal("CLD"), SIGCHLD);
    EXPECT_EQ(parse_signal("IOT"), SIGABRT);
    EXPECT_EQ(parse_signal("POLL"), SIGIO);
    EXPECT_EQ(parse_signal("WINCH"), SIGWINCH);
    EXPECT_EQ(parse_signal("SYS"), SIGSYS);
}

TEST(Signal, Numbers) {
    EXPECT_EQ(parse_signal("0"), 0);
    EXPECT_EQ(parse_signal("9"), SIGKILL);
    EXPECT_EQ(parse_signal("15"), SIGTERM);
    EXPECT_EQ(parse_signal(std::to_string(SIGRTMAX)), SIGRTMAX);
    EXPECT_THROW(parse_signal(std::to_string(SIGRTMAX + 1)), ParseError);
    EXPECT_THROW(parse_signal("-9"), ParseError);
    EXPECT_THROW(parse_signal("+9"), ParseError);
}

TEST(Signal, RealTime) {
    EXPECT_EQ(parse_signal("RTMIN"), SIGRTMIN);
    EXPECT_EQ(parse_signal("SIGRTMIN+1"), SIGRTMIN + 1);
    EXPECT_EQ(parse_signal("rtmax"), SIGRTMAX);
    EXPECT_EQ(parse_signal("RTMAX-2"), SIGRTMAX - 2);
    EXPECT_EQ(parse_signal("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN)), SIGRTMAX);
    EXPECT_THROW(parse_signal("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN + 1)), ParseError);
    EXPECT_THROW(parse_signal("RTMIN-1"), ParseError);
    EXPECT_THROW(parse_signal("RTMAX+1"), ParseError);
    EXPECT_THROW(parse_signal("RTMIN+"), ParseError);
}

TEST(Signal, Unknown) {
    for (const char *bad : {"", "SIG", "NOSUCH", "SIGNOSUCH", "TERM ", "KILL9", "SIGSIGTERM"})
        EXPECT_THROW(parse_signal(bad), ParseError) << '"' << bad << '"';
    try {
        parse_signal("FOO");
        FAIL();
    } catch (const ParseError &e) {
        EXPECT_STREQ(e.what(), "unknown signal 'FOO'");
    }
}

TEST(Signal, NameRoundTrip) {
    EXPECT_EQ(signal_name(SIGTERM), "TERM");
    EXPECT_EQ(signal_name(SIGKILL), "KILL");
    EXPECT_EQ(signal_name(SIGABRT), "ABRT");
    EXPECT_EQ(signal_name(SIGCHLD), "CHLD");
    EXPECT_EQ(signal_name(SIGRTMIN), "RTMIN");
    EXPECT_EQ(signal_name(SIGRTMIN + 3), "RTMIN+3");
    EXPECT_EQ(signal_name(0), "0");
    for (int sig = 1; sig <= SIGRTMAX; ++sig) {
        EXPECT_EQ(parse_signal(signal_name(sig)), sig) << sig;
    }
}
