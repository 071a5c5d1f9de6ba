#include <vserver/fsflags.hpp>
#include <vserver/parse.hpp>
#include <vserver/syscall.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <linux/fs.h>
#include <memory>
#include <sys/ioctl.h>

extern "C" {
#include <e2p/e2p.h>
}

static_assert(vserver::fs_immutable_fl == FS_IMMUTABLE_FL);
static_assert(vserver::fs_append_fl == FS_APPEND_FL);

namespace vserver {

namespace {

// What libe2p's print_flags() writes for flags with these options.
std::string e2p_text(std::uint32_t flags, unsigned options) {
    char *buf = nullptr;
    std::size_t size = 0;
    std::FILE *f = ::open_memstream(&buf, &size);
    if (!f)
        throw std::bad_alloc();
    ::print_flags(f, flags, options);
    std::fclose(f);
    std::unique_ptr<char, decltype(&std::free)> owner(buf, &std::free);
    return std::string(buf, size);
}

std::vector<FsFlagName> make_table() {
    // libe2p has no flag table of its own to export: ask print_flags() about
    // each bit alone.  The short form is one column per known flag, so the
    // position of the letter gives lsattr's order.
    std::vector<std::pair<std::size_t, FsFlagName>> found;
    for (int bit = 0; bit < 32; ++bit) {
        std::uint32_t flag = std::uint32_t{1} << bit;
        if (flag == fs_iunlink_fl)
            continue;
        std::string letters = e2p_text(flag, 0);
        std::size_t pos = letters.find_first_not_of('-');
        if (pos == std::string::npos)
            continue;
        found.push_back({pos, {flag, letters[pos], e2p_text(flag, PFOPT_LONG)}});
    }
    std::vector<FsFlagName> table(found.size());
    for (auto &[pos, name] : found)
        if (pos < table.size())
            table[pos] = name;
    std::erase_if(table, [](const FsFlagName &f) { return f.flag == 0; });
    table.push_back({fs_iunlink_fl, iunlink_letter, std::string(iunlink_long_name)});
    return table;
}

} // namespace

const std::vector<FsFlagName> &fs_flag_names() {
    static const std::vector<FsFlagName> table = make_table();
    return table;
}

std::string format_fs_flags(std::uint32_t flags) {
    std::string out;
    for (const auto &f : fs_flag_names())
        out += (flags & f.flag) ? f.letter : '-';
    return out;
}

std::string format_fs_flags_long(std::uint32_t flags) {
    std::string out;
    for (const auto &f : fs_flag_names()) {
        if (!(flags & f.flag))
            continue;
        if (!out.empty())
            out += ", ";
        out += f.name;
    }
    return out.empty() ? "---" : out;
}

std::uint32_t parse_fs_flags(std::string_view letters) {
    std::uint32_t mask = 0;
    for (char c : letters) {
        if (c == '-')
            continue;
        bool known = false;
        for (const auto &f : fs_flag_names()) {
            if (f.letter == c) {
                mask |= f.flag;
                known = true;
                break;
            }
        }
        if (!known)
            throw ParseError("unknown attribute letter '" + std::string(1, c) + "'");
    }
    return mask;
}

std::uint32_t get_fs_flags(int fd) {
    // The kernel reads and writes an int, whatever the ioctl's type says.
    int flags = 0;
    if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
        throw SysError(errno, "cannot get the attributes");
    return static_cast<std::uint32_t>(flags);
}

void set_fs_flags(int fd, std::uint32_t flags) {
    int value = static_cast<int>(flags);
    if (::ioctl(fd, FS_IOC_SETFLAGS, &value) < 0)
        throw SysError(errno, "cannot set the attributes");
}

} // namespace vserver
