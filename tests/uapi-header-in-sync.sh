#!/bin/sh
# The userland's copy of the uapi header must be, byte for byte, the
# include/uapi/linux/vserver.h that the kernel patch series leaves.
#
#   tests/uapi-header-in-sync.sh KERNEL-PATCH-DIR COPY
#
# The series file gives the order; the parts of the patches that touch the
# header are applied, in that order, to an empty tree with patch(1).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 KERNEL-PATCH-DIR COPY" >&2; exit 2; }
dir=$1
copy=$2
header=include/uapi/linux/vserver.h

fail() { echo "uapi_header_in_sync: $*" >&2; exit 1; }

[ -f "$copy" ] || fail "no userland copy $copy"
[ -f "$dir/series" ] || fail "no series file in $dir"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
touched=
while read -r p; do
	p=${p%%#*}
	[ -n "$p" ] || continue
	[ -f "$dir/$p" ] || fail "$p of the series is not in $dir"
	# The header's part of the patch: from its "diff --git" line to the
	# next file, or to the "-- " signature of git format-patch.
	awk -v want="diff --git a/$header b/$header" '
		$0 == want { f = 1; print; next }
		f && (/^diff --git / || /^-- $/) { exit }
		f { print }
	' "$dir/$p" >"$tree/part.diff"
	[ -s "$tree/part.diff" ] || continue
	patch -d "$tree" -p1 --batch --quiet <"$tree/part.diff" ||
		fail "the $header part of $p does not apply"
	touched="$touched $p"
done <"$dir/series"
[ -n "$touched" ] || fail "no patch of the series changes $header"
[ -s "$tree/$header" ] || fail "the series leaves an empty $header"
if ! cmp -s "$tree/$header" "$copy"; then
	echo "uapi_header_in_sync: $copy differs from the series' $header:" >&2
	diff -u "$tree/$header" "$copy" >&2 || true
	exit 1
fi
echo "ok - $copy is the $header of the series (changed by$touched)"
