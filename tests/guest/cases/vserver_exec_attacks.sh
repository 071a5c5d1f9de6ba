#!/bin/bash
# What the host hands a server when the administrator starts, enters or
# runs something in it, attacked by root inside the server (issue 10):
#  - CVE-2019-5736: a command of the server that is a link to
#    /proc/self/exe, and a library the server preloads, keep a descriptor
#    of the host's vserver-exec and rewrite it once it is no longer busy:
#    through exec, enter and stop; the host's binary must keep its bytes.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

ip link add vx0 type dummy &&
	ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
	ip link set vx0 up
is "$?" 0 "setup: a dummy interface vx0"

# The tools from a writable copy: the guest's root is read-only, and the
# attack is a write to the host's vserver-exec.
bin=$TEST_TMP/bin
mkdir -p "$bin"
cp "$(command -v vserver-exec)" "$bin/"
ln -s "$(readlink -f "$(command -v vserver)")" "$bin/vserver"
ln -s "$(readlink -f "$(dirname "$(command -v vserver)")/lib")" "$bin/lib"
# shellcheck disable=SC2317 # (called through run and check_run)
vs() { "$bin/vserver" "$@"; }
exe_sum() { sha256sum <"$bin/vserver-exec"; }
pristine=$(exe_sum)

tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
check_run "setup: build the server" 0 "" "vserver: built one in $VSERVER_ROOTDIR/one" \
	vs one build --from "$tpl"
set_conf one IPROOT 127.1.0.2
set_conf one IPROOTDEV vx0
root=$VSERVER_ROOTDIR/one
run vs one start
is "$rc" 0 "setup: the server starts"

# --- CVE-2019-5736: rewriting the entering binary ------------------------
cp "$(command -v vx-exe-writer)" "$root/bin/"
cp "$(dirname "$(command -v vx-exe-writer)")/vx-preload-exe.so" "$root/lib/"
echo /lib/vx-preload-exe.so >"$root/etc/ld.so.preload"
mkdir -p "$root/usr/local/bin"
ln -s /proc/self/exe "$root/usr/local/bin/admin-tool"
result=$root/tmp/vx-exe-writer.result

# exe_attack WHAT CMD...: run CMD (which makes the server run its link to
# /proc/self/exe), wait for the writer inside to give up or succeed, and
# check that it failed and the host's vserver-exec kept its bytes.
exe_attack() {
	local what=$1
	shift
	rm -f "$result"
	"$@" </dev/null >/dev/null 2>&1
	for _ in $(seq 300); do [ -s "$result" ] && break; sleep 0.1; done
	if [ -s "$result" ] && [ "$(cat "$result")" != wrote ]; then
		pass "$what: the server's writer is refused ($(cat "$result"))"
	else
		fail "$what: the server's writer is refused" "got: $(cat "$result" 2>/dev/null || echo nothing)"
	fi
	is "$(exe_sum)" "$pristine" "$what: the host's vserver-exec keeps its bytes"
}

exe_attack "exec of a link to /proc/self/exe" vs one exec /usr/local/bin/admin-tool
mv "$root/bin/sh" "$root/bin/sh.real"
ln -s /proc/self/exe "$root/bin/sh"
exe_attack "stop, whose shutdown sequence runs /bin/sh" vs one stop
rm "$root/bin/sh"
mv "$root/bin/sh.real" "$root/bin/sh"
run vs one start
is "$rc" 0 "setup: the server starts again"
ln -s /proc/self/exe "$root/bin/bash"
exe_attack "enter, which runs /bin/bash" vs one enter
rm "$root/bin/bash" "$root/etc/ld.so.preload"

check_run "cleanup: the server stops" 0 "" "vserver: one stopped" vs one stop
ip link del vx0
finish
