#!/bin/bash
# Every system call that takes a pid (vx-pidcalls), on a process of
# context 40, from each kind of caller, against the rules of vserver(2):
#  - the same context: everything, as without vserver;
#  - another context, context 0 included, root or not: ESRCH (/proc: ENOENT)
#    for everything, exactly as if the process did not exist;
#  - the spectator context 1: every lookup works, every action is EPERM;
#  - pid 1: visible from every context, acted on from context 0 only.
# Then kill(-1) and kill(-pgrp): they reach the caller's context only.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# The tables: one line per call, in the order vx-pidcalls prints them.
CALLS="kill0 kill_cont tkill0 tgkill0 rt_sigqueueinfo0 pidfd_open getpgid getsid setpgid
getpriority setpriority sched_getscheduler sched_getparam sched_setparam sched_getaffinity
sched_setaffinity sched_getattr sched_setattr ioprio_get ioprio_set prlimit_get prlimit_set
capget ptrace_seize process_vm_readv process_vm_writev kcmp get_robust_list proc_status
proc_environ proc_maps proc_mem pidfd_send_signal0 pidfd_getfd f_setown f_setown_ex kill_pgrp0"

# table DEFAULT [CALL=RESULT...]: every call gets DEFAULT but those named.
table() {
	local default=$1 call result over
	shift
	for call in $CALLS; do
		result=$default
		for over in "$@"; do
			[ "${over%%=*}" = "$call" ] && result=${over#*=}
		done
		printf '%s %s\n' "$call" "$result"
	done
}
# setpgid(pid, pid) is for the caller and its own children only: ESRCH for
# anyone else. process_vm_readv and process_vm_writev use a bogus address:
# EFAULT if let in.  A root caller in the same context may do everything.
SAME=$(table ok setpgid=ESRCH process_vm_readv=EFAULT process_vm_writev=EFAULT)
# Another context: nothing is there.
HIDDEN=$(table ESRCH proc_status=ENOENT proc_environ=ENOENT proc_maps=ENOENT proc_mem=ENOENT)
# The spectator context 1: looks, does not touch. /proc/PID/environ, maps and
# mem are refused like a ptrace_may_access failure in mainline: EACCES.
# F_SETOWN aims SIGIO like kill(): a visible task out of reach is EPERM.
LOOKS="pidfd_open=ok getpgid=ok getsid=ok setpgid=ESRCH getpriority=ok sched_getscheduler=ok
sched_getparam=ok sched_getaffinity=ok sched_getattr=ok ioprio_get=ok prlimit_get=ok capget=ok
proc_status=ok proc_environ=EACCES proc_maps=EACCES proc_mem=EACCES"
# shellcheck disable=SC2086 # one word per call
SPECTATOR=$(table EPERM $LOOKS)
# An ordinary user in the same context as a root process: the usual Unix
# rules (no vserver rule applies), SIGCONT across sessions refused too;
# F_SETOWN checks nothing (the signal is checked when it is sent).
# shellcheck disable=SC2086
UNPRIVILEGED=$(table EPERM $LOOKS prlimit_get=EPERM f_setown=ok f_setown_ex=ok)

# The target: a sleep in context 40, leader of its own process group.
bg_start chcontext --silent --ctx 40 sleep 1000
t=$!
wait_ready "$t" sleep 40

check_table() {
	local what=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" = 0 ] && [ "$out" = "$want" ]; then
		pass "$what"
	else
		printf '%s\n' "$want" >"$TEST_TMP/want"
		printf '%s\n' "$out" >"$TEST_TMP/got"
		fail "$what" "command: $*" "status $rc, stderr: $err" "differences (- expected, + got):" \
			"$(diff "$TEST_TMP/want" "$TEST_TMP/got" | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
	fi
}

check_run "vx-pidcalls --self-test (root)" 0 "" "" vx-pidcalls --self-test
check_run "vx-pidcalls --self-test (user)" 0 "" "" as_user vx-pidcalls --self-test
check_table "same context (root in 40): everything works" "$SAME" \
	chcontext --silent --ctx 40 vx-pidcalls "$t" "$t"
check_table "same context, ordinary user in 40: the usual Unix permissions" "$UNPRIVILEGED" \
	chcontext --silent --ctx 40 setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups \
	vx-pidcalls "$t" "$t"
check_table "another context (root in 41): ESRCH for everything" "$HIDDEN" \
	chcontext --silent --ctx 41 vx-pidcalls "$t" "$t"
check_table "a new context (root): ESRCH for everything" "$HIDDEN" \
	chcontext --silent vx-pidcalls "$t" "$t"
check_table "a new context (user): ESRCH for everything, not EPERM" "$HIDDEN" \
	as_user chcontext --silent vx-pidcalls "$t" "$t"
check_table "context 1 (root): lookups work, actions EPERM" "$SPECTATOR" \
	chcontext --silent --ctx 1 vx-pidcalls "$t" "$t"
check_table "context 0 (root): ESRCH for everything" "$HIDDEN" \
	vx-pidcalls "$t" "$t"
check_table "context 0 (user): ESRCH for everything, not EPERM" "$HIDDEN" \
	as_user vx-pidcalls "$t" "$t"
is "$(field "$t" State | cut -c1)/$(field "$t" s_context)" "S/40" "the target is untouched"

# Process 1 (no process group 1 exists: kill(-1) is something else, below).
# shellcheck disable=SC2086
PID1_OTHER=$(table EPERM $LOOKS | grep -v '^kill_pgrp0 ')
# shellcheck disable=SC2086
PID1_USER=$(table EPERM $LOOKS prlimit_get=EPERM | grep -v '^kill_pgrp0 ')
PID1_HOST=$(printf '%s\n' "$SAME" | grep -v '^kill_pgrp0 ')
check_table "pid 1 from context 41: visible, EPERM to act" "$PID1_OTHER" \
	chcontext --silent --ctx 41 vx-pidcalls 1
check_table "pid 1 from a new context (user): visible, EPERM to act" "$PID1_USER" \
	as_user chcontext --silent vx-pidcalls 1
check_table "pid 1 from context 1: visible, EPERM to act" "$PID1_OTHER" \
	chcontext --silent --ctx 1 vx-pidcalls 1
check_table "pid 1 from context 0 (root): everything works" "$PID1_HOST" vx-pidcalls 1

alive() { [ "$(field "$1" State | cut -c1)" = S ] && echo alive || echo gone; }

# kill(-1) reaches only the caller's own context.
bg_start chcontext --silent --ctx 43 sleep 1000
a=$!
bg_start sleep 1000
b=$!
bg_start chcontext --silent --ctx 42 sleep 1000
c1=$!
bg_start chcontext --silent --ctx 42 sleep 1001
c2=$!
wait_ready "$a" sleep 43 && wait_ready "$b" sleep 0 &&
	wait_ready "$c1" sleep 42 && wait_ready "$c2" sleep 42
# (bash tells of a killed job on stderr whenever it notices: from the kill on)
{
	check_run "kill -9 -1 from context 42" 0 "0" "" chcontext --silent --ctx 42 sh -c 'kill -9 -1; echo $?'
	wait "$c1"
	st1=$?
	wait "$c2"
	st2=$?
} 2>/dev/null
is "$st1 $st2" "137 137" "kill -9 -1 from context 42 killed both processes of context 42"
is "$(alive "$a") $(alive "$b") $(alive 1) $(alive "$t")" "alive alive alive alive" \
	"kill -9 -1 from context 42 spared contexts 43, 0 and 40 and pid 1"
check_run "kill -9 -1 from an empty context 44: No such process" 1 "" \
	"sh: 1: kill: No such process" chcontext --silent --ctx 44 sh -c 'kill -9 -1'
check_run "kill -9 -1 from context 1: nothing of its own, No such process" 1 "" \
	"sh: 1: kill: No such process" chcontext --silent --ctx 1 sh -c 'kill -9 -1'
is "$(alive "$a") $(alive "$b") $(alive "$t")" "alive alive alive" \
	"kill -9 -1 from contexts 44 and 1 killed nobody"
# From context 0: a signal the test shell ignores, so only it survives there.
trap '' USR1
check_run "kill -USR1 -1 from context 0" 0 "" "" /bin/kill -USR1 -- -1
trap - USR1
wait "$b"
is "$?" 138 "kill -USR1 -1 from context 0 killed the sleep of context 0"
is "$(alive "$a") $(alive "$t")" "alive alive" "kill -USR1 -1 from context 0 spared contexts 43 and 40"
kill_anywhere "$a"

# kill(-pgrp) reaches only the members of the group in the caller's context:
# a group with a shell and a sleep in context 0 and a sleep in context 42.
bg_start sh -c 'sleep 1000 & chcontext --silent --ctx 42 sleep 1000 & wait'
g=$!
members() { chcontext --silent --ctx 1 pgrep -g "$g" "$@" | sort -n | tr '\n' ' '; }
for _ in $(seq 200); do
	[ "$(members -x sleep | wc -w)" = 2 ] &&
		s42=$(for p in $(members -x sleep); do [ "$(field "$p" s_context)" = 42 ] && echo "$p"; done) &&
		[ -n "$s42" ] && break
	sleep 0.05
done
s0=$(members -x sleep | tr ' ' '\n' | grep -vx "$s42" | grep .)
is "$(field "$s0" s_context) $(field "$s42" s_context) $(field "$g" s_context)" "0 42 0" \
	"process group $g: a shell and a sleep in context 0, a sleep in context 42"
check_run "kill -0 -PGRP from context 43 (no member there): No such process" 1 "" \
	"sh: 1: kill: No such process" chcontext --silent --ctx 43 sh -c "kill -0 -$g"
check_run "kill -0 -PGRP from context 1: Operation not permitted" 1 "" \
	"sh: 1: kill: Operation not permitted" chcontext --silent --ctx 1 sh -c "kill -0 -$g"
check_run "kill -TERM -PGRP from context 42" 0 "" "" chcontext --silent --ctx 42 sh -c "kill -TERM -$g"
for _ in $(seq 100); do [ "$(alive "$s42")" = gone ] && break; sleep 0.05; done
is "$(alive "$g") $(alive "$s0") $(alive "$s42")" "alive alive gone" \
	"kill -TERM -PGRP from context 42 killed only the member in context 42"
check_run "kill -TERM -PGRP from context 0" 0 "" "" kill -TERM -- "-$g"
{ wait "$g"; } 2>/dev/null
is "$?" 143 "kill -TERM -PGRP from context 0 killed the shell of context 0"
for _ in $(seq 100); do [ "$(alive "$s0")" = gone ] && break; sleep 0.05; done
is "$(alive "$s0")" gone "and the sleep of context 0"

# setpriority(PRIO_USER) and ioprio_set(IOPRIO_WHO_USER) go through every
# process of a user: they must change only those of the caller's context.
# (From a context other than 0, pid 1 of root is visible but may not be
# acted on: EPERM, as mainline answers when one process is not allowed.)
nice_of() { chcontext --silent --ctx 1 cat "/proc/$1/stat" | awk '{ print $19 }'; }
ioprio_of() { chcontext --silent --ctx 1 ionice -p "$1"; }
bg_start chcontext --silent --ctx 41 sleep 1000
r=$!
bg_start sleep 1000
h=$!
wait_ready "$r" sleep 41 && wait_ready "$h" sleep 0
check_run "renice -u root from context 41: only its own processes, pid 1 skipped" 0 \
	"0 (user ID) old priority 0, new priority 5" "" \
	chcontext --silent --ctx 41 renice -n 5 -u root
is "$(nice_of "$r") $(nice_of "$t") $(nice_of "$h")" "5 0 0" \
	"renice -u root from context 41 reniced only the process of context 41"
check_run "renice -u root from context 0" 0 "0 (user ID) old priority -20, new priority 3" "" \
	renice -n 3 -u root
is "$(nice_of "$r") $(nice_of "$t") $(nice_of "$h")" "5 0 3" \
	"renice -u root from context 0 reniced only the processes of context 0"
check_run "ionice -u 0 from context 41: only its own processes, pid 1 skipped" 0 "" "" \
	chcontext --silent --ctx 41 ionice -c 3 -u 0
is "$(ioprio_of "$r")" "idle" "ionice -u 0 from context 41 changed its own process"
is "$(ioprio_of "$t")/$(ioprio_of "$h")/$(ioprio_of 1)" "none: prio 0/none: prio 0/none: prio 0" \
	"ionice -u 0 from context 41 changed no process of contexts 40 and 0, nor pid 1"
renice -n 0 -u root >/dev/null
kill_anywhere "$r"
kill_anywhere "$h"

# SIGIO: F_SETOWN and O_ASYNC make the kernel signal the owner of a file;
# that must not reach where kill(2) does not. sigio_case WHAT EXPECT-SETOWN
# EXPECT-FATE OWNER-ARG TARGET-PID CALLER...: the target is our child.
sigio_case() {
	local what=$1 want_setown=$2 want_fate=$3 owner=$4 target=$5 status fate
	shift 5
	run "$@" vx-sigio "$owner"
	# (vx-sigio waited for the delivery already)
	for _ in 1 2 3; do [ "$(alive "$target")" = gone ] && break; sleep 0.1; done
	if [ "$(alive "$target")" = alive ]; then
		fate=survives
	else
		{ wait "$target"; } 2>/dev/null
		status=$?
		fate="dies ($status)"
		[ "$status" = 157 ] && fate="dies of SIGIO"
	fi
	is "F_SETOWN $out, target $fate" "F_SETOWN $want_setown, target $want_fate" "$what"
	[ "$fate" = survives ] && kill_anywhere "$target"
}
new_target() { # a sleep in context $1 (0: this one), leader of its group
	if [ "$1" = 0 ]; then bg_start sleep 1000; else bg_start chcontext --silent --ctx "$1" sleep 1000; fi
	nt=$!
	wait_ready "$nt" sleep "$1"
}
new_target 40
sigio_case "SIGIO from context 40 to its own process" ok "dies of SIGIO" "$nt" "$nt" \
	chcontext --silent --ctx 40
new_target 40
sigio_case "SIGIO from context 40 to its own process group" ok "dies of SIGIO" "-$nt" "$nt" \
	chcontext --silent --ctx 40
new_target 40
sigio_case "SIGIO from context 1 to a process of context 40: refused" EPERM survives "$nt" "$nt" \
	chcontext --silent --ctx 1
new_target 40
sigio_case "SIGIO from context 1 to a process group of context 40: refused" EPERM survives \
	"-$nt" "$nt" chcontext --silent --ctx 1
new_target 0
sigio_case "SIGIO from context 1 to a process of context 0: refused" EPERM survives "$nt" "$nt" \
	chcontext --silent --ctx 1
new_target 0
sigio_case "SIGIO from context 41 to a process of context 0: refused" ESRCH survives "$nt" "$nt" \
	chcontext --silent --ctx 41
new_target 0
sigio_case "SIGIO from context 41 to a process group of context 0: refused" ESRCH survives \
	"-$nt" "$nt" chcontext --silent --ctx 41
new_target 40
sigio_case "SIGIO from context 0 to a process of context 40: refused" ESRCH survives "$nt" "$nt"

kill_anywhere "$t"
finish
