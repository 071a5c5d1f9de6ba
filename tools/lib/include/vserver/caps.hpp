// Capability names of Linux 6.12 (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40),
// capability lists and the "secure" set removed by --secure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vserver {

inline constexpr int cap_last = 40; // CAP_CHECKPOINT_RESTORE
inline constexpr int cap_count = cap_last + 1;
inline constexpr std::uint64_t cap_all_mask = (std::uint64_t{1} << cap_count) - 1;

constexpr std::uint64_t cap_bit(int cap) { return std::uint64_t{1} << cap; }

// "CAP_CHOWN" for 0 ... "CAP_CHECKPOINT_RESTORE" for 40; "" for any other number.
std::string_view cap_name(int cap);

// A capability by name ("CAP_NET_RAW", "net_raw", any case) or by decimal
// number (0 ... cap_last). nullopt if there is none.
std::optional<int> cap_from_name(std::string_view name);

// Like cap_from_name(), but throws ParseError ("unknown capability 'X'").
int parse_cap(std::string_view name);

// A list of capabilities separated by commas and/or white space
// ("NET_RAW,sys_admin", "CAP_NET_RAW CAP_SYS_TIME") as a bit mask.
// Empty items are skipped; throws ParseError on an unknown name or a list
// without any capability.
std::uint64_t parse_cap_list(std::string_view list);

// A mask as "CAP_CHOWN,CAP_KILL" in increasing bit order; bits above
// cap_last are written as their number. 0 gives "".
std::string format_caps(std::uint64_t mask);

// The capabilities --secure keeps: what root inside a virtual server needs
// to run ordinary services (own files, switch users, bind ports < 1024,
// chroot, debug its own processes) without being able to touch the machine.
std::uint64_t secure_keep_caps();

// The capabilities --secure removes: every capability of cap_all_mask
// except secure_keep_caps().
std::uint64_t secure_remove_caps();

} // namespace vserver
