#!/bin/bash
# Every key of NAME.conf, each shown by its effect from inside the server
# (ONBOOT's is in vserver_servers: vservers start).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"

ip link add vx0 type dummy
ip addr add 127.2.0.1/16 broadcast 127.2.255.255 dev vx0
ip link set vx0 up
make_busybox_tree "$TEST_TMP/template"

# server NAME KEY=VALUE...: a fresh server with these settings, started.
n=0
server() {
	local name=$1 kv
	shift
	n=$((n + 1))
	vserver "$name" build --from "$TEST_TMP/template" >/dev/null 2>&1
	set_conf "$name" IPROOT "127.2.0.$((n + 1))"
	set_conf "$name" IPROOTDEV vx0
	for kv in "$@"; do
		set_conf "$name" "${kv%%=*}" "${kv#*=}"
	done
	run vserver "$name" start
	[ "$rc" = 0 ] || fail "$name starts" "$out" "$err"
}
inside() { local s=$1; shift; vserver "$s" exec "$@" 2>&1; }

# IPROOT, IPROOTDEV, IPROOTMASK, IPROOTBCAST
server net IPROOTMASK=255.255.255.0 IPROOTBCAST=127.2.0.200
like "$(inside net cat /proc/self/status)" "ipv4root:	127.2.0.2" "IPROOT: the server is locked to its address"
like "$(inside net cat /proc/self/status)" "ipv4root_bcast:	127.2.0.200" "IPROOTBCAST: UDP may bind the broadcast address"
like "$(ip -o -4 addr show dev vx0 label vx0:net)" "inet 127.2.0.2/24 brd 127.2.0.200 " \
	"IPROOTDEV, IPROOTMASK, IPROOTBCAST: the alias has that mask and broadcast"
like "$(inside net sh -c 'httpd -f -p 127.2.0.9:8080 & sleep 0.3; kill $! 2>/dev/null')" \
	"Cannot assign requested address|bind" "IPROOT: binding any other address inside fails (127.2.0.9, on vx0's subnet)"
server mask
like "$(ip -o -4 addr show dev vx0 label vx0:mask)" "inet 127.2.0.3/16 brd 127.2.255.255 " \
	"IPROOTMASK, IPROOTBCAST: default to those of IPROOTDEV's address"

# S_HOSTNAME, S_DOMAINNAME, S_CONTEXT
server names S_HOSTNAME=web.example S_DOMAINNAME=nis.example S_CONTEXT=4242
is "$(inside names hostname)" web.example "S_HOSTNAME: the host name inside"
is "$(inside names cat /proc/sys/kernel/domainname)" nis.example "S_DOMAINNAME: the NIS domain name inside"
is "$(inside names sed -n 's/^s_context:[[:space:]]*//p' /proc/self/status)" 4242 "S_CONTEXT: the fixed context id"
is "$(hostname)" vserver-guest "S_HOSTNAME: the host's name is unchanged"

# S_CAPS: the secure default lacks CAP_MKNOD; S_CAPS gives it back.
server caps S_CAPS=CAP_MKNOD
server nocaps
like "$(inside nocaps mknod /tmp/null c 1 3)" "Operation not permitted" "default ceiling: no mknod inside"
is "$(inside caps sh -c 'mknod /tmp/null c 1 3 && echo made')" made "S_CAPS=CAP_MKNOD: mknod works inside"
like "$(inside nocaps ip link set lo down)" "Operation not permitted|RTNETLINK" "default ceiling: no network configuration inside"
like "$(inside nocaps date -s 2001-01-01)" "Operation not permitted|can't set" "default ceiling: no clock setting inside"
# S_CAPS=CAP_NET_RAW gives ping(8) back (raw ICMP, from the server's address).
server ping S_CAPS=CAP_NET_RAW
like "$(inside ping ping -c 1 -W 5 127.0.0.1)" "1 packets received" \
	"S_CAPS=CAP_NET_RAW: ping works inside"
like "$(inside nocaps ping -c 1 -W 5 127.0.0.1)" "permission denied|Operation not permitted" \
	"default ceiling: no ping inside"

# S_NICE: the level, and root cannot go below it.
server nice S_NICE=5
is "$(inside nice sh -c 'cut -d" " -f19 /proc/self/stat')" 5 "S_NICE: processes inside run at nice 5"
like "$(inside nice renice -n 2 -p 1 2>&1; inside nice sh -c 'renice -n -3 $$ 2>&1 || echo refused')" \
	"refused|Permission denied|Operation not permitted" "S_NICE: root inside cannot go below 5"
is "$(inside nice sh -c 'renice -n 3 $$ >/dev/null 2>&1; cut -d" " -f19 /proc/$$/stat')" 8 \
	"S_NICE: going further down (nicer) still works"

# ULIMIT and S_FLAGS nproc: the limit bounds the whole server.
server lim ULIMIT="-H -u 20" S_FLAGS="nproc"
is "$(inside lim sh -c 'ulimit -H -u')" 20 "ULIMIT: the hard process limit inside is 20"
is "$(inside lim sh -c 'ulimit -S -u')" 20 "ULIMIT: a hard limit is the soft one too (as the seed's vserver set it)"
# The shell forks until the kernel refuses (and then gives up); the
# server holds httpd, the shell and 18 sleeps at most: 20 tasks.
inside lim sh -c 'i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i + 1)); done' >/dev/null 2>&1
is "$(wc -l </sys/fs/cgroup/vserver/lim/cgroup.procs)" 19 \
	"S_FLAGS nproc: the whole server stops at 20 tasks (httpd and 18 sleeps left after the shell)"

# S_FLAGS lock: no new context from inside.
server lck S_FLAGS="lock"
cp "$(command -v chcontext)" "$VSERVER_ROOTDIR/lck/bin/"
like "$(inside lck chcontext --silent true 2>&1)" "Operation not permitted" \
	"S_FLAGS lock: chcontext inside is refused"

# S_FLAGS private: nobody enters, not even root of the host; stop still works.
server priv S_FLAGS="private"
run vserver priv exec true
is "$rc" 1 "S_FLAGS private: vserver exec cannot enter it"
like "$err" "Operation not permitted" "S_FLAGS private: entering is refused"
run vserver priv stop
is "$rc" 0 "S_FLAGS private: stop still ends it (through its cgroup)"
is "$(host_leftovers priv)" "" "S_FLAGS private: nothing left after stop"

# S_FLAGS fakeinit: the server's own /sbin/init runs as its process 1.
server finit S_FLAGS="fakeinit"
is "$(inside finit readlink /proc/1/exe)" /bin/busybox \
	"S_FLAGS fakeinit: process 1 inside is the server's /sbin/init (busybox)"
fi_url=http://127.2.0.$((n + 1))/
wait_http "$fi_url"
like "$(fetch "$fi_url")" "template" "S_FLAGS fakeinit: init ran the server's boot sequence (its httpd serves)"
is "$(inside finit sh -c 'sleep 0.1 & wait; grep ^initpid: /proc/self/status | cut -f2')" \
	"$(inside finit sh -c 'grep ^initpid: /proc/1/status | cut -f2')" "S_FLAGS fakeinit: every process names the same init"

# S_FLAGS sched: one CPU share for the whole server.
server sch S_FLAGS="sched"
is "$(cat /sys/fs/cgroup/vserver-sched/sch/cpu.weight 2>&1)" 100 "S_FLAGS sched: the server has its own cpu cgroup"
like "$(inside sch cat /proc/self/cgroup)" "vserver-sched/sch" "S_FLAGS sched: its processes are in it"

for s in net mask names caps nocaps ping nice lim lck finit sch; do
	vserver "$s" stop >/dev/null 2>&1 || fail "$s stops"
done
finish
