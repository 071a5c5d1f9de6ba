// A server's NAME.conf as vserver(8) uses it: every value checked, the
// address resolved, its mask and broadcast address defaulted from the
// device, and the ULIMIT key's bash-style ulimit options.
#pragma once

#include <sys/resource.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vserver {

struct ServerConf {
    // Every key of server_conf_keys, in that order, as start uses it:
    // S_CONTEXT without leading zeros, IPROOTMASK as a prefix length and
    // IPROOTBCAST defaulted (both from IPROOTDEV's primary address).
    std::vector<std::pair<std::string_view, std::string>> values;
    std::string ip;        // IPROOT and IPROOT6: dotted quads, then IPv6 addresses (compressed),
                           // separated by spaces ("": none)
    std::string flag_list; // S_FLAGS, comma-separated, as vserver-exec --flag takes it
};

// Checks a configuration text; throws ParseError whose what() names the key
// ("S_NICE must be a nice level from -20 to 19, not '40'"), or the line for
// a syntax error ("line 3: not a KEY=value assignment"). Looks up host
// names and this host's interfaces for IPROOT and IPROOTDEV.
ServerConf check_server_conf(std::string_view text);

// One limit of a ULIMIT value.
struct UlimitSetting {
    int resource; // RLIMIT_*
    bool soft;
    bool hard;
    rlim_t value; // RLIM_INFINITY for "unlimited"
};

// ULIMIT as bash's ulimit takes it ("-H -u 1000", "-n 4096 -c 0",
// "-Sv unlimited"): -H and -S choose the hard and/or soft limit (neither:
// both), then each resource option takes a value in bash's units (KiB for
// -d -l -m -s -v, and -c and -f; seconds for -t; a count elsewhere). As
// the seed's vserver does, a hard limit is also the soft one. Throws
// ParseError.
std::vector<UlimitSetting> parse_ulimit(std::string_view text);

// What a resource key of NAME.conf (MEMORY_MAX, MEMORY_HIGH, CPU_MAX,
// CPU_WEIGHT, PIDS_MAX, IO_WEIGHT) writes into the server's cgroup.
struct CgroupSetting {
    std::string key;        // the NAME.conf key, for messages
    std::string file;       // "memory.max"
    std::string text;       // what is written ("50%" of CPU_MAX: "50000 100000")
    std::string controller; // what the parent must enable: "memory"
};

// KEY=VALUE as the cgroup setting it becomes; throws ParseError for an
// unknown key or a bad value (the same rule as check_server_conf).
CgroupSetting cgroup_setting(std::string_view assignment);

} // namespace vserver
