#!/bin/bash
# vserver NAME enter with its input from a pipe or /dev/null, as scripts
# use it: the shell gets every line, then the end of the input, and the
# command returns (it waited forever in 3 of 5 tries when the end-of-file
# character reached the terminal before the shell had set it up); the
# login shell starts in root's home.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

vx0_up
make_busybox_tree "$TEST_TMP/tpl"
check_run "setup: build the server" 0 "" "vserver: built one in $VSERVER_ROOTDIR/one" \
	vserver one build --from "$TEST_TMP/tpl"
set_conf one IPROOT 127.1.0.2
set_conf one IPROOTDEV vx0
run vserver one start
is "$rc" 0 "setup: the server starts"

for i in 1 2 3 4 5 6 7 8; do
	# shellcheck disable=SC2016 # (the script is for sh)
	run timeout 20 sh -c 'printf "echo hi-%s\n" "$1" | vserver one enter' sh "$i"
	is "$rc" 0 "enter with piped input returns, try $i"
	like "$out" "^hi-$i" "enter with piped input runs the line, try $i"
done
for i in 1 2 3 4; do
	run timeout 20 vserver one enter
	is "$rc" 0 "enter with input from /dev/null returns, try $i"
done
run timeout 20 sh -c 'printf "pwd\n" | vserver one enter'
like "$out" "^/root" "enter: the login shell starts in root's home"

check_run "cleanup: the server stops" 0 "" "vserver: one stopped" vserver one stop
ip link del vx0
finish
