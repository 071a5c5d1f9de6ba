#!/bin/bash
# Escapes and leaks through /proc/PID: root inside a started server (and in
# a chcontext --secure sandbox) against the machine's pid 1, a host
# process and a process of another context.
#  - /proc/1 stays visible, but from a context other than 0 and 1 only
#    stat and status (also under task/1/) open; every other file fails
#    with EACCES for reading (its network listings under net/ too), EPERM
#    for writing, and pid 1 is unchanged;
#  - /proc/PID of another context's task does not exist (ENOENT);
#  - a pid the reader cannot see reads as 0: PPid, TracerPid, the ppid,
#    pgrp and session fields of stat, getppid();
#  - a server's writes to its own /proc/self keep working.
# Alone in a guest 2 to 3 minutes; with a second guest beside it twice that,
# past the default 300 s.
# vm-run: --timeout 600
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start

# pid1_state: pid 1 as the attacks below could change it.
# shellcheck disable=SC2317 # (called through refused)
pid1_state() {
	printf '%s oom_score_adj=%s loginuid=%s coredump_filter=%s timerslack=%s\n' "$(proc_state 1)" \
		"$(cat /proc/1/oom_score_adj)" "$(cat /proc/1/loginuid)" "$(cat /proc/1/coredump_filter)" \
		"$(cat /proc/1/timerslack_ns)"
}

run inside ls /proc
is "$(printf '%s\n' "$out" | grep -cx 1)" 1 "pid 1: /proc/1 is listed inside the server"
for f in stat status task/1/stat task/1/status; do
	refused "pid 1: /proc/1/$f opens for reading inside" ok pid1_state attack read "/proc/1/$f"
done
run inside cat /proc/1/status
is "$(printf '%s\n' "$out" | grep -E '^(Pid|PPid|TracerPid):' | tr '\t\n' '  ')" \
	"Pid: 1 PPid: 0 TracerPid: 0 " "pid 1: /proc/1/status inside shows its number, PPid 0, TracerPid 0"

# Reading anything else of pid 1: EACCES.
for f in mountinfo mounts mountstats cmdline environ maps smaps fd fdinfo task/1/children \
	root cwd exe ns/mnt ns/user cgroup limits auxv task/1/cmdline task/1/mountinfo \
	net/tcp net/unix; do
	refused "pid 1: reading /proc/1/$f from inside fails with EACCES" "open EACCES" pid1_state \
		attack read "/proc/1/$f"
done
# (these are there only with some kernel options)
for f in map_files pagemap smaps_rollup statm comm wchan stack personality timers sched \
	oom_score sessionid uid_map gid_map setgroups projid_map attr/current; do
	if [ -e "/proc/1/$f" ]; then
		refused "pid 1: reading /proc/1/$f from inside fails with EACCES" "open EACCES" \
			pid1_state attack read "/proc/1/$f"
	else
		skip "pid 1: reading /proc/1/$f from inside" "this kernel has no /proc/PID/$f"
	fi
done

# Writing to pid 1: EPERM, and pid 1 unchanged.
refused "pid 1: writing 999 to /proc/1/oom_score_adj from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/oom_score_adj 999
refused "pid 1: writing 15 to /proc/1/oom_adj from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/oom_adj 15
refused "pid 1: writing 1 to /proc/1/clear_refs from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/clear_refs 1
refused "pid 1: writing 1000 to /proc/1/loginuid from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/loginuid 1000
# (/proc/PID/sched is there with CONFIG_SCHED_DEBUG only: not on defconfig)
if [ -e /proc/1/sched ]; then
	refused "pid 1: writing 0 to /proc/1/sched (reset its statistics) from inside fails with EPERM" \
		"open EPERM" pid1_state attack write /proc/1/sched 0
else
	skip "pid 1: writing 0 to /proc/1/sched from inside" "this kernel has no /proc/PID/sched (CONFIG_SCHED_DEBUG=n)"
fi
refused "pid 1: writing 0 to /proc/1/task/1/oom_score_adj from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/task/1/oom_score_adj 0
refused "pid 1: writing 0x7f to /proc/1/coredump_filter from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/coredump_filter 0x7f
refused "pid 1: writing /proc/1/timerslack_ns from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/timerslack_ns 1000
refused "pid 1: opening /proc/1/mem for writing from inside fails with EPERM" "open EPERM" \
	pid1_state attack write /proc/1/mem x

# The same from a chcontext --secure sandbox, on the host's /proc.
refused "pid 1: reading /proc/1/mountinfo from a chcontext --secure root fails with EACCES" \
	"open EACCES" pid1_state chcontext --silent --secure vx-attack read /proc/1/mountinfo
refused "pid 1: reading /proc/1/cmdline from a chcontext --secure root fails with EACCES" \
	"open EACCES" pid1_state chcontext --silent --secure vx-attack read /proc/1/cmdline
refused "pid 1: writing /proc/1/oom_score_adj from a chcontext --secure root fails with EPERM" \
	"open EPERM" pid1_state chcontext --silent --secure vx-attack write /proc/1/oom_score_adj 999
refused "pid 1: reading /proc/1/net/tcp from a chcontext --secure root fails with EACCES" \
	"open EACCES" pid1_state chcontext --silent --secure vx-attack read /proc/1/net/tcp

# A host process and a process of another context: not there at all.
host_victim root || escape_abort "no host victim"
V=$VICTIM
# shellcheck disable=SC2317 # (called through refused)
vstate() { printf '%s oom_score_adj=%s\n' "$(proc_state "$V")" "$(cat "/proc/$V/oom_score_adj")"; }
refused "host process: writing its oom_score_adj from inside fails with ENOENT" "open ENOENT" \
	vstate attack write "/proc/$V/oom_score_adj" 999
refused "host process: writing its timerslack_ns from inside fails with ENOENT" "open ENOENT" \
	vstate attack write "/proc/$V/timerslack_ns" 1000
refused "host process: writing its clear_refs from inside fails with ENOENT" "open ENOENT" \
	vstate attack write "/proc/$V/clear_refs" 1
refused "host process: reading its environ from inside fails with ENOENT" "open ENOENT" \
	vstate attack read "/proc/$V/environ"
refused "host process: opening its mem from inside fails with ENOENT" "open ENOENT" \
	vstate attack write "/proc/$V/mem" x
bg_start chcontext --silent --ctx 4242 sleep 1000
other=$!
escape_track "$other"
wait_ready "$other" sleep 4242 || fail "setup: a sleep in context 4242 (another server) runs"
refused "another context: writing its oom_score_adj from inside fails with ENOENT" "open ENOENT" \
	"proc_state $other" attack write "/proc/$other/oom_score_adj" 999
refused "another context: reading its cmdline from inside fails with ENOENT" "open ENOENT" \
	"proc_state $other" attack read "/proc/$other/cmdline"

# Hidden pids read as 0: a command of vserver exec has a host parent
# (vserver-exec); one that enters the server's context from a host shell
# (root's chcontext) also has the host's process group and session.
run inside cat /proc/self/status
is "$(printf '%s\n' "$out" | grep -E '^(PPid|TracerPid):' | tr '\t\n' '  ')" "PPid: 0 TracerPid: 0 " \
	"hidden pids: PPid of a command whose parent is on the host reads 0 in /proc/self/status"
run chcontext --silent --secure --ctx "$ESC_CTX" cat /proc/self/stat
is "$(printf '%s\n' "${out##*) }" | cut -d' ' -f2-4)" "0 0 0" \
	"hidden pids: ppid, pgrp and session of /proc/self/stat read 0 when they are host processes"
attack getppid
is "$out" 0 "hidden pids: getppid() of a command whose parent is on the host returns 0"

# Controls: a server's own /proc/self is writable; context 0 reads and
# writes pid 1's files.
attack write /proc/self/oom_score_adj 500
is "$out" ok "control: writing 500 to /proc/self/oom_score_adj inside works"
attack write /proc/self/comm renamed
is "$out" ok "control: writing /proc/self/comm inside works"
run inside sh -c '/bin/vx-attack read /proc/net/tcp; /bin/vx-attack read /proc/self/net/unix'
is "$(printf '%s\n' "$out" | paste -sd' ')" "ok ok" "control: a server reads its own /proc/net (tcp, and unix through /proc/self)"
host read /proc/1/net/tcp
is "$out" ok "control: reading /proc/1/net/tcp from context 0 works"
run inside sh -c 'sleep 100 & echo 1 >/proc/$!/clear_refs && echo 300 >/proc/$!/oom_score_adj &&
	cat /proc/$!/oom_score_adj; kill $!'
is "$out" 300 "control: writing /proc/PID files of the server's own processes inside works"
host read /proc/1/mountinfo
is "$out" ok "control: reading /proc/1/mountinfo from context 0 works"
host read /proc/1/environ
is "$out" ok "control: reading /proc/1/environ from context 0 works"
host write /proc/1/oom_score_adj "$(cat /proc/1/oom_score_adj)"
is "$out" ok "control: writing /proc/1/oom_score_adj (unchanged value) from context 0 works"
host write "/proc/$V/oom_score_adj" 700
is "$out/$(cat "/proc/$V/oom_score_adj")" ok/700 \
	"control: writing a host process's oom_score_adj from context 0 works"

# A /proc/PID file opened in one context and read after its holder moved
# to another: the task is no longer the holder's to see.
# shellcheck disable=SC2016 # (for the shells started below)
run chcontext --silent --ctx 612 bash -c 'sleep 100 & q=$!
	vx-attack with-fd 5 "/proc/$q/status" -- vx-attack new_s_context new -- \
		sh -c "cat <&5 >/dev/null 2>&1 && echo read || echo refused"; kill $q'
like "$out" "refused" "a /proc/PID/status opened before a move to a new context reads nothing after it"
run chcontext --silent --ctx 612 bash -c 'sleep 100 & q=$!
	vx-attack with-fd 5 "/proc/$q/status" -- sh -c "cat <&5 >/dev/null 2>&1 && echo read || echo refused"
	kill $q'
is "$out" read "control: the same descriptor reads without the move"

escape_finish
