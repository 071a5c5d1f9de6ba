#!/bin/bash
# A server's ::1 is its own (issue 12), as its 127.0.0.1 is: a task locked
# in a context of its own to a set with an IPv6 address gets
# fd76:7365:7276:6572::ID (ID: the context id), which the one local route
# "ip -6 route add local fd76:7365:7276:6572::/64 dev lo" makes local:
#  - without that route, ::1 stays out of reach (bind: EADDRNOTAVAIL,
#    connect: ENETUNREACH), as on a 1.5 kernel;
#  - with it, three listeners on [::1]:3306, in two servers and the host,
#    each answer their own side only (TCP and UDP); inside a server ::1
#    reads ::1 (getsockname, the peer an accept sees), :: reaches it too;
#  - attacks: the host's root, an unprivileged host user and the other
#    server cannot bind or reach a server's address (its IPv6 wildcard
#    never answers there); a set may not name one; the host's [::]
#    listener neither answers a server's ::1 nor keeps the server from
#    binding the port there; a datagram to a server's ::1 (or from one)
#    that arrives on a network device (a veth pair: what a neighbour on
#    the link could send) is dropped, while the same datagram to the
#    server's own address arrives;
#  - HOSTLOOPBACK (--host-loopback) and a lock in the host context keep
#    the host's ::1.
# vserver_ipv6.sh has a server started by vserver start (which adds the
# route).
# Addresses: 127.0.0.2..4 on lo, 2001:db8:76::1..3 on a dummy interface vx6,
# 2001:db8:77::1/2 on the veth pair; no packet leaves the guest.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/net6.sh
. "$(dirname "$0")/../lib/net6.sh"

A=127.0.0.2
B=127.0.0.3
C=127.0.0.4
X1=2001:db8:76::1
X2=2001:db8:76::2
X3=2001:db8:76::3
PREFIX=fd76:7365:7276:6572::/64
LO1=fd76:7365:7276:6572::$(printf %x 4611)
LO2=fd76:7365:7276:6572::$(printf %x 4612)
PORT=3306
NL=$'\n'

server 4611 $A $X1
S1=("${srv[@]}")
server 4612 $B $X2
S2=("${srv[@]}")
S3_HOSTLO=(chcontext --silent --ctx 4613 chbind --silent --host-loopback --ip $C --ip $X3 --)
S3_HOSTCTX=(chbind --silent --ip $C --ip $X3 --)

ip link add vx6 type dummy && ip link set vx6 up &&
	for x in $X1 $X2 $X3; do ip -6 addr add $x/64 dev vx6 nodad || exit 1; done
is "$?" 0 "setup: a dummy interface vx6 with $X1, $X2 and $X3"

# ---- without the route ----
# (a case before this one in the same boot may have left it: vserver start)
ip -6 route del local $PREFIX dev lo table local 2>/dev/null
is "$(ip -6 route show table local to $PREFIX)" "" "no route: the prefix is not local yet"
p6 "no route: bind(::1) in a server: EADDRNOTAVAIL" "EADDRNOTAVAIL" "${S1[@]}" bind tcp ::1
p6 "no route: connect(::1) and sendto(::1): ENETUNREACH" "ENETUNREACH${NL}ENETUNREACH" \
	"${S1[@]}" connect tcp ::1 $PORT + sendto ::1 $PORT
p6 "no route: the server's own address: ENETUNREACH (it would leave by the default route)" \
	"ENETUNREACH" "${S1[@]}" connect tcp "$LO1" $PORT

ip -6 route add local $PREFIX dev lo
is "$?" 0 "setup: the local route for $PREFIX on lo"
check_run "/proc/PID/status: netloopback names the server's IPv6 loopback" 0 \
	"netloopback:	127.254.18.3 $LO1" "" "${S1[@]}" grep '^netloopback:' /proc/self/status
check_run "/proc/PID/status: netaddrs does not" 0 "netaddrs:	$A $X1" "" \
	"${S1[@]}" grep '^netaddrs:' /proc/self/status

# ---- three listeners on [::1]:3306 ----
for proto in tcp udp; do
	server_start one$proto "${S1[@]}" answer $proto ::1 $PORT one
	server_start two$proto "${S2[@]}" answer $proto ::1 $PORT two
	server_start host$proto answer $proto ::1 $PORT host
	is "$(cat "$TEST_TMP/one$proto" "$TEST_TMP/two$proto" "$TEST_TMP/host$proto" | tr '\n' ' ')" \
		"ready ready ready " "$proto: two servers and the host each bind [::1]:$PORT"
	p6 "$proto: the first server's ::1 is its own" "one" "${S1[@]}" ask $proto ::1 $PORT
	p6 "$proto: the second server's ::1 is its own" "two" "${S2[@]}" ask $proto ::1 $PORT
	p6 "$proto: the host's ::1 is the host's" "host" ask $proto ::1 $PORT
done
is "$(ss -ltnH "sport = :$PORT" | awk '{ print $4 }' | LC_ALL=C sort | paste -sd' ')" \
	"[::1]:$PORT [$LO1]:$PORT [$LO2]:$PORT" \
	"the host's ss shows the servers' listeners on their own addresses"
p6 "a server's :: (::1 as a destination) is its own ::1" "one" "${S1[@]}" ask tcp :: $PORT
p6 "inside, bind(::1) reads ::1; a connection to it leaves from ::1" "::1${NL}::1" \
	"${S1[@]}" bind tcp ::1 + connect tcp ::1 $PORT
server_start peer "${S1[@]}" peer tcp ::1 4400
p6 "(a connection to the peer listener)" "::1" "${S1[@]}" connect tcp ::1 4400
sleep 0.3
is "$(sed -n 2p "$TEST_TMP/peer")" "peer ::1" "inside, accept() sees the peer as ::1"
p6 "inside, the server's own address is its ::1 too" "one" "${S1[@]}" ask tcp "$LO1" $PORT

# ---- attacks ----
p6 "attack: the host's root connects to the server's address: ENETUNREACH" \
	"ENETUNREACH${NL}ENETUNREACH" connect tcp "$LO1" $PORT + sendto "$LO1" $PORT
p6 "attack: the host's root binds it: EADDRNOTAVAIL" "EADDRNOTAVAIL${NL}EADDRNOTAVAIL" \
	bind tcp "$LO1" + bind udp "$LO1"
check_run "attack: an unprivileged host user: ENETUNREACH" 0 "ENETUNREACH" "" \
	as_user python3 "$NET6PROBE" connect tcp "$LO1" $PORT
p6 "attack: the other server connects to it: ENETUNREACH" "ENETUNREACH${NL}ENETUNREACH" \
	"${S2[@]}" connect tcp "$LO1" $PORT + sendto "$LO1" $PORT
p6 "attack: the other server binds it: EADDRNOTAVAIL" "EADDRNOTAVAIL" "${S2[@]}" bind tcp "$LO1"
p6 "attack: a server binds another server's address of the prefix: EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" "${S1[@]}" bind tcp fd76:7365:7276:6572::99
probe() { check_run "$1" 0 "$2" "" vx-netprobe "${@:3}"; }
probe "attack: a set naming an address of the prefix: EINVAL" "EINVAL" netset "$A,$LO2"
check_run "attack: chbind refuses it" 1 "" \
	"chbind: $LO2 cannot be in an address set (::, ::1, multicast, link-local, site-local, IPv4-mapped and fd76:7365:7276:6572::/64 addresses are not allowed)" \
	chbind --ip $A --ip "$LO2" true
stop_all

# The host's wildcard does not answer a server's ::1, nor keep it from
# binding the port there; the server's wildcard answers its own only.
server_start hostwild answer tcp :: 4401 hostwild
server_start hostwildudp answer udp :: 4401 hostwild
p6 "host [::]: a server's ::1 gets no TCP answer from it" "ECONNREFUSED" "${S1[@]}" ask tcp ::1 4401
p6 "host [::]: nor a UDP one" "ECONNREFUSED" "${S1[@]}" ask udp ::1 4401
server_start onewild "${S1[@]}" answer tcp ::1 4401 one
is "$(cat "$TEST_TMP/onewild")" "ready" "host [::]: the server still binds [::1]:4401"
p6 "host [::]: the server's ::1 is its own" "one" "${S1[@]}" ask tcp ::1 4401
p6 "host [::]: (reference: the host's ::1 answers)" "hostwild" ask tcp ::1 4401
server_start twowild "${S2[@]}" answer tcp :: 4402 two
p6 "server [::]: the server's wildcard answers its own ::1" "two" "${S2[@]}" ask tcp ::1 4402
p6 "server [::]: not the other server's" "ECONNREFUSED" "${S1[@]}" ask tcp ::1 4402
stop_all

# ---- from a network device ----
ip link add vxa type veth peer name vxb && ip link set vxa up && ip link set vxb up &&
	ip -6 addr add 2001:db8:77::2/64 dev vxb nodad
is "$?" 0 "setup: a veth pair vxa-vxb, 2001:db8:77::2 on vxb"
server_start wire "${S1[@]}" peer udp :: 4403
p6 "from the wire: (a datagram to $LO1 written to vxa)" "ok" inject vxa vxb 2001:db8:77::1 "$LO1" 4403
sleep 1
is "$(sed -n 2p "$TEST_TMP/wire")" "" "from the wire: a datagram to a server's ::1 is dropped"
p6 "from the wire: (a datagram from ${LO2} to $X1)" "ok" inject vxa vxb "$LO2" $X1 4403
sleep 1
is "$(sed -n 2p "$TEST_TMP/wire")" "" "from the wire: a datagram from a server's ::1 is dropped"
p6 "from the wire: (the same datagram to $X1)" "ok" inject vxa vxb 2001:db8:77::1 $X1 4403
deadline=$((SECONDS + 5))
until [ -n "$(sed -n 2p "$TEST_TMP/wire")" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
is "$(sed -n 2p "$TEST_TMP/wire")" "peer 2001:db8:77::1" \
	"from the wire: (reference: the same datagram to the server's own address arrives)"
stop_all
ip link del vxa

# ---- the host's ::1 where asked for ----
server_start host6 answer tcp ::1 $PORT host
check_run "HOSTLOOPBACK: --host-loopback keeps the host's ::1" 0 "host" "" \
	"${S3_HOSTLO[@]}" python3 "$NET6PROBE" ask tcp ::1 $PORT
check_run "HOSTLOOPBACK: no netloopback address" 0 "netloopback:	" "" \
	"${S3_HOSTLO[@]}" grep '^netloopback:' /proc/self/status
check_run "a lock in the host context keeps the host's ::1" 0 "host" "" \
	"${S3_HOSTCTX[@]}" python3 "$NET6PROBE" ask tcp ::1 $PORT
stop_all
ip link del vx6
ip -6 route del local $PREFIX dev lo table local

finish
