#!/bin/bash
# Servers with several addresses (issue 12), started the way users start
# them: IPROOT lists two addresses, IPROOTDEV=vx0 (a dummy interface,
# 127.1.0.1/24):
#  - start adds an alias for each address the host lacks (label
#    vx0:NAME), status, vserver-stat and vps name the addresses,
#    /proc/PID/status inside shows the set;
#  - alpha and beta serve httpd on 0.0.0.0:80 with the same configuration;
#    each of their four addresses is answered by its own server, an
#    address of neither by nobody;
#  - inside alpha, connections leave from its first address (seen by its
#    own service: every 127/8 destination is alpha there), and its second
#    address reaches alpha itself;
#  - refused, with nothing left behind: a server whose list shares an
#    address with a running server, an IPROOT listing an address twice;
#  - an old single-address configuration still starts ("address A");
#  - stop removes the server's aliases only, also when one of them is the
#    primary address of its subnet on vx0 (127.2.0.0/24: alpha's came
#    first) and beta's are its secondaries.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

A1=127.1.0.2
A2=127.2.0.2
B1=127.1.0.3
B2=127.2.0.3
SINGLE=127.1.0.5
NOBODYS=127.0.0.9 # on lo, the host's
NL=$'\n'

# aliases NAME: the addresses on vx0 labelled vx0:NAME, sorted.
aliases() { ip -o -4 addr show dev vx0 label "vx0:$1" | awk '{ print $4 }' | sort | paste -sd' '; }

# ---- start ----
escape_server alpha "$A1 $A2"
escape_server beta "$B1 $B2"
for s in alpha beta; do
	echo "I am $s" >"$VSERVER_ROOTDIR/$s/var/www/index.html"
done
is "$(aliases alpha) | $(aliases beta)" "$A1/24 $A2/24 | $B1/24 $B2/24" \
	"start: an alias on vx0 for each address (vx0:alpha, vx0:beta)"
run vserver alpha status
like "$rc $out" "^0 alpha is running in context [0-9]+, [0-9]+ processes, addresses $A1 $A2\$" \
	"status: vserver alpha status names both addresses"
check_run "inside alpha: /proc/self/status lists the set, the first address as ipv4root" \
	0 "ipv4root:	$A1${NL}netaddrs:	$A1 $A2" "" \
	vserver alpha exec grep -E '^(ipv4root|netaddrs):' /proc/self/status
run vserver-stat
is "$rc $(printf '%s\n' "$out" | awk '$8 == "alpha" || $8 == "beta" { print $8, $9 }' | sort | paste -sd' ')" \
	"0 alpha $A1,$A2 beta $B1,$B2" "vserver-stat: each server's ADDRESSES"
alpha_ctx=$(cat "$VSERVER_RUNDIR/alpha.ctx")
run vps -o pid,comm
is "$rc $(printf '%s\n' "$out" | awk -v c="$alpha_ctx" '$2 == c { print $4 }' | sort -u)" "0 $A1+1" \
	"vps: alpha's processes show its first address and +1"

# ---- one port, two servers ----
wait_http "http://$A1/" && wait_http "http://$B1/"
is "$(fetch "http://$A1/") | $(fetch "http://$A2/") | $(fetch "http://$B1/") | $(fetch "http://$B2/")" \
	"I am alpha | I am alpha | I am beta | I am beta" \
	"httpd on 0.0.0.0:80 in both: each address is answered by its own server"
like "$(fetch "http://$NOBODYS/")" "^error: .*(refused|Connection)" \
	"an address of neither server: nobody answers"
check_run "inside alpha: a connection (to its second address) leaves from its first address" \
	0 "$A1${NL}peer $A1" "" \
	vserver alpha exec vx-netprobe serve tcp 0.0.0.0 -- vx-netprobe connect tcp $A2 @PORT
check_run "inside alpha: its second address is alpha itself" 0 "I am alpha" "" \
	vserver alpha exec wget -q -O - "http://$A2/"

# ---- refused, nothing left behind ----
escape_server_conf() { # NAME IPROOT: built and configured, not started
	run vserver "$1" build --from "$ESC_TEMPLATE"
	set_conf "$1" IPROOT "$2"
	set_conf "$1" IPROOTDEV vx0
}
escape_server_conf gamma "127.2.0.4 $B2"
run vserver gamma start
is "$rc | $err" "1 | vserver: $B2 is already used by the running server beta" \
	"refused: a list sharing an address with a running server"
is "$(host_leftovers gamma)" "" "refused: gamma left no alias (127.2.0.4 either), mount, cgroup or run file"
set_conf gamma IPROOT "127.2.0.4 127.2.0.5 127.2.0.4"
run vserver gamma start
like "$rc | $err" "^1 \| vserver: .*gamma.conf: IPROOT lists 127.2.0.4 twice$" \
	"refused: an IPROOT listing an address twice"
is "$(host_leftovers gamma)" "" "refused: nothing left behind"

# ---- a single address, as before ----
set_conf gamma IPROOT "$SINGLE"
run vserver gamma start
is "$rc" 0 "single: a server with one address still starts"
_esc_servers+=(gamma)
run vserver gamma status
like "$out" ", address $SINGLE\$" "single: status says \"address $SINGLE\""
is "$(aliases gamma)" "$SINGLE/24" "single: its one alias"

# ---- stop ----
run vserver alpha stop
is "$rc" 0 "stop: alpha stops"
is "$(host_leftovers alpha)" "" "stop: alpha's aliases (both), mount, cgroup and run files are gone"
is "$(aliases beta)" "$B1/24 $B2/24" "stop: beta keeps its aliases"
is "$(fetch "http://$B2/")" "I am beta" "stop: beta still answers on its second address"

escape_finish
