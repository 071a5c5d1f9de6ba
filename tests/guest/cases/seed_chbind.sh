#!/bin/bash
# Seed paper 2.6.3, "Playing with /usr/sbin/chbind", and 4.10 "Issues", with
# python3's http.server as the seed's httpd and curl as its telnet:
#  - a server started normally listens on 0.0.0.0:80; one started with
#    "chbind --ip IFNAME" listens on the interface's primary address, with
#    the same command line ("httpd.conf was not changed");
#  - the central promise: two servers with byte-identical configuration
#    (0.0.0.0:80), locked to two addresses, both run and each address
#    serves its own server's page;
#  - the "Issues": an unlocked server on 0.0.0.0:80 and a locked one cannot
#    share the port, whichever starts first;
#  - a client under chbind connects to localhost from the chbind address;
#  - bad input (an address not on the host, an unknown interface): a
#    one-line error, nothing run.
# The host's "eth0" is a dummy interface vx0 with 127.1.0.1/24 (primary,
# broadcast 127.1.0.255) and 127.1.0.2/24 (secondary).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

NL=$'\n'
# The one configuration of every web server here (only the directory it
# serves, its own file system, differs).
HTTPD=(python3 -u -m http.server 80 --bind 0.0.0.0)

ip link add vx0 type dummy &&
	ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
	ip addr add 127.1.0.2/24 dev vx0 &&
	ip link set vx0 up
is "$?" 0 "setup: a dummy interface vx0 with 127.1.0.1/24 and 127.1.0.2/24"

for n in one two three; do
	mkdir "$TEST_TMP/$n"
	echo "server $n" >"$TEST_TMP/$n/index.html"
done

# start_httpd NAME [CHBIND...]: start the web server in $TEST_TMP/NAME (its
# own session), through the given chbind command if any; output in
# $TEST_TMP/NAME.log, pid in $!.
start_httpd() {
	local name=$1
	shift
	(cd "$TEST_TMP/$name" && exec setsid "$@" "${HTTPD[@]}") </dev/null >"$TEST_TMP/$name.log" 2>&1 &
}
# listeners: the local addresses listening on TCP port 80, sorted.
listeners() { ss -ltnH | awk '$4 ~ /:80$/ { print $4 }' | sort; }
# wait_listeners EXPECTED: wait (up to 30 s) until listeners says EXPECTED.
wait_listeners() {
	local deadline=$((SECONDS + 30))
	until [ "$(listeners)" = "$1" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
}
# fetch URL: the page, or "curl failed (STATUS)".
fetch() { curl -s --max-time 10 "$1" || echo "curl failed ($?)"; }
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# ---- "httpd is running": unlocked, it has all of port 80 ----
start_httpd three
plain=$!
wait_listeners "0.0.0.0:80"
is "$(listeners)" "0.0.0.0:80" "a server started normally listens on 0.0.0.0:80"
# The "Issues": nothing else can bind port 80, even on one address.
run timeout 60 chbind --silent --ip vx0 "${HTTPD[@]}"
is "$rc ${err##*$'\n'}" "1 OSError: [Errno 98] Address already in use" \
	"issues: while it runs, a server under chbind --ip vx0 cannot bind port 80 (EADDRINUSE)"
stop "$plain"
wait_listeners ""
is "$(listeners)" "" "the unlocked server is stopped"

# ---- "chbind --ip eth0 httpd restart" ----
start_httpd one chbind --ip vx0
one=$!
wait_listeners "127.1.0.1:80"
is "$(listeners)" "127.1.0.1:80" \
	"chbind --ip vx0: the same server listens on vx0's primary address 127.1.0.1:80, not 0.0.0.0:80"
is "$(field "$one" ipv4root)" "127.1.0.1" "chbind --ip vx0: the server's ipv4root is 127.1.0.1"
is "$(grep -c -x 'ipv4root is now 127.1.0.1' "$TEST_TMP/one.log")" 1 \
	"chbind --ip vx0 said 'ipv4root is now 127.1.0.1'"
like "$(cat "$TEST_TMP/one.log")" "^Serving HTTP on 127\.1\.0\.1 port 80 " \
	"the server itself reports serving on 127.1.0.1 port 80"
is "$(fetch http://127.1.0.1/)" "server one" "http://127.1.0.1/ is served by it"
is "$(fetch http://127.0.0.1/)" "curl failed (7)" "http://127.0.0.1/ is not: connection refused"

# ---- the central promise: a second server, same configuration ----
start_httpd two chbind --silent --ip 127.1.0.2
two=$!
wait_listeners "127.1.0.1:80${NL}127.1.0.2:80"
is "$(listeners)" "127.1.0.1:80${NL}127.1.0.2:80" \
	"a second server with the same configuration under chbind --ip 127.1.0.2 runs too"
is "$(tr '\0' ' ' <"/proc/$two/cmdline")" "$(tr '\0' ' ' <"/proc/$one/cmdline")" \
	"the two servers run byte-identical command lines (0.0.0.0:80)"
is "$(tr '\0' ' ' <"/proc/$two/cmdline")" "${HTTPD[*]} " "... the configuration binding 0.0.0.0:80"
is "$(field "$two" ipv4root)" "127.1.0.2" "the second server's ipv4root is 127.1.0.2"
is "$(fetch http://127.1.0.1/)" "server one" "http://127.1.0.1/ gets the first server's page"
is "$(fetch http://127.1.0.2/)" "server two" "http://127.1.0.2/ gets the second server's page"

# The "Issues" the other way: an unlocked server on 0.0.0.0:80 cannot start
# while they run.
run timeout 60 "${HTTPD[@]}"
is "$rc ${err##*$'\n'}" "1 OSError: [Errno 98] Address already in use" \
	"issues: an unlocked third server on 0.0.0.0:80 fails with EADDRINUSE while they run"
is "$(fetch http://127.1.0.1/) / $(fetch http://127.1.0.2/)" "server one / server two" \
	"both locked servers still serve their own pages"
stop "$one"
stop "$two"
wait_listeners ""
is "$(listeners)" "" "both servers are stopped"

# ---- "chbind --ip eth0 telnet localhost": the client side ----
(cd "$TEST_TMP/three" && exec setsid python3 -u -m http.server 8080 --bind 0.0.0.0) \
	</dev/null >"$TEST_TMP/client.log" 2>&1 &
server=$!
deadline=$((SECONDS + 30))
until ss -ltnH | grep -q ' 0\.0\.0\.0:8080 ' || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
# peer_of PATH: the client address the server logged for GET PATH.
peer_of() { awk -v p="\"GET $1 " 'index($0, p) { print $1 }' "$TEST_TMP/client.log"; }
is "$(fetch http://localhost:8080/)" "server three" "an unlocked client fetches http://localhost:8080/"
is "$(peer_of /)" "127.0.0.1" "the server saw the unlocked client come from 127.0.0.1"
run chbind --ip vx0 curl -s --max-time 10 http://localhost:8080/locked
is "$rc $err" "0 ipv4root is now 127.1.0.1" "chbind --ip vx0 curl http://localhost:8080/ runs"
is "$(peer_of /locked)" "127.1.0.1" "the server saw the client under chbind --ip vx0 come from 127.1.0.1"
run chbind --silent --ip 127.1.0.2 curl -s --max-time 10 http://127.0.0.1:8080/second
is "$rc $(peer_of /second)" "0 127.1.0.2" "a client under chbind --ip 127.1.0.2 comes from 127.1.0.2"
# A host name goes through the system's resolver (getent: chbind is static).
check_run "chbind --ip localhost locks to the address /etc/hosts gives it" 0 \
	"ipv4root:	127.0.0.1" "" chbind --silent --ip localhost grep '^ipv4root:' /proc/self/status
stop "$server"

# ---- interface names ----
check_run "chbind --ip vx0 resolves the interface to its primary address 127.1.0.1" 0 \
	"ipv4root:	127.1.0.1" "ipv4root is now 127.1.0.1" \
	chbind --ip vx0 grep "^ipv4root:" /proc/self/status
check_run "chbind --ip lo: lo's address 127.0.0.1" 0 "ipv4root:	127.0.0.1" "" \
	chbind --silent --ip lo grep "^ipv4root:" /proc/self/status

# ---- bad input: a one-line error, nothing run ----
# bad WHAT PATTERN CHBIND-ARGS...: chbind ARGS touch MARKER fails with one
# line on stderr matching PATTERN, and MARKER is not created.
bad() {
	local what=$1 pattern=$2
	shift 2
	rm -f "$TEST_TMP/ran"
	run chbind "$@" touch "$TEST_TMP/ran"
	if [ "$rc" != 0 ] && [ -z "$out" ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		printf '%s\n' "$err" | grep -Eq -- "$pattern" && [ ! -e "$TEST_TMP/ran" ]; then
		pass "$what"
	else
		fail "$what" "command: chbind $*" "expected a non-zero status, one line on stderr matching:" \
			"$pattern" "and the command not run; got status $rc, stdout:" "$out" "stderr:" "$err" \
			"command run: $([ -e "$TEST_TMP/ran" ] && echo yes || echo no)"
	fi
}
bad "bad input: an unknown interface" "^chbind: .*nosuch0" --ip nosuch0
# Narrow the loopback to 127.0.0.1 alone: then 127.77.0.1 is on no
# interface and no local route (on lo/8 every 127.x.y.z is local).
ip addr add 127.0.0.1/32 dev lo && ip addr del 127.0.0.1/8 dev lo
run vx-netprobe bind tcp 127.77.0.1
is "$out" "EADDRNOTAVAIL" "setup: with lo narrowed to 127.0.0.1/32, 127.77.0.1 is not local"
bad "bad input: an address not on the host (127.77.0.1)" "^chbind: .*127\.77\.0\.1" --ip 127.77.0.1
bad "bad input: the same with --silent" "^chbind: .*127\.77\.0\.1" --silent --ip 127.77.0.1
bad "bad input: a malformed address" "^chbind: .*127\.1\.0\.300" --ip 127.1.0.300
bad "bad input: no --ip" "^chbind: " --silent
# (the loopback as it was, for the cases run after this one in one boot)
ip addr add 127.0.0.1/8 dev lo && ip addr del 127.0.0.1/32 dev lo

finish
