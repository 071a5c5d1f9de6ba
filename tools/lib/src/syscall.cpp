#include <vserver/syscall.hpp>
#include <vserver/syscall_nr.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/syscall.h>
#include <unistd.h>

static_assert(sizeof(vcmd_new_s_context) == 152, "struct vcmd_new_s_context changed size");
static_assert(sizeof(vcmd_set_ipv4root) == 16, "struct vcmd_set_ipv4root changed size");
static_assert(sizeof(vcmd_context_info) == 32, "struct vcmd_context_info changed size");
static_assert(sizeof(vcmd_set_netset) == 16 + 20 * VX_NETSET_MAX,
              "struct vcmd_set_netset changed size");

namespace vserver {

namespace {

constexpr const char *syscall_name = "vserver system call";

// Returns the system call's non-negative result or throws SysError.
long vserver_call(unsigned int cmd, long id, void *data, const std::string &what_failed) {
    long ret = ::syscall(VSERVER_NR, cmd, id, data);
    if (ret < 0) {
        int err = errno;
        if (err == ENOSYS)
            throw SysError::lacks_support();
        throw SysError(err, what_failed);
    }
    return ret;
}

void copy_name(char (&dest)[VX_NAME_LEN], std::string_view name, const char *what) {
    if (name.size() > max_name_length)
        throw std::invalid_argument(std::string(what) + " longer than " +
                                    std::to_string(max_name_length) + " bytes");
    if (name.find('\0') != std::string_view::npos)
        throw std::invalid_argument(std::string(what) + " contains a NUL byte");
    if (!name.empty())
        std::memcpy(dest, name.data(), name.size());
}

} // namespace

SysError::SysError(int err, std::string what_failed)
    : std::system_error(err, std::generic_category(), what_failed),
      what_failed_(std::move(what_failed)), message_(what_failed_ + ": " + std::strerror(err)) {}

SysError SysError::lacks_support() {
    SysError e(ENOSYS, syscall_name);
    e.message_ = lacks_support_message();
    e.lacks_support_ = true;
    return e;
}

std::string lacks_support_message() {
    return std::string("this kernel lacks vserver support (") + syscall_name + ": " +
           std::strerror(ENOSYS) + ")";
}

int api_version() {
    return static_cast<int>(vserver_call(VCMD_GET_VERSION, 0, nullptr, "VCMD_GET_VERSION"));
}

int new_s_context(int ctx, std::uint64_t remove_cap, std::uint32_t flags, std::string_view nodename,
                  std::string_view domainname) {
    vcmd_new_s_context arg;
    std::memset(&arg, 0, sizeof(arg));
    arg.size = sizeof(arg);
    arg.flags = flags;
    arg.remove_cap = remove_cap;
    copy_name(arg.nodename, nodename, "host name");
    copy_name(arg.domainname, domainname, "domain name");
    return static_cast<int>(
        vserver_call(VCMD_NEW_S_CONTEXT, ctx, &arg, "VCMD_NEW_S_CONTEXT " + std::to_string(ctx)));
}

void set_ipv4root(in_addr addr, in_addr bcast, bool host_loopback) {
    vcmd_set_ipv4root arg;
    std::memset(&arg, 0, sizeof(arg));
    arg.addr = addr.s_addr;
    arg.bcast = bcast.s_addr;
    arg.flags = host_loopback ? VX_IPV4ROOT_HOSTLOOPBACK : 0;
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &addr, text, sizeof(text));
    vserver_call(VCMD_SET_IPV4ROOT, 0, &arg, std::string("VCMD_SET_IPV4ROOT ") + text);
}

void set_ipv4roots(const std::vector<in_addr> &addrs, in_addr bcast, bool host_loopback,
                   const std::vector<in6_addr> &addrs6) {
    if (addrs.empty() || addrs.size() + addrs6.size() > max_ipv4roots)
        throw std::invalid_argument("between 1 and " + std::to_string(max_ipv4roots) +
                                    " addresses, one of them IPv4");
    if (addrs.size() == 1 && addrs6.empty())
        return set_ipv4root(addrs.front(), bcast, host_loopback);
    vcmd_set_netset arg;
    std::memset(&arg, 0, sizeof(arg));
    arg.size = sizeof(arg);
    arg.flags = host_loopback ? VX_IPV4ROOT_HOSTLOOPBACK : 0;
    arg.count = static_cast<std::uint32_t>(addrs.size());
    arg.bcast = bcast.s_addr;
    std::string what = "VCMD_SET_NETSET";
    for (std::size_t i = 0; i < addrs.size(); i++) {
        arg.addrs[i].family = AF_INET;
        std::memcpy(arg.addrs[i].addr, &addrs[i].s_addr, sizeof(addrs[i].s_addr));
        char text[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &addrs[i], text, sizeof(text));
        what += std::string(i ? "," : " ") + text;
    }
    for (std::size_t i = 0; i < addrs6.size(); i++) {
        vx_netaddr &entry = arg.addrs[addrs.size() + i];
        entry.family = AF_INET6;
        std::memcpy(entry.addr, &addrs6[i], sizeof(addrs6[i]));
        char text[INET6_ADDRSTRLEN];
        ::inet_ntop(AF_INET6, &addrs6[i], text, sizeof(text));
        what += std::string(",") + text;
    }
    arg.count = static_cast<std::uint32_t>(addrs.size() + addrs6.size());
    vserver_call(VCMD_SET_NETSET, 0, &arg, what);
}

bool kernel_knows_ipv6_sets() {
    try {
        return api_version() >= 0x00010005;
    } catch (const SysError &) {
        return false;
    }
}

bool kernel_knows_ipv4_sets() {
    try {
        return api_version() >= 0x00010003;
    } catch (const SysError &) {
        return false;
    }
}

bool kernel_knows_host_loopback() {
    try {
        return api_version() >= 0x00010002;
    } catch (const SysError &) {
        return false;
    }
}

ContextInfo context_info(pid_t pid) {
    vcmd_context_info arg;
    std::memset(&arg, 0, sizeof(arg));
    vserver_call(VCMD_GET_CONTEXT_INFO, pid, &arg, "VCMD_GET_CONTEXT_INFO " + std::to_string(pid));
    ContextInfo info;
    info.xid = arg.xid;
    info.flags = arg.flags;
    info.initpid = arg.initpid;
    info.nr_tasks = arg.nr_tasks;
    info.cap_bset = arg.cap_bset;
    info.ipv4root.s_addr = arg.ipv4root;
    info.ipv4root_bcast.s_addr = arg.ipv4root_bcast;
    return info;
}

} // namespace vserver
