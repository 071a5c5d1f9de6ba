// Where the virtual servers live: the configuration, run-time and root
// directories, found like scripts/lib/vserver-functions.sh finds them.
//
//   VSERVER_GLOBAL_CONF  global configuration file (default /etc/vservers.conf)
//   VSERVER_CONFDIR      server configurations NAME.conf (default /etc/vservers)
//   VSERVER_RUNDIR       running servers' NAME.ctx files (default /var/run/vservers)
//   VSERVER_ROOTDIR      the servers' root directories NAME/ (default /vservers)
//   VSERVER_PROC         proc file system to read (default /proc); for tests
//
// Precedence for the three directories: the environment (when set and not
// empty), then the last assignment in the global file, then the default.
// Configuration files are read, not executed: see conf_value().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vserver {

inline constexpr const char *default_global_conf = "/etc/vservers.conf";
inline constexpr const char *default_confdir = "/etc/vservers";
inline constexpr const char *default_rundir = "/var/run/vservers";
inline constexpr const char *default_rootdir = "/vservers";
inline constexpr const char *default_proc = "/proc";

struct Paths {
    std::string global_conf; // the global file consulted
    std::string confdir;     // NAME.conf
    std::string rundir;      // NAME.ctx of running servers
    std::string rootdir;     // NAME/, the root of each server
    std::string proc;        // the proc file system
};

// The value of the last assignment "KEY=value" in a configuration text, as
// vs_conf_value does it: leading blanks and an "export " are skipped; a value
// in single or double quotes is taken up to the closing quote (a line without
// one is ignored), an unquoted value up to the first blank or ';'. No shell
// expansion. nullopt when there is no such assignment.
std::optional<std::string> conf_value(std::string_view text, std::string_view key);

// conf_value() of a file; nullopt when the file cannot be read.
std::optional<std::string> read_conf_value(const std::string &file, std::string_view key);

// The whole of a regular file; nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string &file);

// The directories, by the precedence above (the global file is read once).
Paths vserver_paths();

// A server name: letters, digits, '.', '_' and '-', not first '.' or '-'
// (vs_valid_server_name in scripts/lib/vserver-functions.sh, the same rule,
// is checked against this one by tests/scripts/test-vserver-conf.sh).
bool valid_server_name(std::string_view name);

// The keys of a server's NAME.conf (vserver(8)).
extern const std::vector<std::string_view> server_conf_keys;

// The first problem of a server's configuration text as "line N: problem":
// a line that is not blank, a comment or KEY=value (optionally after
// "export"), a key not in server_conf_keys, or an unclosed quote.
std::optional<std::string> server_conf_problem(std::string_view text);

// The servers configured in confdir: NAME for every regular file NAME.conf
// with a valid NAME, sorted. Throws SysError if confdir cannot be read.
std::vector<std::string> configured_servers(const std::string &confdir);

} // namespace vserver
