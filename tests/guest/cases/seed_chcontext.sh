#!/bin/bash
# Seed paper 2.6.1, "Playing with /usr/sbin/chcontext", as an ordinary user
# and as root (root in context 0 is no better than anyone):
#  - a program started in context 0 is invisible (ps, /proc/PID) and cannot
#    be killed ("No such process") from a new context;
#  - a program started in the new context is visible there, invisible from a
#    nested new context, and killable again once the nested shell exits;
#  - context 0 does not see the processes of a new context either;
#  - process 1 is visible from every context, and only context 0 may
#    signal it;
#  - and yet a program in a new context whose host parent exits gets the
#    signal it asked for with PR_SET_PDEATHSIG, from no one it could name.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# The seed's xterm: a copy of sleep, so that ps and killall see a name of
# its own.
cp /bin/sleep "$TEST_TMP/xterm"
chmod 755 "$TEST_TMP/xterm"

# The shells run in the contexts: small scripts, readable by everyone.
cat >"$TEST_TMP/lib.sh" <<'END'
D=$(dirname "$0")
count() { ps -e -o comm= | grep -cx xterm; }
seen() { if [ -e "/proc/$1" ]; then echo present; else echo absent; fi; }
pid1() { ps -p 1 -o pid= | tr -d ' '; }
END
# Window 2 of the seed: chcontext /bin/sh; pstree; killall xterm; exit.
cat >"$TEST_TMP/window2.sh" <<'END'
. "$(dirname "$0")/lib.sh"
echo "xterms $(count)"
echo "proc $(seen "$1")"
/bin/kill "$1"; echo "kill $?"
killall xterm; echo "killall $?"
echo "pid1 $(pid1) $(seen 1)"
kill -0 1 2>/dev/null; echo "kill_pid1 $?"
END
# Context 0 looking for the xterm PID, then killing it.
cat >"$TEST_TMP/look.sh" <<'END'
. "$(dirname "$0")/lib.sh"
echo "xterms $(count) $(seen "$1")"
/bin/kill "$1"; echo "kill $?"
END
# The nested example: an xterm in a new context, a shell in another one.
cat >"$TEST_TMP/nested.sh" <<'END'
. "$(dirname "$0")/lib.sh"
"$D/xterm" 1000 & b=$!
i=0
while [ "$(cat /proc/$b/comm 2>/dev/null)" != xterm ] && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1))
done
echo "first $(count) $(seen $b)"
chcontext --silent sh "$D/inner.sh" "$b"
echo "back $(count) $(seen $b)"
# (dash may say "Terminated" when it reaps the xterm)
{ killall xterm; echo "killall $?"; wait $b; echo "status $?"; } 2>/dev/null
echo "after $(count) $(seen $b)"
END
cat >"$TEST_TMP/inner.sh" <<'END'
. "$(dirname "$0")/lib.sh"
echo "nested $(count) $(seen "$1")"
killall xterm; echo "nested_killall $?"
echo "nested_pid1 $(pid1) $(seen 1)"
END
chmod 644 "$TEST_TMP"/*.sh

scenario() {
	local who=$1
	shift
	local as=("$@") a c ctx

	# First window: an xterm in context 0.
	bg_start "${as[@]}" "$TEST_TMP/xterm" 1000
	a=$!
	wait_ready "$a" xterm 0

	run "${as[@]}" chcontext --silent sh "$TEST_TMP/window2.sh" "$a"
	is "$out" "xterms 0
proc absent
kill 1
killall 1
pid1 1 present
kill_pid1 1" "$who: from a new context the xterm of context 0 is invisible and not killable; pid 1 is visible"
	is "$err" "/bin/kill: ($a): No such process
xterm: no process found" "$who: kill and killall say 'No such process' / 'no process found'"
	is "$rc" 0 "$who: the shell in the new context exits with 0"

	# Back in context 0: the xterm is there, and can be killed.
	run "${as[@]}" sh "$TEST_TMP/look.sh" "$a"
	is "$out" "xterms 1 present
kill 0" "$who: back in context 0 the xterm is visible and killed"
	wait "$a"
	is "$?" 143 "$who: the xterm of context 0 died of SIGTERM"

	# Nested contexts: an xterm started in the first new context is not seen
	# from a second one; after the second exits, it is seen and killed.
	run "${as[@]}" chcontext --silent sh "$TEST_TMP/nested.sh"
	is "$out" "first 1 present
nested 0 absent
nested_killall 1
nested_pid1 1 present
back 1 present
killall 0
status 143
after 0 absent" "$who: a nested chcontext hides the xterm of the first context; back there, killall kills it"
	is "$err" "xterm: no process found" "$who: killall in the nested context finds no xterm"
	is "$rc" 0 "$who: the nested scenario exits with 0"

	# The original context does not see the processes of a new context.
	bg_start "${as[@]}" chcontext --silent "$TEST_TMP/xterm" 1000
	c=$!
	wait_ready "$c" xterm
	ctx=$(field "$c" s_context)
	if [ "$ctx" -ge 2 ] 2>/dev/null; then
		pass "$who: the background xterm is in the new context $ctx"
	else
		fail "$who: the background xterm is in a new context (>= 2)" "got '$ctx'"
	fi
	run "${as[@]}" sh "$TEST_TMP/look.sh" "$c"
	is "$out" "xterms 0 absent
kill 1" "$who: context 0 neither sees nor kills the xterm of context $ctx"
	is "$err" "/bin/kill: ($c): No such process" "$who: context 0 is told 'No such process'"
	run "${as[@]}" killall xterm
	is "$rc: $err" "1: xterm: no process found" "$who: killall in context 0 finds no xterm"
	is "$(field "$c" State | cut -c1)" S "$who: the xterm of context $ctx is still alive"
	kill_anywhere "$c"
}

scenario user setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups --
scenario root

# Process 1 from the spectator context and from a context chosen by root:
# visible, but only context 0 may signal it.
for ctx in 1 30; do
	run chcontext --silent --ctx $ctx sh -c 'ps -p 1 -o pid= | tr -d " "; kill -0 1'
	is "$out/$rc" "1/1" "pid 1 is visible from context $ctx, which may not signal it"
	is "$err" "sh: 1: kill: Operation not permitted" \
		"context $ctx signalling pid 1: Operation not permitted"
done
run kill -0 1
is "$rc" 0 "root in context 0 may signal pid 1"

# A program sandboxed with chcontext still hears of its parent's death
# (PR_SET_PDEATHSIG) when that parent is a host process, which may neither
# signal it nor be named to it: the kernel sends it, with no sender.
# pdeath_child PREFIX...: a host python parent forks a child that runs
# PREFIX... python3 (e.g. chcontext --silent --secure), which asks for
# SIGUSR1 on its parent's death; the parent exits once the child is ready.
# Prints "si_pid N" (the signal's sender as the child sees it) or "none".
pdeath_child() {
	local got=$TEST_TMP/pdeath.out ready=$TEST_TMP/pdeath.ready
	rm -f "$got" "$ready"
	python3 - "$got" "$ready" "$@" <<'PY'
import os, sys, time
got, ready, prefix = sys.argv[1], sys.argv[2], sys.argv[3:]
child = r"""
import ctypes, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
ctypes.CDLL(None).prctl(1, int(signal.SIGUSR1))  # PR_SET_PDEATHSIG
open(sys.argv[2], "w").close()
info = signal.sigtimedwait([signal.SIGUSR1], 5)
open(sys.argv[1], "w").write("si_pid %d" % info.si_pid if info else "none")
"""
if os.fork() == 0:
    os.execvp(prefix[0] if prefix else "python3",
              prefix + ["python3", "-c", child, got, ready])
deadline = time.monotonic() + 10
while not os.path.exists(ready) and time.monotonic() < deadline:
    time.sleep(0.02)
PY
	for _ in $(seq 150); do [ -s "$got" ] && break; sleep 0.05; done
	cat "$got" 2>/dev/null || echo "no answer"
}
like "$(pdeath_child)" '^si_pid [1-9][0-9]*$' "PR_SET_PDEATHSIG (control, context 0): the signal names the parent"
is "$(pdeath_child chcontext --silent --secure)" "si_pid 0" \
	"PR_SET_PDEATHSIG of a sandbox child whose host parent exits: delivered, from the kernel (si_pid 0)"

finish
