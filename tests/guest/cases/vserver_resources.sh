#!/bin/bash
# Resource limits of a server (MEMORY_MAX, MEMORY_HIGH, CPU_MAX, CPU_WEIGHT,
# PIDS_MAX, IO_WEIGHT), applied through its cgroup: a process that
# allocates past MEMORY_MAX is OOM-killed inside the server only, a fork
# bomb stops at PIDS_MAX, the other keys reach their cgroup files, and a
# bad value is a one-line error that starts nothing.  Then the delegated
# layout of vserver@NAME.service (Delegate=yes), with this test as the
# system manager: the server's cgroup is server/ in the unit's cgroup, the
# start moves itself to supervisor/, and the root's subtree_control is
# never written.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

vx0_up
CG=/sys/fs/cgroup
for c in memory pids cpu io; do
	grep -qw "$c" "$CG/cgroup.subtree_control" || fail "setup: the $c controller is enabled at the root"
done

tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
vserver lim build --from "$tpl" >/dev/null 2>&1
set_conf lim IPROOT 127.1.0.2
set_conf lim IPROOTDEV vx0
set_conf lim MEMORY_MAX 64M
set_conf lim MEMORY_HIGH 48M
set_conf lim CPU_MAX 50%
set_conf lim CPU_WEIGHT 200
set_conf lim PIDS_MAX 40
set_conf lim IO_WEIGHT 300

run vserver lim start
is "$rc" 0 "start: a server with every resource key starts"
cg=$CG/vserver/lim
is "$(cat "$cg/memory.max" "$cg/memory.high" "$cg/cpu.max" "$cg/cpu.weight" "$cg/pids.max" \
	"$cg/io.weight" 2>&1)" "$((64 << 20))
$((48 << 20))
50000 100000
200
40
default 300" "limits: memory.max, memory.high, cpu.max, cpu.weight, pids.max, io.weight"

# Memory: a process doubling a string past 64M.  A host process of the
# same kind, outside, is left alone.
sleep 300 &
host_sleeper=$!
run vserver lim exec awk 'BEGIN { s = "x"; while (1) s = s s }'
is "$rc" 137 "memory: a process allocating past MEMORY_MAX is killed (SIGKILL)"
like "$(cat "$cg/memory.events")" "oom_kill [1-9]" "memory: the server's cgroup counts the OOM kill"
is "$(fetch http://127.1.0.2/)" template "memory: the server's service survives"
kill -0 "$host_sleeper" 2>/dev/null
is "$?" 0 "memory: the host's processes survive"
kill "$host_sleeper"

# Tasks: a fork bomb of 100 ten-second sleeps stops at 40 tasks in the
# server; the host watches pids.current until the bomb's shell is done
# and keeps the highest count it saw.
# shellcheck disable=SC2016 # (the script is for the server's shell)
vserver lim exec sh -c 'for i in $(seq 100); do sleep 10 & done 2>/dev/null; wait' \
	</dev/null >/dev/null 2>&1 &
bomb=$!
peak=0
while kill -0 "$bomb" 2>/dev/null; do
	read -r tasks <"$cg/pids.current"
	[ "$tasks" -le "$peak" ] || peak=$tasks
	sleep 0.2
done
like "$(cat "$cg/pids.events")" "^max [1-9]" "pids: the fork bomb hit PIDS_MAX"
[ "$peak" -le 40 ] && [ "$peak" -ge 20 ]
is "$?" 0 "pids: the server held at most 40 tasks during the bomb (at most $peak seen)"
is "$(fetch http://127.1.0.2/)" template "pids: the server's service survives"
run vserver lim stop
is "$rc" 0 "stop: the server stops"
is "$(host_leftovers lim)" "" "stop: no alias, mount, cgroup or run file is left"

# Bad values: one line naming the key; nothing is started.
bad() {
	set_conf lim "$1" "$2"
	run vserver lim start
	is "$rc $err" "1 vserver: $3" "bad value: $1=$2 is refused"
	is "$(host_leftovers lim)" "" "bad value: $1=$2 leaves nothing"
	set_conf lim "$1" "$4"
}
conf=$VSERVER_CONFDIR/lim.conf
bad MEMORY_MAX 64Q "$conf: MEMORY_MAX must be a size (bytes, or a number with K, M, G or T) or max, not '64Q'" 64M
bad CPU_MAX "1 2 3" "$conf: CPU_MAX must be N% (of one CPU), QUOTA [PERIOD] in microseconds or max, not '1 2 3'" 50%
bad CPU_WEIGHT 0 "$conf: CPU_WEIGHT must be a weight from 1 to 10000, not '0'" 200
bad PIDS_MAX lots "$conf: PIDS_MAX must be a number of tasks or max, not 'lots'" 40
# (the kernel's own check: cpu.max's period is at least 1000 us)
bad CPU_MAX "1000 10" "lim did not start: CPU_MAX: the kernel refused '1000 10' for cpu.max: Invalid argument" 50%

# --- the delegated layout of vserver@.service ---------------------------------
# This test plays systemd: the unit's cgroup with every controller
# delegated down to it, and the start run inside it.
unit=$CG/system.slice/vserver@lim.service
mkdir -p "$unit"
for c in memory pids cpu io; do
	echo "+$c" >"$CG/system.slice/cgroup.subtree_control"
done
root_control=$(cat "$CG/cgroup.subtree_control")
run sh -c "echo \$\$ >$unit/cgroup.procs && VSERVER_CGROUP_DELEGATED=1 exec vserver lim start"
is "$rc" 0 "delegated: the server starts in the unit's cgroup"
is "$(cat "$VSERVER_RUNDIR/lim.cgroup")" "$unit/server" "delegated: its cgroup is server/ in the unit's"
is "$(cat "$unit/server/memory.max" "$unit/server/pids.max")" "$((64 << 20))
40" "delegated: the limits are set there"
is "$(cat "$unit/cgroup.procs")" "" "delegated: the unit's cgroup itself holds no process"
is "$(cat "$CG/cgroup.subtree_control")" "$root_control" "delegated: the root's subtree_control is untouched"
[ ! -e "$CG/vserver/lim" ]
is "$?" 0 "delegated: nothing under the root's vserver/"
run vserver lim exec cat /proc/self/cgroup
is "$rc" 0 "delegated: exec finds the server"
run vserver lim stop
is "$rc" 0 "delegated: stop (by hand) stops it"
is "$(find "$unit" -mindepth 1 -type d)" "" "delegated: server/ and supervisor/ are removed"
is "$(host_leftovers lim)" "" "delegated: no alias, mount or run file is left"
rmdir "$unit" "$CG/system.slice" 2>/dev/null

finish
