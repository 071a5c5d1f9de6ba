#!/bin/bash
# The secure server's log (issue 13; the paper's section 3.3): with
# SYSLOG=host a server's /dev/log is vsyslogd's socket, whose messages reach
# the host's syslog (here busybox syslogd, writing $HOSTLOG) tagged
# vserver/NAME on the host's side:
#  - logger and syslog(3) inside the server, unconfigured, reach the host's
#    log with the server's name;
#  - root inside cannot forge another server's tag or the host's programs
#    (a newline in a datagram, a tag of its own, a kernel priority), cannot
#    see, signal, read or truncate the relay or the host's log, and a flood
#    is cut to the relay's rate;
#  - a /dev/log turned into a symbolic link before a start is replaced, not
#    followed; a /dev that is a link is refused, leaving nothing behind;
#  - start, stop and a failed start are in the host's log (who, server,
#    context, result); stop leaves no relay and no socket;
#  - a server whose processes all end without a stop is in the host's log
#    at once, and its relay, socket, cgroup and run files are released;
#  - with SYSLOG=server the messages stay inside the server.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"
# ($rc, $out and $err come from run in testlib.sh)
# shellcheck disable=SC2154

A=127.1.0.2
B=127.1.0.3
HOSTLOG=$TEST_TMP/hostlog/messages
A_ROOT=$VSERVER_ROOTDIR/alpha

# log_has PATTERN: true once a line of the host's log matches PATTERN (an
# extended regular expression); waits at most 10 s.
log_has() {
	local deadline=$((SECONDS + 10))
	until grep -Eq -- "$1" "$HOSTLOG" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# log_lines PATTERN: the host's log lines with the fixed string PATTERN.
log_lines() { grep -F -- "$1" "$HOSTLOG" 2>/dev/null || :; }

# syslog_files NAME: how many pid files of a relay of NAME there are (0 or 1).
syslog_files() { find "$VSERVER_RUNDIR" -name "$1.syslog" | wc -l; }

# relay_pid NAME: the pid of NAME's vsyslogd (from its pid file), or "".
relay_pid() { sed -n 1p "$VSERVER_RUNDIR/$1.syslog" 2>/dev/null || :; }

# ---- the host's syslog ----
mkdir -p "${HOSTLOG%/*}"
rm -f "$HOSTLOG" /dev/log
bg_start busybox syslogd -n -O "$HOSTLOG"
escape_track "$!"
deadline=$((SECONDS + 10))
until [ -S /dev/log ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
logger -t hostcheck "host syslog up"
if ! log_has "hostcheck: host syslog up"; then
	escape_abort "busybox syslogd writes $HOSTLOG" "$(cat "$HOSTLOG" 2>&1)"
fi
pass "setup: busybox syslogd on the host's /dev/log writes $HOSTLOG"

# ---- start ----
# (vx-syslog: syslog(3) and raw datagrams from inside; static)
make_busybox_tree "$ESC_TEMPLATE"
cp "$(command -v vx-attack)" "$(command -v vx-netprobe)" "$(command -v vx-syslog)" \
	"$ESC_TEMPLATE/bin/"
escape_server alpha "$A"
is "$(grep -c '^SYSLOG=host$' "$VSERVER_CONFDIR/alpha.conf")" 1 \
	"build: a new server's configuration has SYSLOG=host"
ctx=$(cat "$VSERVER_RUNDIR/alpha.ctx")
rpid=$(relay_pid alpha)
is "$(field "$rpid" Name) $(field "$rpid" s_context)" "vsyslogd 0" \
	"start: alpha's relay vsyslogd runs in the host's context 0"
check_run "inside alpha: /dev/log is a socket anyone may write to" 0 "srw-rw-rw-" "" \
	vserver alpha exec sh -c 'ls -l /dev/log | cut -c1-10'
like "$(log_lines "vserver: alpha: start")" \
	"vserver: alpha: start by root \(uid 0\): started in context $ctx\$" \
	"host log: the start, who asked and the context"

# ---- logging from inside ----
vserver alpha exec logger -t sshd "mark1 Accepted password for root"
log_has "vserver/alpha: sshd: mark1 Accepted password for root\$"
is "$?" 0 "logger inside alpha: in the host's log, tagged vserver/alpha"
vserver alpha exec vx-syslog syslog cron "mark2 (root) CMD (run-parts)"
log_has "vserver/alpha: cron\[[0-9]+\]: mark2 \(root\) CMD \(run-parts\)\$"
is "$?" 0 "syslog(3) inside alpha: in the host's log, tagged vserver/alpha"
like "$(log_lines mark2)" "user\.notice vserver/alpha: " \
	"syslog(3) inside alpha: its facility and priority are kept (user.notice)"

# ---- forgeries ----
vserver alpha exec vx-syslog raw /dev/log \
	'<13>vserver/beta: mark3 forged\n<13>Dec  1 00:00:00 sshd: mark3 host forged'
log_has mark3
is "$(log_lines mark3 | wc -l) $(log_lines mark3 | grep -c ' user\.notice vserver/alpha: vserver/beta: mark3 forged#012<13>Dec  1 00:00:00 sshd: mark3 host forged$')" \
	"1 1" "a datagram with a newline, another server's tag and the host's: one line, tagged vserver/alpha"
vserver alpha exec vx-syslog raw /dev/log '<6>kernel: mark4 Oops'
log_has mark4
like "$(log_lines mark4)" " user\.info vserver/alpha: kernel: mark4 Oops\$" \
	"a kernel priority (kern.info) from a server is logged as user.info"
vserver alpha exec vx-syslog raw /dev/log '<13>Jan  1 00:00:00 mark5 stamp'
log_has mark5
is "$(log_lines mark5 | grep -c 'Jan  1 00:00:00')" 0 \
	"the server's time stamp is replaced by the host's"
vx-syslog raw "$A_ROOT/dev/log" "mark6 from a host process"
log_has mark6
like "$(log_lines mark6)" "vserver/alpha: \[from the host: pid [0-9]+, uid 0\] mark6 from a host process\$" \
	"a host process writing to alpha's socket is marked as such"
# A sender gone before the relay reads its message reads as its pid even
# from a server: the relay, stopped meanwhile, must not take it for the
# host's.
kill -STOP "$rpid"
vserver alpha exec vx-syslog raw /dev/log '<13>mark20 sent and gone'
kill -CONT "$rpid"
log_has mark20
like "$(log_lines mark20)" " user\.notice vserver/alpha: mark20 sent and gone\$" \
	"attack: a server's sender gone before the relay read it is not marked as the host's"

# ---- out of the server's reach ----
size=$(stat -c %s "$HOSTLOG")
run vserver alpha exec cat "$HOSTLOG"
like "$rc $err" "^1 .*No such file" "inside alpha: the host's log file is not there to read"
# (the control: a file of its own with those words is found)
run vserver alpha exec sh -c "echo 'mark1 Accepted' >/root/control &&
	find / -xdev -type f | xargs grep -l 'mark1 Accepted'; rm /root/control"
is "$out" "/root/control" "inside alpha: no file of its tree holds what it logged"
run vserver alpha exec sh -c "mkdir -p ${HOSTLOG%/*} && : >$HOSTLOG && echo forged >$HOSTLOG"
[ "$(stat -c %s "$HOSTLOG")" -ge "$size" ] && log_has mark1
is "$?" 0 "inside alpha: writing to that path leaves the host's log whole"
run vserver alpha exec ls "/proc/$rpid"
like "$rc $err" "^1 .*No such file" "inside alpha: the relay's /proc/$rpid does not exist"
run vserver alpha exec kill -KILL "$rpid"
is "$rc $(alive "$rpid")" "1 alive" "inside alpha: kill -KILL of the relay fails, it lives"
vserver alpha exec logger -t sshd "mark7 still relayed"
log_has "vserver/alpha: sshd: mark7 still relayed"
is "$?" 0 "after the attacks, alpha's messages still reach the host"

# ---- a flood ----
run vserver alpha exec vx-syslog flood /dev/log 3000
log_has "vsyslogd\[$rpid\]: alpha: [0-9]+ messages dropped \(more than 100 a second\)"
is "$?" 0 "a flood of 3000 messages: the relay reports the ones it dropped"
flooded=$(log_lines "vserver/alpha: flood: " | wc -l)
if [ "$flooded" -ge 900 ] && [ "$flooded" -lt 3000 ]; then
	pass "a flood: the host's log got the burst ($flooded of 3000), not the flood"
else
	fail "a flood: the host's log got the burst, not the flood" "got $flooded lines of 3000 sent ($out)"
fi

# ---- stop ----
run vserver alpha stop
is "$rc" 0 "stop: alpha stops"
is "$(alive "$rpid") $(find "$A_ROOT/dev" -name log | wc -l) $(syslog_files alpha)" \
	"gone 0 0" "stop: no relay, no /dev/log socket, no pid file left"
like "$(log_lines "vserver: alpha: stop")" \
	"vserver: alpha: stop by root \(uid 0\): stopped \(context $ctx\)\$" \
	"host log: the stop, who asked and the context"

# ---- the server's root prepares its tree for the next start ----
echo "host secret" >"$TEST_TMP/victim"
ln -s "$TEST_TMP/victim" "$A_ROOT/dev/log"
run vserver alpha start
is "$rc $(cat "$TEST_TMP/victim") $(stat -c %F "$A_ROOT/dev/log")" "0 host secret socket" \
	"start: a /dev/log made a link to a host file is replaced, the file intact"
vserver alpha exec logger -t sshd "mark8 after the link"
log_has "vserver/alpha: sshd: mark8 after the link"
is "$?" 0 "start: the new socket relays"
run vserver alpha stop
mkdir -p "$TEST_TMP/victimdir"
mv "$A_ROOT/dev" "$A_ROOT/dev.real"
ln -s "$TEST_TMP/victimdir" "$A_ROOT/dev"
run vserver alpha start
like "$rc $err" "^1 vserver: alpha did not start: SYSLOG=host: .*/alpha/dev is not a directory" \
	"start: a /dev made a link to a host directory is refused"
is "$(ls -A "$TEST_TMP/victimdir") $(syslog_files alpha) $(host_leftovers alpha)" \
	" 0 " "start refused: no socket in the host directory, no relay, nothing left"
like "$(log_lines "vserver: alpha: start" | tail -n 1)" \
	"vserver: alpha: start by root \(uid 0\): failed: alpha did not start: SYSLOG=host: .*dev is not a directory" \
	"host log: the failed start and why"
rm "$A_ROOT/dev"
mv "$A_ROOT/dev.real" "$A_ROOT/dev"

# ---- a server that ends on its own ----
# (every process of it ends, no stop: the watcher its start left notices)
run vserver alpha start
ctx=$(cat "$VSERVER_RUNDIR/alpha.ctx")
rpid=$(relay_pid alpha)
cg=$(cat "$VSERVER_RUNDIR/alpha.cgroup")
watcher=$(pgrep -n -f -- "--wait-empty $cg ")
is "$(field "$watcher" s_context)" 0 "start: alpha's watcher waits in the host's context 0"
echo 1 >"$cg/cgroup.kill"
log_has "vserver: alpha: ended on its own: no process of context $ctx is left"
is "$?" 0 "host log: a server whose processes all ended without a stop, and its context"
for _ in $(seq 100); do
	[ -e "$VSERVER_RUNDIR/alpha.ctx" ] || [ "$(alive "$watcher")" = alive ] || break
	sleep 0.1
done
is "$(alive "$rpid") $(find "$A_ROOT/dev" -name log | wc -l) $(syslog_files alpha) $(host_leftovers alpha)" \
	"gone 0 0 " "ended on its own: its relay, socket, namespace, cgroup and run files are released at once"
is "$(alive "$watcher")" gone "ended on its own: the watcher is gone too"
check_run "ended on its own: status says alpha is stopped" 3 "alpha is stopped" "" \
	vserver alpha status
# A stop ends the watcher without a word in the log.
run vserver alpha start
cg=$(cat "$VSERVER_RUNDIR/alpha.cgroup")
watcher=$(pgrep -n -f -- "--wait-empty $cg ")
run vserver alpha stop
for _ in $(seq 50); do [ "$(alive "$watcher")" = gone ] && break; sleep 0.1; done
is "$(alive "$watcher") $(log_lines "ended on its own" | wc -l)" "gone 1" \
	"after a stop the watcher is gone, and the log has no second 'ended on its own'"

# ---- SYSLOG=server ----
escape_server beta "$B" SYSLOG=server
is "$(syslog_files beta) $(stat -c %F "$VSERVER_ROOTDIR/beta/dev/log" 2>&1 | grep -c socket)" \
	"0 0" "SYSLOG=server: no relay, no /dev/log made by the host"
vserver beta exec sh -c 'mkdir -p /var/log && syslogd -O /var/log/messages'
# shellcheck disable=SC2016 # (for the server's shell)
vserver beta exec sh -c 'for i in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done'
vserver beta exec logger -t sshd "mark9 inside beta"
for _ in $(seq 50); do
	grep -q mark9 "$VSERVER_ROOTDIR/beta/var/log/messages" 2>/dev/null && break
	sleep 0.1
done
is "$(grep -c mark9 "$VSERVER_ROOTDIR/beta/var/log/messages" 2>&1) $(log_lines mark9 | wc -l)" "1 0" \
	"SYSLOG=server: the message stays in the server's own log, not the host's"

# (the host's syslog goes with its socket: later cases of a shared boot)
escape_cleanup
rm -f /dev/log
finish
