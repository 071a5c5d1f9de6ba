#!/bin/sh
# The userland's copy of the uapi header must be, byte for byte, the
# include/uapi/linux/vserver.h that the kernel patch series adds.
#
#   tests/uapi-header-in-sync.sh KERNEL-PATCH-DIR COPY
#
# The header is added whole by one patch: its text is the "+" lines after
# "+++ b/include/uapi/linux/vserver.h", up to the next file of the patch.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 KERNEL-PATCH-DIR COPY" >&2; exit 2; }
dir=$1
copy=$2
header=include/uapi/linux/vserver.h

fail() { echo "uapi_header_in_sync: $*" >&2; exit 1; }

[ -f "$copy" ] || fail "no userland copy $copy"
set -- "$dir"/*.patch
[ -f "$1" ] || fail "no patch files (*.patch) in $dir"
patches=$(grep -l -x -F "+++ b/$header" "$@" || true)
[ -n "$patches" ] || fail "no patch in $dir adds $header"
[ "$(printf '%s\n' "$patches" | wc -l)" -eq 1 ] ||
	fail "$header is changed by several patches, expected one that adds it whole:
$patches"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# After the +++ line: the @@ hunk header(s), then "+" lines; the file ends at
# the next "diff --git", or at the "-- " signature of git format-patch.
awk -v want="+++ b/$header" '
	$0 == want { f = 1; next }
	!f { next }
	/^diff --git / || /^-- $/ { exit }
	/^@@ / { next }
	/^\\ No newline at end of file/ { nonl = 1; next }
	/^\+/ { if (n++) printf "\n"; printf "%s", substr($0, 2); next }
	{ exit }
	END { if (n && !nonl) printf "\n" }
' "$patches" >"$tmp"
[ -s "$tmp" ] || fail "$(basename "$patches") has an empty $header"
if ! cmp -s "$tmp" "$copy"; then
	echo "uapi_header_in_sync: $copy differs from $header of $(basename "$patches"):" >&2
	diff -u "$tmp" "$copy" >&2 || true
	exit 1
fi
echo "ok - $copy is $header of $(basename "$patches")"
