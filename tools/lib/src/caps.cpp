#include <vserver/caps.hpp>
#include <vserver/parse.hpp>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <linux/capability.h>
#include <sys/capability.h>

#include "text.hpp"

namespace vserver {

namespace {

// Why: root in a vserver keeps what ordinary services need, nothing that reaches the host.
constexpr std::uint64_t secure_keep =
    cap_bit(CAP_CHOWN) | cap_bit(CAP_DAC_OVERRIDE) | cap_bit(CAP_FOWNER) | cap_bit(CAP_FSETID) |
    cap_bit(CAP_KILL) | cap_bit(CAP_SETGID) | cap_bit(CAP_SETUID) | cap_bit(CAP_NET_BIND_SERVICE) |
    cap_bit(CAP_SYS_CHROOT) | cap_bit(CAP_SYS_PTRACE) | cap_bit(CAP_AUDIT_WRITE) |
    cap_bit(CAP_SETFCAP) | cap_bit(CAP_LEASE);

} // namespace

int cap_last() {
    // libcap asks the running kernel (/proc/sys/kernel/cap_last_cap): a
    // capability newer than this program is still removed by --secure.
    static const int last = [] {
        int bits = static_cast<int>(cap_max_bits());
        return bits > 0 && bits <= 64 ? bits - 1 : CAP_LAST_CAP;
    }();
    return last;
}

std::uint64_t cap_all_mask() {
    int last = cap_last();
    return last >= 63 ? ~std::uint64_t{0} : (cap_bit(last + 1) - 1);
}

std::string cap_name(int cap) {
    if (cap < 0 || cap > cap_last())
        return {};
    char *text = cap_to_name(cap);
    if (!text)
        return {};
    std::string name = detail::to_upper(text);
    cap_free(text);
    // (libcap names a capability it does not know by its number)
    if (detail::all_digits(name))
        return "CAP_" + name;
    return name;
}

std::optional<int> cap_from_name(std::string_view name) {
    if (name.empty())
        return std::nullopt;
    if (detail::all_digits(name)) {
        int cap = -1;
        auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), cap);
        if (ec != std::errc() || end != name.data() + name.size() || cap > cap_last())
            return std::nullopt;
        return cap;
    }
    std::string lower;
    for (char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!lower.starts_with("cap_"))
        lower.insert(0, "cap_");
    cap_value_t value;
    if (::cap_from_name(lower.c_str(), &value) != 0 || value < 0 || value > cap_last())
        return std::nullopt;
    // Only a capability's own name: libcap is lenient (blanks, numbers).
    if (detail::to_upper(lower) != cap_name(value))
        return std::nullopt;
    return static_cast<int>(value);
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
        std::string name = cap_name(bit);
        out += name.empty() ? std::to_string(bit) : name;
    }
    return out;
}

std::uint64_t secure_keep_caps() { return secure_keep; }

std::uint64_t secure_remove_caps() { return cap_all_mask() & ~secure_keep; }

} // namespace vserver
