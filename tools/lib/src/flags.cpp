#include <vserver/flags.hpp>
#include <vserver/parse.hpp>

#include <linux/vserver.h>

#include <array>
#include <cstdio>

#include "text.hpp"

namespace vserver {

namespace {

struct FlagName {
    std::uint32_t flag;
    std::string_view name;
};

constexpr std::array<FlagName, 6> flag_names = {{
    {VXF_LOCK, "lock"},
    {VXF_SCHED, "sched"},
    {VXF_NPROC, "nproc"},
    {VXF_PRIVATE, "private"},
    {VXF_FAKEINIT, "fakeinit"},
    {VXF_USERNS, "userns"},
}};

} // namespace

std::string_view flag_name(std::uint32_t flag) {
    for (const auto &f : flag_names)
        if (f.flag == flag)
            return f.name;
    return {};
}

std::optional<std::uint32_t> flag_from_name(std::string_view name) {
    std::string upper = detail::to_upper(name);
    for (const auto &f : flag_names)
        if (detail::to_upper(f.name) == upper)
            return f.flag;
    return std::nullopt;
}

std::uint32_t parse_flag_list(std::string_view list) {
    std::uint32_t mask = 0;
    bool any = false;
    for (auto item : detail::split_list(list)) {
        auto flag = flag_from_name(item);
        if (!flag)
            throw ParseError("unknown context flag '" + std::string(item) +
                             "' (known: lock, sched, nproc, private, fakeinit, userns)");
        mask |= *flag;
        any = true;
    }
    if (!any)
        throw ParseError("empty context flag list");
    return mask;
}

std::string format_flags(std::uint32_t mask) {
    std::string out;
    for (const auto &f : flag_names) {
        if (!(mask & f.flag))
            continue;
        if (!out.empty())
            out += ',';
        out += f.name;
    }
    if (std::uint32_t unknown = mask & ~static_cast<std::uint32_t>(VXF_ALL)) {
        char buf[16];
        std::snprintf(buf, sizeof(buf), "0x%x", unknown);
        if (!out.empty())
            out += ',';
        out += buf;
    }
    return out;
}

} // namespace vserver
