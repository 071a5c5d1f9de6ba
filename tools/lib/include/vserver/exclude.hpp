// The paths vunify leaves alone: patterns of an exclude file
// (etc/vunify-exclude) or of --exclude, matched against paths relative to a
// server's root ("/usr/bin/ls").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vserver {

// A pattern is a path or a shell glob ('*', '?', [...]; none of them
// matches '/'):
//   - without any '/' it matches a file or directory name in any directory
//     ("*.sqlite", "__pycache__");
//   - otherwise it is anchored at the server's root, with or without the
//     leading '/' ("/etc", "var/lib/*/cache"); a trailing '/' is ignored.
// A pattern starting with '!' takes a path back in (anchored patterns
// only: "!/var/lib/apt/lists"). The last pattern that matches a path or
// one of its parents decides, as in gitignore.
// A path is excluded when it or one of its parent directories matches.
class ExcludeList {
public:
    // Adds one pattern, normalised as above; "" and "#..." are ignored.
    void add(std::string_view pattern);

    // Adds the patterns of an exclude file: one a line, surrounding white
    // space removed, empty lines and lines starting with '#' ignored.
    void add_text(std::string_view text);

    // Does this path (absolute, relative to the server's root, without a
    // trailing '/') match an excluding pattern, and no later '!' pattern?
    // Its parent directories are not looked at.
    bool matches(std::string_view path) const;

    // For a walk from the root: is this path excluded, given whether its
    // directory is? (The last pattern that matches the path itself
    // decides; without one, the directory's state carries over.)
    bool excluded_in(std::string_view path, bool dir_excluded) const;

    // Could a '!' pattern take back something below this directory?
    // (Then a walk must enter it although it is excluded.)
    bool may_include_below(std::string_view dir) const;

    // Does the path or one of its parent directories match?
    bool excluded(std::string_view path) const;

    std::size_t size() const { return patterns_.size(); }
    bool empty() const { return patterns_.empty(); }

private:
    struct Pattern {
        std::string text;
        bool anchored; // matched against the whole path, else the last name
        bool glob;     // has '*', '?', '[' or '\'
        bool include;  // '!': takes the path back in
    };
    // +1 excluded, -1 taken back, 0 no pattern matches the path itself.
    int decision(std::string_view path) const;
    std::vector<Pattern> patterns_;
};

} // namespace vserver
