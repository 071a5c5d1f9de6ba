#!/bin/bash
# set_ipv4root: each way around the one address, one test each, through
# the probe vx-netprobe (tests/guest/helpers/vx-netprobe.cpp; "lock ADDR"
# is the raw system call):
#  - IPv6 sockets (the [::] wildcard would cover IPv4): EAFNOSUPPORT;
#  - raw IPv4 sockets: EPROTONOSUPPORT, but raw ICMP (ping) with
#    CAP_NET_RAW, which sends echo requests only, from the ipv4root (no
#    IP_HDRINCL, no other IP_PKTINFO source) and receives only what is
#    sent to it;
#  - packet sockets (AF_PACKET, and the old AF_INET SOCK_PACKET):
#    EAFNOSUPPORT;
#  - IP_TRANSPARENT: EPERM;
#  - IP_PKTINFO naming another source address: EADDRNOTAVAIL; 0 or the
#    ipv4root: the packet leaves from the ipv4root;
#  - SO_BINDTODEVICE (lo, a dummy) is allowed, the address stays the ipv4root;
#  - ICMP datagram ("ping") sockets are held to the ipv4root;
#  - bind(AF_UNSPEC, 0.0.0.0), IP_FREEBIND, UDP disconnect: the same address.
# Each refusal has an unlocked reference run showing that the operation
# works without the lock (root, in context 0).
# Addresses: 127.0.0.2 and 127.0.0.3 on lo, a dummy vx0 with 127.1.0.1/24.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# shellcheck source=../lib/netprobe.sh
. "$(dirname "$0")/../lib/netprobe.sh"

ip link add vx0 type dummy &&
	ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
	ip link set vx0 up
is "$?" 0 "setup: a dummy interface vx0 with 127.1.0.1/24"
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
is "$(cat /proc/sys/net/ipv4/ping_group_range)" "0	2147483647" \
	"setup: every group may open ICMP datagram sockets"

# ---- IPv6 ----
probe "IPv6: (reference: unlocked, an AF_INET6 stream socket)" "ok" socket inet6 stream
probe "IPv6: a locked AF_INET6 stream socket fails with EAFNOSUPPORT" \
	"EAFNOSUPPORT" lock $A + socket inet6 stream
probe "IPv6: a locked AF_INET6 datagram socket fails with EAFNOSUPPORT" \
	"EAFNOSUPPORT" lock $A + socket inet6 dgram
probe_user "IPv6: for nobody too" "EAFNOSUPPORT" lock $A + socket inet6 stream
probe "IPv6: AF_INET sockets stay allowed" "ok${NL}ok" lock $A + socket inet stream + socket inet dgram

# ---- raw sockets ----
# ping comes back with CAP_NET_RAW: raw ICMP only, held to the address.
probe "raw: (reference: unlocked root opens a raw ICMP socket)" "ok" socket inet raw 1
probe "raw: locked root with CAP_NET_RAW opens a raw ICMP socket (ping)" \
	"yes${NL}ok" lock $A + cap net_raw + socket inet raw 1
check_run "raw: locked root without CAP_NET_RAW gets EPERM for it" 0 "no${NL}EPERM" "" \
	reducecap --cap net_raw vx-netprobe lock $A + cap net_raw + socket inet raw 1
probe_user "raw: ... and so does nobody" "EPERM" lock $A + socket inet raw 1
probe "raw: locked, IPPROTO_RAW (the header written by the caller) gets EPROTONOSUPPORT" \
	"EPROTONOSUPPORT" lock $A + socket inet raw 255
probe "raw: locked, a raw UDP socket gets EPROTONOSUPPORT" "EPROTONOSUPPORT" lock $A + socket inet raw 17
probe "raw: locked, a raw TCP socket gets EPROTONOSUPPORT" "EPROTONOSUPPORT" lock $A + socket inet raw 6
probe "raw: (reference: unlocked, IP_HDRINCL on a raw ICMP socket)" "ok" hdrincl
probe "raw: locked, IP_HDRINCL fails with EPERM" "EPERM" lock $A + hdrincl
probe "raw: (reference: unlocked, a raw ping of $B is sent from lo's 127.0.0.1)" \
	"127.0.0.1 reply" rawping $B
probe "raw: locked, a raw ping of 127.0.0.1 is sent from the ipv4root and answered" \
	"$A reply" lock $A + rawping 127.0.0.1
probe "raw: locked, IP_PKTINFO naming another source gets EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" lock $A + rawping 127.0.0.1 $B
probe "raw: locked, IP_PKTINFO naming the ipv4root is sent from it" \
	"$A reply" lock $A + rawping 127.0.0.1 $A
probe "raw: (reference: unlocked, a raw socket binds $B)" "$B" bind rawicmp $B
probe "raw: locked, binding another address gets EADDRNOTAVAIL" "EADDRNOTAVAIL" lock $A + bind rawicmp $B
probe "raw: locked, binding 0.0.0.0 gets the ipv4root" "$A" lock $A + bind rawicmp 0.0.0.0
# What a raw socket receives: every ICMP packet for its address.
sniff() { # OUTPUT PROBE-STEPS...: a background rawsniff; pings; its lines
	local out=$1 sniffer
	shift
	vx-netprobe "$@" rawsniff >"$out" 2>&1 &
	sniffer=$!
	for _ in $(seq 100); do grep -q ready "$out" && break; sleep 0.1; done
	vx-netprobe ping $B >/dev/null
	vx-netprobe lock $A + ping 127.0.0.1 >/dev/null
	kill -TERM $sniffer
	wait $sniffer
	cat "$out"
}
is "$(sniff "$TEST_TMP/sniff0")" \
	"ready${NL}127.0.0.1 > $A${NL}127.0.0.1 > $B${NL}$A > 127.0.0.1${NL}$B > 127.0.0.1" \
	"raw: (reference: unlocked, a raw ICMP socket sees the pings of every address)"
is "$(sniff "$TEST_TMP/sniff1" lock $A +)" "ready${NL}127.0.0.1 > $A" \
	"raw: locked, a raw ICMP socket sees only the packets sent to the ipv4root"

# What a locked raw ICMP socket sends: echo requests only.  A forged
# redirect, unreachable or fragmentation-needed error would reach other
# hosts' routes or other servers' connections.  A watcher of the host sees
# what arrives for $B: the first message after the refused ones is the echo
# request.
NET6PROBE=$(dirname "$0")/../lib/net6probe.py
icmp_watch() { # OUTPUT: the watcher, started; waits for its "ready"
	python3 "$NET6PROBE" watch $B >"$1" 2>&1 &
	watcher=$!
	for _ in $(seq 100); do grep -q ready "$1" && break; sleep 0.1; done
}
icmp_watch "$TEST_TMP/watch4"
for type in "5 a redirect" "3 a destination unreachable" "4 a source quench" \
	"11 a time exceeded" "13 a timestamp request" "0 an echo reply"; do
	probe "raw: attack: a locked raw ICMP socket sends ${type#* } (${type%% *}): EPERM" \
		EPERM lock $A -- python3 "$NET6PROBE" icmp "${type%% *}" $B
done
probe "raw: attack: (then an echo request, which may go)" ok \
	lock $A -- python3 "$NET6PROBE" icmp 8 $B
wait $watcher
is "$(sed -n 2p "$TEST_TMP/watch4")" "8 from $A" \
	"raw: attack: none of the refused messages arrived, the echo request did"
icmp_watch "$TEST_TMP/watch4host"
check_run "raw: attack: (reference: the host's root sends a redirect)" 0 ok "" \
	python3 "$NET6PROBE" icmp 5 $B
wait $watcher
like "$(sed -n 2p "$TEST_TMP/watch4host")" "^5 from " "raw: attack: (reference: it arrives)"

# ---- packet sockets ----
probe "packet: (reference: unlocked root opens AF_PACKET sockets)" "ok${NL}ok" \
	socket packet raw + socket packet dgram
probe "packet: locked root gets EAFNOSUPPORT for AF_PACKET SOCK_RAW" "EAFNOSUPPORT" lock $A + socket packet raw
probe "packet: locked root gets EAFNOSUPPORT for AF_PACKET SOCK_DGRAM" "EAFNOSUPPORT" lock $A + socket packet dgram
probe "packet: (reference: unlocked root opens AF_INET SOCK_PACKET)" "ok" socket inet packet
probe "packet: locked root gets EAFNOSUPPORT for the old AF_INET SOCK_PACKET" "EAFNOSUPPORT" \
	lock $A + socket inet packet

# ---- IP_TRANSPARENT ----
probe "IP_TRANSPARENT: (reference: unlocked root may set it)" "ok${NL}ok" \
	transparent tcp + transparent udp
probe "IP_TRANSPARENT: locked root gets EPERM on a TCP socket" "EPERM" lock $A + transparent tcp
probe "IP_TRANSPARENT: locked root gets EPERM on a UDP socket" "EPERM" lock $A + transparent udp

# ---- IP_PKTINFO ----
probe "IP_PKTINFO: (reference: unlocked, ipi_spec_dst $B is the source the peer sees)" \
	"0.0.0.0${NL}peer $B" serve udp 127.0.0.1 -- vx-netprobe pktinfo $B 127.0.0.1 @PORT
probe "IP_PKTINFO: locked, ipi_spec_dst another local address: EADDRNOTAVAIL, nothing sent" \
	"EADDRNOTAVAIL${NL}peer none" serve udp 127.0.0.1 -- vx-netprobe lock $A + pktinfo $B 127.0.0.1 @PORT
probe "IP_PKTINFO: locked, ipi_spec_dst 127.0.0.1: EADDRNOTAVAIL" \
	"EADDRNOTAVAIL${NL}peer none" serve udp 127.0.0.1 -- vx-netprobe lock $A + pktinfo 127.0.0.1 127.0.0.1 @PORT
probe "IP_PKTINFO: locked, ipi_spec_dst 0: the packet leaves from the ipv4root" \
	"$A${NL}peer $A" serve udp 127.0.0.1 -- vx-netprobe lock $A + pktinfo 0.0.0.0 127.0.0.1 @PORT
probe "IP_PKTINFO: locked, ipi_spec_dst the ipv4root: sent from it" \
	"$A${NL}peer $A" serve udp 127.0.0.1 -- vx-netprobe lock $A + pktinfo $A 127.0.0.1 @PORT

# ---- SO_BINDTODEVICE ----
probe "SO_BINDTODEVICE lo: allowed; TCP bind 0.0.0.0 is still the ipv4root" \
	"$A" lock $A + device lo tcp 0.0.0.0
probe "SO_BINDTODEVICE lo: allowed; UDP bind 0.0.0.0 is still the ipv4root" \
	"$A" lock $A + device lo udp 0.0.0.0
probe "SO_BINDTODEVICE lo: binding another address still fails with EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" lock $A + device lo udp $B
probe "SO_BINDTODEVICE lo: an unbound sendto leaves from the ipv4root (the peer sees it)" \
	"$A${NL}peer $A" serve udp 127.0.0.1 -- vx-netprobe lock $A + device-sendto lo 127.0.0.1 @PORT
probe "SO_BINDTODEVICE vx0 (dummy): allowed; bind 0.0.0.0 is still the ipv4root" \
	"$A${NL}$A" lock $A + device vx0 udp 0.0.0.0 + device vx0 tcp 0.0.0.0
probe "SO_BINDTODEVICE vx0 (dummy): its address stays refused (EADDRNOTAVAIL)" \
	"EADDRNOTAVAIL" lock $A + device vx0 tcp 127.1.0.1
probe_user "SO_BINDTODEVICE: for nobody too (lo, bind 0.0.0.0)" "$A" lock $A + device lo udp 0.0.0.0

# ---- ICMP datagram sockets ----
probe "ICMP: (reference: unlocked, a ping socket binds $B)" "$B" bind icmp $B
probe "ICMP: locked, a ping socket binding another address gets EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" lock $A + bind icmp $B
probe "ICMP: locked, binding 127.0.0.1 gets EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" lock $A + bind icmp 127.0.0.1
probe "ICMP: locked, binding 0.0.0.0 gets the ipv4root" "$A" lock $A + bind icmp 0.0.0.0
probe "ICMP: locked, an unbound ping of 127.0.0.1 is sent from the ipv4root (and answered)" \
	"$A reply" lock $A + ping 127.0.0.1
probe_user "ICMP: for nobody too" "$A reply" lock $A + ping 127.0.0.1

# ---- the same address by other roads ----
probe "bind(AF_UNSPEC, 0.0.0.0): TCP gets the ipv4root" "$A" lock $A + bind-unspec tcp
probe "bind(AF_UNSPEC, 0.0.0.0): UDP gets the ipv4root" "$A" lock $A + bind-unspec udp
probe "IP_FREEBIND: (reference: unlocked, with it a socket binds $B)" "$B" freebind $B
probe "IP_FREEBIND: locked, binding another address still fails with EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" lock $A + freebind $B
probe "UDP disconnect (connect AF_UNSPEC) keeps the ipv4root as the local address" \
	"$A" lock $A + disconnect 127.0.0.1 9
probe "UDP: a sendto after a disconnect still leaves from the ipv4root" \
	"$A${NL}peer $A" serve udp 127.0.0.1 -- vx-netprobe lock $A + disconnect 127.0.0.1 9 127.0.0.1 @PORT

finish
