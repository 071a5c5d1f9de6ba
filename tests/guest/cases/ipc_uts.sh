#!/bin/bash
# System V IPC and POSIX message queues are private to a context; each
# context has its own host name and NIS domain name, set by chcontext
# --hostname/--domainname at creation or by root inside it, while the
# host's names never change.
# The single-quoted scripts are for the shells they run in.
# shellcheck disable=SC2016
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# ipcs_rows TYPE: "KEY ID" of every object of TYPE (q, m, s) visible here.
ipcs_rows() { ipcs "-$1" | awk '$1 ~ /^0x/ { print $1, $2 }'; }
export -f ipcs_rows

# Context 45 holds the objects; a sleep keeps it (and its IPC) alive.
bg_start chcontext --silent --ctx 45 sleep 1000
holder=$!
wait_ready "$holder" sleep 45

declare -A id key
for type in q m s; do
	case $type in
	q) run chcontext --silent --ctx 45 ipcmk -Q ;;
	m) run chcontext --silent --ctx 45 ipcmk -M 4096 ;;
	s) run chcontext --silent --ctx 45 ipcmk -S 1 ;;
	esac
	id[$type]=${out##*: }
	like "$rc: $out" '^0: (Message queue|Shared memory|Semaphore) id: [0-9]+$' \
		"ipcmk -$type in context 45 creates id ${id[$type]}"
	row=$(chcontext --silent --ctx 45 bash -c "ipcs_rows $type")
	key[$type]=${row%% *}
	is "${row#* }" "${id[$type]}" "context 45 lists its ipc object $type (key ${key[$type]})"
done

upper() { printf '%s' "$1" | tr '[:lower:]' '[:upper:]'; }
# From elsewhere: not listed, not found by id, not found by key.
not_reachable() {
	local where=$1 type
	shift
	for type in q m s; do
		run "$@" bash -c "ipcs_rows $type"
		is "$rc: $out" "0: " "$where: ipcs -$type lists nothing"
		check_run "$where: ipcrm -$type ${id[$type]} fails" 1 "" \
			"ipcrm: invalid id (${id[$type]})" "$@" ipcrm "-$type" "${id[$type]}"
		check_run "$where: ipcrm -$(upper $type) ${key[$type]} fails" 1 "" \
			"ipcrm: invalid key (${key[$type]})" "$@" ipcrm "-$(upper $type)" "${key[$type]}"
	done
}
not_reachable "context 0"
not_reachable "context 46" chcontext --silent --ctx 46
not_reachable "a new context (user)" as_user chcontext --silent

# Objects of context 0 are not seen from context 45 either.
run ipcmk -Q
host_q=${out##*: }
is "$(ipcs_rows q | wc -l)" 1 "context 0 has its own message queue"
run chcontext --silent --ctx 45 bash -c 'ipcs_rows q'
is "$out" "${key[q]} ${id[q]}" "context 45 lists only its own message queue"
check_run "context 0 removes its message queue" 0 "" "" ipcrm -q "$host_q"

# Back in context 45: everything is still there, and can be removed.
for type in q m s; do
	run chcontext --silent --ctx 45 bash -c "ipcs_rows $type"
	is "$out" "${key[$type]} ${id[$type]}" "context 45 still lists its ipc object $type"
done
check_run "context 45 removes its queue by id" 0 "" "" chcontext --silent --ctx 45 ipcrm -q "${id[q]}"
check_run "context 45 removes its memory by key" 0 "" "" \
	chcontext --silent --ctx 45 ipcrm -M "${key[m]}"
check_run "context 45 removes its semaphore by id" 0 "" "" \
	chcontext --silent --ctx 45 ipcrm -s "${id[s]}"
run chcontext --silent --ctx 45 bash -c 'ipcs_rows q; ipcs_rows m; ipcs_rows s'
is "$rc: $out" "0: " "context 45 has no ipc object left"

# POSIX message queues.
check_run "mq: context 45 creates /vxq" 0 "" "" chcontext --silent --ctx 45 vx-mq create /vxq
check_run "mq: context 0 does not find /vxq" 1 "ENOENT" "" vx-mq open /vxq
check_run "mq: context 0 cannot unlink /vxq" 1 "ENOENT" "" vx-mq unlink /vxq
check_run "mq: context 46 does not find /vxq" 1 "ENOENT" "" chcontext --silent --ctx 46 vx-mq open /vxq
check_run "mq: a new context (user) does not find /vxq" 1 "ENOENT" "" \
	as_user chcontext --silent vx-mq open /vxq
check_run "mq: context 45 finds /vxq" 0 "" "" chcontext --silent --ctx 45 vx-mq open /vxq
check_run "mq: context 0 creates its own /vxq" 0 "" "" vx-mq create /vxq
check_run "mq: context 0 unlinks its /vxq" 0 "" "" vx-mq unlink /vxq
check_run "mq: context 45 still finds its /vxq" 0 "" "" chcontext --silent --ctx 45 vx-mq open /vxq
check_run "mq: context 45 cannot create /vxq again" 1 "EEXIST" "" \
	chcontext --silent --ctx 45 vx-mq create /vxq
check_run "mq: context 45 unlinks /vxq" 0 "" "" chcontext --silent --ctx 45 vx-mq unlink /vxq
check_run "mq: /vxq is gone from context 45" 1 "ENOENT" "" chcontext --silent --ctx 45 vx-mq open /vxq

# Host and domain names.
HOST=vserver-guest
is "$(hostname)/$(domainname)" "$HOST/(none)" "the host's names"
check_run "chcontext --hostname web: hostname" 0 "web" "" \
	chcontext --silent --hostname web --domainname example hostname
check_run "chcontext --domainname example: domainname" 0 "example" "" \
	chcontext --silent --hostname web --domainname example domainname
check_run "chcontext --hostname web: uname -n" 0 "web" "" chcontext --silent --hostname web uname -n
check_run "user: chcontext --hostname web: hostname" 0 "web" "" \
	as_user chcontext --silent --hostname web hostname
check_run "a new context without names has the creator's" 0 "$HOST (none)" "" \
	chcontext --silent sh -c 'echo "$(hostname) $(domainname)"'
is "$(hostname)/$(domainname)" "$HOST/(none)" "the host's names did not change"

# Root inside a context (full capabilities) changes the context's names.
bg_start chcontext --silent --ctx 47 sleep 1000
named=$!
wait_ready "$named" sleep 47
check_run "root in context 47 sets its host and domain name" 0 "" "" \
	chcontext --silent --ctx 47 sh -c 'hostname inner && domainname innerdom'
check_run "context 47 has the new names" 0 "inner innerdom" "" \
	chcontext --silent --ctx 47 sh -c 'echo "$(hostname) $(domainname)"'
is "$(hostname)/$(domainname)" "$HOST/(none)" "the host's names did not change"
check_run "context 46 keeps the host's names" 0 "$HOST (none)" "" \
	chcontext --silent --ctx 46 sh -c 'echo "$(hostname) $(domainname)"'
check_run "user in a new context may not set the host name" 1 "" \
	"hostname: you must be root to change the host name" as_user chcontext --silent hostname x
check_run "root in a new context without CAP_SYS_ADMIN may not set the host name" 1 "" \
	"hostname: you must be root to change the host name" chcontext --silent --secure hostname x
check_run "--hostname for an existing context: File exists" 1 "" \
	"chcontext: cannot enter security context 47: File exists" \
	chcontext --ctx 47 --hostname web true
check_run "--domainname for an existing context: File exists" 1 "" \
	"chcontext: cannot enter security context 47: File exists" \
	chcontext --ctx 47 --domainname example true
check_run "context 47 kept its names" 0 "inner innerdom" "" \
	chcontext --silent --ctx 47 sh -c 'echo "$(hostname) $(domainname)"'

kill_anywhere "$named"
kill_anywhere "$holder"
finish
