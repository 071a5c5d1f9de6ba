#include <vserver/conffiles.hpp>

#include "text.hpp"

namespace vserver {

namespace {

// Calls fn(line) for each line of text (without the '\n').
template <typename Fn> void for_each_line(std::string_view text, Fn fn) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        fn(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

std::size_t word_end(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && !detail::is_space(s[i]))
        ++i;
    return i;
}

} // namespace

std::vector<std::string> parse_dpkg_conffiles(std::string_view text) {
    std::vector<std::string> paths;
    for_each_line(text, [&](std::string_view line) {
        line = detail::trim(line);
        if (!line.empty() && line.front() != '/') // a leading flag
            line = detail::trim(line.substr(word_end(line)));
        if (line.size() > 1 && line.front() == '/')
            paths.emplace_back(line);
    });
    return paths;
}

std::vector<std::string> parse_dpkg_status_conffiles(std::string_view text) {
    std::vector<std::string> paths;
    bool in_field = false;
    for_each_line(text, [&](std::string_view line) {
        if (line.empty() || !detail::is_space(line.front())) {
            in_field = line.starts_with("Conffiles:");
            return;
        }
        if (!in_field)
            return;
        // " PATH HASH [FLAG]...": the path may hold blanks, so take the words
        // off the end: the flags dpkg knows, then the hash.
        line = detail::trim(line);
        for (;;) {
            auto sp = line.find_last_of(" \t");
            if (sp == std::string_view::npos)
                return; // a path alone, or a hash alone: malformed
            std::string_view last = line.substr(sp + 1);
            line = detail::trim(line.substr(0, sp));
            if (last != "obsolete" && last != "remove-on-upgrade")
                break; // that was the hash
        }
        if (line.size() > 1 && line.front() == '/')
            paths.emplace_back(line);
    });
    return paths;
}

std::vector<std::string> parse_rpm_config_list(std::string_view text) {
    std::vector<std::string> paths;
    for_each_line(text, [&](std::string_view line) {
        while (!line.empty() && (line.back() == '\r'))
            line.remove_suffix(1);
        if (line.size() > 1 && line.front() == '/')
            paths.emplace_back(line);
    });
    return paths;
}

} // namespace vserver
