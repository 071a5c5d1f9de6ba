#!/bin/bash
# Escapes through the system calls that act on processes: root inside a
# started server (vserver NAME start, default configuration) against a
# live host process (context 0), the machine's pid 1, a process of another
# context, a lock and a unix socket held by host processes.  Each attack
# must be refused with the errno of the containment rules and leave its
# victim as it was; the same calls from context 0 work (control checks).
#  - a host process: ESRCH for every call (clock_gettime: EINVAL), as if it
#    did not exist, pidfd handed in or not (whose fdinfo names pid 0);
#  - pid 1: visible, EPERM for every call that acts on it;
#  - kill(-1), PRIO_USER and IOPRIO_WHO_USER: the server's own tasks only;
#  - oracles (NS_GET_TGID_FROM_PIDNS, F_GETLK, /proc/locks, SO_PEERCRED,
#    getpriority/ioprio_get of a user) show nothing of the host's tasks.
# vm-run: --timeout 600
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start

# The victim: a host sleep with a distinctive nice level (-15), I/O
# priority (realtime 0) and RLIMIT_NOFILE (321:654), so that a change or a
# leak of any of them shows.
host_victim root || escape_abort "no host victim"
V=$VICTIM
if ! { renice -n -15 -p "$V" >/dev/null && ionice -c 1 -n 0 -p "$V" &&
	prlimit --pid "$V" --nofile=321:654; }; then
	escape_abort "the host victim gets nice -15, ioprio realtime 0, nofile 321:654"
fi
# (its CPUs are all of the machine's: 0 under UML, 0-1 on the SMP guest)
all_cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
is "$(proc_state "$V")" "S ctx=0 nice=-15 policy=0 cpus=$all_cpus io=realtime: prio 0 nofile=321 654" \
	"setup: the host victim $V sleeps with its distinctive settings"
VS="proc_state $V"

# --- a host process: as if it did not exist ---
refused "signals: kill(SIGKILL) of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack kill "$V" 9
refused "signals: tgkill(SIGKILL) of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack tgkill "$V" "$V" 9
refused "signals: rt_sigqueueinfo(SIGKILL) to a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack sigqueue "$V" 9
refused "pidfd: pidfd_open of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack pidfd_open "$V"
# (vserver exec hands no descriptor in: a pidfd can only come in with a
# process that enters the server's context itself, root's chcontext here)
refused "pidfd: pidfd_send_signal(SIGKILL) through a host pidfd handed in fails with ESRCH" \
	ESRCH "$VS" vx-attack with-pidfd 0 "$V" -- \
	chcontext --silent --secure --ctx "$ESC_CTX" vx-attack pidfd_send_signal fd:0 9
# (pidfd_getfd() turns every ptrace_may_access() refusal into EPERM)
refused "pidfd: pidfd_getfd of a host process's descriptor through a pidfd handed in fails with EPERM" \
	EPERM "$VS" vx-attack with-pidfd 0 "$V" -- \
	chcontext --silent --secure --ctx "$ESC_CTX" vx-attack pidfd_getfd fd:0 1
# (what a pidfd's fdinfo names: the pid as the reader may see it)
is "$(vx-attack with-pidfd 0 "$V" -- sed -n 's/^Pid:[[:space:]]*//p' /proc/self/fdinfo/0)" "$V" \
	"pidfd (control, context 0): the fdinfo of a pidfd of the host process names it"
is "$(vx-attack with-pidfd 0 "$V" -- chcontext --silent --secure --ctx "$ESC_CTX" \
	sed -n 's/^Pid:[[:space:]]*//p' /proc/self/fdinfo/0)" 0 \
	"pidfd: the fdinfo of a host pidfd handed in names pid 0 inside"
refused "ptrace: PTRACE_ATTACH to a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack ptrace "$V"
refused "ptrace: process_vm_readv of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack process_vm_readv "$V"
refused "ptrace: kcmp with a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack kcmp "$V"
refused "sched: sched_setaffinity of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack setaffinity "$V" 0
refused "sched: sched_setscheduler(SCHED_IDLE) of a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack setscheduler "$V" idle
refused "nice: setpriority(PRIO_PROCESS, 19) of a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack setpriority process "$V" 19
refused "nice: getpriority(PRIO_PROCESS) of a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack getpriority process "$V"
refused "ioprio: ioprio_set(IOPRIO_WHO_PROCESS, idle) of a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack ioprio_set process "$V" 3 0
refused "ioprio: ioprio_get(IOPRIO_WHO_PROCESS) of a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack ioprio_get process "$V"
refused "rlimit: prlimit(RLIMIT_NOFILE 1:1) of a host process from inside fails with ESRCH" \
	ESRCH "$VS" attack prlimit "$V" 1 1
refused "rlimit: prlimit reading a host process's RLIMIT_NOFILE from inside fails with ESRCH" \
	ESRCH "$VS" attack prlimit "$V"
refused "pgrp: getpgid of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack getpgid "$V"
refused "pgrp: getsid of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack getsid "$V"
refused "pgrp: setpgid of a host process from inside fails with ESRCH" ESRCH "$VS" \
	attack setpgid "$V" "$V"
# refused_if_built AREA CALL WHAT: CALL on the host victim from inside
# fails with ESRCH, once context 0 shows the call works on its own shell.
# Without WHAT in the kernel the call is ENOSYS everywhere and says nothing:
# the output says so, and only that it fails the same way is checked.
refused_if_built() {
	local area=$1 call=$2 what=$3
	host "$call" "$$"
	if [ "$out" = ENOSYS ]; then
		printf '# %s: this kernel has no %s (ENOSYS in context 0): only ENOSYS is checked\n' \
			"$call" "$what"
		refused "$area: $call of a host process from inside fails (ENOSYS: no $what)" \
			ENOSYS "$VS" attack "$call" "$V"
	else
		is "$out" ok "control: $call of a process from context 0 works"
		refused "$area: $call of a host process from inside fails with ESRCH" \
			ESRCH "$VS" attack "$call" "$V"
	fi
}
refused_if_built mm migrate_pages NUMA
refused_if_built mm move_pages NUMA
# (perf events are not in User-Mode Linux.  Debian's
# kernel.perf_event_paranoid=3, CONFIG_SECURITY_PERF_EVENTS_RESTRICT,
# refuses perf_event_open to all but CAP_SYS_ADMIN before any pid is
# looked up: that refusal is checked, then the pid's at 2, upstream's
# default, where any user may count its own processes in user mode, and
# the setting restored.)
paranoid_sysctl=/proc/sys/kernel/perf_event_paranoid
paranoid=$(cat "$paranoid_sysctl" 2>/dev/null)
if [ -n "$paranoid" ] && [ "$paranoid" -gt 2 ]; then
	refused "perf: at perf_event_paranoid=$paranoid, perf_event_open of a host process from inside fails with EACCES" \
		EACCES "$VS" attack perf_event_open "$V"
	echo 2 >"$paranoid_sysctl"
fi
refused_if_built perf perf_event_open "perf events"
[ -z "$paranoid" ] || echo "$paranoid" >"$paranoid_sysctl"
refused "oracle: clock_gettime on a host process's CPU clock from inside fails with EINVAL" \
	EINVAL "$VS" attack cpuclock "$V"
refused "oracle: NS_GET_TGID_FROM_PIDNS of a host pid on /proc/self/ns/pid fails with ESRCH" \
	ESRCH "$VS" attack pidns_tgid /proc/self/ns/pid "$V"
refused "oracle: NS_GET_TGID_FROM_PIDNS of a host pid on /proc/self/ns/pid_for_children fails with ESRCH" \
	ESRCH "$VS" attack pidns_tgid /proc/self/ns/pid_for_children "$V"

# --- oracles through shared objects: a lock and a unix socket ---
# Host processes that hold a write lock on, and listen on a socket in, the
# server's /tmp (the server sees those files, not their holders).
lock_file=$ESC_ROOT/tmp/vxlock
sock_file=$ESC_ROOT/tmp/vxsock
bg_hold() {
	setsid vx-attack "$@" </dev/null >"$TEST_TMP/hold.out" 2>&1 &
	HOLDER=$!
	escape_track "$HOLDER"
	for _ in $(seq 100); do
		[ -s "$TEST_TMP/hold.out" ] && break
		sleep 0.05
	done
}
bg_hold hold-lock "$lock_file"
locker=$HOLDER
is "$(cat "$TEST_TMP/hold.out")" locked "setup: host process $locker holds a write lock on the server's /tmp/vxlock"
# shellcheck disable=SC2317 # (called through refused)
lock_state() { printf '%s / %s\n' "$(proc_state "$locker")" "$(vx-attack getlk "$lock_file")"; }
refused "oracle: F_GETLK on a file a host process locked gives F_WRLCK with l_pid 0" "F_WRLCK 0" \
	lock_state attack getlk /tmp/vxlock
ino=$(stat -c %i "$lock_file")
run inside cat /proc/locks
is "$rc/$(printf '%s\n' "$out" | grep -c ":$ino ")" "0/0" \
	"oracle: /proc/locks inside does not list the host process's lock (inode $ino)"
bg_hold hold-unix "$sock_file"
listener=$HOLDER
is "$(cat "$TEST_TMP/hold.out")" listening "setup: host process $listener listens on the server's /tmp/vxsock"
refused "oracle: SO_PEERCRED of a host unix peer from inside gives pid 0" "pid 0 uid 0" \
	"proc_state $listener" attack peercred /tmp/vxsock

# --- pid 1: visible, out of reach ---
P1="proc_state 1"
pid1_before=$(proc_state 1)
refused "pid 1: kill(SIGKILL) from inside fails with EPERM" EPERM "$P1" attack kill 1 9
refused "pid 1: tgkill(SIGKILL) from inside fails with EPERM" EPERM "$P1" attack tgkill 1 1 9
refused "pid 1: rt_sigqueueinfo(SIGKILL) from inside fails with EPERM" EPERM "$P1" attack sigqueue 1 9
refused "pid 1: pidfd_send_signal(SIGKILL) from inside fails with EPERM" EPERM "$P1" \
	attack pidfd_send_signal 1 9
refused "pid 1: pidfd_getfd from inside fails with EPERM" EPERM "$P1" attack pidfd_getfd 1 0
refused "pid 1: PTRACE_ATTACH from inside fails with EPERM" EPERM "$P1" attack ptrace 1
refused "pid 1: process_vm_readv from inside fails with EPERM" EPERM "$P1" attack process_vm_readv 1
refused "pid 1: kcmp from inside fails with EPERM" EPERM "$P1" attack kcmp 1
refused "pid 1: sched_setaffinity from inside fails with EPERM" EPERM "$P1" attack setaffinity 1 0
refused "pid 1: sched_setscheduler(SCHED_BATCH) from inside fails with EPERM" EPERM "$P1" \
	attack setscheduler 1 batch
refused "pid 1: setpriority(PRIO_PROCESS, 1) from inside fails with EPERM" EPERM "$P1" \
	attack setpriority process 1 1
refused "pid 1: ioprio_set(IOPRIO_WHO_PROCESS, best-effort 7) from inside fails with EPERM" EPERM "$P1" \
	attack ioprio_set process 1 2 7
refused "pid 1: prlimit(RLIMIT_NOFILE 100:200) from inside fails with EPERM" EPERM "$P1" \
	attack prlimit 1 100 200

# --- users: PRIO_USER and IOPRIO_WHO_USER reach the server's own tasks ---
inside sh -c 'sleep 1000 >/dev/null 2>&1 &'
own=
for _ in $(seq 50); do
	for p in $(chcontext --silent --ctx 1 pgrep -x sleep); do
		[ "$(field "$p" s_context)" = "$ESC_CTX" ] && own=$p
	done
	[ -n "$own" ] && break
	sleep 0.1
done
[ -n "$own" ] || fail "setup: a sleep of the server's own runs"
own_io() { chcontext --silent --ctx 1 ionice -p "$own"; }
own_nice() { chcontext --silent --ctx 1 cut -d' ' -f19 "/proc/$own/stat"; }
refused "ioprio: ioprio_set(IOPRIO_WHO_USER, root, best-effort 6) inside returns 0 (own tasks only)" \
	ok "$VS" attack ioprio_set user 0 2 6
is "$(own_io)" "best-effort: prio 6" "ioprio: ioprio_set(IOPRIO_WHO_USER) inside changed the server's own sleep"
is "$(proc_state 1)" "$pid1_before" "ioprio: ioprio_set(IOPRIO_WHO_USER) inside left pid 1 as it was"
attack ioprio_get user 0
if [ "$out" != 1/0 ] && printf '%s' "$out" | grep -Eq '^[0-9]/[0-9]$'; then
	pass "oracle: ioprio_get(IOPRIO_WHO_USER, root) inside ignores the host victim's realtime priority ($out)"
else
	fail "oracle: ioprio_get(IOPRIO_WHO_USER, root) inside ignores the host victim's realtime priority" \
		"expected a priority other than 1/0 (the host victim's)" "got: $out $err"
fi
refused "nice: setpriority(PRIO_USER, root, 5) inside returns 0 (own tasks only)" ok "$VS" \
	attack setpriority user 0 5
is "$(own_nice)" 5 "nice: setpriority(PRIO_USER) inside changed the server's own sleep"
is "$(proc_state 1)" "$pid1_before" "nice: setpriority(PRIO_USER) inside left pid 1 as it was"

# The oracles of a user's processes: an ordinary user's host process with
# nice -15 and I/O priority realtime 0; inside, that user has no process.
host_victim user || escape_abort "no host victim of user nobody"
U=$VICTIM
if ! { renice -n -15 -p "$U" >/dev/null && ionice -c 1 -n 0 -p "$U"; }; then
	escape_abort "the user's host victim gets nice -15 and ioprio realtime 0"
fi
refused "oracle: getpriority(PRIO_USER, nobody) inside ignores the user's host process (ESRCH)" \
	ESRCH "proc_state $U" attack getpriority user "$USER_ID"
refused "oracle: ioprio_get(IOPRIO_WHO_USER, nobody) inside ignores the user's host process (ESRCH)" \
	ESRCH "proc_state $U" attack ioprio_get user "$USER_ID"

# --- kill(-1): the server's own processes only ---
bg_start chcontext --silent --ctx 4242 sleep 1000
other=$!
escape_track "$other"
wait_ready "$other" sleep 4242 || fail "setup: a sleep in context 4242 (another server) runs"
is "$(alive "$own")" alive "setup: the server's own sleep runs before kill(-1)"
refused "signals: kill(-1, SIGKILL) inside spares the host victim" ok "$VS" attack kill -1 9
for _ in $(seq 50); do [ "$(alive "$own")" = gone ] && break; sleep 0.1; done
is "$(alive "$own")" gone "signals: kill(-1, SIGKILL) inside killed the server's own sleep"
is "$(alive 1) $(alive "$other")" "alive alive" \
	"signals: kill(-1, SIGKILL) inside spared pid 1 and the process of context 4242"

# --- controls: the same calls from context 0 on a context-0 process work ---
host_victim root || escape_abort "no control victim"
C=$VICTIM
host kill "$C" 0
is "$out" ok "control: kill(0) of a context-0 process from context 0 works"
host tgkill "$C" "$C" 0
is "$out" ok "control: tgkill(0) from context 0 works"
host sigqueue "$C" 0
is "$out" ok "control: rt_sigqueueinfo(0) from context 0 works"
host pidfd_send_signal "$C" 0
is "$out" ok "control: pidfd_open and pidfd_send_signal(0) from context 0 work"
host pidfd_getfd "$C" 1
is "$out" ok "control: pidfd_getfd from context 0 works"
host ptrace "$C"
is "$out" ok "control: PTRACE_ATTACH from context 0 works"
host process_vm_readv "$C"
is "$out" EFAULT "control: process_vm_readv from context 0 gets through (EFAULT at the bogus address)"
host kcmp "$C"
is "$out" ok "control: kcmp from context 0 works"
host setaffinity "$C" 0
is "$out" ok "control: sched_setaffinity from context 0 works"
host setscheduler "$C" batch
is "$out" ok "control: sched_setscheduler from context 0 works"
host setpriority process "$C" 3
is "$out" ok "control: setpriority from context 0 works"
host ioprio_set process "$C" 2 5
is "$out" ok "control: ioprio_set from context 0 works"
host prlimit "$C" 100 200
is "$out" ok "control: prlimit from context 0 works"
host getsid "$C"
is "$out" "$C" "control: getsid from context 0 works"
host cpuclock "$C"
is "$out" ok "control: clock_gettime on a process CPU clock from context 0 works"
host pidns_tgid /proc/self/ns/pid "$C"
is "$out" "$C" "control: NS_GET_TGID_FROM_PIDNS from context 0 finds the process"
is "$(proc_state "$C" | cut -d' ' -f3-)" "nice=3 policy=3 cpus=0 io=best-effort: prio 5 nofile=100 200" \
	"control: the calls from context 0 changed the context-0 process"
host getlk "$lock_file"
is "$out" "F_WRLCK $locker" "control: F_GETLK from context 0 names the lock holder"
host peercred "$sock_file"
is "$out" "pid $listener uid 0" "control: SO_PEERCRED from context 0 names the listener"
host getpriority user "$USER_ID"
is "$out" -15 "control: getpriority(PRIO_USER, nobody) from context 0 sees the user's nice -15"
host ioprio_get user "$USER_ID"
is "$out" 1/0 "control: ioprio_get(IOPRIO_WHO_USER, nobody) from context 0 sees the user's realtime 0"
host ioprio_get user 0
is "$out" 1/0 "control: ioprio_get(IOPRIO_WHO_USER, root) from context 0 sees the victim's realtime 0"
is "$(alive "$V")" alive "the host victim survived every attack"

escape_finish
