#!/bin/bash
# The IPv4 lock against root inside a server (issue 9): every way around
# the one address is tried as root inside a started server (vserver NAME
# exec, default configuration, IPROOT on a dummy interface) and in chbind
# sandboxes, through the probe vx-netprobe
# (tests/guest/helpers/vx-netprobe.cpp):
#  - a locked process may create AF_UNIX, AF_NETLINK and AF_INET TCP, UDP,
#    UDP-Lite and ICMP (ping) sockets only, raw ICMP with CAP_NET_RAW (not
#    in a server's ceiling: EPERM): other families fail with
#    EAFNOSUPPORT (IPv6, AF_PACKET, the old AF_INET SOCK_PACKET, TIPC,
#    VSOCK, XDP), other AF_INET protocols with EPROTONOSUPPORT (other raw,
#    MPTCP, SCTP stream and seqpacket, DCCP); the kernel of the guest has
#    them all, and each refusal has a control in context 0 where the same
#    call works;
#  - io_uring (IORING_OP_SOCKET, _BIND, _CONNECT, _SENDMSG), inline and
#    forced into an io-wq worker (IOSQE_ASYNC), keeps the lock;
#  - IP_PKTINFO naming another source, IP_FREEBIND and IP_TRANSPARENT;
#  - set_ipv4root takes as broadcast address only a broadcast address of
#    the host, never another server's unicast address.
# (The sends from alpha go to its own address, where a host listener on
# 0.0.0.0 answers: 127.0.0.0/8 is alpha's own, see private_loopback.
# alpha has a loopback address of its own, so its TCP and UDP sockets are
# wildcards of its two addresses where the sandbox's are bound to its one:
# @ANY in a row.)
# The victims, checked after each group: a host listener on
# 127.0.0.1:4700 and the other server beta, its httpd on 127.1.0.3:80.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

ALPHA=127.1.0.2
BETA=127.1.0.3
SANDBOX=127.1.0.1 # chbind --ip vx0
HOST_PORT=4700
NL=$'\n'

# ---- setup: two servers, the victims ----
escape_server alpha $ALPHA
escape_server beta $BETA
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
is "$(cat /proc/sys/net/ipv4/ping_group_range)" "0	2147483647" \
	"setup: every group may open ICMP datagram sockets"
echo "I am beta" >"$VSERVER_ROOTDIR/beta/var/www/index.html"
wait_http "http://$BETA/"
is "$(fetch "http://$BETA/")" "I am beta" "setup: beta serves its page on $BETA:80"
run vserver alpha exec cat /proc/self/status
like "$out" "ipv4root:	$ALPHA" "setup: a process of alpha is locked to $ALPHA"

bg_start vx-netprobe hold tcp 127.0.0.1 $HOST_PORT
host_listener=$!
deadline=$((SECONDS + 10))
until ss -ltnH "sport = :$HOST_PORT" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
host_row=$(ss -ltnH "sport = :$HOST_PORT" | awk '{ print $1, $4 }')
is "$host_row" "LISTEN 127.0.0.1:$HOST_PORT" "setup: a host listener on 127.0.0.1:$HOST_PORT"

# victims_intact AFTER: the host listener and beta, as they were.
victims_intact() {
	run vx-netprobe connect tcp 127.0.0.1 $HOST_PORT
	if [ "$rc:$out" = "0:127.0.0.1" ] && kill -0 "$host_listener" 2>/dev/null &&
		[ "$(ss -ltnH "sport = :$HOST_PORT" | awk '{ print $1, $4 }')" = "$host_row" ]; then
		pass "after $1: the host's 127.0.0.1:$HOST_PORT listener is the same and answers"
	else
		fail "after $1: the host's 127.0.0.1:$HOST_PORT listener is the same and answers" \
			"connect: $rc $out $err" "listeners: $(ss -ltnH "sport = :$HOST_PORT")"
	fi
	# (beta's httpd is a wildcard of beta's addresses: nobody is bound to
	# beta's address itself)
	is "$(fetch "http://$BETA/") | $(ss -ltnH | awk '{ print $4 }' | grep -F "$BETA:" | tr '\n' ' ')" \
		"I am beta | " "after $1: beta serves its page and no socket is bound to $BETA"
}

# each FIELD WHERE ROOT [RUNNER...]: the rows of the array "rows"
# (LABEL|LOCKED|UNLOCKED|STEP...) run as one vx-netprobe, STEPs joined by
# "+", under RUNNER; each row is its own assertion "WHERE: LABEL: WANT":
# its line of output is WANT, field FIELD of the row (2: LOCKED, 3:
# UNLOCKED) with @ROOT replaced by ROOT.
each() {
	local field=$1 where=$2 root=$3 row label want steps i=0 args=() words lines
	shift 3
	for row in "${rows[@]}"; do
		IFS='|' read -r label _ _ steps <<<"$row"
		read -ra words <<<"$steps"
		[ ${#args[@]} -eq 0 ] || args+=(+)
		args+=("${words[@]}")
	done
	run "$@" vx-netprobe "${args[@]}"
	mapfile -t lines <<<"$out"
	for row in "${rows[@]}"; do
		IFS='|' read -ra words <<<"$row"
		label=${words[0]} want=${words[$((field - 1))]} steps=${words[3]}
		want=${want//@ROOT/$root}
		want=${want//@ANY/${any:-$root}}
		want=${want//@LOOPBACK/${loopback:-EADDRNOTAVAIL}}
		if [ "$rc" = 0 ] && [ -z "$err" ] && [ "${lines[$i]-}" = "$want" ]; then
			pass "$where: $label: $want"
		else
			fail "$where: $label: $want" "steps: $steps" "expected: $want" \
				"got: ${lines[$i]-(no line)}" "(probe status $rc, stderr: $err)"
		fi
		i=$((i + 1))
	done
}
# (called through each; @ANY and @LOOPBACK in a row are what alpha's
# socket bound to 0.0.0.0 and 127.0.0.1 show, where each is a wildcard and
# its own loopback; the sandbox has its address and EADDRNOTAVAIL)
# shellcheck disable=SC2317
in_alpha() { vserver alpha exec "$@"; }
alpha_rows() { any=0.0.0.0 loopback=127.0.0.1 each 2 "$1inside alpha" $ALPHA in_alpha; }
LO_ALPHA=$(server_loopback alpha)
# shellcheck disable=SC2317
in_sandbox() { chbind --silent --ip vx0 "$@"; }

# ---- families and protocols ----
# Debian's kernel does not load DCCP and TIPC on demand (its patches drop
# their module aliases): an administrator who uses them loads them, and a
# server meets them loaded.  (A kernel without modules has no
# kernel.modprobe: they are built in or absent.)
modprobe_helper=$(cat /proc/sys/kernel/modprobe 2>/dev/null)
if [ -x "${modprobe_helper:-/nonexistent}" ]; then
	"$modprobe_helper" -q dccp_ipv4 2>/dev/null || :
	"$modprobe_helper" -q tipc 2>/dev/null || :
fi
rows=(
	"an AF_INET6 stream socket|EAFNOSUPPORT|ok|socket inet6 stream"
	"an AF_INET6 datagram socket|EAFNOSUPPORT|ok|socket inet6 dgram"
	"a raw IPPROTO_RAW socket|EPROTONOSUPPORT|ok|socket inet raw raw"
	"an AF_PACKET SOCK_RAW socket|EAFNOSUPPORT|ok|socket packet raw"
	"an AF_PACKET SOCK_DGRAM socket|EAFNOSUPPORT|ok|socket packet dgram"
	"an AF_INET SOCK_PACKET socket|EAFNOSUPPORT|ok|socket inet packet"
	"an MPTCP socket|EPROTONOSUPPORT|ok|socket inet stream mptcp"
	"an MPTCP socket binding beta's address|EPROTONOSUPPORT|$BETA|bind mptcp $BETA"
	"an SCTP stream socket|EPROTONOSUPPORT|ok|socket inet stream sctp"
	"an SCTP seqpacket socket|EPROTONOSUPPORT|ok|socket inet seqpacket sctp"
	"an SCTP socket binding beta's address|EPROTONOSUPPORT|$BETA|bind sctp $BETA"
	"an SCTP socket adding beta's address with bindx|EPROTONOSUPPORT|$BETA|sctp-bindx $BETA"
	"a DCCP socket|EPROTONOSUPPORT|ok|socket inet dccp dccp"
	"an AF_TIPC socket|EAFNOSUPPORT|ok|socket tipc rdm"
	"an AF_VSOCK socket|EAFNOSUPPORT|ok|socket vsock stream"
	"an AF_XDP socket|EAFNOSUPPORT|ok|socket xdp raw"
)
each 3 "control, context 0, unlocked" ""
each 2 "inside alpha" $ALPHA in_alpha
each 2 "chbind sandbox" $SANDBOX in_sandbox
# Raw ICMP is ping's: for a locked task that keeps CAP_NET_RAW (the
# sandbox's root), held to the address (ipv4root_escapes has the rest).
rows=("a raw ICMP socket, CAP_NET_RAW not in the server's ceiling|EPERM|ok|socket inet raw icmp")
each 2 "inside alpha" $ALPHA in_alpha
rows=(
	"a raw ICMP socket, root keeping CAP_NET_RAW (ping)|ok|ok|socket inet raw icmp"
	"a raw ping of 127.0.0.1 leaves from the ipv4root and is answered|@ROOT reply||rawping 127.0.0.1"
)
each 2 "chbind sandbox" $SANDBOX in_sandbox
victims_intact "the socket families"

rows=(
	"allowed, an AF_UNIX stream socket|ok||socket unix stream"
	"allowed, an AF_UNIX datagram socket|ok||socket unix dgram"
	"allowed, an AF_NETLINK route socket|ok||socket netlink raw 0"
	"allowed, an AF_NETLINK sock_diag socket|ok||socket netlink dgram 4"
	"allowed, a TCP socket (protocol 0)|ok||socket inet stream"
	"allowed, a TCP socket (IPPROTO_TCP)|ok||socket inet stream tcp"
	"allowed, a UDP socket (protocol 0)|ok||socket inet dgram"
	"allowed, a UDP socket (IPPROTO_UDP)|ok||socket inet dgram udp"
	"allowed, a UDP-Lite socket|ok||socket inet dgram udplite"
	"allowed, an ICMP datagram (ping) socket|ok||socket inet dgram icmp"
	"a UDP-Lite bind of 0.0.0.0 gets the ipv4root (alpha: a wildcard of its set)|@ANY||bind udplite 0.0.0.0"
	"a UDP-Lite bind of beta's address|EADDRNOTAVAIL||bind udplite $BETA"
	"a TCP bind of beta's address|EADDRNOTAVAIL||bind tcp $BETA"
	"a ping of 127.0.0.1 leaves from the ipv4root and is answered|@ROOT reply||ping 127.0.0.1"
)
alpha_rows ""
each 2 "chbind sandbox" $SANDBOX in_sandbox
victims_intact "the allowed sockets"

# ---- io_uring, inline and in an io-wq worker ----
for mode in inline async; do
	m=()
	[ $mode = inline ] || m=(async)
	rows=(
		"IORING_OP_SOCKET AF_INET6|EAFNOSUPPORT|ok|uring-socket ${m[*]} inet6 stream"
		"IORING_OP_SOCKET AF_PACKET|EAFNOSUPPORT|ok|uring-socket ${m[*]} packet raw"
		"IORING_OP_SOCKET MPTCP|EPROTONOSUPPORT|ok|uring-socket ${m[*]} inet stream mptcp"
		"IORING_OP_SOCKET SCTP seqpacket|EPROTONOSUPPORT|ok|uring-socket ${m[*]} inet seqpacket sctp"
		"IORING_OP_SOCKET AF_VSOCK|EAFNOSUPPORT|ok|uring-socket ${m[*]} vsock stream"
		"IORING_OP_BIND TCP to beta's address|EADDRNOTAVAIL|$BETA|uring-bind ${m[*]} tcp $BETA"
		"IORING_OP_BIND UDP to 127.0.0.1 (alpha: its own loopback)|@LOOPBACK|127.0.0.1|uring-bind ${m[*]} udp 127.0.0.1"
	)
	each 3 "io_uring $mode, control, context 0, unlocked" ""
	alpha_rows "io_uring $mode, "
	each 2 "io_uring $mode, chbind sandbox" $SANDBOX in_sandbox
	rows=("IORING_OP_SOCKET raw ICMP, CAP_NET_RAW not in the ceiling|EPERM|ok|uring-socket ${m[*]} inet raw icmp")
	each 2 "io_uring $mode, inside alpha" $ALPHA in_alpha
	rows=("IORING_OP_SOCKET raw ICMP, root keeping CAP_NET_RAW|ok|ok|uring-socket ${m[*]} inet raw icmp")
	each 2 "io_uring $mode, chbind sandbox" $SANDBOX in_sandbox
	rows=(
		"allowed, IORING_OP_SOCKET TCP|ok||uring-socket ${m[*]} inet stream"
		"IORING_OP_BIND TCP to 0.0.0.0: a wildcard of alpha's set|@ANY||uring-bind ${m[*]} tcp 0.0.0.0"
		"IORING_OP_BIND UDP to the ipv4root itself|@ROOT||uring-bind ${m[*]} udp $ALPHA"
	)
	alpha_rows "io_uring $mode, "
	check_run "io_uring $mode, inside alpha: IORING_OP_CONNECT TCP to a host listener leaves from the ipv4root" \
		0 "$ALPHA${NL}peer $ALPHA" "" \
		vx-netprobe serve tcp 0.0.0.0 -- vserver alpha exec vx-netprobe uring-connect "${m[@]}" tcp $ALPHA @PORT
	check_run "io_uring $mode, inside alpha: IORING_OP_CONNECT UDP + IORING_OP_SEND leave from the ipv4root" \
		0 "$ALPHA${NL}peer $ALPHA" "" \
		vx-netprobe serve udp 0.0.0.0 -- vserver alpha exec vx-netprobe uring-connect "${m[@]}" udp $ALPHA @PORT
	check_run "io_uring $mode, inside alpha: IORING_OP_SENDMSG leaves from the ipv4root" \
		0 "0.0.0.0${NL}peer $ALPHA" "" \
		vx-netprobe serve udp 0.0.0.0 -- vserver alpha exec vx-netprobe uring-sendmsg "${m[@]}" $ALPHA @PORT
	check_run "io_uring $mode, inside alpha: IORING_OP_SENDMSG with IP_PKTINFO naming beta's address: EADDRNOTAVAIL, nothing sent" \
		0 "EADDRNOTAVAIL${NL}peer none" "" \
		vx-netprobe serve udp 0.0.0.0 -- vserver alpha exec vx-netprobe uring-sendmsg "${m[@]}" $ALPHA @PORT $BETA
	check_run "io_uring $mode, control, context 0: IORING_OP_SENDMSG with IP_PKTINFO $BETA is sent from it" \
		0 "0.0.0.0${NL}peer $BETA" "" \
		vx-netprobe serve udp 127.0.0.1 -- vx-netprobe uring-sendmsg "${m[@]}" 127.0.0.1 @PORT $BETA
	check_run "io_uring $mode, chbind sandbox: IORING_OP_CONNECT TCP leaves from the ipv4root" \
		0 "$SANDBOX${NL}peer $SANDBOX" "" \
		vx-netprobe serve tcp 127.0.0.1 -- chbind --silent --ip vx0 vx-netprobe uring-connect "${m[@]}" tcp 127.0.0.1 @PORT
done
victims_intact "io_uring"

# ---- IP_PKTINFO, IP_FREEBIND, IP_TRANSPARENT ----
check_run "IP_PKTINFO, control, context 0: ipi_spec_dst $BETA is the source the peer sees" \
	0 "0.0.0.0${NL}peer $BETA" "" \
	vx-netprobe serve udp 127.0.0.1 -- vx-netprobe pktinfo $BETA 127.0.0.1 @PORT
check_run "IP_PKTINFO, inside alpha: ipi_spec_dst beta's address: EADDRNOTAVAIL, nothing sent" \
	0 "EADDRNOTAVAIL${NL}peer none" "" \
	vx-netprobe serve udp 0.0.0.0 -- vserver alpha exec vx-netprobe pktinfo $BETA $ALPHA @PORT
check_run "IP_PKTINFO, inside alpha: ipi_spec_dst 127.0.0.1 is alpha's own loopback address, never the host's" \
	0 "0.0.0.0${NL}peer $LO_ALPHA" "" \
	vx-netprobe serve udp 0.0.0.0 -- vserver alpha exec vx-netprobe pktinfo 127.0.0.1 $ALPHA @PORT
check_run "IP_PKTINFO, inside alpha: ipi_spec_dst 0 leaves from the ipv4root" \
	0 "0.0.0.0${NL}peer $ALPHA" "" \
	vx-netprobe serve udp 0.0.0.0 -- vserver alpha exec vx-netprobe pktinfo 0.0.0.0 $ALPHA @PORT
check_run "IP_PKTINFO, chbind sandbox: ipi_spec_dst beta's address: EADDRNOTAVAIL, nothing sent" \
	0 "EADDRNOTAVAIL${NL}peer none" "" \
	vx-netprobe serve udp 127.0.0.1 -- chbind --silent --ip vx0 vx-netprobe pktinfo $BETA 127.0.0.1 @PORT
rows=(
	"IP_FREEBIND and a bind of beta's address|EADDRNOTAVAIL|$BETA|freebind $BETA"
	"IP_FREEBIND and a bind of a foreign address (192.0.2.1)|EADDRNOTAVAIL|192.0.2.1|freebind 192.0.2.1"
	"IP_TRANSPARENT on a TCP socket|EPERM|ok|transparent tcp"
	"IP_TRANSPARENT on a UDP socket|EPERM|ok|transparent udp"
)
each 3 "control, context 0, unlocked" ""
each 2 "inside alpha" $ALPHA in_alpha
each 2 "chbind sandbox" $SANDBOX in_sandbox
victims_intact "IP_PKTINFO, IP_FREEBIND, IP_TRANSPARENT"

# ---- the broadcast address of set_ipv4root ----
# (each vx-netprobe is a fresh, unlocked process of context 0)
check_run "set_ipv4root: beta's unicast address as the broadcast fails with EINVAL" \
	0 "EINVAL" "" vx-netprobe set $SANDBOX $BETA
check_run "set_ipv4root: the host's 127.0.0.1 as the broadcast fails with EINVAL" \
	0 "EINVAL" "" vx-netprobe set $SANDBOX 127.0.0.1
check_run "set_ipv4root: for nobody too, beta's address as the broadcast fails with EINVAL" \
	0 "EINVAL" "" as_user vx-netprobe set $SANDBOX $BETA
check_run "set_ipv4root: (control) vx0's real broadcast 127.1.0.255 is accepted" \
	0 "ok" "" vx-netprobe set $SANDBOX 127.1.0.255
check_run "set_ipv4root: (control) 255.255.255.255 is accepted" \
	0 "ok" "" vx-netprobe set $SANDBOX 255.255.255.255
victims_intact "the broadcast address"

kill_anywhere "$host_listener"
escape_finish
