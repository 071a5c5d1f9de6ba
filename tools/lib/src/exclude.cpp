#include <vserver/exclude.hpp>

#include <fnmatch.h>

#include "text.hpp"

namespace vserver {

void ExcludeList::add(std::string_view pattern) {
    pattern = detail::trim(pattern);
    if (pattern.empty() || pattern.front() == '#')
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
    patterns_.push_back({std::move(text), anchored, glob});
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

bool ExcludeList::matches(std::string_view path) const {
    if (patterns_.empty())
        return false;
    std::string_view name = path.substr(path.rfind('/') + 1);
    std::string path_z, name_z; // NUL-terminated copies for fnmatch, made once
    for (const auto &p : patterns_) {
        std::string_view subject = p.anchored ? path : name;
        if (!p.glob) {
            if (subject == p.text)
                return true;
            continue;
        }
        std::string &z = p.anchored ? path_z : name_z;
        if (z.empty())
            z = subject;
        if (::fnmatch(p.text.c_str(), z.c_str(), p.anchored ? FNM_PATHNAME : 0) == 0)
            return true;
    }
    return false;
}

bool ExcludeList::excluded(std::string_view path) const {
    if (patterns_.empty())
        return false;
    if (matches("/"))
        return true;
    for (std::size_t i = 1; i <= path.size(); ++i)
        if (i == path.size() || path[i] == '/')
            if (matches(path.substr(0, i)))
                return true;
    return false;
}

} // namespace vserver
