// Reader of /proc/PID/status, including the lines the vserver kernel adds
// (s_context:, ctxflags:, initpid:, ipv4root:, ipv4root_bcast:, netaddrs:)
// and CapBnd:.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <netinet/in.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace vserver {

// Key (text before the first ':') -> value (the rest, surrounding white space
// removed).
using StatusMap = std::map<std::string, std::string, std::less<>>;

// Parses "Key:\tvalue" lines; lines without ':' are ignored.
StatusMap parse_proc_status(std::string_view text);

// Reads PROC/PID/status (pid 0: PROC/self/status), PROC being the proc
// file system (vserver_paths().proc for VSERVER_PROC). Throws SysError.
StatusMap read_proc_status(pid_t pid = 0, std::string_view proc = "/proc");

// s_context: the context id (decimal). nullopt if absent or malformed
// (a kernel without vserver support has no such line).
std::optional<int> status_s_context(const StatusMap &status);

// ctxflags: the VXF_* mask, written as a decimal number, a 0x-prefixed hex
// number, or flag names separated by blanks or commas ("none": 0). nullopt
// if absent or malformed.
std::optional<std::uint32_t> status_ctxflags(const StatusMap &status);

// initpid: the pid of the context's fake init (decimal; 0: none).
std::optional<pid_t> status_initpid(const StatusMap &status);

// ipv4root: the task's IPv4 root as a dotted quad (0.0.0.0: none). nullopt
// if absent (a kernel without vserver, or one older than set_ipv4root) or
// malformed.
std::optional<in_addr> status_ipv4root(const StatusMap &status);

// ipv4root_bcast: the broadcast address given with the IPv4 root (0.0.0.0:
// none). nullopt if absent or malformed.
std::optional<in_addr> status_ipv4root_bcast(const StatusMap &status);

// The addresses a task is locked to, by family, each list first first.
struct NetAddrs {
    std::vector<in_addr> ipv4;
    std::vector<in6_addr> ipv6; // API 1.5
};

// netaddrs: (both empty: not locked). nullopt if absent (a kernel older than
// API 1.3) or malformed.
std::optional<NetAddrs> status_netaddrs(const StatusMap &status);

// CapBnd: the capability ceiling (hex, as the kernel prints it).
std::optional<std::uint64_t> status_cap_bnd(const StatusMap &status);

// One process as vps and vserver-stat show it, from PROC/PID/status and
// PROC/PID/stat.
struct ProcessSample {
    pid_t pid = 0;
    std::optional<int> ctx;    // s_context: none on a kernel without vserver
    std::uint64_t vsz_kib = 0; // VmSize (0 for a kernel thread)
    std::uint64_t rss_kib = 0; // VmRSS
    bool has_times = false;    // false when stat could not be read
    std::uint64_t utime = 0;   // clock ticks, as stat gives them
    std::uint64_t stime = 0;
    std::uint64_t starttime = 0;  // since boot
    std::vector<in_addr> addrs;   // netaddrs: (ipv4root: on older kernels); none: not locked
    std::vector<in6_addr> addrs6; // the IPv6 addresses of netaddrs:
};

// The process PID (0: self) of the proc file system PROC; nullopt when its
// status cannot be read (it has ended).
std::optional<ProcessSample> read_process(pid_t pid, std::string_view proc = "/proc");

// The pids of PROC's process directories, in increasing order.
std::vector<pid_t> list_processes(std::string_view proc = "/proc");

} // namespace vserver
