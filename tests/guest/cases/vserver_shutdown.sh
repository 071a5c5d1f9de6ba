#!/bin/bash
# The shutdown sequence runs: vserver stop, restart and a vreboot inside
# each run the server's K scripts (/etc/rc0.d/K*) before ending what is
# left, and say nothing but that the server stopped.  The server's one
# service writes a line when it is shut down cleanly (by its K script),
# and another when it is merely killed; the K script counts its runs.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

vx0_up

tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
# A service that needs a clean shutdown: "stop" asks it to flush (SIGUSR1)
# and waits for it to say so; a plain SIGTERM only says it was killed.
cat >"$tpl/etc/init.d/journal" <<'EOF'
#!/bin/sh
case $1 in
start)
	sh -c 'trap "echo clean >>/var/log/journal.state; exit 0" USR1
		trap "echo killed >>/var/log/journal.state; exit 0" TERM
		echo $$ >/run/journal.pid
		while :; do sleep 1; done' </dev/null >/dev/null 2>&1 &
	;;
stop)
	echo stop >>/var/log/journal.k-runs
	kill -USR1 "$(cat /run/journal.pid)"
	while kill -0 "$(cat /run/journal.pid)" 2>/dev/null; do sleep 0.1; done
	;;
esac
EOF
chmod 755 "$tpl/etc/init.d/journal"
mkdir -p "$tpl/var/log"
ln -s ../init.d/journal "$tpl/etc/rc3.d/S30journal"
ln -s ../init.d/journal "$tpl/etc/rc0.d/K10journal"
check_run "setup: build the server" 0 "" "vserver: built one in $VSERVER_ROOTDIR/one" \
	vserver one build --from "$tpl"
set_conf one IPROOT 127.1.0.2
set_conf one IPROOTDEV vx0
state=$VSERVER_ROOTDIR/one/var/log/journal.state
runs=$VSERVER_ROOTDIR/one/var/log/journal.k-runs

# wait_journal: until the server's service runs (its pid file names a live
# process of the server), at most 10 s.
wait_journal() {
	for _ in $(seq 100); do
		# shellcheck disable=SC2016 # (the script is for the server's shell)
		vserver one exec sh -c 'kill -0 "$(cat /run/journal.pid)"' 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

run vserver one start
is "$rc" 0 "start: the server starts"
wait_journal
is "$?" 0 "start: its service runs"

check_run "stop: says only that the server stopped" 0 "" "vserver: one stopped" vserver one stop
is "$(cat "$runs" 2>/dev/null)" "stop" "stop: the K script ran once"
is "$(cat "$state" 2>/dev/null)" "clean" "stop: the service was shut down cleanly, not killed"

run vserver one start
wait_journal
run vserver one restart
is "$rc" 0 "restart: exits 0"
is "$(printf '%s\n' "$err" | sed 's/context [0-9]*$/context N/')" \
	"vserver: one stopped
vserver: one started in context N" "restart: says only that the server stopped and started"
is "$(wc -l <"$runs")" 2 "restart: the K script ran again"
is "$(tail -n 1 "$state")" "clean" "restart: the service was shut down cleanly"
wait_journal
is "$?" 0 "restart: the service runs again"

rebootmgr --foreground >"$TEST_TMP/rebootmgr.log" 2>&1 &
mgr=$!
for _ in $(seq 50); do [ -S "$VSERVER_ROOTDIR/one/dev/reboot" ] && break; sleep 0.1; done
ctx=$(cat "$VSERVER_RUNDIR/one.ctx")
run vserver one exec /sbin/vreboot
is "$rc" 0 "vreboot: accepted"
wait_new_context one "$ctx"
wait_journal
is "$?" 0 "vreboot: the server and its service run again"
is "$(wc -l <"$runs")" 3 "vreboot: the K script ran"
is "$(tail -n 1 "$state")" "clean" "vreboot: the service was shut down cleanly"
if grep -E "failed|warning|No such file" "$TEST_TMP/rebootmgr.log"; then
	fail "vreboot: rebootmgr's restart logged no failure" "$(cat "$TEST_TMP/rebootmgr.log")"
else
	pass "vreboot: rebootmgr's restart logged no failure"
fi
kill "$mgr"
wait "$mgr" 2>/dev/null

check_run "stop: once more, quietly" 0 "" "vserver: one stopped" vserver one stop
is "$(grep -c killed "$state")" 0 "no stop ever had to kill the service"
is "$(host_leftovers one)" "" "nothing of the server is left on the host"

# A K script that hangs: stop gives up on the sequence after
# VSERVER_STOP_TIMEOUT, says so, and ends the server all the same.
printf '#!/bin/sh\nsleep 1000\n' >"$VSERVER_ROOTDIR/one/etc/rc0.d/K05hang"
chmod 755 "$VSERVER_ROOTDIR/one/etc/rc0.d/K05hang"
run vserver one start
wait_journal
began=$SECONDS
run env VSERVER_STOP_TIMEOUT=3 vserver one stop
is "$rc" 0 "hanging K script: stop exits 0"
like "$err" "the shutdown sequence of one failed; ending its processes" \
	"hanging K script: stop says the sequence did not finish"
took=$((SECONDS - began))
if [ "$took" -lt 30 ]; then
	pass "hanging K script: stop ends (in $took s)"
else
	fail "hanging K script: stop ends" "took $took s"
fi
is "$(vserver one running && echo running)" "" "hanging K script: nothing of the server runs"
is "$(host_leftovers one)" "" "hanging K script: nothing of the server is left on the host"
ip link del vx0
finish
