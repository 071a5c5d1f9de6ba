// Names of the context flags (VXF_* of <linux/vserver.h>).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vserver {

// "lock", "sched", "nproc", "private", "fakeinit", "userns" for one VXF_* bit; "" otherwise.
std::string_view flag_name(std::uint32_t flag);

// One VXF_* bit by name, any case. nullopt if unknown.
std::optional<std::uint32_t> flag_from_name(std::string_view name);

// A list of flag names separated by commas and/or white space as a VXF_*
// mask. Empty items are skipped; throws ParseError on an unknown name or a
// list without any flag.
std::uint32_t parse_flag_list(std::string_view list);

// A mask as "lock,sched" in increasing bit order; unknown bits as "0x..".
// 0 gives "".
std::string format_flags(std::uint32_t mask);

} // namespace vserver
