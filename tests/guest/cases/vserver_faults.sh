#!/bin/bash
# What goes wrong, said clearly, and a failed start leaves nothing: no
# alias, mount, cgroup, run file or process.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

ip link add vx0 type dummy
ip addr add 127.4.0.1/24 dev vx0
ip link set vx0 up
make_busybox_tree "$TEST_TMP/template"
for s in one two stubborn far; do
	vserver "$s" build --from "$TEST_TMP/template" >/dev/null 2>&1
	set_conf "$s" IPROOTDEV vx0
done
set_conf one IPROOT 127.4.0.2
set_conf two IPROOT 127.4.0.2
set_conf stubborn IPROOT 127.4.0.3
conf=$VSERVER_CONFDIR

nothing_left() { # NAME WHAT
	is "$(host_leftovers "$1")" "" "$2: nothing of $1 is left on the host"
	is "$(vserver "$1" running && echo running)" "" "$2: no process of $1 runs"
}

# Configuration faults: one line, status 1, nothing set up.
check_run "a missing configuration" 1 "" \
	"vserver: no configuration $conf/none.conf (make one with: vserver none build)" \
	vserver none start
cp "$conf/one.conf" "$TEST_TMP/one.conf"
echo "IPROOT 127.4.0.9" >>"$conf/one.conf"
check_run "a malformed line" 1 "" \
	"vserver: $conf/one.conf: line $(wc -l <"$conf/one.conf"): not a KEY=value assignment" \
	vserver one start
cp "$TEST_TMP/one.conf" "$conf/one.conf"
echo "S_COLOR=blue" >>"$conf/one.conf"
check_run "an unknown key" 1 "" \
	"vserver: $conf/one.conf: line $(wc -l <"$conf/one.conf"): unknown key S_COLOR" \
	vserver one start
cp "$TEST_TMP/one.conf" "$conf/one.conf"
set_conf one S_CAPS CAP_FLY
check_run "an unknown capability in S_CAPS" 1 "" \
	"vserver: $conf/one.conf: unknown capability 'CAP_FLY'" vserver one start
cp "$TEST_TMP/one.conf" "$conf/one.conf"
nothing_left one "after the configuration faults"

# Start twice; the same address twice; stop a stopped server.
run vserver one start
is "$rc" 0 "one starts"
check_run "start twice" 1 "" "vserver: one is already running (context $(cat "$VSERVER_RUNDIR/one.ctx"))" \
	vserver one start
check_run "an address a running server uses" 1 "" \
	"vserver: 127.4.0.2 is already used by the running server one" vserver two start
nothing_left two "after the refused start"
run vserver one stop
is "$rc" 0 "one stops"
check_run "stop a stopped server" 1 "" "vserver: one is not running" vserver one stop

# A start whose boot sequence leaves no process: undone completely.
rm "$VSERVER_ROOTDIR/two/etc/rc3.d/S20httpd"
run vserver two start
is "$rc" 1 "a server whose boot starts nothing did not start"
like "$err" "two did not start: no process of it is left" "it says why"
nothing_left two "after the empty boot"
# A start whose command cannot run: undone completely.
set_conf two S_FLAGS fakeinit
rm "$VSERVER_ROOTDIR/two/sbin/init"
run vserver two start
is "$rc" 1 "a fakeinit server without /sbin/init did not start"
like "$err" "two did not start" "it says so"
nothing_left two "after the missing init"

# An address the kernel will not add (an interface whose MTU is below
# IPv4's minimum has no IPv4 at all): one line, and the start is undone.
ip link add vx9 type dummy
ip link set vx9 mtu 60 up
set_conf far IPROOT 127.4.0.7
set_conf far IPROOTDEV vx9
set_conf far IPROOTMASK 24
run vserver far start
is "$rc" 1 "a server whose address cannot be added did not start"
like "$err" "^vserver: far did not start: cannot add 127.4.0.7/24 to vx9: " "it says why"
is "$(printf '%s\n' "$err" | wc -l)" 1 "in one line"
nothing_left far "after the refused address"

# A process that ignores SIGTERM: stop ends it with SIGKILL.
cat >"$VSERVER_ROOTDIR/stubborn/etc/init.d/stubborn" <<'EOF'
#!/bin/sh
trap '' TERM
sleep 100000 &
wait
EOF
chmod 755 "$VSERVER_ROOTDIR/stubborn/etc/init.d/stubborn"
printf '#!/bin/sh\n/etc/init.d/stubborn </dev/null >/dev/null 2>&1 &\n' \
	>"$VSERVER_ROOTDIR/stubborn/etc/rc3.d/S30stubborn"
chmod 755 "$VSERVER_ROOTDIR/stubborn/etc/rc3.d/S30stubborn"
run vserver stubborn start
is "$rc" 0 "a server with a process that ignores SIGTERM starts"
start=$SECONDS
run vserver stubborn stop
is "$rc" 0 "stop succeeds anyway"
like "$err" "processes left 3 s after SIGTERM get SIGKILL" "stop says it used SIGKILL"
if [ $((SECONDS - start)) -lt 15 ]; then pass "within the timeout (VSERVER_STOP_TIMEOUT=3)"; else
	fail "within the timeout" "$((SECONDS - start)) s"; fi
nothing_left stubborn "after stop"

# rebootmgr killed and restarted: vreboot works again.
run vserver one start
rebootmgr --foreground >"$TEST_TMP/mgr1.log" 2>&1 &
mgr=$!
for _ in $(seq 50); do [ -S "$VSERVER_ROOTDIR/one/dev/reboot" ] && break; sleep 0.1; done
kill -KILL "$mgr"
wait "$mgr" 2>/dev/null
run vserver one exec /sbin/vreboot
is "$rc" 1 "vreboot without a reboot manager fails"
like "$err" "vreboot: " "it says why in one line"
is "$(vserver one status | cut -d' ' -f1-3)" "one is running" "the server was not touched"
rebootmgr --foreground >"$TEST_TMP/mgr2.log" 2>&1 &
mgr=$!
for _ in $(seq 50); do grep -q . "$TEST_TMP/mgr2.log" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
ctx=$(cat "$VSERVER_RUNDIR/one.ctx")
run vserver one exec /sbin/vhalt
is "$rc" 0 "after a restart of rebootmgr the stale socket is replaced: vhalt works"
for _ in $(seq 100); do [ -z "$(host_leftovers one)" ] && break; sleep 0.2; done
is "$(vserver one running && echo running)" "" "vhalt stopped one (context $ctx)"
kill "$mgr" 2>/dev/null
wait "$mgr" 2>/dev/null
finish
