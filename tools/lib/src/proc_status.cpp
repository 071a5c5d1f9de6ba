#include <vserver/flags.hpp>
#include <vserver/net.hpp>
#include <vserver/parse.hpp>
#include <vserver/paths.hpp>
#include <vserver/proc_status.hpp>
#include <vserver/syscall.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

#include "text.hpp"

namespace vserver {

namespace {

template <typename T> std::optional<T> parse_number(std::string_view text, int base) {
    if (text.empty())
        return std::nullopt;
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

const std::string *find(const StatusMap &status, std::string_view key) {
    auto it = status.find(key);
    return it == status.end() ? nullptr : &it->second;
}

} // namespace

StatusMap parse_proc_status(std::string_view text) {
    StatusMap status;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view key = detail::trim(line.substr(0, colon));
        if (key.empty())
            continue;
        status.insert_or_assign(std::string(key),
                                std::string(detail::trim(line.substr(colon + 1))));
    }
    return status;
}

namespace {

std::string process_dir(pid_t pid, std::string_view proc) {
    // (appended piece by piece: "/" + std::to_string(pid), a literal plus
    // a temporary, makes GCC 12 at -O2 and above warn -Wrestrict about
    // the inlined copy, a false positive: GCC bug 105651)
    std::string path(proc);
    if (pid == 0)
        path += "/self";
    else
        path.append("/").append(std::to_string(pid));
    return path;
}

// "1234 kB" (VmSize:, VmRSS:): the number; 0 when absent.
std::uint64_t kib_value(const StatusMap &status, std::string_view key) {
    const std::string *value = find(status, key);
    if (!value)
        return 0;
    std::string_view text = *value;
    return parse_number<std::uint64_t>(text.substr(0, text.find(' ')), 10).value_or(0);
}

// utime, stime and starttime from the text of PROC/PID/stat: fields 14, 15
// and 22, counted after the command name, which may hold blanks and ')'.
bool parse_stat_times(std::string_view text, ProcessSample &sample) {
    auto close = text.rfind(')');
    if (close == std::string_view::npos)
        return false;
    std::vector<std::string_view> fields; // fields[0] is field 3, the state
    std::string_view rest = text.substr(close + 1);
    while (!rest.empty()) {
        rest = detail::trim(rest);
        auto end = rest.find(' ');
        fields.push_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    if (fields.size() < 20)
        return false;
    auto utime = parse_number<std::uint64_t>(fields[11], 10);
    auto stime = parse_number<std::uint64_t>(fields[12], 10);
    auto starttime = parse_number<std::uint64_t>(fields[19], 10);
    if (!utime || !stime || !starttime)
        return false;
    sample.utime = *utime;
    sample.stime = *stime;
    sample.starttime = *starttime;
    return true;
}

} // namespace

StatusMap read_proc_status(pid_t pid, std::string_view proc) {
    std::string path = process_dir(pid, proc) + "/status";
    auto text = read_file(path);
    if (!text)
        throw SysError(errno, "cannot read " + path);
    return parse_proc_status(*text);
}

std::optional<ProcessSample> read_process(pid_t pid, std::string_view proc) {
    std::string dir = process_dir(pid, proc);
    auto status_text = read_file(dir + "/status");
    if (!status_text)
        return std::nullopt;
    StatusMap status = parse_proc_status(*status_text);
    ProcessSample sample;
    sample.pid = pid;
    sample.ctx = status_s_context(status);
    sample.vsz_kib = kib_value(status, "VmSize");
    sample.rss_kib = kib_value(status, "VmRSS");
    if (auto addrs = status_netaddrs(status)) {
        sample.addrs = std::move(addrs->ipv4);
        sample.addrs6 = std::move(addrs->ipv6);
    } else if (auto root = status_ipv4root(status); root && root->s_addr != INADDR_ANY) {
        sample.addrs.push_back(*root);
    }
    if (auto stat_text = read_file(dir + "/stat"))
        sample.has_times = parse_stat_times(*stat_text, sample);
    return sample;
}

std::vector<pid_t> list_processes(std::string_view proc) {
    std::vector<pid_t> pids;
    std::unique_ptr<DIR, int (*)(DIR *)> dir(::opendir(std::string(proc).c_str()), ::closedir);
    if (!dir)
        throw SysError(errno, "cannot list " + std::string(proc));
    while (const dirent *entry = ::readdir(dir.get())) {
        if (auto pid = parse_number<pid_t>(entry->d_name, 10); pid && *pid > 0)
            pids.push_back(*pid);
    }
    std::sort(pids.begin(), pids.end());
    return pids;
}

std::optional<int> status_s_context(const StatusMap &status) {
    const std::string *value = find(status, "s_context");
    return value ? parse_number<int>(*value, 10) : std::nullopt;
}

std::optional<std::uint32_t> status_ctxflags(const StatusMap &status) {
    const std::string *value = find(status, "ctxflags");
    if (!value)
        return std::nullopt;
    std::string_view text = *value;
    if (text.starts_with("0x") || text.starts_with("0X"))
        return parse_number<std::uint32_t>(text.substr(2), 16);
    if (detail::all_digits(text))
        return parse_number<std::uint32_t>(text, 10);
    if (text == "-" || text == "none")
        return 0;
    try {
        return parse_flag_list(text);
    } catch (const ParseError &) {
        return std::nullopt;
    }
}

std::optional<pid_t> status_initpid(const StatusMap &status) {
    const std::string *value = find(status, "initpid");
    return value ? parse_number<pid_t>(*value, 10) : std::nullopt;
}

std::optional<in_addr> status_ipv4root(const StatusMap &status) {
    const std::string *value = find(status, "ipv4root");
    return value ? parse_ipv4(*value) : std::nullopt;
}

std::optional<in_addr> status_ipv4root_bcast(const StatusMap &status) {
    const std::string *value = find(status, "ipv4root_bcast");
    return value ? parse_ipv4(*value) : std::nullopt;
}

std::optional<NetAddrs> status_netaddrs(const StatusMap &status) {
    const std::string *value = find(status, "netaddrs");
    if (!value)
        return std::nullopt;
    NetAddrs addrs;
    std::string_view rest = *value;
    while (!rest.empty()) {
        std::size_t end = rest.find(' ');
        std::string_view word = rest.substr(0, end);
        if (std::optional<in_addr> addr = parse_ipv4(word))
            addrs.ipv4.push_back(*addr);
        else if (std::optional<in6_addr> addr6 = parse_ipv6(word))
            addrs.ipv6.push_back(*addr6);
        else
            return std::nullopt;
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
    return addrs;
}

std::optional<std::uint64_t> status_cap_bnd(const StatusMap &status) {
    const std::string *value = find(status, "CapBnd");
    return value ? parse_number<std::uint64_t>(*value, 16) : std::nullopt;
}

} // namespace vserver
