// The configuration files a server's package managers know of, which vunify
// never unifies: parsers of dpkg's and rpm's lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vserver {

// var/lib/dpkg/info/PACKAGE.conffiles (deb-conffiles(5)): one absolute path
// a line, optionally preceded by a flag ("remove-on-upgrade /etc/x");
// lines that are not of that form are skipped.
std::vector<std::string> parse_dpkg_conffiles(std::string_view text);

// The Conffiles fields of var/lib/dpkg/status: continuation lines
// " PATH HASH [obsolete] [remove-on-upgrade]" (obsolete conffiles are still
// configuration files on disk).
std::vector<std::string> parse_dpkg_status_conffiles(std::string_view text);

// The output of "rpm -qac": one absolute path a line; other lines
// ("(contains no files)") are skipped.
std::vector<std::string> parse_rpm_config_list(std::string_view text);

} // namespace vserver
