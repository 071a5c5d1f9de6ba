#!/bin/bash
# Bad input to chcontext, reducecap and vkill on the patched kernel: the
# exact exit status and message of each (usage errors: the message and a
# hint to try --help, status 1; a command not found: 127; not executable:
# 126; a process that does not exist: 1).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

hint() { printf '%s\nTry '\''%s --help'\'' for more information.' "$2" "$1"; }

# chcontext
check_run "chcontext: unknown option" 1 "" \
	"$(hint chcontext "chcontext: unrecognized option '--bogus'")" chcontext --bogus true
check_run "chcontext: --ctx without a value" 1 "" \
	"$(hint chcontext "chcontext: option '--ctx' requires an argument")" chcontext --ctx
for id in 0 70000 abc -1 65536 ''; do
	check_run "chcontext: --ctx '$id'" 1 "" \
		"$(hint chcontext "chcontext: invalid context id '$id' (expected an integer from 1 to 65535)")" \
		chcontext --ctx "$id" true
done
check_run "chcontext: unknown flag" 1 "" \
	"$(hint chcontext "chcontext: unknown context flag 'bogus' (known: lock, sched, nproc, private, fakeinit, userns)")" \
	chcontext --flag bogus true
check_run "chcontext: empty flag list" 1 "" \
	"$(hint chcontext "chcontext: empty context flag list")" chcontext --flag '' true
check_run "chcontext: unknown capability" 1 "" \
	"$(hint chcontext "chcontext: unknown capability 'bogus'")" chcontext --cap bogus true
check_run "chcontext: host name too long" 1 "" \
	"$(hint chcontext "chcontext: host name '$(printf '%065d' 0)' is longer than 64 bytes")" \
	chcontext --hostname "$(printf '%065d' 0)" true
check_run "chcontext: missing command" 1 "" \
	"$(hint chcontext "chcontext: missing command")" chcontext --silent
check_run "chcontext: command not found" 127 "" \
	"chcontext: failed to execute vx-no-such-command: No such file or directory" \
	chcontext --silent vx-no-such-command
check_run "chcontext: command not executable" 126 "" \
	"chcontext: failed to execute /etc/passwd: Permission denied" chcontext --silent /etc/passwd
check_run "chcontext: status of the command" 3 "" "" chcontext --silent sh -c 'exit 3'
check_run "user: chcontext --ctx 5" 1 "" \
	"chcontext: cannot enter security context 5: Operation not permitted" \
	as_user chcontext --ctx 5 true
run chcontext true
like "$rc: $err" '^0: New security context is [0-9]+$' "chcontext: announces the new context"

# reducecap
check_run "reducecap: unknown option" 1 "" \
	"$(hint reducecap "reducecap: unrecognized option '--bogus'")" reducecap --bogus true
check_run "reducecap: unknown capability" 1 "" \
	"$(hint reducecap "reducecap: unknown capability 'bogus'")" reducecap --cap bogus true
check_run "reducecap: missing command" 1 "" \
	"$(hint reducecap "reducecap: missing command")" reducecap --cap net_raw
check_run "reducecap: --show-secure with a command" 1 "" \
	"$(hint reducecap "reducecap: --show-secure cannot be combined with other options or a command")" \
	reducecap --show-secure true
check_run "reducecap: command not found" 127 "" \
	"reducecap: failed to execute vx-no-such-command: No such file or directory" \
	reducecap --cap net_raw vx-no-such-command
check_run "reducecap: command not executable" 126 "" \
	"reducecap: failed to execute /etc/passwd: Permission denied" reducecap --cap net_raw /etc/passwd
check_run "reducecap: status of the command" 3 "" "" reducecap --cap net_raw sh -c 'exit 3'

# vkill
check_run "vkill: a process that does not exist" 1 "" "vkill: 99999: No such process" vkill 99999
check_run "vkill: one bad pid, one good one" 1 "" "vkill: 99999: No such process" \
	vkill -s 0 99999 1
check_run "vkill: invalid pid" 1 "" "$(hint vkill "vkill: invalid process id 'abc'")" vkill abc
check_run "vkill: pid 0" 1 "" "$(hint vkill "vkill: invalid process id '0'")" vkill 0
check_run "vkill: missing pid" 1 "" "$(hint vkill "vkill: missing process id")" vkill
check_run "vkill: unknown signal" 1 "" "$(hint vkill "vkill: unknown signal 'BOGUS'")" \
	vkill -s BOGUS 1
check_run "vkill: --ctx 70000" 1 "" \
	"$(hint vkill "vkill: invalid context id '70000' (expected an integer from 0 to 65535)")" \
	vkill --ctx 70000 1
check_run "vkill: unknown option" 1 "" "$(hint vkill "vkill: unrecognized option '--bogus'")" \
	vkill --bogus 1
bg_start sleep 1000
s=$!
wait_ready "$s" sleep 0
check_run "vkill --ctx of the wrong context: No such process" 1 "" "vkill: $s: No such process" \
	vkill --ctx 40 "$s"
check_run "user: vkill needs root in context 0" 1 "" \
	"vkill: $s: cannot enter the spectator context 1: Operation not permitted" as_user vkill "$s"
check_run "root outside context 0: vkill is refused" 1 "" \
	"vkill: $s: cannot enter the spectator context 1: Operation not permitted" \
	chcontext --silent vkill "$s"
check_run "vkill -s 0 only checks" 0 "" "" vkill -s 0 "$s"
is "$(field "$s" State | cut -c1)" S "the process is still there"
check_run "vkill -s KILL" 0 "" "" vkill -s KILL "$s"
{ wait "$s"; } 2>/dev/null
is "$?" 137 "vkill -s KILL sent SIGKILL"

finish
