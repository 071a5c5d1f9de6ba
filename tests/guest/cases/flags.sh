#!/bin/bash
# The context flags of chcontext --flag: lock, private, nproc, fakeinit,
# sched; flags for an existing context; unknown flags.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

status_line() { printf '%s:\t%s' "$1" "$2"; }

# lock: no chcontext from inside, but reducecap still works.
for who in root user; do
	as=()
	[ $who = user ] && as=(setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups --)
	check_run "$who: lock: chcontext inside a locked context is refused" 1 "" \
		"chcontext: cannot create a new security context: Operation not permitted" \
		"${as[@]}" chcontext --silent --flag lock chcontext --silent true
	check_run "$who: lock: reducecap inside a locked context works" 0 \
		"$(status_line ctxflags lock)" "" \
		"${as[@]}" chcontext --silent --flag lock reducecap --cap net_raw \
		sh -c 'grep "^ctxflags:" /proc/self/status'
done
check_run "lock: root in a locked context may not choose a context either" 1 "" \
	"chcontext: cannot enter security context 1: Operation not permitted" \
	chcontext --silent --flag lock chcontext --ctx 1 true
bg_start chcontext --silent --ctx 52 --flag lock sleep 1000
locked=$!
wait_ready "$locked" sleep 52
check_run "lock: root in context 0 may still enter a locked context" 0 \
	"$(status_line ctxflags lock)" "" \
	chcontext --silent --ctx 52 sh -c 'grep "^ctxflags:" /proc/self/status'
check_run "lock: entering with the flag the context has is accepted" 0 "" "" \
	chcontext --silent --ctx 52 --flag lock true
check_run "lock: entering with a flag the context lacks: File exists" 1 "" \
	"chcontext: cannot enter security context 52: File exists" \
	chcontext --silent --ctx 52 --flag lock,sched true
kill_anywhere "$locked"

# private: nobody enters, context 1 still sees it.
bg_start chcontext --silent --ctx 50 --flag private sleep 1000
priv=$!
wait_ready "$priv" sleep 50
check_run "private: root in context 0 cannot enter" 1 "" \
	"chcontext: cannot enter security context 50: Operation not permitted" \
	chcontext --ctx 50 true
check_run "private: not even with the same flag" 1 "" \
	"chcontext: cannot enter security context 50: Operation not permitted" \
	chcontext --ctx 50 --flag private true
is "$(field "$priv" s_context) $(field "$priv" ctxflags)" "50 private" \
	"private: context 1 sees the process, with ctxflags private"
check_run "private: vkill cannot reach it" 1 "" \
	"vkill: $priv: cannot enter security context 50: Operation not permitted" vkill "$priv"
is "$(field "$priv" State | cut -c1)" S "private: the process lives on"
# (it cannot be killed from anywhere: it ends with the guest)

# nproc: the creator's hard RLIMIT_NPROC limits the tasks of the context.
# nproc_run [FLAGS...]: vx-fork 20 in a new context, with a hard limit of 6
# shellcheck disable=SC2317 # (called through check_run)
nproc_run() {
	bash -c 'ulimit -u 6 && test "$(ulimit -H -u)" = 6 && exec "$@"' bash \
		"${as[@]}" chcontext --silent "$@" vx-fork 20
}
for who in root user; do
	as=()
	[ $who = user ] && as=(setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups --)
	check_run "$who: nproc: with a hard limit of 6, 5 forks succeed (6 tasks), then EAGAIN" 0 \
		"5 EAGAIN" "" nproc_run --flag nproc
done
as=()
check_run "root: without nproc, the limit does not bind root" 0 "20 ok" "" nproc_run
bg_start bash -c 'ulimit -u 3 && exec chcontext --silent --ctx 53 --flag nproc sleep 1000'
np=$!
wait_ready "$np" sleep 53
check_run "nproc: a context with a limit of 3 holding 1 task: 2 more may join or fork" 0 \
	"1 EAGAIN" "" chcontext --silent --ctx 53 vx-fork 20
kill_anywhere "$np"

# fakeinit: the creator is the init of the context, 1 inside it (the
# orphan's parent and initpid too); the spectator sees its real number.
cat >"$TEST_TMP/fakeinit.sh" <<'END'
echo "pid $$"
bash -c 'echo "child_ppid $PPID"'
(sleep 1000 & echo $! >"$1/orphan")
o=$(cat "$1/orphan")
i=0
while [ "$(sed -n 's/^PPid:\t//p' /proc/$o/status)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
echo "orphan_ppid $(sed -n 's/^PPid:\t//p' /proc/$o/status)"
echo "orphan_initpid $(sed -n 's/^initpid:\t//p' /proc/$o/status)"
grep -E '^(Name|s_context|ctxflags|initpid):' /proc/1/status
: >"$1/adopted"
for _ in $(seq 100); do [ -e "$1/checked" ] && break; sleep 0.05; done
kill $o
END
chcontext --silent --ctx 55 --flag fakeinit bash "$TEST_TMP/fakeinit.sh" "$TEST_TMP" \
	>"$TEST_TMP/fakeinit.out" 2>"$TEST_TMP/fakeinit.err" </dev/null &
f=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/adopted" ] && break; sleep 0.05; done
is "$(field "$(cat "$TEST_TMP/orphan")" PPid)/$(field "$(cat "$TEST_TMP/orphan")" initpid)" "$f/$f" \
	"fakeinit: to the spectator, the orphan's parent and init are the fake init's real pid $f"
: >"$TEST_TMP/checked"
wait "$f"
is "$?/$(cat "$TEST_TMP/fakeinit.err")" "0/" "fakeinit: the context's init ran without error"
is "$(cat "$TEST_TMP/fakeinit.out")" "pid 1
child_ppid 1
orphan_ppid 1
orphan_initpid 1
$(status_line Name bash)
$(status_line s_context 55)
$(status_line ctxflags fakeinit)
$(status_line initpid 1)" \
	"fakeinit: getpid() is 1, a child's getppid() is 1, an orphan's parent is the fake init (1), /proc/1 is the fake init"
check_run "user: fakeinit: echo \$\$ prints 1" 0 "1" "" \
	as_user chcontext --silent --flag fakeinit sh -c 'echo $$'
bg_start chcontext --silent --flag fakeinit sleep 1000
finit=$!
wait_ready "$finit" sleep
is "$(field "$finit" ctxflags) $(field "$finit" initpid)" "fakeinit $finit" \
	"fakeinit: context 1 sees the initpid line of the fake init"
kill_anywhere "$finit"
check_run "no fakeinit: initpid is 0" 0 "$(status_line initpid 0)" "" \
	chcontext --silent grep '^initpid:' /proc/self/status

# sched and combinations: /proc/PID/status lists the flags in a fixed order.
check_run "sched is accepted" 0 "$(status_line ctxflags sched)" "" \
	chcontext --silent --flag sched grep '^ctxflags:' /proc/self/status
check_run "flags combine, as a list or repeated" 0 "$(status_line ctxflags 'lock sched nproc')" "" \
	chcontext --silent --flag nproc,sched --flag lock grep '^ctxflags:' /proc/self/status
check_run "no flags: ctxflags none" 0 "$(status_line ctxflags none)" "" \
	chcontext --silent grep '^ctxflags:' /proc/self/status

# Flags for an existing context, unknown flags.
bg_start chcontext --silent --ctx 51 sleep 1000
plain=$!
wait_ready "$plain" sleep 51
for flag in lock sched nproc private fakeinit; do
	check_run "entering context 51 with --flag $flag: File exists" 1 "" \
		"chcontext: cannot enter security context 51: File exists" \
		chcontext --silent --ctx 51 --flag $flag true
done
check_run "context 51 kept no flag" 0 "$(status_line ctxflags none)" "" \
	chcontext --silent --ctx 51 grep '^ctxflags:' /proc/self/status
kill_anywhere "$plain"
check_run "unknown flag: usage error" 1 "" \
	"chcontext: unknown context flag 'bogus' (known: lock, sched, nproc, private, fakeinit, userns)
Try 'chcontext --help' for more information." chcontext --flag bogus true

finish
