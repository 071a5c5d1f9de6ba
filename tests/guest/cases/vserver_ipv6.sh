#!/bin/bash
# Servers with IPv6 addresses (issue 12), started the way users start them:
# alpha has IPROOT="127.1.0.2 2001:db8:76::11", beta IPROOT=127.1.0.3 and
# IPROOT6=2001:db8:76::12, both IPROOTDEV=vx0 (a dummy interface of the
# guest, which has no network card: no packet leaves it):
#  - start adds each IPv6 address to vx0 as a /128, usable at once (no
#    duplicate address detection); status, vserver-stat and
#    /proc/PID/status inside name them;
#  - the same busybox httpd in both binds [::]:80: each server's IPv6 and
#    IPv4 address is answered by that server, another IPv6 address of the
#    host by nobody;
#  - start made the servers' IPv6 loopback prefix local (one route on lo):
#    inside alpha, ::1 is alpha's own (its httpd answers http://[::1]/),
#    the host's [::1] listener is out of reach;
#  - a server without IPv6 address gets no IPv6 socket (its httpd serves
#    IPv4 as before);
#  - refused, nothing left behind: ::1 or a link-local address in IPROOT6,
#    an IPROOT of IPv6 addresses only, an IPv6 address twice, an IPv6
#    address a running server has;
#  - stop removes the server's IPv6 aliases, and only those (the loopback
#    route stays, as 127.0.0.0/8 does).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

A=127.1.0.2
B=127.1.0.3
C=127.1.0.4
XA=2001:db8:76::11
XB=2001:db8:76::12
XHOST=2001:db8:76::99 # the host's, on vx0 too
HOST_PORT=4950

# addr6 ADDR: the line of `ip -6 addr` for ADDR on vx0, as "ADDR/PREFIX
# FLAGS" (nodad, ...), or "".
addr6() {
	ip -o -6 addr show dev vx0 to "$1/128" |
		sed -n 's/.* inet6 \([^ ]*\) scope [a-z]* \(.*\)valid_lft.*/\1 \2/p' | sed 's/ *$//'
}

# ---- start ----
escape_server alpha "$A $XA"
escape_server beta "$B" IPROOT6="$XB"
ip -6 addr add $XHOST/64 dev vx0 nodad
for s in alpha beta; do
	echo "I am $s" >"$VSERVER_ROOTDIR/$s/var/www/index.html"
done
like "$(addr6 $XA) | $(addr6 $XB)" "^$XA/128 .*nodad.* \| $XB/128 .*nodad" \
	"start: each IPv6 address is on vx0 as a /128, without duplicate address detection"
run vserver alpha status
like "$rc $out" "^0 alpha is running in context [0-9]+, [0-9]+ processes, addresses $A $XA\$" \
	"status: vserver alpha status names both addresses"
check_run "inside beta: /proc/self/status lists the IPv6 address after the IPv4 one" \
	0 "netaddrs:	$B $XB" "" vserver beta exec grep '^netaddrs:' /proc/self/status
run vserver-stat
is "$rc $(printf '%s\n' "$out" | awk '$8 == "alpha" || $8 == "beta" { print $8, $9 }' | sort | paste -sd' ')" \
	"0 alpha $A,$XA beta $B,$XB" "vserver-stat: each server's ADDRESSES, IPv6 ones included"

# ---- one port, two servers ----
wait_http "http://[$XA]/" && wait_http "http://[$XB]/"
is "$(fetch "http://[$XA]/") | $(fetch "http://$A/") | $(fetch "http://[$XB]/") | $(fetch "http://$B/")" \
	"I am alpha | I am alpha | I am beta | I am beta" \
	"httpd on [::]:80 in both: each server's IPv6 and IPv4 address is answered by that server"
like "$(fetch "http://[$XHOST]/")" "^error: .*(refused|Connection)" \
	"the host's other IPv6 address: nobody answers"
check_run "inside alpha: httpd's socket is an IPv6 wildcard" 0 ":::80" "" \
	vserver alpha exec sh -c "netstat -ltn | awk '\$4 ~ /:80\$/ { print \$4 }'"

# ---- inside alpha ----
is "$(ip -6 route show table local to fd76:7365:7276:6572::/64 | awk '{ print $1, $2, $4 }')" \
	"local fd76:7365:7276:6572::/64 lo" "start: the servers' IPv6 loopback prefix is local on lo"
rm -f "$TEST_TMP/host6"
setsid python3 -c "
import socket, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::1', $HOST_PORT)); s.listen(4)
while True:
    c, peer = s.accept(); print(peer[0], flush=True); c.close()
" </dev/null >"$TEST_TMP/host6" 2>&1 &
escape_track "$!"
deadline=$((SECONDS + 10))
until ss -ltnH "sport = :$HOST_PORT" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
check_run "inside alpha: [::1] is alpha's own: its httpd answers" 0 "I am alpha" "" \
	vserver alpha exec wget -q -O - "http://[::1]/"
run vserver alpha exec wget -q -O - "http://[::1]:$HOST_PORT/"
like "$rc $err" "^1 .*(refused|Connection)" \
	"inside alpha: [::1]:$HOST_PORT is alpha's, where nothing listens"
python3 "$(dirname "$0")/../lib/net6probe.py" ask tcp ::1 $HOST_PORT >/dev/null
deadline=$((SECONDS + 5))
until [ -s "$TEST_TMP/host6" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
is "$(cat "$TEST_TMP/host6")" "::1" "inside alpha: the host's [::1]:$HOST_PORT saw only the host's own test connection"
check_run "inside alpha: its own [$XA]:80 answers" 0 "I am alpha" "" \
	vserver alpha exec wget -q -O - "http://[$XA]/"
check_run "inside alpha: beta's [$XB]:80 answers, as beta's IPv4 address does" 0 "I am beta" "" \
	vserver alpha exec wget -q -O - "http://[$XB]/"

# ---- a server without IPv6 ----
escape_server gamma "$C"
echo "I am gamma" >"$VSERVER_ROOTDIR/gamma/var/www/index.html"
wait_http "http://$C/"
is "$(fetch "http://$C/")" "I am gamma" "no IPv6: gamma's httpd serves IPv4 as before"
check_run "no IPv6: gamma gets no IPv6 socket" 0 "0.0.0.0:80" "" \
	vserver gamma exec sh -c "netstat -ltn | awk '\$4 ~ /:80\$/ { print \$4 }'"

# ---- refused, nothing left behind ----
leftovers6() { ip -o -6 addr show dev vx0 | grep -c "2001:db8:76::4" || :; }
refused_start() { # WHAT ERR-PATTERN KEY=VALUE...
	local what=$1 pattern=$2 kv
	shift 2
	run vserver delta build --from "$ESC_TEMPLATE"
	set_conf delta IPROOTDEV vx0
	for kv in "$@"; do set_conf delta "${kv%%=*}" "${kv#*=}"; done
	run vserver delta start
	like "$rc | $err" "^1 \| $pattern" "refused: $what"
	is "$(host_leftovers delta)$(leftovers6)" "0" "refused: $what leaves nothing behind"
}
refused_start "::1 in IPROOT6" "vserver: .*delta.conf: IPROOT '::1' cannot be a server's address" \
	IPROOT=127.1.0.40 IPROOT6=::1
refused_start "a link-local address" "vserver: .*IPROOT 'fe80::1' cannot be a server's address" \
	IPROOT=127.1.0.40 IPROOT6=fe80::1
refused_start "IPv6 addresses only" "vserver: .*IPROOT needs an IPv4 address beside its IPv6 ones" \
	IPROOT=2001:db8:76::40 IPROOT6=
refused_start "an IPv6 address twice" "vserver: .*IPROOT lists 2001:db8:76::40 twice" \
	IPROOT="127.1.0.40 2001:db8:76::40" IPROOT6=2001:db8:76:0::40
refused_start "alpha's IPv6 address" "vserver: $XA is already used by the running server alpha" \
	IPROOT=127.1.0.40 IPROOT6="2001:db8:76::41 $XA"
is "$(addr6 $XA | cut -d' ' -f1)" "$XA/128" "refused: alpha keeps its IPv6 address"

# ---- stop ----
run vserver alpha stop
is "$rc" 0 "stop: alpha stops"
is "$(host_leftovers alpha)$(addr6 $XA)" "" "stop: alpha's IPv6 alias, mount, cgroup and run files are gone"
is "$(addr6 $XB | cut -d' ' -f1) | $(fetch "http://[$XB]/")" "$XB/128 | I am beta" \
	"stop: beta keeps its IPv6 address and answers on it"
is "$(ip -6 route show table local to fd76:7365:7276:6572::/64 | awk '{ print $1 }')" "local" \
	"stop: the servers' IPv6 loopback route stays"

escape_finish
