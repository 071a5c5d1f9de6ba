#!/bin/bash
# Using up what others need: the budgets the kernel keeps per user (inotify
# instances; signals queued and POSIX timers, both under RLIMIT_SIGPENDING;
# message queue bytes, RLIMIT_MSGQUEUE; epoll watches; pipe pages, which
# bind only users without CAP_SYS_RESOURCE, such as a server's root; the
# key quota).  The host lowers the last three's limits for the test, so
# that a hoard takes seconds.  Root inside a started server takes every
# unit of each that it may (vx-attack hoard), and then
#  - root inside gets no more: the limit holds inside;
#  - the host's root and root of another server still get theirs: a
#    server's root is not the host's root, nor the other server's;
#  - once the hoarder is gone, root inside gets them again.
# And nobody multiplies a budget by making contexts: an ordinary user's
# chcontext sandbox shares that user's budget with the user on the host
# and with the user's other sandboxes.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start
OTHER=esc2
escape_server "$OTHER" 127.1.0.3

# hoard KIND CMD...: CMD... vx-attack hoard KIND in the background, in a
# session of its own; waits for its "N ERRNO" line, left in $HOARD.
hoard() {
	local kind=$1
	shift
	rm -f "$TEST_TMP/hoard.out"
	setsid "$@" hoard "$kind" </dev/null >"$TEST_TMP/hoard.out" 2>&1 &
	for _ in $(seq 300); do
		[ -s "$TEST_TMP/hoard.out" ] && break
		sleep 0.05
	done
	HOARD=$(head -n 1 "$TEST_TMP/hoard.out")
}

# hoard_end: every hoarder, of any context, killed and gone.
hoard_end() {
	local p
	for p in $(chcontext --silent --ctx 1 pgrep -f 'vx-attack hoard'); do
		kill_anywhere "$p"
	done
	wait 2>/dev/null
}

# "${AS_USER[@]}" CMD...: CMD as the ordinary user $USER_ID.
AS_USER=(setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups --)

declare -A refusal=([inotify]=EMFILE [sigqueue]=EAGAIN [timer]=EAGAIN [mqueue]=EMFILE
	[epoll]=ENOSPC [pipe]=ENFILE [key]=EDQUOT)

# (limits of the whole machine, per user: small enough for a quick hoard,
# large enough for what the guest itself holds)
declare -A limits=([fs/epoll/max_user_watches]=1000 [fs/pipe-user-pages-soft]=64
	[fs/pipe-user-pages-hard]=256 [kernel/keys/root_maxkeys]=100
	[kernel/keys/root_maxbytes]=40000 [kernel/keys/maxkeys]=100 [kernel/keys/maxbytes]=40000)
declare -A saved=()
restore_limits() {
	for knob in "${!saved[@]}"; do
		echo "${saved[$knob]}" >"/proc/sys/$knob"
	done
}
for knob in "${!limits[@]}"; do
	saved[$knob]=$(cat "/proc/sys/$knob")
	echo "${limits[$knob]}" >"/proc/sys/$knob" ||
		{ restore_limits; escape_abort "/proc/sys/$knob set to ${limits[$knob]}"; }
done

# take_again WHO... KIND: the take of WHO (host, attack, or a command
# prefix), repeated for up to 5 s while it is refused: keys return to the
# quota when the kernel's key collector has run, shortly after their last
# holder exits.
take_again() {
	local kind=${*: -1}
	for _ in $(seq 50); do
		"${@:1:$#-1}" take "$kind"
		[ "$out" = "${refusal[$kind]}" ] || return 0
		sleep 0.1
	done
}

for kind in inotify sigqueue timer mqueue epoll pipe key; do
	want=${refusal[$kind]}
	host take "$kind"
	is "$out" ok "$kind: control: the host's root takes one"
	hoard "$kind" vserver "$ESC" exec /bin/vx-attack
	like "$HOARD" "^[1-9][0-9]* $want\$" "$kind: root inside $ESC takes every one it may, then $want"
	attack take "$kind"
	is "$out" "$want" "$kind: then root inside gets no more ($want)"
	host take "$kind"
	is "$out" ok "$kind: the host's root still gets one"
	run vserver "$OTHER" exec /bin/vx-attack take "$kind"
	is "$out" ok "$kind: root of another server still gets one"
	hoard_end
	take_again attack "$kind"
	is "$out" ok "$kind: once the hoarder is gone, root inside gets one again"
done

for kind in inotify sigqueue epoll pipe key; do
	want=${refusal[$kind]}
	hoard "$kind" "${AS_USER[@]}" chcontext --silent vx-attack
	like "$HOARD" "^[1-9][0-9]* $want\$" \
		"$kind: an ordinary user's sandbox takes every one the user may, then $want"
	run "${AS_USER[@]}" chcontext --silent vx-attack take "$kind"
	is "$out" "$want" "$kind: the same user's next sandbox gets none ($want): one budget"
	run "${AS_USER[@]}" vx-attack take "$kind"
	is "$out" "$want" "$kind: the same user on the host gets none ($want)"
	host take "$kind"
	is "$out" ok "$kind: control: the host's root, another user, still gets one"
	hoard_end
	take_again run "${AS_USER[@]}" vx-attack "$kind"
	is "$out" ok "$kind: once the sandbox is gone, the user gets one again"
done

restore_limits
escape_finish
