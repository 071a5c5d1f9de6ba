#include <vserver/exclude.hpp>

#include <fnmatch.h>

#include "text.hpp"

namespace vserver {

void ExcludeList::add(std::string_view pattern) {
    pattern = detail::trim(pattern);
    if (pattern.empty() || pattern.front() == '#')
        return;
    bool include = pattern.front() == '!';
    if (include)
        pattern = detail::trim(pattern.substr(1));
    if (pattern.empty())
        return;
    std::string text;
    if (pattern.starts_with("./"))
        pattern.remove_prefix(1);
    // Collapse repeated slashes; drop a trailing one (but keep "/").
    for (char c : pattern)
        if (!(c == '/' && !text.empty() && text.back() == '/'))
            text += c;
    if (text.size() > 1 && text.back() == '/')
        text.pop_back();
    bool anchored = text.find('/') != std::string::npos;
    if (anchored && text.front() != '/')
        text.insert(text.begin(), '/');
    bool glob = text.find_first_of("*?[\\") != std::string::npos;
    patterns_.push_back({std::move(text), anchored, glob, include});
}

void ExcludeList::add_text(std::string_view text) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        add(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

int ExcludeList::decision(std::string_view path) const {
    std::string_view name = path.substr(path.rfind('/') + 1);
    std::string path_z, name_z; // NUL-terminated copies for fnmatch, made once
    int last = 0;
    for (const auto &p : patterns_) {
        std::string_view subject = p.anchored ? path : name;
        bool hit;
        if (!p.glob) {
            hit = subject == p.text;
        } else {
            std::string &z = p.anchored ? path_z : name_z;
            if (z.empty())
                z = subject;
            hit = ::fnmatch(p.text.c_str(), z.c_str(), p.anchored ? FNM_PATHNAME : 0) == 0;
        }
        if (hit)
            last = p.include ? -1 : 1;
    }
    return last;
}

bool ExcludeList::matches(std::string_view path) const {
    return !patterns_.empty() && decision(path) > 0;
}

bool ExcludeList::excluded_in(std::string_view path, bool dir_excluded) const {
    if (patterns_.empty())
        return false;
    int d = decision(path);
    return d == 0 ? dir_excluded : d > 0;
}

bool ExcludeList::may_include_below(std::string_view dir) const {
    for (const auto &p : patterns_) {
        if (!p.include)
            continue;
        if (!p.anchored)
            return true;
        // The pattern's directories are plain names up to the first glob.
        std::string_view fixed(p.text);
        fixed = fixed.substr(0, fixed.find_first_of("*?[\\"));
        if (fixed.size() > dir.size() && fixed.starts_with(dir) &&
            (dir == "/" || fixed[dir.size()] == '/'))
            return true;
        if (fixed.size() <= dir.size() && dir.starts_with(fixed))
            return true; // a glob part may match at or above this level
    }
    return false;
}

bool ExcludeList::excluded(std::string_view path) const {
    if (patterns_.empty())
        return false;
    bool state = excluded_in("/", false);
    for (std::size_t i = 1; i <= path.size(); ++i)
        if (i == path.size() || path[i] == '/')
            state = excluded_in(path.substr(0, i), state);
    return state;
}

} // namespace vserver
