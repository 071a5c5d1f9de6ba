#include <vserver/conffiles.hpp>
#include <vserver/exclude.hpp>
#include <vserver/fsflags.hpp>
#include <vserver/parse.hpp>
#include <vserver/sha256.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <linux/fs.h>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace vserver;

namespace {

std::size_t index_of(std::uint32_t flag) {
    const auto &t = fs_flag_names();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].flag == flag)
            return i;
    return t.size();
}

} // namespace

// ---- attributes ----

TEST(FsFlags, TableHasLsattrNamesAndIunlink) {
    const auto &t = fs_flag_names();
    ASSERT_GE(t.size(), 10u);
    std::set<char> letters;
    std::set<std::uint32_t> flags;
    for (const auto &f : t) {
        EXPECT_TRUE(letters.insert(f.letter).second) << "letter used twice: " << f.letter;
        EXPECT_TRUE(flags.insert(f.flag).second) << "flag listed twice: " << f.flag;
        EXPECT_EQ(f.flag & (f.flag - 1), 0u) << "not a single bit: " << f.flag;
        EXPECT_FALSE(f.name.empty());
    }
    // e2fsprogs' letters, as lsattr prints them.
    EXPECT_EQ(t[index_of(FS_IMMUTABLE_FL)].letter, 'i');
    EXPECT_EQ(t[index_of(FS_IMMUTABLE_FL)].name, "Immutable");
    EXPECT_EQ(t[index_of(FS_APPEND_FL)].letter, 'a');
    EXPECT_EQ(t[index_of(FS_APPEND_FL)].name, "Append_Only");
    EXPECT_EQ(t[index_of(FS_NOATIME_FL)].letter, 'A');
    EXPECT_EQ(t[index_of(FS_EXTENT_FL)].letter, 'e');
    // iunlink comes last, with a letter of its own.
    EXPECT_EQ(t.back().flag, fs_iunlink_fl);
    EXPECT_EQ(t.back().letter, 'U');
    EXPECT_EQ(t.back().name, "Immutable_Linkage_Invert");
    EXPECT_EQ(fs_iunlink_fl, 0x08000000u);
    EXPECT_EQ(fs_unified_flags, FS_IMMUTABLE_FL | 0x08000000u);
}

TEST(FsFlags, ShortFormIsLsattrsPlusIunlink) {
    const auto n = fs_flag_names().size();
    EXPECT_EQ(format_fs_flags(0), std::string(n, '-'));
    std::string s = format_fs_flags(fs_unified_flags);
    ASSERT_EQ(s.size(), n);
    EXPECT_EQ(s.back(), 'U');
    EXPECT_EQ(s[index_of(FS_IMMUTABLE_FL)], 'i');
    EXPECT_EQ(std::count(s.begin(), s.end(), '-'), static_cast<long>(n - 2));
    // lsattr's own columns come first, in its order: "s" then "u" ...
    EXPECT_EQ(format_fs_flags(FS_SECRM_FL).front(), 's');
    EXPECT_EQ(format_fs_flags(FS_UNRM_FL)[1], 'u');
    // Bits nobody names are not shown.
    EXPECT_EQ(format_fs_flags(0x80000000u), std::string(n, '-'));
}

TEST(FsFlags, LongForm) {
    EXPECT_EQ(format_fs_flags_long(0), "---");
    EXPECT_EQ(format_fs_flags_long(FS_IMMUTABLE_FL), "Immutable");
    EXPECT_EQ(format_fs_flags_long(fs_unified_flags), "Immutable, Immutable_Linkage_Invert");
    EXPECT_EQ(format_fs_flags_long(fs_iunlink_fl), "Immutable_Linkage_Invert");
}

TEST(FsFlags, Parse) {
    EXPECT_EQ(parse_fs_flags(""), 0u);
    EXPECT_EQ(parse_fs_flags("i"), static_cast<std::uint32_t>(FS_IMMUTABLE_FL));
    EXPECT_EQ(parse_fs_flags("iU"), fs_unified_flags);
    EXPECT_EQ(parse_fs_flags("Ui"), fs_unified_flags);
    EXPECT_EQ(parse_fs_flags("----i---U"), fs_unified_flags);
    EXPECT_EQ(parse_fs_flags("ia"), static_cast<std::uint32_t>(FS_IMMUTABLE_FL | FS_APPEND_FL));
    EXPECT_THROW(parse_fs_flags("z"), ParseError);
    EXPECT_THROW(parse_fs_flags("iu U"), ParseError);
    try {
        parse_fs_flags("iZ");
        FAIL();
    } catch (const ParseError &e) {
        EXPECT_STREQ(e.what(), "unknown attribute letter 'Z'");
    }
    // Every flag survives formatting and parsing.
    for (const auto &f : fs_flag_names())
        EXPECT_EQ(parse_fs_flags(format_fs_flags(f.flag)), f.flag) << f.name;
}

TEST(FsFlags, GetOnAnOpenFile) {
    char path[] = "/tmp/vserver-fsflags-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::unlink(path);
    // Either the file system has attributes (ext4, tmpfs, ...) and a new
    // file has neither immutable nor iunlink, or it has none (ENOTTY ...).
    try {
        std::uint32_t flags = get_fs_flags(fd);
        EXPECT_EQ(flags & fs_unified_flags, 0u);
    } catch (const vserver::SysError &e) {
        EXPECT_TRUE(e.error() == ENOTTY || e.error() == EOPNOTSUPP || e.error() == EINVAL)
            << e.what();
    }
    ::close(fd);
    EXPECT_THROW(get_fs_flags(-1), vserver::SysError);
}

// ---- SHA-256 ----

TEST(Sha256, KnownDigests) {
    EXPECT_EQ(to_hex(sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalAndReusable) {
    Sha256 h;
    h.update("a");
    h.update("");
    h.update("bc");
    EXPECT_EQ(h.finish(), sha256("abc"));
    h.update("abc"); // finish() started over
    EXPECT_EQ(h.finish(), sha256("abc"));
    EXPECT_EQ(h.finish(), sha256(""));
}

TEST(Sha256, OfAFile) {
    char path[] = "/tmp/vserver-sha-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::unlink(path);
    // More than the read buffer, not a multiple of it.
    std::string data;
    for (int i = 0; i < 700000; ++i)
        data += static_cast<char>(i * 7 + i / 251);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(sha256_fd(fd), sha256(data));
    EXPECT_EQ(sha256_fd(fd), sha256("")); // at the end now
    ::close(fd);
    EXPECT_THROW(sha256_fd(-1), vserver::SysError);
}

// ---- exclude patterns ----

TEST(Exclude, EmptyListExcludesNothing) {
    ExcludeList x;
    EXPECT_TRUE(x.empty());
    EXPECT_FALSE(x.excluded("/etc/passwd"));
    EXPECT_FALSE(x.matches("/etc"));
}

TEST(Exclude, AnchoredPathCoversItsTree) {
    ExcludeList x;
    x.add("/etc");
    EXPECT_TRUE(x.matches("/etc"));
    EXPECT_FALSE(x.matches("/etc/passwd")); // only the path itself
    EXPECT_TRUE(x.excluded("/etc/passwd"));
    EXPECT_TRUE(x.excluded("/etc/ssh/sshd_config"));
    EXPECT_FALSE(x.excluded("/etcetera"));
    EXPECT_FALSE(x.excluded("/usr/etc"));
    EXPECT_FALSE(x.excluded("/usr/share/etc/x"));
}

TEST(Exclude, Normalisation) {
    ExcludeList x;
    x.add("  var/log/  ");    // relative: anchored, trailing '/' dropped
    x.add("./srv");           // "./" prefix
    x.add("//usr///local//"); // repeated slashes
    x.add("");                // ignored
    x.add("   ");             // ignored
    x.add("# /usr");          // a comment
    EXPECT_EQ(x.size(), 3u);
    EXPECT_TRUE(x.excluded("/var/log/syslog"));
    EXPECT_TRUE(x.excluded("/srv/www/index.html"));
    EXPECT_TRUE(x.excluded("/usr/local/bin/tool"));
    EXPECT_FALSE(x.excluded("/usr/bin/ls"));
    EXPECT_FALSE(x.excluded("/log"));
}

TEST(Exclude, GlobsDoNotCrossSlashes) {
    ExcludeList x;
    x.add("/var/lib/*/cache");
    x.add("/usr/lib/python3.1?");
    x.add("/opt/[ab]*");
    EXPECT_TRUE(x.excluded("/var/lib/apt/cache"));
    EXPECT_TRUE(x.excluded("/var/lib/apt/cache/pkg.bin"));
    EXPECT_FALSE(x.excluded("/var/lib/a/b/cache"));
    EXPECT_FALSE(x.excluded("/var/lib/cache"));
    EXPECT_TRUE(x.excluded("/usr/lib/python3.11/os.py"));
    EXPECT_FALSE(x.excluded("/usr/lib/python3.9/os.py"));
    EXPECT_TRUE(x.excluded("/opt/app/bin"));
    EXPECT_TRUE(x.excluded("/opt/b"));
    EXPECT_FALSE(x.excluded("/opt/c/app"));
    ExcludeList star;
    star.add("/usr/*");
    EXPECT_TRUE(star.matches("/usr/bin"));
    EXPECT_FALSE(star.matches("/usr/bin/ls"));
    EXPECT_TRUE(star.excluded("/usr/bin/ls")); // through /usr/bin
    EXPECT_FALSE(star.excluded("/usr"));
}

TEST(Exclude, NamePatternsMatchAnywhere) {
    ExcludeList x;
    x.add("*.sqlite");
    x.add("__pycache__");
    EXPECT_TRUE(x.excluded("/db.sqlite"));
    EXPECT_TRUE(x.excluded("/var/lib/app/db.sqlite"));
    EXPECT_FALSE(x.excluded("/var/lib/app/db.sqlite3"));
    EXPECT_TRUE(x.matches("/usr/lib/python3/x/__pycache__"));
    EXPECT_TRUE(x.excluded("/usr/lib/python3/x/__pycache__/a.pyc"));
    EXPECT_FALSE(x.excluded("/usr/lib/python3/x/pycache"));
}

TEST(Exclude, RootExcludesEverything) {
    ExcludeList x;
    x.add("/");
    EXPECT_TRUE(x.excluded("/usr/bin/ls"));
    EXPECT_TRUE(x.excluded("/x"));
}

TEST(Exclude, FileText) {
    ExcludeList x;
    x.add_text("# comment\n\n/etc\n  # indented comment\n\t/var/lib/dpkg\t\n*.pid\n/no-newline");
    EXPECT_EQ(x.size(), 4u);
    EXPECT_TRUE(x.excluded("/etc/x"));
    EXPECT_TRUE(x.excluded("/var/lib/dpkg/status"));
    EXPECT_FALSE(x.excluded("/var/lib/apt/lists"));
    EXPECT_TRUE(x.excluded("/srv/a.pid"));
    EXPECT_TRUE(x.excluded("/no-newline"));
    EXPECT_FALSE(x.excluded("/usr/share/doc/comment"));
}

TEST(Exclude, ShippedDefaults) {
    std::ifstream in(VUNIFY_EXCLUDE_FILE);
    ASSERT_TRUE(in) << VUNIFY_EXCLUDE_FILE;
    std::stringstream text;
    text << in.rdbuf();
    ExcludeList x;
    x.add_text(text.str());
    for (const char *p : {"/etc/passwd",
                          "/etc/ssh/sshd_config",
                          "/var/lib/dpkg/status",
                          "/var/lib/dpkg/info/x.list",
                          "/var/lib/rpm/rpmdb.sqlite",
                          "/var/cache/apt/pkgcache.bin",
                          "/var/log/syslog",
                          "/var/spool/cron/crontabs/root",
                          "/var/run/sshd.pid",
                          "/run/x.pid",
                          "/tmp/x",
                          "/var/tmp/x",
                          "/proc/1/status",
                          "/dev/null",
                          "/sys/kernel",
                          "/home/u/.bashrc",
                          "/root/.profile",
                          "/srv/www/index.html",
                          "/usr/local/bin/tool",
                          "/boot/vmlinuz",
                          "/usr/lib/sysimage/rpm/rpmdb.sqlite",
                          "/usr/lib/locale/locale-archive",
                          "/usr/share/info/dir",
                          "/var/www/html/index.html",
                          "/var/mail/root"})
        EXPECT_TRUE(x.excluded(p)) << p;
    for (const char *p : {"/usr/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/bin/sh",
                          "/lib/x86_64-linux-gnu/libm.so.6", "/sbin/init", "/opt/app/bin/app",
                          "/usr/share/doc/bash/copyright", "/usr/lib/locale/C.utf8/LC_CTYPE",
                          "/usr/share/info/bash.info.gz", "/usr/libexec/x", "/usr/sbin/sshd",
                          "/var/lib/apt/lists/x", "/var/cache/apt/archives/x.deb"})
        EXPECT_FALSE(x.excluded(p)) << p;
}

// ---- configuration files ----

TEST(Conffiles, DpkgInfoFile) {
    EXPECT_EQ(parse_dpkg_conffiles("/etc/adduser.conf\n/etc/deluser.conf\n"),
              (std::vector<std::string>{"/etc/adduser.conf", "/etc/deluser.conf"}));
    EXPECT_EQ(parse_dpkg_conffiles("remove-on-upgrade /etc/dpkg/dpkg.cfg.d/old\n"
                                   "/etc/cron.daily/dpkg  \n"
                                   "\n"
                                   "   \n"
                                   "not-a-path\n"
                                   "flag relative/path\n"
                                   "/usr/lib/app/app.conf"),
              (std::vector<std::string>{"/etc/dpkg/dpkg.cfg.d/old", "/etc/cron.daily/dpkg",
                                        "/usr/lib/app/app.conf"}));
    EXPECT_EQ(parse_dpkg_conffiles("/etc/with space.conf\n"),
              (std::vector<std::string>{"/etc/with space.conf"}));
    EXPECT_TRUE(parse_dpkg_conffiles("").empty());
    EXPECT_TRUE(parse_dpkg_conffiles("/\n").empty());
}

TEST(Conffiles, DpkgStatus) {
    const char *status = "Package: adduser\n"
                         "Status: install ok installed\n"
                         "Conffiles:\n"
                         " /etc/adduser.conf cc3493ecd2d09837ffdcc3e25fdfff18\n"
                         " /etc/deluser.conf 11a06baf8245fd8d690b99024d228c1f\n"
                         "Description: add and remove users and groups\n"
                         " /not/a/conffile 0123 in the description\n"
                         "\n"
                         "Package: old\n"
                         "Conffiles:\n"
                         " /etc/old.conf 0123456789abcdef0123456789abcdef obsolete\n"
                         " /etc/gone.conf newconffile remove-on-upgrade\n"
                         " /etc/both.conf 0123 obsolete remove-on-upgrade\n"
                         " /etc/with space.conf abcdef\n"
                         " /etc/nohash\n"
                         "Version: 1\n";
    EXPECT_EQ(
        parse_dpkg_status_conffiles(status),
        (std::vector<std::string>{"/etc/adduser.conf", "/etc/deluser.conf", "/etc/old.conf",
                                  "/etc/gone.conf", "/etc/both.conf", "/etc/with space.conf"}));
    EXPECT_TRUE(parse_dpkg_status_conffiles("Package: x\nDescription: y\n z\n").empty());
}

TEST(Conffiles, RpmList) {
    EXPECT_EQ(parse_rpm_config_list("/etc/bashrc\n(contains no files)\n/etc/profile\r\n"
                                    "package foo is not installed\n\n/etc/my app.conf\n"),
              (std::vector<std::string>{"/etc/bashrc", "/etc/profile", "/etc/my app.conf"}));
    EXPECT_TRUE(parse_rpm_config_list("").empty());
}

TEST(ExcludeList, BangTakesBackBelowAnExcludedDirectory) {
    vserver::ExcludeList x;
    x.add_text("/var\n!/var/lib/apt/lists\n!/var/cache/apt/archives/\n");
    EXPECT_TRUE(x.excluded("/var/log/syslog"));
    EXPECT_TRUE(x.excluded("/var/lib/apt/extended_states"));
    EXPECT_FALSE(x.excluded("/var/lib/apt/lists/deb.debian.org_Packages"));
    EXPECT_FALSE(x.excluded("/var/cache/apt/archives/ls_1.0_amd64.deb"));
    EXPECT_TRUE(x.excluded("/var/cache/apt/pkgcache.bin"));
    EXPECT_FALSE(x.excluded("/usr/bin/ls"));
    // A walk enters the excluded directories on the way, and no others.
    EXPECT_TRUE(x.may_include_below("/"));
    EXPECT_TRUE(x.may_include_below("/var"));
    EXPECT_TRUE(x.may_include_below("/var/lib"));
    EXPECT_TRUE(x.may_include_below("/var/lib/apt"));
    EXPECT_FALSE(x.may_include_below("/var/log"));
    EXPECT_FALSE(x.may_include_below("/var/lib/dpkg"));
    EXPECT_TRUE(x.excluded_in("/var/lib", true));
    EXPECT_FALSE(x.excluded_in("/var/lib/apt/lists", true));
    EXPECT_FALSE(x.excluded_in("/var/lib/apt/lists/x", false));
}

TEST(ExcludeList, LastMatchingPatternDecides) {
    vserver::ExcludeList x;
    x.add_text("!/usr/share/doc\n/usr/share/doc\n");
    EXPECT_TRUE(x.excluded("/usr/share/doc/README"));
    vserver::ExcludeList y;
    y.add_text("/usr/share/doc\n!/usr/share/doc\n");
    EXPECT_FALSE(y.excluded("/usr/share/doc/README"));
}
