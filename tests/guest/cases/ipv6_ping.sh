#!/bin/bash
# ping over IPv6 in a server (issue 12): a task locked to a set with an
# IPv6 address may open ICMPv6 datagram ("ping") sockets, and raw ICMPv6
# sockets when its ceiling keeps CAP_NET_RAW (the paper's ping), held to its
# addresses like its other sockets:
#  - socket(): ICMPv6 ping and raw sockets; without CAP_NET_RAW the raw one
#    fails with EPERM, without an IPv6 address in the set with EAFNOSUPPORT;
#    other raw IPv6 protocols fail with EPROTONOSUPPORT;
#  - an echo request leaves from the set's first IPv6 address (what a host
#    listener sees) and the reply comes back; bind(::) takes that address,
#    another address of the host fails with EADDRNOTAVAIL;
#  - ::1 is the server's own (with the servers' loopback route): the reply
#    reads ::1;
#  - attacks: IPV6_HDRINCL (a header of its own, any source): EPERM; a raw
#    ICMPv6 message other than an echo request (a neighbour advertisement
#    or a router advertisement would claim another server's address on the
#    link): EPERM, and nothing arrives; the host's root may.
# Addresses: 127.0.0.2/3 on lo, 2001:db8:76::1/2/9 on a dummy interface vx6.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/net6.sh
. "$(dirname "$0")/../lib/net6.sh"

A=127.0.0.2
B=127.0.0.3
X1=2001:db8:76::1
X2=2001:db8:76::2 # another address of the host's
X9=2001:db8:76::9 # the host's, watched
NL=$'\n'

server 4621 $A $X1
S1=("${srv[@]}")
S1_NORAW=(chcontext --silent --ctx 4622 --cap CAP_NET_RAW chbind --silent --ip $A --ip $X1 --)
server 4623 $B
S_IPV4=("${srv[@]}")

ip link add vx6 type dummy && ip link set vx6 up &&
	for x in $X1 $X2 $X9; do ip -6 addr add $x/64 dev vx6 nodad || exit 1; done
is "$?" 0 "setup: a dummy interface vx6 with $X1, $X2 and $X9"
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
ip -6 route add local fd76:7365:7276:6572::/64 dev lo
is "$?" 0 "setup: ping sockets for every group, the servers' IPv6 loopback route"

# ---- socket() ----
p6 "socket: an ICMPv6 ping socket and a raw ICMPv6 socket (root keeps CAP_NET_RAW)" \
	"ok${NL}ok" "${S1[@]}" socket inet6 dgram icmpv6 + socket inet6 raw icmpv6
p6 "socket: raw ICMPv6 without CAP_NET_RAW in the ceiling: EPERM" "EPERM${NL}ok" \
	"${S1_NORAW[@]}" socket inet6 raw icmpv6 + socket inet6 dgram icmpv6
p6 "socket: ICMPv6 without an IPv6 address in the set: EAFNOSUPPORT" \
	"EAFNOSUPPORT${NL}EAFNOSUPPORT" "${S_IPV4[@]}" socket inet6 raw icmpv6 + socket inet6 dgram icmpv6
p6 "socket: raw IPv6 UDP and IPPROTO_RAW: EPROTONOSUPPORT" "EPROTONOSUPPORT${NL}EPROTONOSUPPORT" \
	"${S1[@]}" socket inet6 raw udp + socket inet6 raw 255

# ---- the source ----
for kind in dgram raw; do
	server_start watch$kind watch $X9
	p6 "$kind: a ping of the host's $X9 is answered" "reply from $X9" "${S1[@]}" ping $kind $X9
	sleep 0.3
	is "$(sed -n 2p "$TEST_TMP/watch$kind")" "128 from $X1" \
		"$kind: the echo request left from the set's address $X1"
	stop_all
	p6 "$kind: bind(::) takes the set's address, and pings from it" "$X1${NL}reply from $X9" \
		"${S1[@]}" pingbound $kind :: $X9
	p6 "$kind: bind of another address of the host's: EADDRNOTAVAIL" "EADDRNOTAVAIL" \
		"${S1[@]}" pingbound $kind $X2 $X9
	p6 "$kind: ::1 is the server's own, and reads ::1" "reply from ::1" "${S1[@]}" ping $kind ::1
done
p6 "dgram: (reference: the host's ping of $X9 from $X2)" "$X2${NL}reply from $X9" \
	pingbound dgram $X2 $X9

# ---- attacks ----
p6 "attack: IPV6_HDRINCL on a raw ICMPv6 socket: EPERM" "EPERM" "${S1[@]}" setopt IPV6_HDRINCL
p6 "attack: (reference: the host may set IPV6_HDRINCL)" "ok" setopt IPV6_HDRINCL
server_start watchna watch $X9
p6 "attack: a neighbour advertisement (136) for $X9: EPERM" "EPERM" "${S1[@]}" icmp 136 $X9
p6 "attack: a router advertisement (134): EPERM" "EPERM" "${S1[@]}" icmp 134 $X9
p6 "attack: a redirect (137): EPERM" "EPERM" "${S1[@]}" icmp 137 $X9
p6 "attack: (then an echo request, which may go)" "ok" "${S1[@]}" icmp 128 $X9
sleep 0.5
is "$(sed -n 2p "$TEST_TMP/watchna")" "128 from $X1" \
	"attack: the host saw the echo request first: no advertisement arrived"
stop_all
server_start watchhost watch $X9
p6 "attack: (reference: the host's root sends a neighbour advertisement)" "ok" icmp 136 $X9
sleep 0.5
like "$(sed -n 2p "$TEST_TMP/watchhost")" "^136 from " "attack: (reference: it arrives)"
stop_all
ip link del vx6
ip -6 route del local fd76:7365:7276:6572::/64 dev lo table local

finish
