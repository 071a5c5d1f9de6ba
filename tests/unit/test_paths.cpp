#include <vserver/paths.hpp>
#include <vserver/proc_status.hpp>
#include <vserver/syscall.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace vserver;

namespace {

// A temporary directory, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/vserver-paths-XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::string &path() const { return path_; }
    void write(const std::string &name, const std::string &text) const {
        std::ofstream(path_ + "/" + name) << text;
    }

private:
    std::string path_;
};

// Sets the VSERVER_* variables for one test and restores them afterwards.
class Environment {
public:
    Environment() {
        for (const char *name : names)
            if (const char *value = std::getenv(name))
                saved_[name] = value;
        for (const char *name : names)
            ::unsetenv(name);
    }
    ~Environment() {
        for (const char *name : names)
            ::unsetenv(name);
        for (const auto &[name, value] : saved_)
            ::setenv(name.c_str(), value.c_str(), 1);
    }
    void set(const char *name, const std::string &value) { ::setenv(name, value.c_str(), 1); }

private:
    static constexpr const char *names[] = {"VSERVER_GLOBAL_CONF", "VSERVER_CONFDIR",
                                            "VSERVER_RUNDIR", "VSERVER_ROOTDIR", "VSERVER_PROC"};
    std::map<std::string, std::string> saved_;
};

} // namespace

TEST(ConfValue, LastAssignmentWins) {
    EXPECT_EQ(conf_value("A=1\nA=2\n", "A"), "2");
    EXPECT_EQ(conf_value("A=1\nB=2", "B"), "2");
    EXPECT_EQ(conf_value("B=2\n", "A"), std::nullopt);
}

TEST(ConfValue, ShellAssignmentSyntax) {
    EXPECT_EQ(conf_value("  export S_HOSTNAME=web\n", "S_HOSTNAME"), "web");
    EXPECT_EQ(conf_value("\texport\tX=1", "X"), "1");
    EXPECT_EQ(conf_value("X=\"a b\" # comment\n", "X"), "a b");
    EXPECT_EQ(conf_value("X='a \"b\"'\n", "X"), "a \"b\"");
    EXPECT_EQ(conf_value("X=a b\n", "X"), "a");
    EXPECT_EQ(conf_value("X=a;b\n", "X"), "a");
    EXPECT_EQ(conf_value("X=$HOME/x\n", "X"), "$HOME/x"); // no expansion
    EXPECT_EQ(conf_value("X=\n", "X"), "");
    EXPECT_EQ(conf_value("X=\"open\nX=1\n", "X"), "1"); // unclosed quote: ignored
}

TEST(ConfValue, OnlyTheExactKey) {
    EXPECT_EQ(conf_value("XY=1\n", "X"), std::nullopt);
    EXPECT_EQ(conf_value("# X=1\n", "X"), std::nullopt);
    EXPECT_EQ(conf_value("exportX=1\n", "X"), std::nullopt);
    EXPECT_EQ(conf_value("X =1\n", "X"), std::nullopt);
}

TEST(ServerConf, Problems) {
    EXPECT_EQ(server_conf_problem("# c\n\n  IPROOT=1.2.3.4\nexport S_FLAGS='lock'\n"),
              std::nullopt);
    EXPECT_EQ(server_conf_problem("IPROOT=1\nFOO=2\n"), "line 2: unknown key FOO");
    EXPECT_EQ(server_conf_problem("echo hi\n"), "line 1: not a KEY=value assignment");
    EXPECT_EQ(server_conf_problem("1A=x\n"), "line 1: not a KEY=value assignment");
    EXPECT_EQ(server_conf_problem("S_HOSTNAME=\"web\n"),
              "line 1: unterminated quote in S_HOSTNAME");
    EXPECT_EQ(server_conf_problem("MEMORY_MAX=64M\nPIDS_MAX=100\n"), std::nullopt);
}

TEST(ConfValue, UnreadableFile) {
    EXPECT_EQ(read_conf_value("/nonexistent/vservers.conf", "X"), std::nullopt);
}

TEST(Paths, Defaults) {
    Environment env;
    env.set("VSERVER_GLOBAL_CONF", "/nonexistent/vservers.conf");
    Paths paths = vserver_paths();
    EXPECT_EQ(paths.global_conf, "/nonexistent/vservers.conf");
    EXPECT_EQ(paths.confdir, "/etc/vservers");
    EXPECT_EQ(paths.rundir, "/var/run/vservers");
    EXPECT_EQ(paths.rootdir, "/vservers");
    EXPECT_EQ(paths.proc, "/proc");
}

TEST(Paths, EnvironmentThenGlobalFileThenDefault) {
    TempDir dir;
    dir.write("vservers.conf", "VSERVER_CONFDIR=/g/conf\n"
                               "VSERVER_ROOTDIR=\"/g/roots\"\n"
                               "VSERVER_RUNDIR=\n"
                               "VSERVER_PROC=/g/proc\n");
    Environment env;
    env.set("VSERVER_GLOBAL_CONF", dir.path() + "/vservers.conf");
    env.set("VSERVER_CONFDIR", "/e/conf");
    env.set("VSERVER_ROOTDIR", ""); // empty: as if unset
    Paths paths = vserver_paths();
    EXPECT_EQ(paths.confdir, "/e/conf");
    EXPECT_EQ(paths.rootdir, "/g/roots");
    EXPECT_EQ(paths.rundir, "/var/run/vservers"); // empty in the file: the default
    EXPECT_EQ(paths.proc, "/proc");               // only from the environment
    env.set("VSERVER_PROC", "/e/proc");
    EXPECT_EQ(vserver_paths().proc, "/e/proc");
}

TEST(ServerNames, Valid) {
    EXPECT_TRUE(valid_server_name("web"));
    EXPECT_TRUE(valid_server_name("web-1.example_2"));
    EXPECT_FALSE(valid_server_name(""));
    EXPECT_FALSE(valid_server_name("."));
    EXPECT_FALSE(valid_server_name(".."));
    EXPECT_FALSE(valid_server_name("a/b"));
    EXPECT_FALSE(valid_server_name("-a"));
    EXPECT_FALSE(valid_server_name("a b"));
    EXPECT_FALSE(valid_server_name("a\nb"));
    EXPECT_FALSE(valid_server_name(std::string_view("a\0b", 3)));
    // the shell's rule too (tests/scripts/test-vserver-conf.sh)
    EXPECT_FALSE(valid_server_name("../web"));
    EXPECT_FALSE(valid_server_name(".web"));
    EXPECT_FALSE(valid_server_name("web+1"));
    EXPECT_FALSE(valid_server_name("a:b"));
}

TEST(ServerNames, Configured) {
    TempDir dir;
    dir.write("web.conf", "");
    dir.write("mail.conf", "S_CONTEXT=5\n");
    dir.write("notes.txt", "");
    dir.write(".conf", "");
    ::mkdir((dir.path() + "/sub.conf").c_str(), 0755);
    EXPECT_EQ(configured_servers(dir.path()), (std::vector<std::string>{"mail", "web"}));
    EXPECT_THROW(configured_servers(dir.path() + "/nonexistent"), SysError);
}

TEST(Paths, ProcStatusUnderAnotherProcRoot) {
    TempDir dir;
    ::mkdir((dir.path() + "/42").c_str(), 0755);
    dir.write("42/status", "Name:\tinit\ns_context:\t7\n");
    EXPECT_EQ(status_s_context(read_proc_status(42, dir.path())), 7);
    EXPECT_THROW(read_proc_status(43, dir.path()), SysError);
}
