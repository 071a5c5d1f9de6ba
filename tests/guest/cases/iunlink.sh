#!/bin/bash
# The immutable-linkage-invert (iunlink) attribute on ext4: with
# immutable+iunlink a file's names may change (unlink, rename either way,
# link) while its content, metadata and flags may not; immutable alone
# behaves as before; the bit survives a remount and e2fsck accepts it.
# vm-run: --scratch-disk 64M
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

fsops() { python3 "$VSERVER_REPO/tests/guest/lib/fsops.py" "$@"; }
# Root without CAP_LINUX_IMMUTABLE, as in a server with the default ceiling.
fsops_nocap() {
	setpriv --inh-caps=-linux_immutable --bounding-set=-linux_immutable -- \
		python3 "$VSERVER_REPO/tests/guest/lib/fsops.py" "$@"
}

IMMUTABLE=0x10
IUNLINK=0x08000000
BOTH=0x08000010
disk=/dev/ubda
mnt=$TEST_TMP/ext4
mkdir -p "$mnt"
if ! mount -t ext4 "$disk" "$mnt"; then
	fail "the scratch ext4 disk mounts"
	finish
fi
d=$mnt/d
mkdir "$d"

# fresh NAME [FLAGS]: a new file with known content and optional flags.
fresh() {
	rm -f "$d/$1" 2>/dev/null || true
	printf 'original %s\n' "$1" >"$d/$1"
	[ -z "${2:-}" ] || fsops setflags "$d/$1" "$2" >/dev/null
}
extent() { printf '0x%08x' $(($(fsops getflags "$1") & ~0x80000)); }

# --- setting and reading the attribute ---------------------------------
fresh f
is "$(fsops setflags "$d/f" $BOTH)" ok "root with CAP_LINUX_IMMUTABLE sets immutable+iunlink"
is "$(extent "$d/f")" $BOTH "FS_IOC_GETFLAGS reports immutable and iunlink"
fresh g
is "$(fsops_nocap setflags "$d/g" $IUNLINK)" EPERM "setting iunlink needs CAP_LINUX_IMMUTABLE"
is "$(extent "$d/g")" 0x00000000 "the refused flag change changed nothing"

# --- immutable+iunlink: the names may change ----------------------------
fresh a $BOTH
is "$(fsops_nocap unlink "$d/a")" ok "unlink of an immutable+iunlink file succeeds (no capability)"
is "$([ -e "$d/a" ] && echo present || echo absent)" absent "the unlinked name is gone"

fresh a $BOTH
is "$(fsops_nocap rename "$d/a" "$d/a2")" ok "rename of an immutable+iunlink file succeeds"
is "$(cat "$d/a2")" "original a" "the renamed file keeps its content"
is "$(extent "$d/a2")" $BOTH "the renamed file keeps its attributes"

fresh t $BOTH
printf 'replacement\n' >"$d/new"
is "$(fsops_nocap rename "$d/new" "$d/t")" ok "rename over an immutable+iunlink target succeeds"
is "$(cat "$d/t")" replacement "the target name now has the new file"

fresh l $BOTH
is "$(fsops_nocap link "$d/l" "$d/l2")" ok "link() to an immutable+iunlink file succeeds"
is "$(stat -c %h "$d/l")" 2 "the file has two links"
is "$(stat -c %i "$d/l2")" "$(stat -c %i "$d/l")" "both names are the same inode"
is "$(fsops_nocap unlink "$d/l")" ok "one of two links can be removed"
is "$(cat "$d/l2")" "original l" "the other link still has the content"

# --- immutable+iunlink: content, metadata and flags may not -------------
fresh m $BOTH
for op in open-write open-rdwr open-trunc truncate chmod chown utime setxattr; do
	is "$(fsops $op "$d/m")" EPERM "immutable+iunlink: $op fails with EPERM (even with all capabilities)"
done
is "$(cat "$d/m")" "original m" "immutable+iunlink: the content is unchanged"
is "$(stat -c %a "$d/m")" 644 "immutable+iunlink: the mode is unchanged"
for clear in $IMMUTABLE $IUNLINK 0x0; do
	is "$(fsops_nocap setflags "$d/m" "$clear")" EPERM \
		"immutable+iunlink: changing the flags to $clear without CAP_LINUX_IMMUTABLE fails"
done
is "$(extent "$d/m")" $BOTH "immutable+iunlink: the flags are unchanged"

fresh h
is "$(fsops held-write "$d/h" $BOTH)" EPERM "immutable+iunlink: write() on a descriptor opened before fails"
fresh h
is "$(fsops held-fallocate "$d/h" $BOTH)" EPERM "immutable+iunlink: fallocate() fails"
fresh h
is "$(fsops held-mmap "$d/h" $BOTH)" SIGBUS "immutable+iunlink: a store through a shared writable mapping faults"
is "$(cat "$d/h")" "original h" "immutable+iunlink: none of these changed the content"
is "$(fsops open-rdwr "$d/h")" EPERM "immutable+iunlink: no new writable mapping can be made (open O_RDWR fails)"

is "$(fsops setflags "$d/m" 0x0)" ok "root with CAP_LINUX_IMMUTABLE clears both flags"
is "$(fsops open-write "$d/m")" ok "once cleared, the file is writable again"

# --- immutable alone keeps today's behaviour ----------------------------
fresh i $IMMUTABLE
printf 'other\n' >"$d/other"
is "$(fsops unlink "$d/i")" EPERM "immutable alone: unlink fails with EPERM"
is "$(fsops rename "$d/i" "$d/i2")" EPERM "immutable alone: rename fails with EPERM"
is "$(fsops rename "$d/other" "$d/i")" EPERM "immutable alone: rename over it fails with EPERM"
is "$(fsops link "$d/i" "$d/i3")" EPERM "immutable alone: link() fails with EPERM"
is "$(fsops open-write "$d/i")" EPERM "immutable alone: open for writing fails with EPERM"
is "$(fsops_nocap setflags "$d/i" 0x0)" EPERM "immutable alone: clearing it needs CAP_LINUX_IMMUTABLE"

# --- iunlink alone changes nothing --------------------------------------
fresh u $IUNLINK
is "$(fsops open-write "$d/u")" ok "iunlink alone: the file stays writable"
is "$(fsops chmod "$d/u")" ok "iunlink alone: chmod works"
is "$(fsops unlink "$d/u")" ok "iunlink alone: unlink works"

# --- only regular files ------------------------------------------------
# An immutable directory with iunlink could itself be renamed or removed.
mkdir "$d/sub"
is "$(fsops setflags "$d/sub" $IUNLINK)" EINVAL "iunlink on a directory is refused (EINVAL)"
is "$(fsops setflags "$d/sub" $BOTH)" EINVAL "immutable+iunlink on a directory is refused (EINVAL)"
is "$(extent "$d/sub")" 0x00000000 "the directory keeps no flag"
is "$(fsops setflags "$d/sub" $IMMUTABLE)" ok "(control) immutable alone on a directory works"
is "$(fsops rename "$d/sub" "$d/sub2")" EPERM "the immutable directory cannot be renamed"
fsops setflags "$d/sub" 0x0 >/dev/null
rmdir "$d/sub"

# --- on disk -------------------------------------------------------------
fresh p $BOTH
umount "$mnt"
run e2fsck -fn "$disk"
is "$rc" 0 "e2fsck -fn accepts the iunlink bit"
[ "$rc" = 0 ] || fail "e2fsck output" "$out" "$err"
mount -t ext4 "$disk" "$mnt"
is "$(extent "$d/p")" $BOTH "the attribute survives a remount"
is "$(fsops unlink "$d/p")" ok "and still lets the name go after the remount"
for f in "$d"/*; do fsops setflags "$f" 0x0 >/dev/null 2>&1 || true; done
umount "$mnt"

finish
