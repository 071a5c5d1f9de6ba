#!/bin/bash
# Each server's 127.0.0.1 is a loopback of its own (issue 12): a service a
# server binds to 127.0.0.1 (MySQL's default) is that server's, on an
# address the kernel picks for it (127.254.ID_HIGH.ID_LOW), and reads
# 127.0.0.1 inside it.
#  - three listeners on port 3306, each bound to 127.0.0.1: one in alpha,
#    one in beta (servers started by `vserver start`), one on the host;
#    each side's 127.0.0.1:3306 is its own, over TCP and UDP;
#  - inside a server its loopback reads 127.0.0.1 (getsockname, the peer
#    a service sees, the source of an answer or of a ping's reply);
#  - nobody else reaches or binds a server's loopback address: the host
#    (root, and nobody through IPv4 and IPv4-mapped IPv6), another server,
#    a server with HOSTLOOPBACK=yes; a server may not lock to it;
#  - a host service on the wildcard does not answer on a server's loopback,
#    nor does it keep the server from binding the same port there;
#  - the server's services on 0.0.0.0 answer on its loopback too.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

ALPHA=127.1.0.2
BETA=127.1.0.3
GAMMA=127.1.0.4
NL=$'\n'

escape_server alpha $ALPHA
escape_server beta $BETA
escape_server gamma $GAMMA HOSTLOOPBACK=yes

LO_ALPHA=$(server_loopback alpha)
LO_BETA=$(server_loopback beta)
like "$LO_ALPHA $LO_BETA" '^127\.254\.[0-9]+\.[0-9]+ 127\.254\.[0-9]+\.[0-9]+$' \
	"setup: alpha and beta have contexts, hence loopback addresses"
status_line() { sed -n "s/^$1:[[:space:]]*//p"; }
is "$(vserver alpha exec cat /proc/self/status | status_line netloopback)" "$LO_ALPHA" \
	"status: inside alpha, netloopback is 127.254.(ctx >> 8).(ctx & 255)"
is "$(vserver alpha exec cat /proc/self/status | status_line netaddrs)" "$ALPHA" \
	"status: netaddrs lists alpha's address only"
is "$(vserver gamma exec cat /proc/self/status | status_line netloopback)" "" \
	"status: gamma (HOSTLOOPBACK=yes) has none"

# ---- three listeners on 3306 ----
# answer SIDE PROTO: a listener on 127.0.0.1:3306 that answers SIDE, in the
# server SIDE or on the host; prints what answer printed (its address).
answer() {
	local side=$1 proto=$2 log=$TEST_TMP/answer-$1-$2 deadline=$((SECONDS + 10))
	local cmd=(vx-netprobe answer "$proto" 127.0.0.1 3306 "$side")
	[ "$side" = host ] || cmd=(vserver "$side" exec "${cmd[@]}")
	"${cmd[@]}" >"$log" 2>&1 &
	escape_track $!
	until [ -s "$log" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
	head -n 1 "$log"
}
for proto in tcp udp; do
	for side in host alpha beta; do
		is "$(answer $side $proto)" "127.0.0.1 3306" \
			"$proto: $side binds 127.0.0.1:3306 (and sees 127.0.0.1)"
	done
done
is "$(ss -ltnH 'sport = :3306' | awk '{ print $4 }' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' 127.0.0.1:3306 "$LO_ALPHA:3306" "$LO_BETA:3306" | sort | tr '\n' ' ')" \
	"tcp: the host sees three listeners: 127.0.0.1, alpha's and beta's loopbacks"

check_run "tcp: the host's 127.0.0.1:3306 is the host's" \
	0 host "" vx-netprobe ask tcp 127.0.0.1 3306
check_run "tcp: alpha's 127.0.0.1:3306 is alpha's" \
	0 alpha "" vserver alpha exec vx-netprobe ask tcp 127.0.0.1 3306
check_run "tcp: beta's 127.0.0.1:3306 is beta's" \
	0 beta "" vserver beta exec vx-netprobe ask tcp 127.0.0.1 3306
check_run "tcp: gamma (HOSTLOOPBACK=yes) reaches the host's" \
	0 host "" vserver gamma exec vx-netprobe ask tcp 127.0.0.1 3306
check_run "udp: the host's 127.0.0.1:3306 is the host's" \
	0 "host from 127.0.0.1" "" vx-netprobe ask udp 127.0.0.1 3306
check_run "udp: alpha's is alpha's, its answer from 127.0.0.1" \
	0 "alpha from 127.0.0.1" "" vserver alpha exec vx-netprobe ask udp 127.0.0.1 3306
check_run "udp: beta's is beta's" \
	0 "beta from 127.0.0.1" "" vserver beta exec vx-netprobe ask udp 127.0.0.1 3306

# ---- what a service inside sees ----
check_run "inside alpha: a client of a service on 127.0.0.1 is 127.0.0.1 on both ends" \
	0 "127.0.0.1${NL}peer 127.0.0.1" "" \
	vserver alpha exec vx-netprobe serve tcp 127.0.0.1 -- vx-netprobe connect tcp 127.0.0.1 @PORT
check_run "inside alpha: a service on 0.0.0.0 answers on 127.0.0.1 too, its client is 127.0.0.1" \
	0 "127.0.0.1${NL}peer 127.0.0.1" "" \
	vserver alpha exec vx-netprobe serve tcp 0.0.0.0 -- vx-netprobe connect tcp 127.0.0.1 @PORT
check_run "inside alpha: the same over UDP" \
	0 "127.0.0.1${NL}peer 127.0.0.1" "" \
	vserver alpha exec vx-netprobe serve udp 0.0.0.0 -- vx-netprobe connect udp 127.0.0.1 @PORT
check_run "inside alpha: a service on 0.0.0.0 still answers on alpha's address, from it" \
	0 "$ALPHA${NL}peer $ALPHA" "" \
	vserver alpha exec vx-netprobe serve tcp 0.0.0.0 -- vx-netprobe connect tcp $ALPHA @PORT
check_run "inside alpha: http://127.0.0.1/ is alpha's httpd (on 0.0.0.0)" \
	0 "template" "" vserver alpha exec wget -q -O - http://127.0.0.1/
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
check_run "inside alpha: a ping of 127.0.0.1 is answered by alpha's loopback, from 127.0.0.1 as recvfrom reads it" \
	0 "reply from 127.0.0.1" "" vserver alpha exec vx-netprobe pingfrom 127.0.0.1

# ---- nobody else reaches a server's loopback ----
nobody=(setpriv "--reuid=$USER_ID" "--regid=$USER_ID" --clear-groups --)
check_run "host root: TCP connect to alpha's loopback fails with ENETUNREACH" \
	0 ENETUNREACH "" vx-netprobe ask tcp "$LO_ALPHA" 3306
check_run "host root: a ping of alpha's loopback fails with ENETUNREACH" \
	0 ENETUNREACH "" vx-netprobe pingfrom "$LO_ALPHA"
check_run "host root: UDP sendto alpha's loopback fails with ENETUNREACH" \
	0 ENETUNREACH "" vx-netprobe ask udp "$LO_ALPHA" 3306
check_run "host, nobody: TCP connect to alpha's loopback fails with ENETUNREACH" \
	0 ENETUNREACH "" "${nobody[@]}" vx-netprobe ask tcp "$LO_ALPHA" 3306
v6_connect() {
	python3 - "$1" <<-'EOF'
	import errno, socket, sys
	s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
	try:
	    s.connect(("::ffff:" + sys.argv[1], 3306))
	    print(s.recv(64).decode().strip())
	except OSError as e:
	    print(errno.errorcode[e.errno])
	EOF
}
check_run "host, nobody: an IPv6 socket's connect to alpha's loopback, IPv4-mapped: ENETUNREACH" \
	0 ENETUNREACH "" "${nobody[@]}" bash -c "$(declare -f v6_connect); v6_connect $LO_ALPHA"
check_run "beta: alpha's loopback address is beta's own loopback" \
	0 beta "" vserver beta exec vx-netprobe ask tcp "$LO_ALPHA" 3306
check_run "gamma (HOSTLOOPBACK=yes): alpha's loopback fails with ENETUNREACH" \
	0 ENETUNREACH "" vserver gamma exec vx-netprobe ask tcp "$LO_ALPHA" 3306
check_run "host root: bind alpha's loopback fails with EADDRNOTAVAIL" \
	0 EADDRNOTAVAIL "" vx-netprobe bind tcp "$LO_ALPHA" 3307
check_run "host, nobody: bind alpha's loopback fails with EADDRNOTAVAIL" \
	0 EADDRNOTAVAIL "" "${nobody[@]}" vx-netprobe bind udp "$LO_ALPHA" 3307
check_run "gamma: bind alpha's loopback fails with EADDRNOTAVAIL" \
	0 EADDRNOTAVAIL "" vserver gamma exec vx-netprobe bind tcp "$LO_ALPHA" 3307
check_run "set_netset: alpha's loopback address is refused (EINVAL)" \
	0 EINVAL "" chcontext --silent vx-netprobe netset "$LO_ALPHA"
check_run "set_netset: any address in 127.254.0.0/16 is refused (EINVAL)" \
	0 EINVAL "" vx-netprobe netset "127.1.0.9,127.254.200.1"

# ---- a host wildcard service ----
bg_start vx-netprobe answer tcp 0.0.0.0 3308 host-wildcard
escape_track $!
deadline=$((SECONDS + 10))
until ss -ltnH "sport = :3308" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
check_run "a host service on 0.0.0.0:3308 does not answer alpha's 127.0.0.1:3308 (ECONNREFUSED)" \
	0 ECONNREFUSED "" vserver alpha exec vx-netprobe ask tcp 127.0.0.1 3308
check_run "alpha binds 127.0.0.1:3308 all the same" \
	0 "127.0.0.1" "" vserver alpha exec vx-netprobe bind tcp 127.0.0.1 3308

# ---- the victims ----
check_run "victim: the host's 127.0.0.1:3306 still answers the host" \
	0 host "" vx-netprobe ask tcp 127.0.0.1 3306
check_run "victim: alpha's 127.0.0.1:3306 still answers alpha" \
	0 alpha "" vserver alpha exec vx-netprobe ask tcp 127.0.0.1 3306
escape_finish
