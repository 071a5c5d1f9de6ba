#!/bin/bash
# Two virtual servers, as their users meet them: built from the same tree,
# the same httpd configuration on port 80, two addresses; each serves its
# own page, sees only itself, and is watched, entered, rebooted and halted.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

ip link add vx0 type dummy
ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0
ip link set vx0 up

tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
for s in alpha beta; do
	check_run "build: vserver $s build --from a tree" 0 "" \
		"vserver: built $s in $VSERVER_ROOTDIR/$s" vserver "$s" build --from "$tpl"
done
is "$(grep -c '^ONBOOT=no$' "$VSERVER_CONFDIR/alpha.conf")" 1 "build: writes NAME.conf with the defaults"
is "$(cd "$VSERVER_ROOTDIR/alpha/dev" && printf '%s ' *)" \
	"fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " \
	"build: the server gets a minimal /dev, no host device"
is "$(cat "$VSERVER_ROOTDIR/alpha/etc/fstab")" \
	"# The virtual server has no file systems of its own to mount." "build: a dummy /etc/fstab"
is "$(cd "$VSERVER_ROOTDIR/alpha/sbin" && ls vhalt vreboot | tr '\n' ' ')" "vhalt vreboot " \
	"build: vreboot and vhalt are installed in the server"

echo "I am alpha" >"$VSERVER_ROOTDIR/alpha/var/www/index.html"
echo "I am beta" >"$VSERVER_ROOTDIR/beta/var/www/index.html"
set_conf alpha IPROOT 127.1.0.2
set_conf beta IPROOT 127.1.0.3
for s in alpha beta; do
	set_conf $s IPROOTDEV vx0
done
set_conf alpha ONBOOT yes

for s in alpha beta; do
	run vserver "$s" start
	is "$rc" 0 "start: $s starts"
	[ "$rc" = 0 ] || fail "start: $s output" "$out" "$err"
done
wait_http http://127.1.0.2/ && wait_http http://127.1.0.3/
is "$(fetch http://127.1.0.2/)" "I am alpha" "the first address serves alpha's page"
is "$(fetch http://127.1.0.3/)" "I am beta" "the second address serves beta's page"
# (each httpd is a wildcard of its server's address and loopback address:
# ss shows 0.0.0.0:80 twice, which two unlimited wildcards could not be)
is "$(ss -ltnH 'sport = :80' | awk '{ print $4 }' | tr '\n' ' ')" "0.0.0.0:80 0.0.0.0:80 " \
	"both httpd listen on port 80, each a wildcard of its own server's addresses"
like "$(fetch http://127.1.0.1/)" "^error: .*(refused|Connection)" \
	"neither answers on an address of neither server (vx0's own, 127.1.0.1)"
like "$(ip -o -4 addr show dev vx0)" "127.1.0.2/24 brd 127.1.0.255 scope [a-z]+ secondary vx0:alpha" \
	"start: the alias is on IPROOTDEV, labelled with the server's name"

ctx_a=$(cat "$VSERVER_RUNDIR/alpha.ctx")
ctx_b=$(cat "$VSERVER_RUNDIR/beta.ctx")
if [ "$ctx_a" != "$ctx_b" ]; then
	pass "each server has its own context ($ctx_a, $ctx_b)"
else
	fail "each server has its own context" "$ctx_a $ctx_b"
fi

# From inside: only its own processes, nothing of the host.
run vserver alpha exec ps -o pid,comm
like "$out" "httpd" "exec: ps inside alpha shows its httpd"
is "$(printf '%s\n' "$out" | grep -c httpd)" 1 "exec: ps inside alpha shows one httpd, not beta's"
bg_start sleep 1000
host_pid=$!
run vserver alpha exec kill -0 "$host_pid"
is "$rc" 1 "exec: alpha cannot signal a host process"
like "$err" "No such process" "exec: the host process does not exist for alpha"
is "$([ -e "/proc/$host_pid" ] && echo alive)" alive "the host process is still alive"
run vserver alpha exec hostname
is "$out" alpha "exec: the server's host name is its name (S_HOSTNAME)"
run vserver alpha exec cat /proc/self/status
like "$out" "ipv4root:	127.1.0.2" "exec: the server is locked to its address"

# From the host: vps names both with their address, vserver-stat counts
# them.
run vps ax
like "$out" "$ctx_a +alpha +127\.1\.0\.2 .*httpd" "vps from the host shows alpha's httpd with its name and address"
like "$out" "$ctx_b +beta +127\.1\.0\.3 .*httpd" "vps from the host shows beta's httpd with its name and address"
run vserver-stat
like "$out" "^$ctx_a +1 .* alpha +127\.1\.0\.2$" "vserver-stat counts alpha's one process, at its address"
like "$out" "^$ctx_b +1 .* beta +127\.1\.0\.3$" "vserver-stat counts beta's one process, at its address"

# enter: a root shell on a new terminal.
run sh -c 'printf "tty; hostname; id -u; exit 7\n" | vserver alpha enter'
like "$out" "/dev/pts/0" "enter: the shell runs on the server's own terminal"
like "$out" "alpha" "enter: the shell runs in alpha"
is "$rc" 7 "enter: the shell's exit status comes back"

# The root barrier: a kept CAP_SYS_CHROOT cannot climb out.
touch "$TEST_TMP/host-marker"
run vserver alpha exec vx-chroot-escape "$TEST_TMP/host-marker"
is "$out" contained "a double-chroot escape inside the server stays in the server"
run vx-chroot-escape "$TEST_TMP/host-marker"
is "$out" escaped "(control) the same escape under a plain chroot on the host gets out"

# vreboot inside alpha restarts alpha only; vhalt stops it.
rebootmgr --foreground >"$TEST_TMP/rebootmgr.log" 2>&1 &
mgr=$!
for _ in $(seq 50); do [ -S "$VSERVER_ROOTDIR/alpha/dev/reboot" ] && break; sleep 0.1; done
run vserver alpha exec /sbin/vreboot
is "$rc" 0 "vreboot inside alpha is accepted"
wait_new_context alpha "$ctx_a"
if [ -n "$new" ] && [ "$new" != "$ctx_a" ]; then
	pass "vreboot: alpha runs again in a new context ($new)"
else
	fail "vreboot: alpha runs again in a new context" "$(cat "$TEST_TMP/rebootmgr.log")"
fi
wait_http http://127.1.0.2/
is "$(fetch http://127.1.0.2/)" "I am alpha" "vreboot: alpha's service is back"
is "$(cat "$VSERVER_RUNDIR/beta.ctx")" "$ctx_b" "vreboot: beta was not touched"
run vserver alpha exec /sbin/vhalt
is "$rc" 0 "vhalt inside alpha is accepted"
# rebootmgr's "vserver alpha stop" runs on its own: wait for it to finish.
for _ in $(seq 100); do
	! vserver alpha running && [ -z "$(host_leftovers alpha)" ] && break
	sleep 0.2
done
run vserver alpha status
is "$out" "alpha is stopped" "vhalt: alpha is stopped"
is "$rc" 3 "status of a stopped server exits 3"
is "$(host_leftovers alpha)" "" "stop: no alias, mount, cgroup or run file of alpha is left"
like "$(vserver beta status)" "beta is running" "vhalt: beta still runs"

# vservers start: exactly the ONBOOT servers.
run vserver beta stop
is "$rc" 0 "stop: beta stops"
run vservers start
is "$rc" 0 "vservers start succeeds"
is "$(vservers status | awk '{ print $1, $3 }' | tr '\n' ' ')" "alpha running beta stopped " \
	"vservers start started exactly the ONBOOT=yes server"
run vservers stop
is "$rc" 0 "vservers stop succeeds"
is "$(vservers status | awk '{ print $3 }' | sort -u)" stopped "vservers stop stopped them all"
is "$(host_leftovers alpha)$(host_leftovers beta)" "" "nothing of either server is left on the host"

kill "$mgr" 2>/dev/null
wait "$mgr" 2>/dev/null
finish
