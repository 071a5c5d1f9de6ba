#!/bin/bash
# Fail-over as the seed describes it: stop the server, copy NAME.conf and
# its tree to the other machine (here: a second set of vserver
# directories), start it there; nothing to adjust. And what an entered
# server gets of the caller: no descriptor beyond 0, 1 and 2.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

ip link add eth0 type dummy
ip addr add 127.5.0.1/24 dev eth0
ip link set eth0 up
make_busybox_tree "$TEST_TMP/template"
vserver mover build --from "$TEST_TMP/template" >/dev/null 2>&1
echo "I move" >"$VSERVER_ROOTDIR/mover/var/www/index.html"
set_conf mover IPROOT 127.5.0.2
set_conf mover IPROOTDEV eth0
run vserver mover start
is "$rc" 0 "the server starts on the first machine"
wait_http http://127.5.0.2/
is "$(fetch http://127.5.0.2/)" "I move" "it serves its page there"

exec 7<"$TEST_TMP/template/etc/passwd"
is "$(vserver mover exec ls /proc/self/fd | sort -n | tr '\n' ' ')" "0 1 2 3 " \
	"exec: only 0, 1, 2 (and ls's own directory) inside, not the caller's descriptor 7"
exec 7<&-

run vserver mover stop
is "$rc" 0 "1. vserver mover stop"
other=$TEST_TMP/other
mkdir -p "$other/etc" "$other/vservers" "$other/run"
cp "$VSERVER_CONFDIR/mover.conf" "$other/etc/"
cp -a "$VSERVER_ROOTDIR/mover" "$other/vservers/"
pass "2. copy mover.conf and /vservers/mover to the other machine"
VSERVER_CONFDIR=$other/etc VSERVER_ROOTDIR=$other/vservers VSERVER_RUNDIR=$other/run \
	run vserver mover start
is "$rc" 0 "3. vserver mover start on the other machine, nothing adjusted"
wait_http http://127.5.0.2/
is "$(fetch http://127.5.0.2/)" "I move" "the moved server serves its page"
like "$(VSERVER_CONFDIR=$other/etc VSERVER_ROOTDIR=$other/vservers VSERVER_RUNDIR=$other/run \
	vserver mover status)" "mover is running" "it runs from the other machine's directories"
VSERVER_CONFDIR=$other/etc VSERVER_ROOTDIR=$other/vservers VSERVER_RUNDIR=$other/run \
	run vserver mover stop
is "$rc" 0 "and stops there"
finish
