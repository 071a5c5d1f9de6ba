#!/bin/bash
# A process tree locked to a set of addresses (VCMD_SET_NETSET, chbind
# --ip A --ip B; issue 12), through the probe vx-netprobe ("lock A,B" is
# the raw system call):
#  - the arguments: up to 16 distinct unicast addresses (IPv6 ones:
#    ipv6_sets), one shot together with set_ipv4root;
#  - /proc/PID/status: ipv4root is the first address, netaddrs all;
#  - bind(): 0.0.0.0 stays a wildcard for TCP and UDP, each address of the
#    set binds, any other address fails with EADDRNOTAVAIL (127.0.0.1
#    too); ping and raw ICMP sockets start on the first address; the
#    broadcast: UDP only;
#  - without bind(), connect(), sendto(), TCP fast open and IP_PKTINFO
#    with source 0 leave from the first address (what the peer sees); a
#    UDP socket that sent without bind() stays bound to 0.0.0.0;
#  - one port, two sets: two trees with disjoint sets both serve
#    0.0.0.0:PORT (TCP and UDP); asked from the host, each address is
#    answered by its own tree, an address of neither by nobody; a UDP
#    answer from 0.0.0.0 leaves from the first address (as on any
#    multi-homed host: a service that cares uses IP_PKTINFO);
#  - bind conflicts on that port: an overlapping set, the host's 0.0.0.0,
#    the host's bind of an address of a set, a single-address lock to one
#    of them: EADDRINUSE; a disjoint third set and an address of no set:
#    they bind;
#  - SO_REUSEPORT: two holders in each of two sets on one port; every
#    connection to an address goes to a holder of its own set;
#  - in a context of its own, 127.0.0.1 is the first address;
#  - chbind --ip A --ip B, its refusals, a nested chbind of the same set.
# Addresses: 127.0.0.2..127.0.0.7 and 127.0.0.9 (lo answers for all of
# 127/8), and a dummy interface vx0 with 127.1.0.1/24, broadcast
# 127.1.0.255.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/netprobe.sh
. "$(dirname "$0")/../lib/netprobe.sh"

C=127.0.0.4
D=127.0.0.5
E=127.0.0.6
F=127.0.0.7
NOBODYS=127.0.0.9 # in no set
SET1=$A,$B
SET2=$C,$D
PORT=4801 # TCP and UDP, held by both sets
REUSE_PORT=4803
status_lines() {
	printf 'ipv4root:\t%s\nipv4root_bcast:\t%s\nipv4root_loopback:\t%s\nnetaddrs:\t%s' "$@"
}
holders=()

# start_answer NAME STEP...: vx-netprobe STEP... in the background (an
# "answer" step last); waits for its first line, in $TEST_TMP/NAME.
start_answer() {
	local name=$1 deadline=$((SECONDS + 10))
	shift
	setsid vx-netprobe "$@" </dev/null >"$TEST_TMP/$name" 2>&1 &
	holders+=("$!")
	until [ -s "$TEST_TMP/$name" ] || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
}

ip link add vx0 type dummy &&
	ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
	ip link set vx0 up
is "$?" 0 "setup: a dummy interface vx0 with 127.1.0.1/24, broadcast 127.1.0.255"
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range

# ---- the arguments ----
sixteen=$(printf '127.0.1.%d,' $(seq 1 16))
sixteen=${sixteen%,}
probe "netset: two addresses" "ok" netset $SET1
probe "netset: sixteen addresses" "ok" netset "$sixteen"
probe "netset: seventeen addresses fail with EINVAL" "EINVAL" netset "$sixteen,127.0.1.17"
probe "netset: an address twice fails with EINVAL" "EINVAL" netset $A,$B,$A
probe "netset: ::1 as an IPv6 entry fails with EINVAL" "EINVAL" netset $A,v6
probe "netset: a multicast address fails with EINVAL" "EINVAL" netset $A,224.0.0.1
probe "netset: 0.0.0.0 fails with EINVAL" "EINVAL" netset $A,0.0.0.0
probe "netset: the broadcast one of the addresses fails with EINVAL" "EINVAL" \
	netset 127.1.0.1,127.1.0.255 127.1.0.255
probe "netset: an unknown flag (2) fails with EINVAL" "EINVAL" netset $SET1 0.0.0.0 2
probe "netset: a refused call leaves the process unlocked; it may lock after" \
	"EINVAL${NL}ok" netset $A,$A + netset $SET1
probe "one shot: a second netset fails with EPERM" "ok${NL}EPERM" netset $SET1 + netset $SET1
probe "one shot: netset after set_ipv4root fails with EPERM" "ok${NL}EPERM" set $A + netset $SET1
probe "one shot: set_ipv4root after netset fails with EPERM" "ok${NL}EPERM" netset $SET1 + set $A
probe_user "any user: nobody may lock itself to a set once" "ok${NL}EPERM" netset $SET1 + netset $SET2

# ---- /proc/PID/status ----
probe "status: ipv4root is the first address, netaddrs lists the set" \
	"$(status_lines $A 0.0.0.0 host "$A $B")" lock $SET1 + status + netaddrs
probe "status: a forked child has the same set" \
	"$(status_lines $B 0.0.0.0 host "$B $A")" lock $B,$A + fork + status + netaddrs
probe "status: with a broadcast address" \
	"$(status_lines 127.1.0.1 127.1.0.255 host "127.1.0.1 127.1.0.2")" \
	lock 127.1.0.1,127.1.0.2 127.1.0.255 + status + netaddrs
probe "status: a single address (set_ipv4root) is a set of one" \
	"$(status_lines $A 0.0.0.0 host "$A")" lock $A + status + netaddrs
is "$(grep '^netaddrs' /proc/$$/status)" "$(printf 'netaddrs:\t')" \
	"status: an unlocked process has an empty netaddrs"

# ---- bind ----
probe "bind: TCP 0.0.0.0 stays a wildcard" "0.0.0.0" lock $SET1 + bind tcp 0.0.0.0
probe "bind: UDP 0.0.0.0 stays a wildcard" "0.0.0.0" lock $SET1 + bind udp 0.0.0.0
probe "bind: UDP-Lite 0.0.0.0 stays a wildcard" "0.0.0.0" lock $SET1 + bind udplite 0.0.0.0
probe "bind: AF_UNSPEC 0.0.0.0 stays a wildcard" "0.0.0.0" lock $SET1 + bind-unspec tcp
probe "bind: listen() without bind() listens on the wildcard" "0.0.0.0" lock $SET1 + listen
probe "bind: each address of the set binds (TCP, UDP)" "$A${NL}$B${NL}$B" \
	lock $SET1 + bind tcp $A + bind tcp $B + bind udp $B
probe "bind: an address outside the set fails with EADDRNOTAVAIL (TCP, UDP)" \
	"EADDRNOTAVAIL${NL}EADDRNOTAVAIL" lock $SET1 + bind tcp $C + bind udp $NOBODYS
probe "bind: 127.0.0.1 fails with EADDRNOTAVAIL" "EADDRNOTAVAIL" lock $SET1 + bind tcp 127.0.0.1
probe "bind: a ping socket's 0.0.0.0 is the first address" "$B" lock $B,$A + bind icmp 0.0.0.0
probe "bind: a raw ICMP socket's 0.0.0.0 is the first address" "$A" lock $SET1 + bind rawicmp 0.0.0.0
probe "bind: a ping socket may bind the second address, not another" "$B${NL}EADDRNOTAVAIL" \
	lock $SET1 + bind icmp $B + bind icmp $C
probe "bind: the broadcast address: UDP only" "127.1.0.255${NL}EADDRNOTAVAIL" \
	lock 127.1.0.1,127.1.0.2 127.1.0.255 + bind udp 127.1.0.255 + bind tcp 127.1.0.255

# ---- outgoing without bind: from the first address ----
serve_host() { vx-netprobe serve "$@"; }
check_run "outgoing: TCP connect leaves from the first address" 0 "$A${NL}peer $A" "" \
	serve_host tcp $NOBODYS -- vx-netprobe lock $SET1 + connect tcp $NOBODYS @PORT
check_run "outgoing: UDP sendto leaves from the first address; the socket stays on 0.0.0.0" \
	0 "0.0.0.0${NL}peer $B" "" \
	serve_host udp $NOBODYS -- vx-netprobe lock $B,$A + sendto $NOBODYS @PORT
check_run "outgoing: UDP connect + send leaves from the first address" 0 "$A${NL}peer $A" "" \
	serve_host udp $NOBODYS -- vx-netprobe lock $SET1 + connect udp $NOBODYS @PORT
check_run "outgoing: TCP fast open leaves from the first address" 0 "$A${NL}peer $A" "" \
	serve_host tcp $NOBODYS -- vx-netprobe lock $SET1 + fastopen $NOBODYS @PORT
check_run "outgoing: IP_PKTINFO with source 0 leaves from the first address" 0 "0.0.0.0${NL}peer $A" "" \
	serve_host udp $NOBODYS -- vx-netprobe lock $SET1 + pktinfo 0.0.0.0 $NOBODYS @PORT
check_run "outgoing: IP_PKTINFO may name the second address" 0 "0.0.0.0${NL}peer $B" "" \
	serve_host udp $NOBODYS -- vx-netprobe lock $SET1 + pktinfo $B $NOBODYS @PORT
check_run "outgoing: IP_PKTINFO naming another address fails with EADDRNOTAVAIL" \
	0 "EADDRNOTAVAIL${NL}peer none" "" \
	serve_host udp $NOBODYS -- vx-netprobe lock $SET1 + pktinfo $C $NOBODYS @PORT
check_run "outgoing: a ping leaves from the first address and is answered" 0 "$A reply" "" \
	vx-netprobe lock $SET1 + ping $NOBODYS

# ---- one port, two sets ----
start_answer tcp1 lock $SET1 + answer tcp 0.0.0.0 $PORT one
start_answer tcp2 lock $SET2 + answer tcp 0.0.0.0 $PORT two
start_answer udp1 lock $SET1 + answer udp 0.0.0.0 $PORT one
start_answer udp2 lock $SET2 + answer udp 0.0.0.0 $PORT two
is "$(cat "$TEST_TMP/tcp1") | $(cat "$TEST_TMP/tcp2") | $(cat "$TEST_TMP/udp1") | $(cat "$TEST_TMP/udp2")" \
	"0.0.0.0 $PORT | 0.0.0.0 $PORT | 0.0.0.0 $PORT | 0.0.0.0 $PORT" \
	"two sets: disjoint sets both serve 0.0.0.0:$PORT, TCP and UDP"
check_run "two sets, tcp: each address is answered by its own set's service" \
	0 "one${NL}one${NL}two${NL}two" "" \
	vx-netprobe ask tcp $A $PORT + ask tcp $B $PORT + ask tcp $C $PORT + ask tcp $D $PORT
check_run "two sets, tcp: an address of neither set is answered by nobody (ECONNREFUSED)" \
	0 "ECONNREFUSED" "" vx-netprobe ask tcp $NOBODYS $PORT
check_run "two sets, udp: each address is answered by its own set's service, from the set's first address" \
	0 "one from $A${NL}one from $A${NL}two from $C${NL}two from $C" "" \
	vx-netprobe ask udp $A $PORT + ask udp $B $PORT + ask udp $C $PORT + ask udp $D $PORT
check_run "two sets, udp: an address of neither set is answered by nobody" \
	0 "noanswer" "" vx-netprobe ask udp $NOBODYS $PORT
check_run "two sets: inside the first set, its second address reaches its own service" \
	0 "one" "" vx-netprobe lock $SET1 + ask tcp $B $PORT

# ---- bind conflicts on that port ----
for proto in tcp udp; do
	probe "conflict, $proto: a set overlapping the first (one address) fails with EADDRINUSE" \
		"EADDRINUSE" lock $B,$E + bind $proto 0.0.0.0 $PORT
	probe "conflict, $proto: the host's 0.0.0.0 fails with EADDRINUSE" \
		"EADDRINUSE" bind $proto 0.0.0.0 $PORT
	probe "conflict, $proto: the host's bind of an address of a set fails with EADDRINUSE" \
		"EADDRINUSE" bind $proto $C $PORT
	probe "conflict, $proto: a single-address lock to an address of a set fails with EADDRINUSE" \
		"EADDRINUSE" lock $D + bind $proto 0.0.0.0 $PORT
	probe "no conflict, $proto: a third, disjoint set binds 0.0.0.0" \
		"0.0.0.0" lock $E,$F + bind $proto 0.0.0.0 $PORT
	probe "no conflict, $proto: the host binds an address of no set" \
		"$NOBODYS" bind $proto $NOBODYS $PORT
	probe "no conflict, $proto: a single-address lock to an address of no set binds" \
		"$NOBODYS" lock $NOBODYS + bind $proto 0.0.0.0 $PORT
done

# ---- SO_REUSEPORT ----
start_answer r1 lock $SET1 + answer tcp 0.0.0.0 $REUSE_PORT one reuseport
start_answer r2 lock $SET1 + answer tcp 0.0.0.0 $REUSE_PORT one reuseport
start_answer r3 lock $SET2 + answer tcp 0.0.0.0 $REUSE_PORT two reuseport
start_answer r4 lock $SET2 + answer tcp 0.0.0.0 $REUSE_PORT two reuseport
is "$(cat "$TEST_TMP"/r[1-4] | sort -u)" "0.0.0.0 $REUSE_PORT" \
	"SO_REUSEPORT: two holders in each of two sets listen on 0.0.0.0:$REUSE_PORT"
asks=()
for _ in $(seq 1 20); do asks+=(ask tcp $A $REUSE_PORT + ask tcp $C $REUSE_PORT +); done
run vx-netprobe "${asks[@]:0:${#asks[@]}-1}"
is "$rc $(printf '%s\n' "$out" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" "0 one:20 two:20 " \
	"SO_REUSEPORT: 20 connections to each set's address, each answered by that set's holders"

# ---- in a context of its own ----
check_run "own context: UDP to 127.0.0.1 reaches the set's wildcard service, from the context's loopback (127.0.0.1 inside)" \
	0 "0.0.0.0${NL}peer 127.0.0.1" "" \
	chcontext --silent vx-netprobe lock $SET1 + serve udp 0.0.0.0 -- vx-netprobe sendto 127.0.0.1 @PORT
check_run "own context: TCP to 127.0.0.1 reaches the set's wildcard service, from the loopback" \
	0 "127.0.0.1${NL}peer 127.0.0.1" "" \
	chcontext --silent vx-netprobe lock $SET1 + serve tcp 0.0.0.0 -- vx-netprobe connect tcp 127.0.0.1 @PORT

# ---- chbind ----
check_run "chbind: --ip A --ip B locks to both, and says so" \
	0 "$(printf 'netaddrs:\t%s %s' $A $B)" "ipv4root is now $A $B" chbind --ip $A --ip $B vx-netprobe netaddrs
check_run "chbind: a nested chbind of the same set (another order) goes on" \
	0 "$(printf 'netaddrs:\t%s %s' $A $B)" "" \
	chbind --silent --ip $A --ip $B chbind --silent --ip $A --ip $B vx-netprobe netaddrs
check_run "chbind: a nested chbind of another set is refused" \
	1 "" "chbind: cannot lock to $A: this process is already locked to $A $B" \
	chbind --silent --ip $A --ip $B chbind --silent --ip $A true
check_run "chbind: an address given twice is refused" \
	1 "" "chbind: address $A is given twice (--ip $A)" chbind --ip $A --ip $B --ip $A true
seventeen=()
for i in $(seq 1 17); do seventeen+=(--ip "127.0.1.$i"); done
check_run "chbind: a seventeenth --ip is refused" \
	1 "" "chbind: at most 16 --ip addresses" chbind "${seventeen[@]}" true
check_run "chbind: every address must be the host's (vx0 is, 192.0.2.1 is not)" \
	1 "" "chbind: address 192.0.2.1 is not configured on this host" \
	chbind --ip vx0 --ip 192.0.2.1 true

for pid in "${holders[@]}"; do kill_anywhere "$pid"; done
finish
