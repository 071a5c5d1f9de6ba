#include <vserver/syscall.hpp>
#include <vserver/version.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

using namespace vserver;

TEST(SysError, LacksSupportMessageIsExact) {
    EXPECT_EQ(lacks_support_message(),
              "this kernel lacks vserver support (vserver system call: Function not implemented)");
    SysError e = SysError::lacks_support();
    EXPECT_STREQ(e.what(), lacks_support_message().c_str());
    EXPECT_TRUE(e.lacks_kernel_support());
    EXPECT_EQ(e.error(), ENOSYS);
    EXPECT_EQ(e.code(), std::errc::function_not_supported);
}

TEST(SysError, CarriesStrerror) {
    SysError e(EPERM, "VCMD_NEW_S_CONTEXT 5");
    EXPECT_STREQ(e.what(), "VCMD_NEW_S_CONTEXT 5: Operation not permitted");
    EXPECT_EQ(e.what_failed(), "VCMD_NEW_S_CONTEXT 5");
    EXPECT_FALSE(e.lacks_kernel_support());
    EXPECT_EQ(e.error(), EPERM);
    const std::system_error &base = e;
    EXPECT_STREQ(base.what(), "VCMD_NEW_S_CONTEXT 5: Operation not permitted");
}

TEST(Syscall, ApiVersionOrNoSupport) {
    try {
        EXPECT_EQ(api_version(), VSERVER_VERSION);
    } catch (const SysError &e) {
        // This build host runs a kernel without the patch.
        EXPECT_TRUE(e.lacks_kernel_support()) << e.what();
    }
}

TEST(Syscall, NamesAreCheckedBeforeTheSystemCall) {
    std::string longest(max_name_length, 'a');
    std::string too_long(max_name_length + 1, 'a');
    EXPECT_EQ(max_name_length, 64u);
    // VX_CTX_KEEP with nothing removed changes nothing, even on a patched kernel.
    EXPECT_THROW(new_s_context(VX_CTX_KEEP, 0, 0, too_long), std::invalid_argument);
    EXPECT_THROW(new_s_context(VX_CTX_KEEP, 0, 0, {}, too_long), std::invalid_argument);
    EXPECT_THROW(new_s_context(VX_CTX_KEEP, 0, 0, std::string_view("a\0b", 3)),
                 std::invalid_argument);
    EXPECT_THROW(new_s_context(VX_CTX_KEEP, 0, 0, longest + longest), std::invalid_argument);
}

TEST(Syscall, AddressSetSizeIsCheckedBeforeTheSystemCall) {
    EXPECT_EQ(max_ipv4roots, 16u);
    EXPECT_THROW(set_ipv4roots({}), std::invalid_argument);
    std::vector<in_addr> seventeen(max_ipv4roots + 1, in_addr{htonl(0x7f000002)});
    EXPECT_THROW(set_ipv4roots(seventeen), std::invalid_argument);
}

TEST(Version, FromCMake) { EXPECT_EQ(version, "0.1.0"); }
