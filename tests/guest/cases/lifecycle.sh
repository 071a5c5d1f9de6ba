#!/bin/bash
# Contexts go away with their last process, and their id is free again;
# a dynamic context id is never handed out while its context is alive.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# Context 60 lives while its only process does.
bg_start chcontext --silent --ctx 60 sleep 1000
a=$!
wait_ready "$a" sleep 60
check_run "context 60 exists: flags for it are refused" 1 "" \
	"chcontext: cannot enter security context 60: File exists" \
	chcontext --ctx 60 --flag lock true
kill_anywhere "$a"
check_run "after its last process is gone, context 60 is created anew, with flags" 0 \
	"$(printf 'ctxflags:\tlock')" "" \
	chcontext --silent --ctx 60 --flag lock grep '^ctxflags:' /proc/self/status
check_run "and anew again, with names" 0 "web" "" \
	chcontext --silent --ctx 60 --hostname web hostname
check_run "and again without flags: the lock flag went with the context" 0 \
	"$(printf 'ctxflags:\tnone')" "" \
	chcontext --silent --ctx 60 sh -c 'grep "^ctxflags:" /proc/self/status'

# A context stays while any of its processes lives, not only its creator.
bg_start chcontext --silent --ctx 62 sh -c 'sleep 1000 & wait'
b=$!
wait_ready "$b" sh 62
child=
for _ in $(seq 100); do
	child=$(chcontext --silent --ctx 1 pgrep -P "$b" -x sleep) && break
	sleep 0.05
done
check_run "context 62: its creator kills itself" 0 "" "" chcontext --silent --ctx 62 kill -KILL "$b"
{ wait "$b"; } 2>/dev/null
is "$(field "$child" s_context)" 62 "the child of the dead creator is still in context 62"
check_run "context 62 is still there" 1 "" "chcontext: cannot enter security context 62: File exists" \
	chcontext --ctx 62 --flag lock true
kill_anywhere "$child"
for _ in $(seq 100); do [ -z "$(field "$child" State)" ] && break; sleep 0.05; done
check_run "once the orphan is reaped, context 62 is gone" 0 "$(printf 'ctxflags:\tlock')" "" \
	chcontext --silent --ctx 62 --flag lock grep '^ctxflags:' /proc/self/status

# Dynamic ids: distinct while alive, from their own range, never one that
# root chose: root may not create a context under the next dynamic id.
bg_start chcontext --silent sleep 1000
d0=$!
wait_ready "$d0" sleep
first=$(field "$d0" s_context)
taken="$first"
check_run "root cannot create a context with an id of the dynamic range" 1 "" \
	"chcontext: cannot enter security context $((first + 1)): Invalid argument" \
	chcontext --ctx $((first + 1)) true
check_run "root can enter a dynamic context that exists" 0 "$first" "" \
	chcontext --silent --ctx "$first" sh -c 'sed -n "s/^s_context:\t//p" /proc/self/status'
# root takes a few ids by hand, from the static range
fixed=()
for i in 1 2 3; do
	bg_start chcontext --silent --ctx $((49148 + i)) sleep 1000
	p=$!
	wait_ready "$p" sleep $((49148 + i))
	fixed+=("$p")
	taken="$taken $(field "$p" s_context)"
done
check_run "the top of the dynamic range is refused to root too" 1 "" \
	"chcontext: cannot enter security context 65535: Invalid argument" \
	chcontext --ctx 65535 true
pids=("$d0")
for _ in $(seq 8); do
	bg_start chcontext --silent sleep 1000
	p=$!
	wait_ready "$p" sleep
	pids+=("$p")
	taken="$taken $(field "$p" s_context)"
done
# shellcheck disable=SC2086 # a list of ids
is "$(printf '%s\n' $taken | sort -n | uniq -d)" "" "12 living contexts, 12 distinct ids ($taken)"
# shellcheck disable=SC2086
dynamic=$(printf '%s\n' $taken | sort -n | awk '$1 >= 49152' | wc -l)
is "$dynamic" 9 "the 9 dynamic ids are all >= 49152 (the 3 chosen ones, 49151 and less)"
run chcontext true
id=${err##* }
case " $taken " in
*" $id "*) fail "a new context does not get a living context's id" "got $id, living: $taken" ;;
*) pass "a new context does not get a living context's id ($id)" ;;
esac
for p in "${pids[@]}" "${fixed[@]}"; do kill_anywhere "$p"; done

# The tasks of a context, counted by vserver-stat, come and go.
bg_start chcontext --silent --ctx 63 sh -c 'sleep 1000 & sleep 1000 & wait'
c=$!
for _ in $(seq 100); do
	[ "$(vserver-stat | awk '$1 == 63 { print $2 }')" = 3 ] && break
	sleep 0.05
done
is "$(vserver-stat | awk '$1 == 63 { print $2 }')" 3 "vserver-stat: context 63 has 3 processes"
check_run "kill -KILL -1 in context 63" 0 "" "" chcontext --silent --ctx 63 kill -KILL -- -1
{ wait "$c"; } 2>/dev/null
for _ in $(seq 100); do
	[ -z "$(vserver-stat | awk '$1 == 63')" ] && break
	sleep 0.05
done
is "$(vserver-stat | awk '$1 == 63')" "" "vserver-stat: context 63 is gone"

finish
