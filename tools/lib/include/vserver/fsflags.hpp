// File attributes: the inode flags of FS_IOC_GETFLAGS / FS_IOC_SETFLAGS that
// lsattr(1) and chattr(1) show and change, plus vserver's
// immutable-linkage-invert ("iunlink").  The names of the standard flags
// come from e2fsprogs' libe2p, so that they read exactly as lsattr's.
#pragma once

#include <vserver/syscall.hpp> // SysError

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vserver {

// FS_IMMUTABLE_FL, FS_APPEND_FL of <linux/fs.h>.
inline constexpr std::uint32_t fs_immutable_fl = 0x00000010;
inline constexpr std::uint32_t fs_append_fl = 0x00000020;

// FS_IUNLINK_FL, the vserver kernel's immutable-linkage-invert: together
// with FS_IMMUTABLE_FL the file's data, mode, owner, times and extended
// attributes cannot change, but its names can be unlinked, renamed (also
// as the target of a rename) and hard-linked.  Changing it needs
// CAP_LINUX_IMMUTABLE.  Supported on ext4 (and ext2/ext3 through the ext4
// driver).
inline constexpr std::uint32_t fs_iunlink_fl = 0x08000000;

// What vunify sets on every unified file.
inline constexpr std::uint32_t fs_unified_flags = fs_immutable_fl | fs_iunlink_fl;

// iunlink in lsattr's short form (no e2fsprogs flag uses 'U') and long form.
inline constexpr char iunlink_letter = 'U';
inline constexpr std::string_view iunlink_long_name = "Immutable_Linkage_Invert";

struct FsFlagName {
    std::uint32_t flag;
    char letter;      // lsattr's letter
    std::string name; // lsattr -l's name
};

// Every flag libe2p names, in the order of lsattr's short form, then iunlink.
const std::vector<FsFlagName> &fs_flag_names();

// lsattr's short form: one column per flag of fs_flag_names(), its letter or
// '-', e.g. "----i-----------------U" (lsattr's 22 columns, then iunlink).
std::string format_fs_flags(std::uint32_t flags);

// lsattr -l's long form: "Immutable, Immutable_Linkage_Invert"; "---" for
// none.
std::string format_fs_flags_long(std::uint32_t flags);

// Flag letters ("iU", "-i--U": '-' is ignored) as a mask.  Throws
// ParseError "unknown attribute letter 'X'".
std::uint32_t parse_fs_flags(std::string_view letters);

// FS_IOC_GETFLAGS / FS_IOC_SETFLAGS on an open file.  Throw SysError
// ("cannot get the attributes: ...", "cannot set the attributes: ...");
// ENOTTY, EOPNOTSUPP or EINVAL mean the file system (or, for a flag, the
// kernel) does not support it.
std::uint32_t get_fs_flags(int fd);
void set_fs_flags(int fd, std::uint32_t flags);

} // namespace vserver
