#include <vserver/flags.hpp>
#include <vserver/net.hpp>
#include <vserver/parse.hpp>
#include <vserver/proc_status.hpp>
#include <vserver/syscall.hpp>

#include <cerrno>
#include <charconv>
#include <fcntl.h>
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

StatusMap read_proc_status(pid_t pid, std::string_view proc) {
    std::string path(proc);
    path += pid == 0 ? "/self/status" : "/" + std::to_string(pid) + "/status";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw SysError(errno, "cannot open " + path);
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            ::close(fd);
            throw SysError(err, "cannot read " + path);
        }
        if (n == 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return parse_proc_status(text);
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

std::optional<std::uint64_t> status_cap_bnd(const StatusMap &status) {
    const std::string *value = find(status, "CapBnd");
    return value ? parse_number<std::uint64_t>(*value, 16) : std::nullopt;
}

} // namespace vserver
