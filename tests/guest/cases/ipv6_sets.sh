#!/bin/bash
# IPv6 addresses in an address set (issue 12): chbind --ip A --ip V6 in a
# context of its own, probed with net6probe.py (Python sockets) and
# vx-netprobe (the raw system call):
#  - the arguments: IPv6 unicast addresses; ::1, ::, link-local,
#    multicast, IPv4-mapped, twice, a set without IPv4: EINVAL;
#    /proc/PID/status netaddrs lists them after the IPv4 ones;
#  - socket(): AF_INET6 TCP, UDP and UDP-Lite only when the set has an
#    IPv6 address (else EAFNOSUPPORT, as before); raw UDP, SCTP, MPTCP:
#    EPROTONOSUPPORT (ICMPv6: ipv6_ping.sh);
#  - bind(): :: is a wildcard, an address of the set binds, another IPv6
#    address (the host's), ::1 and an IPv4-mapped address outside the set
#    fail with EADDRNOTAVAIL; ::ffff:127.0.0.1 binds the server's loopback
#    and reads ::ffff:127.0.0.1;
#  - one port, two sets: two servers each answer [::]:PORT (TCP, UDP,
#    dual-stack) on their own IPv4 and IPv6 address only, asked from the
#    host; an address of neither gets no answer; an IPV6_V6ONLY wildcard
#    does not answer IPv4;
#  - bind conflicts: the host's [::] and [::]-V6ONLY and 0.0.0.0, the
#    host's bind of a set's IPv6 address, an overlapping set: EADDRINUSE;
#    an IPv6 address of no set binds;
#  - sources: an unbound socket's connect() and sendto() leave from the
#    set's IPv6 address (what the host's listener sees); IPV6_PKTINFO may
#    not name another source (EINVAL), nor an IPv4-mapped one another IPv4
#    source; IPV6_TRANSPARENT and IPV6_FREEBIND: EPERM;
#  - ::1 and :: are the host's loopback (without the route that gives a
#    server a ::1 of its own, private_loopback6.sh): connect, sendto:
#    ENETUNREACH; the host's listener on [::1] sees nothing;
#    --host-loopback keeps it;
#  - ::ffff:127.0.0.1 from a server's IPv6 socket reaches its own
#    127.0.0.1, not the host's;
#  - chbind's refusals of IPv6 addresses.
# Addresses: 127.0.0.2..127.0.0.4 on lo, and 2001:db8:76::1..::9 (the
# documentation prefix) on a dummy interface vx6 of the guest, which has no
# network card: no packet leaves it.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/net6.sh
. "$(dirname "$0")/../lib/net6.sh"

A=127.0.0.2
B=127.0.0.3
C=127.0.0.4
X1=2001:db8:76::1
X2=2001:db8:76::2
X3=2001:db8:76::3 # the host's, in no set
X9=2001:db8:76::9 # the host's listeners
PORT=4901
NL=$'\n'

server 4601 $A $X1
S1=("${srv[@]}")
server 4602 $B $X2
S2=("${srv[@]}")
# The same sets in the host context, whose 127.0.0.0/8 is the host's: a
# server answers a UDP datagram from the host's 127.0.0.1 there (in a
# context of its own, 127.0.0.1 is the server's own loopback).
S1_HOST=(chbind --silent --ip $A --ip $X1 --)
S2_HOST=(chbind --silent --ip $B --ip $X2 --)
server 4603 $C
S3_IPV4=("${srv[@]}")
server 4603 $C $X1
S3_OVERLAP=("${srv[@]}")
server 4603 $C $X3
S3_OTHER=("${srv[@]}")


ip link add vx6 type dummy && ip link set vx6 up &&
	for x in $X1 $X2 $X3 $X9; do ip -6 addr add $x/64 dev vx6 nodad || exit 1; done
is "$?" 0 "setup: a dummy interface vx6 with $X1, $X2, $X3 and $X9"
is "$(ip -6 addr show dev lo | sed -n 's/^ *inet6 \([^ ]*\) .*/\1/p')" "::1/128" \
	"setup: lo has ::1"
# (a case before this one in the same boot may have left it: vserver start)
ip -6 route del local fd76:7365:7276:6572::/64 dev lo table local 2>/dev/null
is "$(ip -6 route show table local to fd76:7365:7276:6572::/64)" "" \
	"setup: no route for the servers' ::1 (a server's ::1 is unreachable)"

# ---- the arguments ----
probe() { check_run "$1" 0 "$2" "" vx-netprobe "${@:3}"; }
probe "netset: an IPv4 and an IPv6 address" "ok" netset $A,$X1
probe "netset: IPv4, IPv6, IPv4, IPv6" "ok" netset $A,$X1,$B,$X2
probe "netset: IPv6 only fails with EINVAL (a set needs an IPv4 address)" "EINVAL" netset $X1
probe "netset: ::1 fails with EINVAL" "EINVAL" netset $A,::1
probe "netset: :: fails with EINVAL" "EINVAL" netset $A,::
probe "netset: a link-local address fails with EINVAL" "EINVAL" netset $A,fe80::1
probe "netset: a multicast address fails with EINVAL" "EINVAL" netset $A,ff02::1
probe "netset: an IPv4-mapped address fails with EINVAL" "EINVAL" netset $A,::ffff:$B
probe "netset: an IPv6 address twice fails with EINVAL" "EINVAL" netset $A,$X1,$X1
probe "netset: the IPv4 and IPv6 addresses are in netaddrs" \
	"ok${NL}netaddrs:	$A $B $X1 $X2" netset $A,$X1,$B,$X2 + netaddrs

# ---- socket() ----
p6 "socket: an IPv6 TCP socket with an IPv6 address in the set" "ok" \
	"${S1[@]}" socket inet6 stream
p6 "socket: IPv6 UDP and UDP-Lite" "ok${NL}ok" "${S1[@]}" socket inet6 dgram + socket inet6 dgram udplite
p6 "socket: IPv6 without an IPv6 address in the set: EAFNOSUPPORT" \
	"EAFNOSUPPORT${NL}EAFNOSUPPORT" "${S3_IPV4[@]}" socket inet6 stream + socket inet6 dgram
p6 "socket: raw IPv6 UDP, SCTP and MPTCP over IPv6: EPROTONOSUPPORT" \
	"EPROTONOSUPPORT${NL}EPROTONOSUPPORT${NL}EPROTONOSUPPORT" \
	"${S1[@]}" socket inet6 raw udp + socket inet6 stream sctp + socket inet6 stream mptcp

# ---- bind() ----
p6 "bind: [::] stays a wildcard" "::${NL}::" "${S1[@]}" bind tcp :: + bind udp ::
p6 "bind: the set's IPv6 address binds" "$X1${NL}$X1" "${S1[@]}" bind tcp $X1 + bind udp $X1
p6 "bind: the host's other IPv6 address: EADDRNOTAVAIL" "EADDRNOTAVAIL${NL}EADDRNOTAVAIL" \
	"${S1[@]}" bind tcp $X3 + bind udp $X3
p6 "bind: ::1: EADDRNOTAVAIL" "EADDRNOTAVAIL" "${S1[@]}" bind tcp ::1
p6 "bind: the IPv4-mapped address of the set's IPv4 address binds" "::ffff:$A" \
	"${S1[@]}" bind tcp ::ffff:$A
p6 "bind: an IPv4-mapped address outside the set: EADDRNOTAVAIL" "EADDRNOTAVAIL" \
	"${S1[@]}" bind tcp ::ffff:$B
p6 "bind: ::ffff:127.0.0.1 binds the server's loopback, read as ::ffff:127.0.0.1" \
	"::ffff:127.0.0.1" "${S1[@]}" bind tcp ::ffff:127.0.0.1
p6 "bind: (reference: the host binds $X3)" "$X3" bind tcp $X3

# ---- one port, two sets ----
server_start s1tcp "${S1_HOST[@]}" answer tcp :: $PORT one
server_start s1udp "${S1_HOST[@]}" answer udp :: $PORT one
server_start s2tcp "${S2_HOST[@]}" answer tcp :: $PORT two
server_start s2udp "${S2_HOST[@]}" answer udp :: $PORT two
is "$(cat "$TEST_TMP"/s1tcp "$TEST_TMP"/s1udp "$TEST_TMP"/s2tcp "$TEST_TMP"/s2udp | tr '\n' ' ')" \
	"ready ready ready ready " "two sets: both servers bind [::]:$PORT, TCP and UDP"
for proto in tcp udp; do
	p6 "two sets, $proto: $X1 is answered by the first" "one" ask $proto $X1 $PORT
	p6 "two sets, $proto: $X2 is answered by the second" "two" ask $proto $X2 $PORT
	p6 "two sets, $proto: $A (IPv4) is answered by the first" "one" ask $proto $A $PORT
	p6 "two sets, $proto: $B (IPv4) is answered by the second" "two" ask $proto $B $PORT
done
p6 "two sets: $X3, in neither set, gets no TCP answer" "ECONNREFUSED" ask tcp $X3 $PORT
p6 "two sets: $X3 gets no UDP answer" "ECONNREFUSED" ask udp $X3 $PORT
p6 "two sets: $C, in neither set, gets no TCP answer" "ECONNREFUSED" ask tcp $C $PORT

# ---- bind conflicts on that port ----
p6 "conflict: the host's [::]:$PORT: EADDRINUSE" "EADDRINUSE${NL}EADDRINUSE" \
	bind tcp :: $PORT + bind udp :: $PORT
p6 "conflict: the host's [::]:$PORT, IPV6_V6ONLY: EADDRINUSE" "EADDRINUSE" \
	bind tcp :: $PORT v6only
p6 "conflict: the host's 0.0.0.0:$PORT: EADDRINUSE" "EADDRINUSE" bind tcp 0.0.0.0 $PORT
p6 "conflict: the host's bind of $X1:$PORT: EADDRINUSE" "EADDRINUSE${NL}EADDRINUSE" \
	bind tcp $X1 $PORT + bind udp $X1 $PORT
p6 "conflict: an overlapping set ($C, $X1): EADDRINUSE" "EADDRINUSE" \
	"${S3_OVERLAP[@]}" bind tcp :: $PORT
p6 "no conflict: the host binds $X3:$PORT, in no set" "$X3${NL}$X3" \
	bind tcp $X3 $PORT + bind udp $X3 $PORT
p6 "no conflict: a set of $C and $X3 binds [::]:$PORT" "::" "${S3_OTHER[@]}" bind tcp :: $PORT
stop_all

# ---- IPV6_V6ONLY ----
server_start v6only "${S1_HOST[@]}" answer tcp :: $PORT one v6only
p6 "v6only: [::] with IPV6_V6ONLY answers $X1" "one" ask tcp $X1 $PORT
p6 "v6only: and not $A" "ECONNREFUSED" ask tcp $A $PORT
stop_all

# ---- sources ----
# peer_is WHAT PEER OUT PROTO LISTEN CMD...: with a host listener on
# LISTEN:PORT, CMD prints OUT and the listener sees PEER.
peer_is() {
	local what=$1 want=$2 want_out=$3 proto=$4 listen=$5
	shift 5
	server_start peer peer "$proto" "$listen" $PORT
	run "$@"
	wait "${holders[-1]}" 2>/dev/null
	holders=()
	is "$(tail -n 1 "$TEST_TMP/peer") | $rc $out $err" "$want | 0 $want_out " "$what"
}
peer_is "source: an unbound TCP socket's connect() leaves from $X1" "peer $X1" $X1 tcp $X9 \
	"${S1_HOST[@]}" python3 "$NET6PROBE" connect tcp $X9 $PORT
peer_is "source: an unbound UDP socket's sendto() leaves from $X1" "peer $X1" ok udp $X9 \
	"${S1_HOST[@]}" python3 "$NET6PROBE" sendto $X9 $PORT
peer_is "source: a UDP connect() leaves from $X1" "peer $X1" $X1 udp $X9 \
	"${S1_HOST[@]}" python3 "$NET6PROBE" connect udp $X9 $PORT
peer_is "source: an IPv6 socket to an IPv4-mapped address leaves from $A" "peer ::ffff:$A" \
	::ffff:$A tcp :: "${S1_HOST[@]}" python3 "$NET6PROBE" connect tcp ::ffff:127.0.0.9 $PORT
peer_is "source: IPV6_PKTINFO naming $X1 is taken" "peer $X1" ok udp $X9 \
	"${S1_HOST[@]}" python3 "$NET6PROBE" pktinfo $X1 $X9 $PORT
peer_is "source: in a context of its own too" "peer $X1" $X1 tcp $X9 \
	"${S1[@]}" python3 "$NET6PROBE" connect tcp $X9 $PORT
p6 "source: IPV6_PKTINFO naming $X3 (the host's): EINVAL" "EINVAL" \
	"${S1_HOST[@]}" pktinfo $X3 $X9 $PORT
p6 "source: IPV6_PKTINFO naming ::ffff:$B to an IPv4-mapped destination: EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" "${S1_HOST[@]}" pktinfo ::ffff:$B ::ffff:127.0.0.9 $PORT
p6 "source: IPV6_TRANSPARENT, IPV6_FREEBIND, IP_TRANSPARENT: EPERM" \
	"EPERM${NL}EPERM${NL}EPERM" "${S1_HOST[@]}" setopt IPV6_TRANSPARENT + setopt IPV6_FREEBIND + setopt IP_TRANSPARENT
p6 "source: (reference: the host may set IPV6_FREEBIND)" "ok" setopt IPV6_FREEBIND

# ---- the host's ::1 ----
server_start host6 answer tcp ::1 $PORT host
server_start host6udp answer udp ::1 $PORT host
server_start host4 answer tcp 127.0.0.1 $PORT host4
server_start own4 "${S1[@]}" answer tcp 127.0.0.1 $PORT own
p6 "::1: (reference: the host reaches its listener on [::1]:$PORT)" "host" ask tcp ::1 $PORT
p6 "::1: a server's connect() to ::1: ENETUNREACH" "ENETUNREACH" "${S1[@]}" connect tcp ::1 $PORT
p6 "::1: a server's connect() to :: (::1 by BSD custom): ENETUNREACH" "ENETUNREACH" \
	"${S1[@]}" connect tcp :: $PORT
p6 "::1: a server's sendto() to ::1: ENETUNREACH" "ENETUNREACH" "${S1[@]}" sendto ::1 $PORT
check_run "::1: as nobody: ENETUNREACH" 0 "ENETUNREACH" "" \
	"${S1[@]}" setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups \
	python3 "$NET6PROBE" connect tcp ::1 $PORT
check_run "::1: --host-loopback keeps the host's ::1" 0 "host" "" chcontext --silent --ctx 4604 \
	chbind --silent --host-loopback --ip $C --ip $X3 -- python3 "$NET6PROBE" ask tcp ::1 $PORT
check_run "::1: the host context keeps it" 0 "host" "" chbind --silent --ip $C --ip $X3 -- \
	python3 "$NET6PROBE" ask tcp ::1 $PORT
p6 "loopback: a server's ::ffff:127.0.0.1 is its own 127.0.0.1" "own" \
	"${S1[@]}" ask tcp ::ffff:127.0.0.1 $PORT
p6 "loopback: (reference: the host's 127.0.0.1:$PORT is the host's)" "host4" ask tcp 127.0.0.1 $PORT
stop_all

# ---- chbind ----
check_run "chbind: IPv6 only is refused" 1 "" \
	"chbind: at least one --ip address must be IPv4" chbind --ip $X1 true
check_run "chbind: ::1 is refused" 1 "" \
	"chbind: ::1 cannot be in an address set (::, ::1, multicast, link-local, site-local, IPv4-mapped and fd76:7365:7276:6572::/64 addresses are not allowed)" \
	chbind --ip $A --ip ::1 true
check_run "chbind: an IPv6 address this host lacks is refused" 1 "" \
	"chbind: address 2001:db8:76::77 is not configured on this host" chbind --ip $A --ip 2001:db8:76::77 true
check_run "chbind: a malformed IPv6 address is refused" 1 "" \
	"chbind: invalid IPv6 address '2001:db8::zz' (expected one such as 2001:db8::1)" \
	chbind --ip $A --ip 2001:db8::zz true
check_run "chbind: an IPv6 address twice is refused" 1 "" \
	"chbind: address $X1 is given twice (--ip $X1)" chbind --ip $A --ip $X1 --ip $X1 true
check_run "chbind: the lock message names both families" 0 "" "ipv4root is now $A $X1" \
	chbind --ip $A --ip $X1 true
check_run "chbind: a nested chbind of the same set goes on" 0 "ok" "" \
	chbind --silent --ip $A --ip $X1 chbind --silent --ip $A --ip $X1 echo ok
ip link del vx6

finish
