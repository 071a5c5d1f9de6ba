#!/bin/bash
# What the host hands a server when the administrator starts, enters or
# runs something in it, attacked by root inside the server (issue 10):
#  - CVE-2019-5736: a command of the server that is a link to
#    /proc/self/exe, and a library the server preloads, keep a descriptor
#    of the host's vserver-exec and rewrite it once it is no longer busy:
#    through exec, enter and stop; the host's binary must keep its bytes;
#  - CVE-2017-5226: a command run with vserver exec pushes a command line
#    into the administrator's terminal (TIOCSTI), whether that terminal is
#    its input or only its output; the host's shell must read nothing;
#  - descriptors: no process of a started server holds a file of the
#    host (the boot sequence's output went to the host's log file, which
#    root inside could then chmod 4755 through /proc/PID/fd/1).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

vx0_up

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
cp "$(command -v vx-attack)" "$tpl/bin/"
# A service that does not detach: it keeps the boot sequence's output.
printf '#!/bin/sh\nsleep 1000 &\n' >"$tpl/etc/rc3.d/S90lingering"
chmod 755 "$tpl/etc/rc3.d/S90lingering"
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
	# (the writer retries for 20 s while the copy runs; a loaded guest
	# stretches that: wait up to two minutes, by the clock)
	local end=$((SECONDS + 120))
	while [ ! -s "$result" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
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

# --- CVE-2017-5226: the administrator's terminal -------------------------
# shellcheck disable=SC2317 # (called through run)
onpty() { python3 "$VSERVER_REPO/tests/guest/lib/onpty.py" "$@"; }
# The administrator's shell on a terminal: it runs the command in the
# server ($1: with its input from the terminal, or from /dev/null), then
# reads a line from the terminal, as an interactive shell would.
# shellcheck disable=SC2016 # (the script is for the host's shell)
shell='if [ "$1" = tty ]; then
	"$0" one exec /bin/vx-attack tiocsti "touch /tmp/injected"
else
	"$0" one exec /bin/vx-attack tiocsti "touch /tmp/injected" </dev/null
fi
read -t 3 -r line; echo "host read: [$line]"'
# Kernels built without CONFIG_LEGACY_TIOCSTI (Debian's) refuse TIOCSTI
# to all but CAP_SYS_ADMIN (EIO) unless dev.tty.legacy_tiocsti is 1: the
# attack is made with it on, as on kernels that keep the old default.
tiocsti_sysctl=/proc/sys/dev/tty/legacy_tiocsti
legacy_tiocsti=$(cat "$tiocsti_sysctl" 2>/dev/null)
if [ "$legacy_tiocsti" = 0 ]; then
	printf '# dev.tty.legacy_tiocsti is 0 here: set to 1 for the attack, then restored\n'
	echo 1 >"$tiocsti_sysctl"
fi
run onpty bash -c "$shell" "$bin/vserver" tty
like "$out" "^ok 0$" "TIOCSTI, exec from a terminal: the command pushes into a terminal of its own"
like "$out" "^host read: \[\]$" "TIOCSTI, exec from a terminal: the host's shell reads nothing"
run onpty bash -c "$shell" "$bin/vserver" output
like "$out" "^ENOTTY$" "TIOCSTI, exec with the terminal as output only: no terminal to push into"
like "$out" "^host read: \[\]$" \
	"TIOCSTI, exec with the terminal as output only: the host's shell reads nothing"
[ "$legacy_tiocsti" != 0 ] || echo 0 >"$tiocsti_sysctl"

# --- descriptors of the host --------------------------------------------
# host_file_fds: every descriptor of every process of the server that is
# a file of the host: not a pipe, socket or anonymous inode, not a file of
# the server's tree, not one of the server's own terminals.  Looked at from
# inside (the spectator context may not read other contexts' descriptors),
# where a file of the server's tree is one find can reach from its root.
# shellcheck disable=SC2016 # (the script is for the server's shell)
host_file_fds() {
	vs one exec sh -c '
		root_dev=$(stat -c %d /)
		pts_dev=$(stat -c %d /dev/pts/ptmx)
		n=0
		for dir in /proc/[0-9]*/fd; do
			n=$((n + 1))
			for fd in "$dir"/*; do
				target=$(readlink "$fd") || continue
				case $target in pipe:* | socket:* | anon_inode:*) continue ;; esac
				set -- $(stat -L -c "%d %i" "$fd" 2>/dev/null)
				[ $# -eq 2 ] || continue
				[ "$1" = "$pts_dev" ] && continue
				[ "$1" = "$root_dev" ] && [ -n "$(find / -xdev -inum "$2" | head -n 1)" ] &&
					continue
				echo "$fd: $target"
			done
		done
		echo "$n processes"'
}
run vs one restart
is "$rc" 0 "setup: the server starts with a lingering service"
fds=$(host_file_fds)
like "$fds" "^[3-9] processes$" "setup: the check sees the server's processes"
is "$(printf '%s\n' "$fds" | grep -v ' processes$')" "" \
	"no process of the started server holds a file of the host"
log=$VSERVER_RUNDIR/one.log
mode=$(stat -c %a "$log")
for pid in $(vs one exec pidof sleep); do
	vs one exec chmod 4755 "/proc/$pid/fd/1" >/dev/null 2>&1
done
is "$(stat -c %a "$log")" "$mode" "chmod 4755 /proc/PID/fd/1 inside leaves the host's log file as it was"
run vs one exec sh -c 'ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2'
is "$(printf '%s\n' "$out" | grep -c -- '-> pipe:')" 3 "exec: the command's 0, 1 and 2 are pipes"
# The environment: an administrator's secrets (a token, an agent socket)
# stay on the host.
run env API_TOKEN=s3cret SSH_AUTH_SOCK=/tmp/agent.sock TERM=xterm "$bin/vserver" one exec env
is "$(printf '%s\n' "$out" | sed 's/=.*//' | sort | tr '\n' ' ')" "HOME LANG PATH TERM " \
	"exec: the command's environment is PATH, HOME, TERM and LANG"
like "$out" "TERM=xterm" "exec: the administrator's terminal type goes in"

check_run "cleanup: the server stops" 0 "" "vserver: one stopped" vs one stop
ip link del vx0
finish
