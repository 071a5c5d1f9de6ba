#!/bin/sh
# Installs the scripts directory as a project of its own into a temporary
# prefix and runs the installed scripts, which must find their library at
# the configured install path (also through a symlink).
TEST=install
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

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
	share/man/man8/vtop.8 share/man/man8/vserver-stat.8 \
	sbin/vserver-lock-service share/vserver/v-service.sh \
	share/vserver/vserver-chbind.conf share/man/man8/chbind.8 \
	share/man/man8/vserver-lock-service.8 etc/init.d/v_httpd etc/init.d/v_sshd \
	etc/init.d/v_smb etc/init.d/v_xinetd etc/init.d/rebootmgr \
	lib/systemd/system/rebootmgr.service share/man/man8/rebootmgr.8 \
	share/man/man8/vreboot.8 share/man/man8/vhalt.8 \
	sbin/vserver sbin/vservers sbin/vrpm sbin/newvserver etc/init.d/vservers \
	lib/systemd/system/vservers.service lib/systemd/system/vserver@.service \
	share/man/man8/vserver.8 \
	share/man/man8/vservers.8 share/man/man8/vrpm.8 share/man/man8/newvserver.8 \
	share/man/man8/vserver-exec.8 share/man/man8/vsyslogd.8 etc/vserver/aide.conf; do
	[ -f "$X/$f" ] || missing="$missing $f"
done
for c in chcontext reducecap vkill vps vpstree vtop vserver-stat chbind \
	vserver-lock-service rebootmgr vreboot vhalt vserver vservers vrpm newvserver \
	vserver-exec vsyslogd; do
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
if grep -q '@VSERVER_' "$X/sbin/vserver-lock-service" "$X/etc/init.d/v_sshd"; then
	fail "install paths substituted in vserver-lock-service and v_sshd"
else
	ok "install paths substituted in vserver-lock-service and v_sshd"
fi
run "$X/etc/init.d/v_sshd" --version
check "installed v_sshd finds its library" "0|v_sshd (vserver) 0.1.0" "$RC|$OUT"
run "$X/sbin/vserver-lock-service" --help
case $OUT in
*"(default: $X/sbin/chbind"*) ok "installed vserver-lock-service knows chbind's path" ;;
*) fail "installed vserver-lock-service knows chbind's path: $OUT" ;;
esac
if grep -q '@VSERVER_' "$X/etc/init.d/rebootmgr" "$X/lib/systemd/system/rebootmgr.service"; then
	fail "install paths substituted in rebootmgr's init script and unit"
else
	ok "install paths substituted in rebootmgr's init script and unit"
fi
check "rebootmgr.service runs the installed rebootmgr" \
	"ExecStart=$X/sbin/rebootmgr --pidfile /run/vservers/rebootmgr.pid --vserver-cmd $X/sbin/vserver" \
	"$(grep '^ExecStart=' "$X/lib/systemd/system/rebootmgr.service")"
check "vservers.service runs the installed vservers" \
	"ExecStart=$X/sbin/vservers start
ExecStop=$X/sbin/vservers stop" \
	"$(grep -e '^ExecStart=' -e '^ExecStop=' "$X/lib/systemd/system/vservers.service")"
check "vserver@.service runs the installed vserver in a delegated cgroup" \
	"Delegate=yes
Environment=VSERVER_CGROUP_DELEGATED=1
ExecStart=$X/sbin/vserver %i start
ExecStop=$X/sbin/vserver %i stop" \
	"$(grep -e '^ExecStart=' -e '^ExecStop=' -e '^Delegate=' -e '^Environment=' \
		"$X/lib/systemd/system/vserver@.service")"
if command -v systemd-analyze >/dev/null 2>&1; then
	cp "$X/lib/systemd/system/vserver@.service" "$T/vserver@web.service"
	run systemd-analyze verify --man=no "$T/vserver@web.service"
	check "systemd-analyze verify vserver@web.service: no complaint" "0|" \
		"$RC|$(printf '%s\n' "$ERR" | grep -v -e 'network-online.target' -e 'rebootmgr.service' -e 'No such file' -e 'is not executable')"
else
	skip_part "systemd-analyze verify vserver@.service (no systemd-analyze here)"
fi
if grep -q '@VSERVER_' "$X/etc/init.d/vservers" "$X/sbin/vrpm" "$X/sbin/newvserver"; then
	fail "install paths substituted in the vservers init script, vrpm and newvserver"
else
	ok "install paths substituted in the vservers init script, vrpm and newvserver"
fi
run "$X/sbin/vrpm" --version
check "installed vrpm finds its library" "0|vrpm (vserver) 0.1.0" "$RC|$OUT"

mkdir -p "$T/proc/self" "$T/elsewhere"
printf 's_context:\t1\n' >"$T/proc/self/status"
printf '10.00 1.00\n' >"$T/proc/uptime"
fake_proc "$T/proc" 1 0 2048 1024 100 0 0 init
export VSERVER_PROC="$T/proc" VSERVER_CONFDIR="$T" VSERVER_RUNDIR="$T"
run "$X/sbin/vserver-stat"
check "installed vserver-stat runs" "0||\
CTX    PROC     VSZ     RSS   userTIME    sysTIME     UPTIME NAME      ADDRESSES
0         1    2.0M    1.0M   0m01.00s   0m00.00s   0m10.00s MAIN      -" \
	"$RC|$ERR|$OUT"
ln -s "$X/sbin/vps" "$T/elsewhere/vps"
run "$T/elsewhere/vps" --version
check "installed vps through a symlink" "0|vps (vserver) 0.1.0" "$RC|$OUT"

finish
