#!/bin/bash
# trinity (Debian's system call fuzzer) run by root inside a new context
# with a server's capability ceiling (chcontext --secure), for
# VX_TRINITY_CALLS (20,000) system calls: the kernel must stay quiet
# (vm-run fails the run on an oops, a warning or a sanitizer's report),
# a host process the context cannot see survives it, and nothing of the
# context is left afterwards.  Skipped when trinity is not installed
# (apt-get install trinity).  trinity 1.9's pool of ready-made sockets
# and perf descriptors is left out (--disable-fds=perf,sockets): making
# it crashes trinity under User-Mode Linux, in context 0 as well; socket
# calls are still among those it makes.
#
# trinity's main process itself dies of SIGSEGV in about one run in five
# under UML: it reads a child's record through the table of pointers in
# the memory it shares with its children, which the fuzzed calls of those
# children can write, and finds garbage there (main_loop, reading
# child->num).  That is trinity's fuzzing hitting trinity, not the kernel
# failing; such an attempt is reported, its context emptied (which must
# work), and trinity runs again with the next seed, up to three times.
# One attempt must complete its calls: an attempt whose main process said
# "Reached limit N" before it died (seen: a double free in its own exit,
# under load) made them.
#
# An attempt is given 420 s, then every process of its context gets
# SIGTERM, and SIGKILL 30 s later (trinity's main process waits for its
# children and may not end on SIGTERM alone); one stopped so is reported
# with its last lines, its context emptied, and the next seed tried.  The
# signals come from inside the context (chcontext --ctx N kill -1): a
# process of context 0, timeout(1) for one, cannot signal it.  Each
# attempt says when it starts, so that a guest that stalls shows where.
# vm-run: --timeout 1500
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

if ! command -v trinity >/dev/null; then
	skip "trinity inside a context" "trinity is not installed (apt-get install trinity)"
	finish
fi
calls=${VX_TRINITY_CALLS:-20000}

# trinity_left CTX: how many trinity processes context CTX still has.
trinity_left() {
	chcontext --silent --ctx 1 sh -c 'for s in /proc/[0-9]*/status; do
		grep -qx "s_context:	$1" "$s" 2>/dev/null &&
		sed -n "s/^Name:[[:space:]]*trinity.*/x/p" "$s" 2>/dev/null; done' sh "$1" | wc -l
}

# stop_after SECONDS CTX RUNNING: while the file RUNNING is there (the
# attempt has not ended), after SECONDS SIGTERM every process of context
# CTX, 30 s later SIGKILL them; RUNNING.stopped says it came to that.  It
# looks once a second, so it ends within a second of the attempt.
stop_after() {
	for _ in $(seq "$1"); do
		[ -e "$3" ] || return 0
		sleep 1
	done
	: >"$3.stopped"
	chcontext --silent --ctx "$2" kill -TERM -1 2>/dev/null
	for _ in $(seq 30); do
		[ -e "$3" ] || return 0
		sleep 1
	done
	chcontext --silent --ctx "$2" kill -KILL -1 2>/dev/null
}

# restore_dev: trinity runs as root over the guest's own /dev (a context
# shares the file system; a server has a root of its own), and the fuzzed
# calls of an attempt that did not end may have removed or changed a node
# that the next attempt opens as it starts (/dev/zero was seen to go): put
# back the basic ones, and say which.
restore_dev() {
	local node major minor
	while read -r node major minor; do
		if [ -c "/dev/$node" ] && [ "$(stat -c '%a %t:%T' "/dev/$node")" = "666 $major:$minor" ]; then
			continue
		fi
		printf '# /dev/%s was changed by the fuzzing: made again\n' "$node"
		rm -rf "/dev/${node:?}"
		mknod -m 666 "/dev/$node" c "$((16#$major))" "$((16#$minor))"
	done <<-EOF
		null 1 3
		zero 1 5
		full 1 7
		random 1 8
		urandom 1 9
		tty 5 0
	EOF
}

sleep 100000 &
canary=$!
mkdir -p "$TEST_TMP/fuzz"
completed=no
for attempt in 1 2 3; do
	ctx=$((700 + attempt))
	cd "$TEST_TMP/fuzz" || exit 1
	printf '# attempt %s: trinity with seed %s, at most 420 s\n' "$attempt" "$attempt"
	running=$TEST_TMP/running$attempt
	: >"$running"
	stop_after 420 "$ctx" "$running" 2>/dev/null &
	watchdog=$!
	run chcontext --silent --ctx "$ctx" --secure trinity --dangerous -q -l off \
		--disable-fds=perf,sockets -C 2 -N "$calls" -s "$attempt"
	rm -f "$running"
	wait "$watchdog"
	cd / || exit 1
	stopped=
	if [ -e "$running.stopped" ]; then
		stopped=" was stopped after 420 s (status $rc)"
	elif [ "$rc" = 139 ] && ! [[ "$out$err" =~ Ran\ [0-9]+\ syscalls ]]; then
		stopped="'s main process died of SIGSEGV"
	fi
	if [ -n "$stopped" ]; then
		printf '# attempt %s (seed %s): trinity%s; its last words:\n' \
			"$attempt" "$attempt" "$stopped"
		printf '%s\n' "$out$err" | grep -v "marking as inactive" | tail -n 3 | sed 's/^/#   /'
		# Its children notice within a second or two; whatever is left of
		# the context must go with SIGKILL.
		for _ in $(seq 50); do
			[ "$(trinity_left "$ctx")" = 0 ] && break
			sleep 0.1
		done
		chcontext --silent --ctx "$ctx" kill -KILL -1 2>/dev/null
		sleep 0.5
		is "$(trinity_left "$ctx")" 0 "attempt $attempt: SIGKILL empties the context of a trinity that did not end"
		restore_dev
		# (the calls were made: its main process died after it said so,
		# in its own exit, as with "double free detected")
		if [[ "$out$err" == *"Reached limit $calls."* ]]; then
			printf '# attempt %s: trinity reached its limit of %s calls before it died\n' \
				"$attempt" "$calls"
			completed=yes
			break
		fi
		continue
	fi
	like "$out$err" "Ran [0-9]+ syscalls|[Ee]xiting" \
		"trinity ran its $calls system calls and ended (attempt $attempt, $rc)"
	is "$rc" 0 "trinity's status"
	is "$(trinity_left "$ctx")" 0 "no trinity process is left"
	completed=yes
	break
done
is "$completed" yes "one of three attempts ran its $calls calls to the end"
if kill -0 "$canary" 2>/dev/null; then pass "the host's canary process survived"; else
	fail "the host's canary process survived"; fi
kill "$canary"
finish
