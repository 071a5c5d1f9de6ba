#include <vserver/caps.hpp>
#include <vserver/parse.hpp>

#include <array>
#include <cctype>
#include <charconv>

#include "text.hpp"

namespace vserver {

namespace {

// Index = capability number, as in include/uapi/linux/capability.h of Linux 6.12.
constexpr std::array<std::string_view, cap_count> cap_names = {
    "CAP_CHOWN",              // 0
    "CAP_DAC_OVERRIDE",       // 1
    "CAP_DAC_READ_SEARCH",    // 2
    "CAP_FOWNER",             // 3
    "CAP_FSETID",             // 4
    "CAP_KILL",               // 5
    "CAP_SETGID",             // 6
    "CAP_SETUID",             // 7
    "CAP_SETPCAP",            // 8
    "CAP_LINUX_IMMUTABLE",    // 9
    "CAP_NET_BIND_SERVICE",   // 10
    "CAP_NET_BROADCAST",      // 11
    "CAP_NET_ADMIN",          // 12
    "CAP_NET_RAW",            // 13
    "CAP_IPC_LOCK",           // 14
    "CAP_IPC_OWNER",          // 15
    "CAP_SYS_MODULE",         // 16
    "CAP_SYS_RAWIO",          // 17
    "CAP_SYS_CHROOT",         // 18
    "CAP_SYS_PTRACE",         // 19
    "CAP_SYS_PACCT",          // 20
    "CAP_SYS_ADMIN",          // 21
    "CAP_SYS_BOOT",           // 22
    "CAP_SYS_NICE",           // 23
    "CAP_SYS_RESOURCE",       // 24
    "CAP_SYS_TIME",           // 25
    "CAP_SYS_TTY_CONFIG",     // 26
    "CAP_MKNOD",              // 27
    "CAP_LEASE",              // 28
    "CAP_AUDIT_WRITE",        // 29
    "CAP_AUDIT_CONTROL",      // 30
    "CAP_SETFCAP",            // 31
    "CAP_MAC_OVERRIDE",       // 32
    "CAP_MAC_ADMIN",          // 33
    "CAP_SYSLOG",             // 34
    "CAP_WAKE_ALARM",         // 35
    "CAP_BLOCK_SUSPEND",      // 36
    "CAP_AUDIT_READ",         // 37
    "CAP_PERFMON",            // 38
    "CAP_BPF",                // 39
    "CAP_CHECKPOINT_RESTORE", // 40
};

constexpr int cap_index(std::string_view name) {
    for (int i = 0; i < cap_count; ++i)
        if (cap_names[i] == name)
            return i;
    throw "no such capability"; // not a constant expression: fails the build
}

constexpr std::uint64_t caps_of(std::initializer_list<std::string_view> names) {
    std::uint64_t mask = 0;
    for (auto name : names)
        mask |= cap_bit(cap_index(name));
    return mask;
}

// Why: root in a vserver keeps what ordinary services need, nothing that reaches the host.
constexpr std::uint64_t secure_keep = caps_of({
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_AUDIT_WRITE",
    "CAP_SETFCAP",
    "CAP_LEASE",
});

} // namespace

std::string_view cap_name(int cap) {
    if (cap < 0 || cap > cap_last)
        return {};
    return cap_names[cap];
}

std::optional<int> cap_from_name(std::string_view name) {
    if (name.empty())
        return std::nullopt;
    if (detail::all_digits(name)) {
        int cap = -1;
        auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), cap);
        if (ec != std::errc() || end != name.data() + name.size() || cap > cap_last)
            return std::nullopt;
        return cap;
    }
    std::string upper = detail::to_upper(name);
    std::string_view wanted = upper;
    for (int i = 0; i < cap_count; ++i) {
        std::string_view full = cap_names[i];
        if (wanted == full || wanted == full.substr(4))
            return i;
    }
    return std::nullopt;
}

int parse_cap(std::string_view name) {
    if (auto cap = cap_from_name(name))
        return *cap;
    throw ParseError("unknown capability '" + std::string(name) + "'");
}

std::uint64_t parse_cap_list(std::string_view list) {
    std::uint64_t mask = 0;
    bool any = false;
    for (auto item : detail::split_list(list)) {
        mask |= cap_bit(parse_cap(item));
        any = true;
    }
    if (!any)
        throw ParseError("empty capability list");
    return mask;
}

std::string format_caps(std::uint64_t mask) {
    std::string out;
    for (int bit = 0; bit < 64; ++bit) {
        if (!(mask & cap_bit(bit)))
            continue;
        if (!out.empty())
            out += ',';
        if (bit <= cap_last)
            out += cap_names[bit];
        else
            out += std::to_string(bit);
    }
    return out;
}

std::uint64_t secure_keep_caps() { return secure_keep; }

std::uint64_t secure_remove_caps() { return cap_all_mask & ~secure_keep; }

} // namespace vserver
