#!/bin/sh
# Installs the scripts directory as a project of its own into a temporary
# prefix and runs the installed scripts, which must find their library at
# the configured install path (also through a symlink).
TEST=install
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

CMAKE=${CMAKE:-cmake}
command -v "$CMAKE" >/dev/null 2>&1 || skip "cmake is not installed"
run "$CMAKE" -S "$SCRIPTS" -B "$T/build" -DCMAKE_INSTALL_PREFIX="$T/prefix"
check "configure" 0 "$RC"
[ "$RC" = 0 ] || printf '%s\n' "$OUT" "$ERR"
run "$CMAKE" --install "$T/build"
check "install" 0 "$RC"

X=$T/prefix
missing=
for f in sbin/vps sbin/vpstree sbin/vtop sbin/vserver-stat \
	share/vserver/vserver-functions.sh share/man/man2/vserver.2 \
	share/man/man8/chcontext.8 share/man/man8/reducecap.8 \
	share/man/man8/vkill.8 share/man/man8/vps.8 share/man/man8/vpstree.8 \
	share/man/man8/vtop.8 share/man/man8/vserver-stat.8; do
	[ -f "$X/$f" ] || missing="$missing $f"
done
for c in chcontext reducecap vkill vps vpstree vtop vserver-stat; do
	[ -f "$X/share/bash-completion/completions/$c" ] ||
		missing="$missing completions/$c"
done
check "installed files" "" "$missing"
if [ -x "$X/sbin/vps" ]; then
	ok "scripts are executable"
else
	fail "scripts are executable"
fi
if grep -q '@VSERVER_PKGDATADIR@' "$X/sbin/vps"; then
	fail "install path substituted"
else
	ok "install path substituted"
fi

mkdir -p "$T/proc/self" "$T/elsewhere"
printf 's_context:\t1\n' >"$T/proc/self/status"
printf '10.00 1.00\n' >"$T/proc/uptime"
fake_proc "$T/proc" 1 0 2048 1024 100 0 0 init
export VSERVER_PROC="$T/proc" VSERVER_CONFDIR="$T" VSERVER_RUNDIR="$T"
run "$X/sbin/vserver-stat"
check "installed vserver-stat runs" "0||\
CTX    PROC     VSZ     RSS   userTIME    sysTIME     UPTIME NAME
0         1    2.0M    1.0M   0m01.00s   0m00.00s   0m10.00s MAIN" \
	"$RC|$ERR|$OUT"
ln -s "$X/sbin/vps" "$T/elsewhere/vps"
run "$T/elsewhere/vps" --version
check "installed vps through a symlink" "0|vps (vserver) 0.1.0" "$RC|$OUT"

finish
