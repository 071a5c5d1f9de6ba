#!/bin/bash
# vserver on a systemd host: systemd is the guest's PID 1 (vm-run
# --systemd), the project's units are installed (etc/systemd, or the
# package's in the package run, in /run/systemd/system), and "vserver NAME
# start|stop" go through vserver@NAME.service: the server runs in the
# unit's delegated cgroup with its resource keys applied there, nothing of
# vserver writes the root cgroup's cgroup.subtree_control,
# vservers.service starts and stops the ONBOOT servers through the same
# unit, and a server that ends on its own stops its unit (failed).
# vm-run: --systemd
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

if [ "$(cat /proc/1/comm)" != systemd ]; then
	skip "vserver through systemd units" "PID 1 is not systemd (vm-run --systemd; apt-get install systemd)"
	finish
fi

# The units know only the configured paths: the test's come from the
# global file, for this shell and for the units alike.
cat >"$VSERVER_GLOBAL_CONF" <<EOF
VSERVER_CONFDIR=$VSERVER_CONFDIR
VSERVER_ROOTDIR=$VSERVER_ROOTDIR
VSERVER_RUNDIR=$VSERVER_RUNDIR
EOF
# vsd ARG...: vserver as an administrator runs it (no paths in the
# environment), which sends start and stop through the units.
vsd() {
	env -u VSERVER_CONFDIR -u VSERVER_ROOTDIR -u VSERVER_RUNDIR vserver "$@"
}
sbindir=$(dirname "$(command -v vserver)")
units=/run/systemd/system
# The units of the tools under test: the package's (tests/package/deb-tree
# puts them beside its bin) with /usr/sbin pointing at bin, else the
# repository's with the tools' directory filled in.
package_units=$sbindir/../root/lib/systemd/system
for unit in vserver@.service vservers.service; do
	if [ -f "$package_units/$unit" ]; then
		sed "s|/usr/sbin/|$sbindir/|g" "$package_units/$unit"
	else
		sed "s|@VSERVER_SBINDIR@|$sbindir|g" "$VSERVER_REPO/etc/systemd/$unit"
	fi >"$units/$unit"
	mkdir -p "$units/$unit.d"
	# (systemd ran only the test's service, not the host's boot: started
	# now, sysinit.target would clean /tmp under the test)
	printf '[Unit]\nDefaultDependencies=no\n[Service]\nEnvironment=%s %s %s\n' \
		"VSERVER_GLOBAL_CONF=$VSERVER_GLOBAL_CONF" "PATH=$PATH" VSERVER_STOP_TIMEOUT=3 \
		>"$units/$unit.d/test.conf"
done
systemctl daemon-reload
is "$?" 0 "setup: the units are installed"

vx0_up
tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
check_run "setup: build the server" 0 "" "vserver: built web in $VS_TOP/vservers/web" \
	vserver web build --from "$tpl"
set_conf web IPROOT 127.1.0.2
set_conf web IPROOTDEV vx0
set_conf web PIDS_MAX 50
set_conf web ONBOOT yes
echo web >"$VS_TOP/vservers/web/var/www/index.html"

# What systemd itself enables for a unit with Delegate=yes (a probe unit,
# running until the comparison): vserver must add nothing to it.
systemd-run --quiet --unit=vx-delegate-probe -p Delegate=yes -p DefaultDependencies=no \
	sleep 600
is "$?" 0 "setup: a probe unit with Delegate=yes runs"
root_controllers=$(cat /sys/fs/cgroup/cgroup.subtree_control)
run vsd web start
is "$rc" 0 "start through the unit ($err)"
like "$err" "^vserver: web started in context [0-9]+$" "start says where the server runs"
is "$(systemctl is-active vserver@web.service)" active "vserver@web.service is active"
is "$(fetch http://127.1.0.2/)" web "the server's httpd answers on its address"
unit_cg=/sys/fs/cgroup/system.slice/system-vserver.slice/vserver@web.service
httpd=$(chcontext --silent --ctx 1 pgrep -x httpd)
is "$(chcontext --silent --ctx 1 sed -n 's/^0:://p' "/proc/$httpd/cgroup")" \
	"/system.slice/system-vserver.slice/vserver@web.service/server" \
	"the server's processes are in the unit's delegated cgroup"
is "$(cat "$unit_cg/server/pids.max" 2>/dev/null)" 50 "PIDS_MAX applies in the unit's cgroup"
is "$(cat /sys/fs/cgroup/cgroup.subtree_control)" "$root_controllers" \
	"the root cgroup's subtree_control is left to systemd (as for any delegated unit)"
systemctl stop vx-delegate-probe.service
[ ! -e /sys/fs/cgroup/vserver ]
is "$?" 0 "no cgroup of vserver's own outside the unit"

run vsd web stop
is "$rc" 0 "stop through the unit ($err)"
is "$(systemctl is-active vserver@web.service)" inactive "vserver@web.service is inactive"
run vsd web running
is "$rc" 1 "the server no longer runs"
is "$(ip -4 -o addr show dev vx0 | grep -c ' 127\.1\.0\.2/')" 0 "its address is gone"

# A server that ends on its own: its watcher stops the unit, which shows
# as failed, and its address is released.
run vsd web start
is "$rc" 0 "start through the unit again ($err)"
echo 1 >"$unit_cg/server/cgroup.kill"
# The watcher stops the unit with --no-block: wait through "deactivating"
# (its ExecStop) for the state it settles in.
for _ in $(seq 200); do
	case $(systemctl is-active vserver@web.service) in
	active | activating | deactivating | reloading) sleep 0.1 ;;
	*) break ;;
	esac
done
is "$(systemctl is-active vserver@web.service)" failed \
	"a server that ended on its own: its unit is stopped and shows as failed"
is "$(ip -4 -o addr show dev vx0 | grep -c ' 127\.1\.0\.2/')" 0 "its address is released"
is "$(ls "$VSERVER_RUNDIR"/web.ctx "$unit_cg" 2>/dev/null)" "" "no run file or cgroup of it is left"
systemctl reset-failed vserver@web.service

run systemctl start vservers.service
is "$rc" 0 "vservers.service starts ($err)"
is "$(systemctl is-active vserver@web.service)" active "it started the ONBOOT server through its unit"
is "$(fetch http://127.1.0.2/)" web "the ONBOOT server answers"
run systemctl stop vservers.service
is "$rc" 0 "vservers.service stops ($err)"
is "$(systemctl is-active vserver@web.service)" inactive "it stopped the server's unit"
finish
