#!/bin/sh
# The man pages: render with man -l without warnings, have the required
# sections, and vserver(2) covers every name and field of the uapi header.
TEST="man"
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

command -v man >/dev/null 2>&1 || skip "man is not installed"
M=$SRCROOT/man
for page in chcontext.8 reducecap.8 vkill.8 vps.8 vpstree.8 vtop.8 \
	vserver-stat.8 vserver.2 chbind.8 vserver-lock-service.8 \
	rebootmgr.8 vreboot.8 vserver.8 vservers.8 vrpm.8 newvserver.8 \
	vserver-exec.8 vsyslogd.8; do
	if [ ! -f "$M/$page" ]; then
		fail "$page is missing"
		continue
	fi
	run env MANWIDTH=80 man --warnings -l "$M/$page"
	check "$page renders without warnings" "0|" "$RC|$ERR"
	case $page in
	*.2) sections="NAME SYNOPSIS DESCRIPTION RETURN.VALUE ERRORS EXAMPLES SEE.ALSO" ;;
	*) sections="NAME SYNOPSIS DESCRIPTION OPTIONS EXIT.STATUS EXAMPLES SEE.ALSO" ;;
	esac
	missing=
	for s in $sections; do
		grep -q "^\.SH \"*$s\"*\$" "$M/$page" || missing="$missing $s"
	done
	check "$page has its sections" "" "$missing"
	name=${page%.*}
	case $name in
	vserver) ;;
	*) grep -q "^\.B \"$name (vserver) 0\.1\.0\"" "$M/$page" ||
		grep -q "$(printf '%s' "$name" | sed 's/-/\\\\-/g') (vserver) 0\.1\.0" "$M/$page" ||
		fail "$page: --version text" ;;
	esac
done

H=$SRCROOT/tools/lib/uapi/linux/vserver.h
if [ -f "$H" ]; then
	missing=
	for n in $(sed -n 's/^#define[[:space:]]\{1,\}\([A-Z][A-Z0-9_]*\).*/\1/p' "$H") \
		$(sed -n -E 's/^[[:space:]]*(__[us][0-9]+|char)[[:space:]]+([a-z_0-9]+).*;.*/\2/p' "$H"); do
		case $n in _UAPI_*) continue ;; esac
		grep -q "$n" "$M/vserver.2" || missing="$missing $n"
	done
	check "vserver.2 names every constant and field of vserver.h" "" "$missing"
	for e in EAGAIN EEXIST EFAULT EINVAL ENOSYS EPERM ESRCH; do
		grep -q "^\.B $e\$" "$M/vserver.2" || fail "vserver.2: $e not in ERRORS"
	done
else
	fail "vserver.h not found at $H: cannot check vserver.2 against it"
fi

finish
