#!/bin/bash
# Seed paper 2.6.2, "Playing with /usr/sbin/chcontext as root": root in
# context 0 starts a program in a new context, cannot see it from context 0,
# sees it from the spectator context 1 but cannot kill it from there, finds
# its context SS in /proc/PID/status and kills it from context SS; vps, vkill
# and vserver-stat do the same in one command; choosing a context is for
# root in context 0 only.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

cp /bin/sleep "$TEST_TMP/xterm"
chmod 755 "$TEST_TMP/xterm"
XTERM=$TEST_TMP/xterm

# /usr/sbin/chcontext xterm &
chcontext "$XTERM" 1000 </dev/null >/dev/null 2>"$TEST_TMP/announce" &
x=$!
wait_ready "$x" xterm
SS=$(field "$x" s_context)
if [ "$SS" -ge 2 ] 2>/dev/null; then
	pass "the xterm runs in a new context SS=$SS"
else
	fail "the xterm runs in a new context (>= 2)" "got '$SS'"
fi
is "$(cat "$TEST_TMP/announce")" "New security context is $SS" \
	"chcontext announces the new context on stderr"

# ps ax | grep xterm: not there.
run ps ax -o pid=,comm=
is "$(printf '%s\n' "$out" | grep -c 'xterm$')" 0 "context 0: ps ax does not show the xterm"
is "$(test -e "/proc/$x" && echo present || echo absent)" absent "context 0: /proc/$x does not exist"

# cat /proc/self/status: we are in context 0.
is "$(grep '^s_context:' /proc/self/status)" "$(printf 's_context:\t0')" \
	"/proc/self/status says s_context 0"

# chcontext --ctx 1 ps ax | grep xterm: there it is.
run chcontext --ctx 1 ps ax -o pid=,comm=
is "$(printf '%s\n' "$out" | grep -E 'xterm$' | tr -s ' ' | sed 's/^ //')" "$x xterm" \
	"context 1: ps ax shows the xterm"
is "$err" "New security context is 1" "chcontext --ctx 1 announces context 1"

# chcontext --ctx 1 killall xterm: no, context 1 may not kill.
run chcontext --silent --ctx 1 killall xterm
is "$rc" 1 "context 1: killall xterm fails"
is "$err" "xterm($x): Operation not permitted
xterm: no process found" "context 1: killall xterm says Operation not permitted"
run chcontext --silent --ctx 1 kill "$x"
is "$rc: $err" "1: kill: ($x): Operation not permitted" "context 1: kill PID says Operation not permitted"
is "$(field "$x" State | cut -c1)" S "the xterm survived context 1"

# chcontext --ctx 1 cat /proc/XX/status: its context is SS.
run chcontext --silent --ctx 1 cat "/proc/$x/status"
is "$(printf '%s\n' "$out" | grep -E '^(Name|s_context|ctxflags|initpid):')" "$(printf \
	'Name:\txterm\ns_context:\t%s\nctxflags:\tnone\ninitpid:\t0' "$SS")" \
	"context 1: /proc/$x/status shows s_context $SS, no flags, no fake init"

# A second xterm in the same context, for kill PID (the man page's way).
chcontext --silent --ctx "$SS" "$XTERM" 1001 </dev/null >/dev/null 2>&1 &
x2=$!
wait_ready "$x2" xterm "$SS"
check_run "chcontext --ctx SS kill PID kills it" 0 "" "" chcontext --silent --ctx "$SS" kill "$x2"
wait "$x2"
is "$?" 143 "the second xterm died of SIGTERM"
is "$(chcontext --silent --ctx 1 sh -c "test -e /proc/$x2 && echo present || echo gone")" gone \
	"the second xterm is gone"

# chcontext --ctx SS killall xterm (the seed's way).
check_run "chcontext --ctx SS killall xterm" 0 "" "" chcontext --silent --ctx "$SS" killall xterm
wait "$x"
is "$?" 143 "the xterm died of SIGTERM"
is "$(chcontext --silent --ctx 1 sh -c "test -e /proc/$x && echo present || echo gone")" gone \
	"the xterm is gone"

# vps shows a process of another context with its context; vkill kills it.
chcontext --silent "$XTERM" 1002 </dev/null >/dev/null 2>&1 &
y=$!
wait_ready "$y" xterm
ctx_y=$(field "$y" s_context)
run vps -o pid,comm -p "$y"
is "$rc" 0 "vps exits with 0"
is "$(printf '%s\n' "$out" | awk '{ print $1, $2, $NF }')" "PID CTX COMMAND
$y $ctx_y xterm" "vps shows the xterm with its context $ctx_y"
run vps ax
is "$(printf '%s\n' "$out" | awk -v p="$y" '$1 == p { print $2 }')" "$ctx_y" \
	"vps ax lists the xterm in context $ctx_y"
check_run "vkill PID (no --ctx) kills a process of another context" 0 "" "" vkill "$y"
wait "$y"
is "$?" 143 "vkill sent SIGTERM"

# vserver-stat: one line per context, with the number of its processes.
chcontext --silent --ctx 61 sh -c "$XTERM 1000 & $XTERM 1000 & wait" </dev/null >/dev/null 2>&1 &
z=$!
for _ in $(seq 100); do
	[ "$(chcontext --silent --ctx 1 pgrep -c -x xterm)" = 2 ] && break
	sleep 0.05
done
run vserver-stat
is "$rc" 0 "vserver-stat exits with 0"
is "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1, $2 } $1 == 61 { print $1, $2 }')" "CTX PROC
61 3" "vserver-stat shows context 61 with its 3 processes"
like "$(printf '%s\n' "$out" | awk '$1 == 0 { print $1, $8 }')" '^0 MAIN$' \
	"vserver-stat shows context 0 as MAIN"
# kill(-1) in context 61 ends every process there (but the caller).
check_run "kill -KILL -1 in context 61" 0 "" "" chcontext --silent --ctx 61 kill -KILL -- -1
{ wait "$z"; } 2>/dev/null
is "$?" 137 "the shell of context 61 was killed"
run vserver-stat
is "$(printf '%s\n' "$out" | awk '$1 == 61')" "" "context 61 is gone from vserver-stat"

# Choosing a context: only root in context 0.
check_run "user: chcontext --ctx 5 is refused" 1 "" \
	"chcontext: cannot enter security context 5: Operation not permitted" \
	as_user chcontext --ctx 5 true
check_run "user: chcontext --ctx 1 is refused" 1 "" \
	"chcontext: cannot enter security context 1: Operation not permitted" \
	as_user chcontext --ctx 1 true
check_run "root outside context 0: chcontext --ctx 5 is refused" 1 "" \
	"chcontext: cannot enter security context 5: Operation not permitted" \
	chcontext --silent chcontext --ctx 5 true
check_run "root without CAP_SYS_ADMIN: chcontext --ctx 5 is refused" 1 "" \
	"chcontext: cannot enter security context 5: Operation not permitted" \
	reducecap --cap sys_admin chcontext --ctx 5 true
check_run "user: vkill is refused" 1 "" \
	"vkill: 1: cannot enter the spectator context 1: Operation not permitted" \
	as_user vkill -s 0 1

finish
