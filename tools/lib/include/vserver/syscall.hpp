// The vserver(2) system call: security contexts, the capability ceiling and
// the IPv4 root.
// The kernel ABI is <linux/vserver.h> (tools/lib/uapi); this is the only
// place in userland that issues the system call.
#pragma once

#include <linux/vserver.h>

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <system_error>
#include <vector>

namespace vserver {

// Error of a system call (or of reading /proc). what() is
// "<what failed>: <strerror(errno)>", except on a kernel without vserver
// support (ENOSYS from the vserver system call), where it is exactly
// lacks_support_message().
class SysError : public std::system_error {
public:
    SysError(int err, std::string what_failed);

    // The ENOSYS error of the vserver system call.
    static SysError lacks_support();

    const char *what() const noexcept override { return message_.c_str(); }
    int error() const noexcept { return code().value(); }
    const std::string &what_failed() const noexcept { return what_failed_; }
    bool lacks_kernel_support() const noexcept { return lacks_support_; }

private:
    std::string what_failed_;
    std::string message_;
    bool lacks_support_ = false;
};

// "this kernel lacks vserver support (vserver system call: Function not implemented)"
std::string lacks_support_message();

// Longest host or domain name new_s_context() accepts (VX_NAME_LEN - 1).
inline constexpr std::size_t max_name_length = VX_NAME_LEN - 1;

// What VCMD_GET_CONTEXT_INFO reports about a task.
struct ContextInfo {
    std::uint32_t xid = 0;      // context id
    std::uint32_t flags = 0;    // VXF_* of the context
    pid_t initpid = 0;          // the context's fake init, or 0
    std::uint32_t nr_tasks = 0; // tasks in the context
    std::uint64_t cap_bset = 0; // the task's capability ceiling
    in_addr ipv4root{};         // the task's IPv4 root, 0.0.0.0: none
    in_addr ipv4root_bcast{};   // its broadcast address, or 0.0.0.0
};

// VCMD_GET_VERSION: the kernel's VSERVER_VERSION.
int api_version();

// VCMD_NEW_S_CONTEXT. ctx: VX_CTX_NEW (-1), VX_CTX_KEEP (-2) or a context id.
// Removes remove_cap from the caller's capability ceiling; flags (VXF_*),
// nodename and domainname apply when the context is created ("": inherit).
// Returns the context id the caller is now in. Throws std::invalid_argument
// for a name longer than max_name_length or containing a NUL byte (before
// any system call), SysError when the kernel refuses.
int new_s_context(int ctx, std::uint64_t remove_cap, std::uint32_t flags,
                  std::string_view nodename = {}, std::string_view domainname = {});

// VCMD_SET_IPV4ROOT: locks the caller and its future children to the IPv4
// address addr; UDP may also bind bcast (0.0.0.0: no broadcast address).
// One shot: EPERM once the caller has an IPv4 root; EINVAL for an address
// in 0.0.0.0/8, multicast or 255.255.255.255, a bad bcast, or a
// multithreaded caller (or, before API 1.2, for host_loopback). Inside a
// context of its own the loopback network 127.0.0.0/8 is then the caller's
// address, unless host_loopback keeps the host's. Throws SysError.
void set_ipv4root(in_addr addr, in_addr bcast = {}, bool host_loopback = false);

// Whether set_ipv4root's host_loopback is known to the kernel (API 1.2);
// false also when the kernel lacks vserver support.
bool kernel_knows_host_loopback();

// Most addresses set_ipv4roots() takes (VX_NETSET_MAX).
inline constexpr std::size_t max_ipv4roots = VX_NETSET_MAX;

// Locks the caller like set_ipv4root() to a set of up to max_ipv4roots
// distinct addresses, at least one of them IPv4: a bind to 0.0.0.0 (or ::)
// of TCP and UDP answers on each of them of that family, connections
// without a bind leave from the first of theirs. One address is
// set_ipv4root(); more need VCMD_SET_NETSET (API 1.3: EINVAL before), IPv6
// ones API 1.5 (EAFNOSUPPORT before). Throws SysError,
// std::invalid_argument for a list without IPv4 address or too long.
void set_ipv4roots(const std::vector<in_addr> &addrs, in_addr bcast = {},
                   bool host_loopback = false, const std::vector<in6_addr> &addrs6 = {});

// Whether the kernel takes more than one address (API 1.3); false also when
// it lacks vserver support.
bool kernel_knows_ipv4_sets();

// Whether the kernel takes IPv6 addresses in a set (API 1.5).
bool kernel_knows_ipv6_sets();

// VCMD_GET_CONTEXT_INFO about pid (0: the caller).
ContextInfo context_info(pid_t pid);

} // namespace vserver
