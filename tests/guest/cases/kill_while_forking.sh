#!/bin/bash
# Processes killed while they fork, and servers stopped while their
# service forks: a fork that a fatal signal interrupts in dup_mmap()
# leaves a half-copied address space, which Linux 6.12's User-Mode Linux
# took down through a walk that crashed ("Kernel mode fault at addr
# 0x40e"; kernel-patch/guest-fixes/ carries the fix).  The guest kernel
# must stay up (vm-run fails the run on a panic or an oops) and every
# stop must leave nothing of the server.
# vm-run: --timeout 600
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

vmas=4000
kills=${VX_KILLFORK_ROUNDS:-40}
run vx-killfork "$kills" "$vmas"
is "$rc" 0 "$kills processes with $vmas mappings each killed while forking ($err)"
is "$out" "$kills kills" "vx-killfork made every kill"

vx0_up
tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
cp "$(command -v vx-killfork)" "$tpl/bin/"
cat >"$tpl/etc/init.d/forker" <<EOF
#!/bin/sh
case \$1 in
start) vx-killfork --victim $vmas </dev/null >/dev/null 2>&1 & ;;
esac
EOF
chmod 755 "$tpl/etc/init.d/forker"
ln -s ../init.d/forker "$tpl/etc/rc3.d/S30forker"
check_run "setup: build the server" 0 "" "vserver: built forking in $VSERVER_ROOTDIR/forking" \
	vserver forking build --from "$tpl"
set_conf forking IPROOT 127.1.0.2
set_conf forking IPROOTDEV vx0

stops=${VX_KILLFORK_STOPS:-15}
failed=""
for i in $(seq "$stops"); do
	vserver forking start >/dev/null 2>&1 || { failed="start $i"; break; }
	# (until the service forks: its children come and go)
	for _ in $(seq 50); do
		[ "$(vserver forking exec sh -c 'pidof vx-killfork | wc -w' 2>/dev/null)" -ge 2 ] && break
		sleep 0.1
	done
	vserver forking stop >/dev/null 2>&1 || { failed="stop $i"; break; }
	vserver forking running && { failed="still running after stop $i"; break; }
done
is "$failed" "" "$stops stops of a server whose service forks with $vmas mappings"
left=$(chcontext --silent --ctx 1 sh -c 'for s in /proc/[0-9]*/status; do
	sed -n "s/^Name:[[:space:]]*vx-killfork.*/x/p" "$s" 2>/dev/null; done' | wc -l)
is "$left" 0 "no forking process is left"
finish
