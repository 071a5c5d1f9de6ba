# Shared functions of the guest tests that run whole virtual servers
# (vserver build/start/stop): small server trees and movable vserver
# directories.  Source it after testlib.sh.
# shellcheck shell=bash

# Everything vserver reads and writes lives under the test's tmpfs.
VS_TOP=$TEST_TMP/vs
export VSERVER_CONFDIR=$VS_TOP/etc
export VSERVER_ROOTDIR=$VS_TOP/vservers
export VSERVER_RUNDIR=$VS_TOP/run
export VSERVER_GLOBAL_CONF=$VS_TOP/vservers.conf
export VSERVER_STOP_TIMEOUT=3
mkdir -p "$VSERVER_CONFDIR" "$VSERVER_ROOTDIR" "$VSERVER_RUNDIR"

# vx0_up: a dummy interface vx0 with 127.1.0.1/24, whose subnet gives the
# servers their addresses (127.1.0.2 ...); a test of its own.
vx0_up() {
	ip link add vx0 type dummy &&
		ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
		ip link set vx0 up
	is "$?" 0 "setup: a dummy interface vx0"
}

# make_busybox_tree DIR: a small Linux system for a server: busybox-static,
# the C library (for the project's vreboot/vhalt and helpers), users, and a
# SysV rc with one service, busybox httpd on port 80 serving /var/www.
make_busybox_tree() {
	local dir=$1 applet lib
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,etc/rc3.d,etc/rc0.d,var/www,root,lib,lib64}
	cp /usr/bin/busybox "$dir/bin/busybox"
	for applet in $(/usr/bin/busybox --list); do
		[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
	done
	# The project's dynamically linked programs need the C library.
	for lib in $(ldd "$(command -v vreboot)" "$(command -v vx-chroot-escape)" |
		awk '$2 == "=>" { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }' | sort -u); do
		mkdir -p "$dir$(dirname "$lib")"
		cp -L "$lib" "$dir$lib"
	done
	cp "$(command -v vx-chroot-escape)" "$dir/bin/"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$dir/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$dir/etc/group"
	cat >"$dir/etc/init.d/httpd" <<-'EOF'
	#!/bin/sh
	# busybox httpd on port 80 of every address: the configuration is the
	# same in every server; the address comes from the server's IPv4 root.
	case $1 in
	start) httpd -p 80 -h /var/www ;;
	stop) killall httpd ;;
	esac
	EOF
	chmod 755 "$dir/etc/init.d/httpd"
	ln -s ../init.d/httpd "$dir/etc/rc3.d/S20httpd"
	# For the fakeinit flag: busybox init runs the same boot sequence.
	ln -s ../bin/busybox "$dir/sbin/init"
	cat >"$dir/etc/inittab" <<-'EOF'
	::sysinit:/bin/sh -c 'for s in /etc/rc3.d/S*; do "$s" start; done'
	::shutdown:/bin/sh -c 'for s in /etc/rc0.d/K*; do "$s" stop; done'
	EOF
	ln -s ../init.d/httpd "$dir/etc/rc0.d/K20httpd"
	echo template >"$dir/var/www/index.html"
}

# server_loopback NAME: the loopback address of the running server NAME,
# 127.254.(ctx >> 8).(ctx & 255) from its context id (vserver.2).
server_loopback() {
	local ctx
	ctx=$(vserver "$1" status | sed -n 's/.* in context \([0-9]*\),.*/\1/p')
	[ -n "$ctx" ] && echo "127.254.$((ctx >> 8)).$((ctx & 255))"
}

# set_conf NAME KEY VALUE: sets KEY in NAME.conf (replacing the line).
set_conf() {
	local conf=$VSERVER_CONFDIR/$1.conf
	sed -i "/^$2=/d" "$conf"
	printf '%s="%s"\n' "$2" "$3" >>"$conf"
}

# fetch URL: the body of an HTTP GET (from the host, unlocked), or the error.
fetch() {
	python3 - "$1" <<-'EOF'
	import sys, urllib.request
	try:
	    print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode().strip())
	except Exception as e:
	    print("error: %s" % e)
	EOF
}

# wait_http URL: until URL answers (at most 10 s).
wait_http() {
	for _ in $(seq 50); do
		case $(fetch "$1") in error:*) sleep 0.2 ;; *) return 0 ;; esac
	done
	return 1
}

# wait_new_context NAME CTX: after a vreboot, until NAME runs again in a
# context other than CTX (at most 100 rounds); that context in $new.
wait_new_context() {
	for _ in $(seq 100); do
		new=$(cat "$VSERVER_RUNDIR/$1.ctx" 2>/dev/null || :)
		[ -n "$new" ] && [ "$new" != "$2" ] && vserver "$1" running && return 0
		sleep 0.2
	done
	return 1
}

# host_leftovers NAME: what a stopped server must not leave on the host.
host_leftovers() {
	ip -o addr show | grep -F ":$1" || :
	grep -F "$VSERVER_RUNDIR/$1." /proc/mounts || :
	ls -d /sys/fs/cgroup/vserver/"$1" /sys/fs/cgroup/vserver-sched/"$1" 2>/dev/null || :
	ls "$VSERVER_RUNDIR/$1.ctx" "$VSERVER_RUNDIR/$1.ip" "$VSERVER_RUNDIR/$1.mntns" 2>/dev/null || :
}
