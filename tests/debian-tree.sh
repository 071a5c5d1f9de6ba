#!/bin/sh
# The ctest fixture debian.tree: a Debian minbase server tree, made by
# "vserver minbase build --debootstrap bookworm" (the build path of the
# product itself) into BUILD-DIR/debian-tree, once; the guest tests copy
# it into their servers.  Exit 0 when the tree is there and looks right.
#
#   tests/debian-tree.sh SCRIPTS-DIR BUILD-DIR   (SCRIPTS-DIR: build/bin, the
#   scripts beside the built vserver-exec)
set -eu
[ $# -eq 2 ] || { echo "usage: $0 SCRIPTS-DIR BUILD-DIR" >&2; exit 2; }
scripts=$1
top=$2/debian-tree
tree=$top/minbase
if [ ! -x "$tree/usr/bin/dpkg" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "debian-tree: building a server tree needs root" >&2
		exit 77
	fi
	rm -rf "$top"
	mkdir -p "$top"
	VSERVER_ROOTDIR=$top VSERVER_CONFDIR=$top/etc VSERVER_GLOBAL_CONF=/dev/null \
		"$scripts/vserver" minbase build --debootstrap bookworm
fi
fail=0
check() {
	if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}
check "the tree has dpkg" '[ -x "$tree/usr/bin/dpkg" ]'
check "the tree has a minimal /dev" '[ -c "$tree/dev/null" ] && [ ! -e "$tree/dev/sda" ] && [ -L "$tree/dev/ptmx" ]'
check "the tree has a dummy fstab" 'grep -q "no file systems" "$tree/etc/fstab"'
check "build wrote minbase.conf" 'grep -q "^S_HOSTNAME=minbase$" "$top/etc/minbase.conf"'
exit $fail
