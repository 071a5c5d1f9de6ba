// Capability names and numbers as libcap and the running kernel know them
// (/proc/sys/kernel/cap_last_cap), capability lists, and the "secure" set
// removed by --secure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vserver {

// The highest capability the running kernel has (40, CAP_CHECKPOINT_RESTORE,
// on 6.12).
int cap_last();

// Every capability of the running kernel, as a mask.
std::uint64_t cap_all_mask();

constexpr std::uint64_t cap_bit(int cap) { return std::uint64_t{1} << cap; }

// "CAP_CHOWN" for 0 ... up to cap_last() (libcap's names, upper case; a
// capability libcap does not know yet is "CAP_<number>"); "" for any other
// number.
std::string cap_name(int cap);

// A capability by name ("CAP_NET_RAW", "net_raw", any case) or by decimal
// number (0 ... cap_last()). nullopt if there is none.
std::optional<int> cap_from_name(std::string_view name);

// Like cap_from_name(), but throws ParseError ("unknown capability 'X'").
int parse_cap(std::string_view name);

// A list of capabilities separated by commas and/or white space
// ("NET_RAW,sys_admin", "CAP_NET_RAW CAP_SYS_TIME") as a bit mask.
// Empty items are skipped; throws ParseError on an unknown name or a list
// without any capability.
std::uint64_t parse_cap_list(std::string_view list);

// A mask as "CAP_CHOWN,CAP_KILL" in increasing bit order; bits above
// cap_last() are written as their number. 0 gives "".
std::string format_caps(std::uint64_t mask);

// The capabilities --secure keeps: what root inside a virtual server needs
// to run ordinary services (own files, switch users, bind ports < 1024,
// chroot, debug its own processes) without being able to touch the machine.
std::uint64_t secure_keep_caps();

// The capabilities --secure removes: every capability of cap_all_mask()
// (so also one newer than this program) except secure_keep_caps().
std::uint64_t secure_remove_caps();

} // namespace vserver
