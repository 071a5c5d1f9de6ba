#!/bin/bash
# A server's loopback network is its own (issue 12): inside a started
# server (vserver NAME start, default configuration) every destination in
# 127.0.0.0/8 is the server's own loopback address, so 127.0.0.1 reaches
# the server's services and never the host's (or another server's):
#  - the server's httpd (bound to 0.0.0.0, its address and its loopback)
#    answers http://127.0.0.1/ and http://127.0.1.1/ inside it;
#  - attacks from root inside alpha on the host's listeners on 127.0.0.1
#    and 127.0.0.53 (TCP, UDP, TCP fast open, io_uring connect and
#    sendmsg, inline and in an io-wq worker) reach alpha's own loopback:
#    each host listener sees nothing;
#  - beta's address (127.1.0.3, a test address in 127/8) from inside alpha
#    is alpha itself;
#  - binding 127.0.0.1 binds alpha's own loopback (loopback_services has
#    more); other loopback addresses stay refused;
#  - HOSTLOOPBACK=yes (server gamma), chbind --host-loopback and the host
#    context (the seed's "chbind --ip eth0 telnet localhost") keep the
#    host's loopback; chcontext + chbind, for any user, gets the private
#    one; /proc/PID/status says which in ipv4root_loopback;
#  - set_ipv4root refuses unknown flags.
# The victims, checked at the end: the host listener on 127.0.0.1, beta.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

ALPHA=127.1.0.2
BETA=127.1.0.3
GAMMA=127.1.0.4
SANDBOX=127.1.0.1 # chbind --ip vx0
HOST_PORT=4700
NL=$'\n'

# ---- setup: three servers, a host listener ----
escape_server alpha $ALPHA
escape_server beta $BETA
escape_server gamma $GAMMA HOSTLOOPBACK=yes
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
for s in alpha beta gamma; do
	echo "I am $s" >"$VSERVER_ROOTDIR/$s/var/www/index.html"
done
wait_http "http://$ALPHA/" && wait_http "http://$BETA/"
is "$(fetch "http://$ALPHA/") | $(fetch "http://$BETA/")" "I am alpha | I am beta" \
	"setup: alpha and beta serve their pages on their addresses"
bg_start vx-netprobe hold tcp 127.0.0.1 $HOST_PORT
host_listener=$!
escape_track "$host_listener"
deadline=$((SECONDS + 10))
until ss -ltnH "sport = :$HOST_PORT" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
is "$(ss -ltnH "sport = :$HOST_PORT" | awk '{ print $4 }')" "127.0.0.1:$HOST_PORT" \
	"setup: a host listener on 127.0.0.1:$HOST_PORT"

run vserver alpha status
like "$rc $out" "^0 alpha is running in context [0-9]+, [0-9]+ processes, address $ALPHA\$" \
	"setup: vserver alpha status names its address"

# ---- whose loopback ----
loopback_line() { "$@" sed -n 's/^ipv4root_loopback:[[:space:]]*//p' /proc/self/status; }
is "$(loopback_line vserver alpha exec)" private "status: inside alpha, ipv4root_loopback is private"
is "$(loopback_line vserver gamma exec)" host "status: inside gamma (HOSTLOOPBACK=yes), it is host"
is "$(loopback_line)" host "status: an unlocked host process: host"
is "$(loopback_line chbind --silent --ip vx0)" host "status: chbind in the host context: host"
is "$(loopback_line chcontext --silent chbind --silent --ip vx0)" private \
	"status: chcontext + chbind: private"
is "$(loopback_line chcontext --silent chbind --silent --host-loopback --ip vx0)" host \
	"status: chcontext + chbind --host-loopback: host"

# ---- the server's own services ----
check_run "inside alpha: http://127.0.0.1/ is alpha's own httpd" \
	0 "I am alpha" "" vserver alpha exec wget -q -O - http://127.0.0.1/
check_run "inside alpha: http://127.0.1.1/ (Debian's address of the host name) is alpha's too" \
	0 "I am alpha" "" vserver alpha exec wget -q -O - http://127.0.1.1/
check_run "inside alpha: beta's address in 127/8 is alpha itself, not beta" \
	0 "I am alpha" "" vserver alpha exec wget -q -O - "http://$BETA/"
check_run "inside alpha: a UDP service on 0.0.0.0 gets a datagram sent to 127.0.0.1, from alpha's loopback (127.0.0.1 inside)" \
	0 "0.0.0.0${NL}peer 127.0.0.1" "" \
	vserver alpha exec vx-netprobe serve udp 0.0.0.0 -- vx-netprobe sendto 127.0.0.1 @PORT
check_run "inside alpha: a ping of 127.0.0.1 is answered (by alpha's address)" \
	0 "$ALPHA reply" "" vserver alpha exec vx-netprobe ping 127.0.0.1
rows=(
	"TCP bind 127.0.0.1 binds alpha's own loopback (127.0.0.1 inside)|127.0.0.1|bind tcp 127.0.0.1"
	"UDP bind 127.0.0.1: the same|127.0.0.1|bind udp 127.0.0.1"
	"TCP bind 127.0.0.53 fails with EADDRNOTAVAIL (127.0.0.1 only is the server's)|EADDRNOTAVAIL|bind tcp 127.0.0.53"
)
for row in "${rows[@]}"; do
	IFS='|' read -r label want steps <<<"$row"
	# shellcheck disable=SC2086 # (steps are words)
	check_run "inside alpha: $label" 0 "$want" "" vserver alpha exec vx-netprobe $steps
done

# ---- the host's loopback services, attacked from inside alpha ----
# serve_host PROTO ADDR -- CMD...: a host listener on ADDR:PORT (CMD's
# @PORT) that reports who reached it ("peer none": nobody); in_alpha and
# nobody_in_context are the prefixes of CMD for the attacker.
# (called through check_run)
# shellcheck disable=SC2317
serve_host() { vx-netprobe serve "$@"; }
in_alpha=(vserver alpha exec vx-netprobe)
nobody_in_context=(setpriv "--reuid=$USER_ID" "--regid=$USER_ID" --clear-groups -- chcontext --silent)
check_run "inside alpha: TCP connect to the host's 127.0.0.1 listener reaches alpha's loopback (ECONNREFUSED), the host sees nothing" \
	0 "ECONNREFUSED${NL}peer none" "" serve_host tcp 127.0.0.1 -- "${in_alpha[@]}" connect tcp 127.0.0.1 @PORT
check_run "inside alpha: TCP connect to a host listener on 127.0.0.53: the same" \
	0 "ECONNREFUSED${NL}peer none" "" serve_host tcp 127.0.0.53 -- "${in_alpha[@]}" connect tcp 127.0.0.53 @PORT
check_run "inside alpha: TCP fast open (sendto MSG_FASTOPEN) to the host's 127.0.0.1: the same" \
	0 "ECONNREFUSED${NL}peer none" "" serve_host tcp 127.0.0.1 -- "${in_alpha[@]}" fastopen 127.0.0.1 @PORT
check_run "inside alpha: UDP sendto the host's 127.0.0.1: sent to alpha's loopback, the host receives nothing" \
	0 "0.0.0.0${NL}peer none" "" serve_host udp 127.0.0.1 -- "${in_alpha[@]}" sendto 127.0.0.1 @PORT
check_run "inside alpha: UDP sendto with sin_family AF_UNSPEC (UDP takes it for AF_INET) to the host's 127.0.0.1: the same" \
	0 "0.0.0.0${NL}peer none" "" serve_host udp 127.0.0.1 -- "${in_alpha[@]}" sendto-unspec 127.0.0.1 @PORT
check_run "inside alpha: UDP connect + send to the host's 127.0.0.53: the same" \
	0 "127.0.0.1${NL}peer none" "" serve_host udp 127.0.0.53 -- "${in_alpha[@]}" connect udp 127.0.0.53 @PORT
check_run "inside alpha: IP_PKTINFO with source 0 to the host's 127.0.0.1: the same" \
	0 "0.0.0.0${NL}peer none" "" serve_host udp 127.0.0.1 -- "${in_alpha[@]}" pktinfo 0.0.0.0 127.0.0.1 @PORT
for mode in inline async; do
	m=()
	[ $mode = inline ] || m=(async)
	check_run "inside alpha, io_uring $mode: IORING_OP_CONNECT TCP to the host's 127.0.0.1: ECONNREFUSED, the host sees nothing" \
		0 "ECONNREFUSED${NL}peer none" "" serve_host tcp 127.0.0.1 -- "${in_alpha[@]}" uring-connect "${m[@]}" tcp 127.0.0.1 @PORT
	check_run "inside alpha, io_uring $mode: IORING_OP_CONNECT UDP + IORING_OP_SEND to the host's 127.0.0.1: the host receives nothing" \
		0 "127.0.0.1${NL}peer none" "" serve_host udp 127.0.0.1 -- "${in_alpha[@]}" uring-connect "${m[@]}" udp 127.0.0.1 @PORT
	check_run "inside alpha, io_uring $mode: IORING_OP_SENDMSG to the host's 127.0.0.1: the host receives nothing" \
		0 "0.0.0.0${NL}peer none" "" serve_host udp 127.0.0.1 -- "${in_alpha[@]}" uring-sendmsg "${m[@]}" 127.0.0.1 @PORT
done
check_run "as nobody in chcontext + chbind: TCP connect to the host's 127.0.0.1 listener: ECONNREFUSED, the host sees nothing" \
	0 "ECONNREFUSED${NL}peer none" "" \
	serve_host tcp 127.0.0.1 -- "${nobody_in_context[@]}" chbind --silent --ip vx0 vx-netprobe connect tcp 127.0.0.1 @PORT

# ---- the host's loopback where it is asked for ----
check_run "inside gamma (HOSTLOOPBACK=yes): TCP connect to the host's 127.0.0.1 listener reaches it, from gamma's address" \
	0 "$GAMMA${NL}peer $GAMMA" "" \
	serve_host tcp 127.0.0.1 -- vserver gamma exec vx-netprobe connect tcp 127.0.0.1 @PORT
check_run "chbind in the host context (the seed's telnet localhost): reaches the host's 127.0.0.1, from the address" \
	0 "$SANDBOX${NL}peer $SANDBOX" "" \
	serve_host tcp 127.0.0.1 -- chbind --silent --ip vx0 vx-netprobe connect tcp 127.0.0.1 @PORT
check_run "as nobody in chcontext + chbind --host-loopback: reaches the host's 127.0.0.1" \
	0 "$SANDBOX${NL}peer $SANDBOX" "" \
	serve_host tcp 127.0.0.1 -- "${nobody_in_context[@]}" chbind --silent --host-loopback --ip vx0 vx-netprobe connect tcp 127.0.0.1 @PORT
check_run "the host reaches alpha's httpd on alpha's address" 0 "I am alpha" "" fetch "http://$ALPHA/"

# ---- set_ipv4root's flags ----
check_run "set_ipv4root: VX_IPV4ROOT_HOSTLOOPBACK (1) is accepted" \
	0 "ok" "" vx-netprobe set $SANDBOX 0.0.0.0 1
check_run "set_ipv4root: an unknown flag (2) fails with EINVAL" \
	0 "EINVAL" "" vx-netprobe set $SANDBOX 0.0.0.0 2

# ---- the victims ----
run vx-netprobe connect tcp 127.0.0.1 $HOST_PORT
is "$rc:$out" "0:127.0.0.1" "victim: the host's 127.0.0.1:$HOST_PORT listener still answers the host"
is "$(fetch "http://$BETA/")" "I am beta" "victim: beta still serves its page"

escape_finish
