#!/bin/bash
# Administrators at the same time: two builds of one name, two starts of
# one server, two servers with one IPROOT started at once, a stop during
# a start, Ctrl-C halfway through a start, and a server that ended without
# a stop whose address another server then takes.  Each leaves one winner,
# a clear error for the loser, and no stray tree, alias, cgroup, mount,
# context or process.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

vx0_up

tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
# A boot sequence that takes a while, and says when it has begun.
slow=$TEST_TMP/slow
make_busybox_tree "$slow"
printf '#!/bin/sh\ntouch /tmp/booting\nsleep 2\n' >"$slow/etc/rc3.d/S10slow"
chmod 755 "$slow/etc/rc3.d/S10slow"

# at_once A B VERB [ARG...]: "vserver A VERB ARG..." and "vserver B VERB
# ARG..." at once; their statuses (sorted) in $rcs, what the loser said in
# $loser, and the one of A and B that runs afterwards in $winner (the
# other in $other).
at_once() {
	local a=$1 b=$2
	shift 2
	(vserver "$a" "$@" >"$TEST_TMP/both.1" 2>&1 </dev/null; echo $? >"$TEST_TMP/both.1.rc") &
	(vserver "$b" "$@" >"$TEST_TMP/both.2" 2>&1 </dev/null; echo $? >"$TEST_TMP/both.2.rc") &
	wait
	rcs=$(sort -n "$TEST_TMP/both.1.rc" "$TEST_TMP/both.2.rc" | tr '\n' ' ')
	loser=$(grep -h -v -e ' started in context' -e ': built ' "$TEST_TMP/both.1" "$TEST_TMP/both.2")
	if vserver "$a" running; then winner=$a other=$b; else winner=$b other=$a; fi
}

# until_booting: until the slow server's boot sequence has begun (at most
# a minute, by the clock: a loaded guest is slow).
until_booting() {
	local end=$((SECONDS + 60))
	while [ ! -e "$VSERVER_ROOTDIR/slow/tmp/booting" ] && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.05
	done
}

# no_leftovers WHAT NAME...: nothing of the stopped servers stays behind.
no_leftovers() {
	local what=$1 name left=
	shift
	for name in "$@"; do
		left=$left$(host_leftovers "$name")
	done
	is "$left" "" "$what: no alias, mount, cgroup or run file is left"
}

# --- two builds of one name -------------------------------------------------
at_once one one build --from "$tpl"
is "$rcs" "0 1 " "build: of two builds of one name at once, one succeeds"
like "$loser" "^vserver: $VSERVER_ROOTDIR/one already exists; remove it first" \
	"build: the other says the tree exists"
is "$(ls -A "$VSERVER_ROOTDIR")" one "build: no half-built tree is left beside it"
is "$(find "$VSERVER_ROOTDIR/one" -maxdepth 1 -name '.*')" "" \
	"build: no tree ended up inside the other"
set_conf one IPROOT 127.1.0.2
set_conf one IPROOTDEV vx0

# --- two starts of one server -----------------------------------------------
at_once one one start
is "$rcs" "0 1 " "start: of two starts of one server at once, one succeeds"
like "$loser" "^vserver: one is already running \(context [0-9]+\)$" \
	"start: the other says it is already running"
is "$(fetch http://127.1.0.2/)" template "start: the server answers"
run vserver one stop
is "$rc" 0 "start: the server stops"
no_leftovers "start" one

# --- two servers with one IPROOT ----------------------------------------------
for s in ab1 ab2; do
	vserver "$s" build --from "$tpl" >/dev/null 2>&1
	set_conf "$s" IPROOT 127.1.0.3
	set_conf "$s" IPROOTDEV vx0
done
at_once ab1 ab2 start
is "$rcs" "0 1 " "one address: of two servers with one IPROOT started at once, one starts"
is "$loser" "vserver: 127.1.0.3 is already used by the running server $winner" \
	"one address: the other names the server that has it"
no_leftovers "one address: the loser" "$other"
is "$(fetch http://127.1.0.3/)" template "one address: the winner answers"
vserver "$winner" stop >/dev/null 2>&1
no_leftovers "one address: both stopped" ab1 ab2

# --- two servers with one S_CONTEXT -------------------------------------------
set_conf ab1 S_CONTEXT 300
set_conf ab2 S_CONTEXT 300
set_conf ab2 IPROOT 127.1.0.5
at_once ab1 ab2 start
is "$rcs" "0 1 " "one context: of two servers with one S_CONTEXT started at once, one starts"
is "$loser" "vserver: context 300 (S_CONTEXT) is already used by the running server $winner" \
	"one context: the other names the server that has it"
no_leftovers "one context: the loser" "$other"
vserver "$winner" stop >/dev/null 2>&1
# A context that no server holds, made by hand with other flags.
chcontext --silent --ctx 301 sleep 30 </dev/null >/dev/null 2>&1 &
sleeper=$!
set_conf ab1 S_CONTEXT 301
run vserver ab1 start
is "$rc" 1 "one context: a server does not start in a context made by hand"
like "$out$err" "security context 301 exists already, with other flags or names \(vps shows its processes\)" \
	"one context: and says the context exists"
no_leftovers "one context: the refused start" ab1
# (in context 301 it is out of the host's sight: vkill reaches it)
vkill -s KILL "$sleeper"
{ wait "$sleeper"; } 2>/dev/null
set_conf ab1 S_CONTEXT ""
set_conf ab2 S_CONTEXT ""
set_conf ab2 IPROOT 127.1.0.3

# --- a server that ended without a stop ---------------------------------------
# ab1 adds the alias; its processes end without a stop and without the
# watcher its start left (killed first: what a watcher releases is
# vserver_syslog's); ab2 then starts on the same address; the late stop of
# ab1 must leave ab2's address.
vserver ab1 start >/dev/null 2>&1
pkill -KILL -f -- "--wait-empty /sys/fs/cgroup/vserver/ab1 "
for _ in $(seq 50); do pgrep -f -- "--wait-empty /sys/fs/cgroup/vserver/ab1 " >/dev/null || break; sleep 0.1; done
echo 1 >/sys/fs/cgroup/vserver/ab1/cgroup.kill
for _ in $(seq 50); do vserver ab1 running || break; sleep 0.1; done
run vserver ab2 start
is "$rc" 0 "ended: a server takes the address of one that ended without a stop"
run vserver ab1 stop
is "$err" "vserver: ab1 is not running" "ended: the late stop of the ended one says it is not running"
is "$(fetch http://127.1.0.3/)" template "ended: and leaves the address of the running one"
vserver ab2 stop >/dev/null 2>&1
no_leftovers "ended: both stopped, the alias removed" ab1 ab2

# --- a stop during a start ------------------------------------------------------
vserver slow build --from "$slow" >/dev/null 2>&1
set_conf slow IPROOT 127.1.0.4
set_conf slow IPROOTDEV vx0
(vserver slow start >"$TEST_TMP/start.out" 2>&1 </dev/null; echo $? >"$TEST_TMP/start.rc") &
until_booting
run vserver slow stop
wait
is "$(cat "$TEST_TMP/start.rc") $rc" "0 0" "stop during start: the start ends, then the stop stops it"
is "$(vserver slow status)" "slow is stopped" "stop during start: the server is stopped afterwards"
no_leftovers "stop during start" slow

# --- Ctrl-C halfway through a start ---------------------------------------------
rm -f "$VSERVER_ROOTDIR/slow/tmp/booting"
# (job control: a process group of its own, as a terminal's Ctrl-C
# reaches, and SIGINT not ignored as it is for a plain background job)
set -m
vserver slow start >"$TEST_TMP/start.out" 2>&1 </dev/null &
starter=$!
set +m
until_booting
kill -INT -- "-$starter"
wait "$starter"
is "$?" 130 "interrupted start: vserver start ends with status 130"
run vserver slow status
is "$out" "slow is stopped" "interrupted start: the server is stopped"
no_leftovers "interrupted start" slow
is "$(cat /proc/*/status 2>/dev/null | grep -c '^s_context:[[:space:]]*[1-9]')" 0 \
	"interrupted start: no process is left in any context"

finish
