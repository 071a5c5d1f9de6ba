#!/bin/bash
# Sockets of other contexts against root inside a server (issue 9), tried
# as root inside a started server (vserver NAME exec, default
# configuration) through the probe vx-netprobe
# (tests/guest/helpers/vx-netprobe.cpp):
#  - the abstract unix namespace is per context (context 1 has its own
#    too): a connect or sendto to a name bound in another context fails
#    with ECONNREFUSED, as if it did not exist; a server may bind a name
#    the host uses, and host clients still reach the host's listener;
#  - /proc/net/{tcp,udp,unix,raw,packet,netlink} and sock_diag (ss) list
#    only the sockets of the reader's context; contexts 0 and 1 list all;
#  - SO_PEERCRED of a peer in another context reads pid 0, and so does
#    the SCM_CREDENTIALS pid of a host sender that exited before its
#    datagram was read (its task is gone: no context left to ask);
#  - SO_PEERPIDFD and SCM_PIDFD hand no pidfd of a host task into a
#    server: EINVAL, as for a peer that is gone.
# The victims, checked at the end: host listeners (abstract @vx-host-stream
# and @vx-host-dgram, 127.0.0.1:4700 TCP, 4701 UDP, a unix socket file in
# alpha's tree), host raw, packet and netlink sockets, and the other
# server beta (its httpd on *:80, answering on 127.1.0.3).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

ALPHA=127.1.0.2
BETA=127.1.0.3
# The same addresses as /proc/net/tcp prints them (little-endian guest).
NL=$'\n'

# hold OUTFILE CMD...: start CMD in the background, its output in OUTFILE,
# and wait (10 s at most) until it has printed a line ("listening",
# "holding", "ADDRESS PORT" or an errno); $! is its pid.
hold() {
	local file=$1 deadline=$((SECONDS + 10))
	shift
	setsid "$@" </dev/null >"$file" 2>&1 &
	until [ -s "$file" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
}

# socket_inodes PID: the inodes of the sockets PID (of context 0) holds.
socket_inodes() {
	find "/proc/$1/fd" -mindepth 1 -printf '%l\n' 2>/dev/null |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -n | tr '\n' ' '
}

# has_inode LISTING FILE INODES: LISTING (the text of /proc/net/FILE) has
# a socket with one of the INODES (a list).
has_inode() {
	local col=10
	case $2 in unix) col=7 ;; packet) col=9 ;; esac
	printf '%s\n' "$1" |
		awk -v c=$col -v list=" $3 " 'NR > 1 && index(list, " " $c " ") { f = 1 } END { exit !f }'
}

# httpd_inode NAME: the inode of the listening socket of server NAME's
# httpd (both servers' httpd listen on 0.0.0.0:80, each a wildcard of its
# own addresses: the address does not tell them apart), read from its
# descriptors inside the server.
httpd_inode() {
	# shellcheck disable=SC2016 # (expanded by the server's sh)
	vserver "$1" exec sh -c 'for f in /proc/$(pidof httpd)/fd/*; do readlink "$f"; done' |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | head -n 1
}

# absent WHAT LISTING FILE INODES: an assertion that no socket of INODES
# is in LISTING, the text of /proc/net/FILE.
absent() {
	if [ -z "$2" ]; then
		fail "$1" "/proc/net/$3 could not be read"
	elif has_inode "$2" "$3" "$4"; then
		fail "$1" "the listing shows socket inode(s) $4:" "$2"
	else
		pass "$1"
	fi
}

# ---- setup: two servers, the victims ----
escape_server alpha $ALPHA
escape_server beta $BETA
echo "I am beta" >"$VSERVER_ROOTDIR/beta/var/www/index.html"
wait_http "http://$BETA/" && wait_http "http://$ALPHA/"
is "$(fetch "http://$BETA/")" "I am beta" "setup: beta serves its page on $BETA:80"
ctx_a=$(cat "$VSERVER_RUNDIR/alpha.ctx")
in_alpha() { vserver alpha exec "$@"; }
# shellcheck disable=SC2317 # (called through check_run)
in_beta() { vserver beta exec "$@"; }

# The host's victims.
hold "$TEST_TMP/host-stream" vx-netprobe ahold stream vx-host-stream HOST-TOKEN
is "$(cat "$TEST_TMP/host-stream")" listening "setup: a host listener on the abstract @vx-host-stream"
host_stream=$!
hold "$TEST_TMP/host-dgram" vx-netprobe ahold dgram vx-host-dgram -
is "$(cat "$TEST_TMP/host-dgram")" listening "setup: a host datagram socket on the abstract @vx-host-dgram"
host_dgram=$!
hold "$TEST_TMP/host-tcp" vx-netprobe hold tcp 127.0.0.1 4700
host_tcp=$!
hold "$TEST_TMP/host-udp" vx-netprobe hold udp 127.0.0.1 4701
host_udp=$!
is "$(cat "$TEST_TMP/host-tcp" "$TEST_TMP/host-udp")" "127.0.0.1 4700${NL}127.0.0.1 4701" \
	"setup: host listeners on 127.0.0.1:4700 (TCP) and 4701 (UDP)"
hold "$TEST_TMP/host-raw" vx-netprobe sockhold inet raw 253
is "$(cat "$TEST_TMP/host-raw")" holding "setup: a host raw socket (protocol 253)"
host_raw=$!
hold "$TEST_TMP/host-packet" vx-netprobe sockhold packet dgram
is "$(cat "$TEST_TMP/host-packet")" holding "setup: a host packet socket"
host_packet=$!
bg_start ip monitor link
host_netlink=$!
deadline=$((SECONDS + 10))
until [ -n "$(socket_inodes $host_netlink)" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
host_path=$VSERVER_ROOTDIR/alpha/root/host.sock
hold "$TEST_TMP/host-path" vx-netprobe ahold stream "$host_path" PATH-TOKEN
is "$(cat "$TEST_TMP/host-path")" listening "setup: a host listener on a socket file in alpha's tree (/root/host.sock inside)"
host_peer=$!
declare -A inode
for v in stream dgram tcp udp raw packet netlink; do
	var=host_$v
	inode[$v]=$(socket_inodes "${!var}")
done
all_inodes=
for v in stream dgram tcp udp raw packet netlink; do all_inodes="$all_inodes$v=${inode[$v]}|"; done
like "$all_inodes" '^stream=[0-9]+ \|dgram=[0-9]+ \|tcp=[0-9]+ \|udp=[0-9]+ \|raw=[0-9]+ \|packet=[0-9]+ \|netlink=[0-9]+ ([0-9]+ )*\|$' \
	"setup: the host's victim sockets have inodes"

# ---- abstract unix sockets ----
check_run "abstract, inside alpha: connect to the host's @vx-host-stream: ECONNREFUSED" \
	0 "ECONNREFUSED" "" in_alpha vx-netprobe aconnect stream vx-host-stream
check_run "abstract, inside alpha: connect a datagram socket to the host's @vx-host-dgram: ECONNREFUSED" \
	0 "ECONNREFUSED" "" in_alpha vx-netprobe aconnect dgram vx-host-dgram
check_run "abstract, inside alpha: sendto the host's @vx-host-dgram: ECONNREFUSED" \
	0 "ECONNREFUSED" "" in_alpha vx-netprobe asendto vx-host-dgram from-alpha
check_run "abstract, inside alpha: peercred through the host's @vx-host-stream: ECONNREFUSED" \
	0 "ECONNREFUSED" "" in_alpha vx-netprobe peercred vx-host-stream
check_run "abstract, inside alpha: binding the name @vx-host-stream works (its own namespace)" \
	0 "ok" "" in_alpha vx-netprobe abind stream vx-host-stream
check_run "abstract, inside alpha: binding the name @vx-host-dgram works (its own namespace)" \
	0 "ok" "" in_alpha vx-netprobe abind dgram vx-host-dgram
hold "$TEST_TMP/alpha-squat" vserver alpha exec vx-netprobe ahold stream vx-host-stream ALPHA-TOKEN
is "$(cat "$TEST_TMP/alpha-squat")" listening \
	"abstract, inside alpha: a listener on @vx-host-stream while the host's listens (no EADDRINUSE)"
alpha_squat=$!
hold "$TEST_TMP/alpha-squat2" vserver alpha exec vx-netprobe ahold stream vx-squat ALPHA-TOKEN
is "$(cat "$TEST_TMP/alpha-squat2")" listening "abstract, inside alpha: a listener on @vx-squat"
alpha_squat2=$!
check_run "abstract: a host client of @vx-host-stream still reaches the host's listener" \
	0 "HOST-TOKEN" "" vx-netprobe aconnect stream vx-host-stream
check_run "abstract: a host client of @vx-squat, a name alpha bound: ECONNREFUSED" \
	0 "ECONNREFUSED" "" vx-netprobe aconnect stream vx-squat
check_run "abstract, inside alpha: alpha's client of @vx-host-stream reaches alpha's own listener" \
	0 "ALPHA-TOKEN" "" in_alpha vx-netprobe aconnect stream vx-host-stream
check_run "abstract, context 1: connect to the host's @vx-host-stream: ECONNREFUSED" \
	0 "ECONNREFUSED" "" chcontext --silent --ctx 1 vx-netprobe aconnect stream vx-host-stream
check_run "abstract, context 1: binding the name @vx-host-stream works (its own namespace)" \
	0 "ok" "" chcontext --silent --ctx 1 vx-netprobe abind stream vx-host-stream
check_run "abstract, a chcontext --secure sandbox: connect to the host's @vx-host-stream: ECONNREFUSED" \
	0 "ECONNREFUSED" "" chcontext --silent --secure vx-netprobe aconnect stream vx-host-stream
hold "$TEST_TMP/beta-shared" vserver beta exec vx-netprobe ahold stream vx-shared BETA-TOKEN
is "$(cat "$TEST_TMP/beta-shared")" listening "abstract, inside beta: a listener on @vx-shared"
beta_shared=$!
hold "$TEST_TMP/alpha-shared" vserver alpha exec vx-netprobe ahold stream vx-shared ALPHA-SHARED
is "$(cat "$TEST_TMP/alpha-shared")" listening \
	"abstract, inside alpha: a listener on @vx-shared too, while beta's listens"
alpha_shared=$!
check_run "abstract, inside beta: beta's client of @vx-shared reaches beta's listener" \
	0 "BETA-TOKEN" "" in_beta vx-netprobe aconnect stream vx-shared
check_run "abstract, inside alpha: alpha's client of @vx-shared reaches alpha's listener" \
	0 "ALPHA-SHARED" "" in_alpha vx-netprobe aconnect stream vx-shared

# ---- /proc/net ----
declare -A in_a host ctx1
# (host and ctx1 are read through lists_all's name reference)
# shellcheck disable=SC2034
for f in tcp udp unix raw packet netlink; do
	in_a[$f]=$(in_alpha cat "/proc/net/$f")
	host[$f]=$(cat "/proc/net/$f")
	ctx1[$f]=$(chcontext --silent --ctx 1 cat "/proc/net/$f")
done
absent "/proc/net/tcp inside alpha: no host listener on 127.0.0.1:4700" "${in_a[tcp]}" tcp "${inode[tcp]}"
ALPHA_HTTPD=$(httpd_inode alpha)
BETA_HTTPD=$(httpd_inode beta)
like "$ALPHA_HTTPD $BETA_HTTPD" '^[0-9]+ [0-9]+$' "setup: the inodes of alpha's and beta's httpd listeners"
absent "/proc/net/tcp inside alpha: no socket of beta (its httpd on *:80)" "${in_a[tcp]}" tcp "$BETA_HTTPD"
absent "/proc/net/udp inside alpha: no host socket on 127.0.0.1:4701" "${in_a[udp]}" udp "${inode[udp]}"
absent "/proc/net/unix inside alpha: no host @vx-host-stream" "${in_a[unix]}" unix "${inode[stream]}"
absent "/proc/net/unix inside alpha: no host @vx-host-dgram" "${in_a[unix]}" unix "${inode[dgram]}"
is "$(printf '%s\n' "${in_a[unix]}" | grep -c ' @vx-squat$')" 1 \
	"/proc/net/unix inside alpha: alpha's own listener @vx-squat is listed"
absent "/proc/net/raw inside alpha: no host raw socket" "${in_a[raw]}" raw "${inode[raw]}"
absent "/proc/net/packet inside alpha: no host packet socket" "${in_a[packet]}" packet "${inode[packet]}"
absent "/proc/net/netlink inside alpha: no host netlink socket (ip monitor)" "${in_a[netlink]}" netlink "${inode[netlink]}"
has_inode "${in_a[tcp]}" tcp "$ALPHA_HTTPD"
is "$?" 0 "/proc/net/tcp inside alpha: alpha's own httpd (on *:80) is listed"

# lists_all WHERE LISTINGS: the array LISTINGS (file -> text) has every
# victim and both servers' httpd.
lists_all() {
	local -n l=$2
	local f missing=
	for f in tcp udp raw packet netlink; do
		has_inode "${l[$f]}" $f "${inode[$f]}" || missing="$missing host-$f"
	done
	has_inode "${l[unix]}" unix "${inode[stream]}" || missing="$missing host-@vx-host-stream"
	has_inode "${l[unix]}" unix "${inode[dgram]}" || missing="$missing host-@vx-host-dgram"
	has_inode "${l[tcp]}" tcp "$ALPHA_HTTPD" || missing="$missing alpha-httpd"
	has_inode "${l[tcp]}" tcp "$BETA_HTTPD" || missing="$missing beta-httpd"
	is "$missing" "" "/proc/net in $1: every context's sockets are listed (host's, alpha's, beta's)"
}
lists_all "context 0" host
lists_all "context 1" ctx1

# ---- sock_diag: ss ----
# (-e: the inodes, which tell the two servers' httpd apart)
run chcontext --silent --ctx "$ctx_a" ss -tuxane
ss_alpha=$out
is "$rc" 0 "ss -tuxane in alpha's context runs"
for victim in "127.0.0.1:4700" "127.0.0.1:4701" "ino:$BETA_HTTPD " "@vx-host-dgram"; do
	if printf '%s\n' "$ss_alpha" | grep -qF -- "$victim"; then
		fail "ss -tuxane in alpha's context: $victim (another context's) is not listed" "$ss_alpha"
	else
		pass "ss -tuxane in alpha's context: $victim (another context's) is not listed"
	fi
done
like "$ss_alpha" "ino:$ALPHA_HTTPD " "ss -tuxane in alpha's context: alpha's own httpd is listed"
for c in 0 1; do
	if [ $c = 0 ]; then run ss -tuxane; else run chcontext --silent --ctx 1 ss -tuxane; fi
	missing=
	for s in "127.0.0.1:4700 " "127.0.0.1:4701 " "ino:$ALPHA_HTTPD " "ino:$BETA_HTTPD " "@vx-host-stream " "@vx-host-dgram "; do
		printf '%s\n' "$out" | grep -qF -- "$s" || missing="$missing $s"
	done
	is "$rc:$missing" "0:" "ss -tuxane in context $c lists every context's sockets"
done

# ---- SO_PEERCRED ----
check_run "SO_PEERCRED (control, context 0): the host listener's pid" \
	0 "$host_peer" "" vx-netprobe peercred "$host_path"
check_run "SO_PEERCRED inside alpha, of the host listener on /root/host.sock: pid 0" \
	0 "0" "" in_alpha vx-netprobe peercred /root/host.sock
check_run "SO_PEERCRED in a chcontext --secure sandbox, of the host listener: pid 0" \
	0 "0" "" chcontext --silent --secure vx-netprobe peercred "$host_path"

# ---- SO_PEERPIDFD and SCM_PIDFD: no pidfd of a task the reader cannot see ----
check_run "SO_PEERPIDFD (control, context 0): a pidfd of the host listener" \
	0 "$host_peer" "" vx-netprobe peerpidfd "$host_path"
check_run "SO_PEERPIDFD inside alpha, of the host listener on /root/host.sock: EINVAL (as if gone)" \
	0 "EINVAL" "" in_alpha vx-netprobe peerpidfd /root/host.sock
check_run "SO_PEERPIDFD in a chcontext --secure sandbox, of the host listener: EINVAL" \
	0 "EINVAL" "" chcontext --silent --secure vx-netprobe peerpidfd "$host_path"
# pidfd_sender READER...: READER binds a datagram socket with SO_PASSPIDFD
# and receives from a host sender that stays alive: "sender S pidfd P", S
# the sender's pid, P what the fdinfo of the SCM_PIDFD descriptor names
# (or the negative errno the message carried in its place).
pidfd_sender() {
	local sock=$TEST_TMP/pidfd.sock sender
	rm -f "$sock"
	# shellcheck disable=SC2016
	"$@" python3 -c '
import os, socket, sys
SO_PASSPIDFD, SCM_PIDFD = 76, 4
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.setsockopt(socket.SOL_SOCKET, SO_PASSPIDFD, 1)
print("ready", flush=True)
_, anc, _, _ = s.recvmsg(64, 64)
fd = [int.from_bytes(d[:4], "little", signed=True) for l, t, d in anc if t == SCM_PIDFD][0]
if fd >= 0:
    fd = [l.split()[1] for l in open("/proc/self/fdinfo/%d" % fd) if l.startswith("Pid:")][0]
print("pidfd", fd)' "$sock" >"$TEST_TMP/pidfd.out" 2>&1 &
	local reader=$!
	for _ in $(seq 200); do grep -q ready "$TEST_TMP/pidfd.out" && break; sleep 0.05; done
	python3 -c '
import socket, sys, time
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"x", sys.argv[1])
time.sleep(5)' "$sock" &
	sender=$!
	wait "$reader"
	kill "$sender" 2>/dev/null
	wait "$sender" 2>/dev/null
	echo "sender $sender $(sed -n 2p "$TEST_TMP/pidfd.out")"
}
out=$(pidfd_sender)
sender=$(echo "$out" | cut -d" " -f2)
is "$out" "sender $sender pidfd $sender" "SCM_PIDFD (control, context 0): a pidfd of the host sender"
out=$(pidfd_sender chcontext --silent --secure)
sender=$(echo "$out" | cut -d" " -f2)
is "$out" "sender $sender pidfd -22" "SCM_PIDFD in a sandbox, of a host sender: -EINVAL in place of a pidfd"

# ---- SCM_CREDENTIALS of a sender that is gone ----
# gone_sender READER... -- SENDER...: READER binds a datagram socket with
# SO_PASSCRED; SENDER sends to it and exits (reaped) before READER reads:
# "pid N", the pid READER reads.
gone_sender() {
	local reader=() sock=$TEST_TMP/gone.sock flag=$TEST_TMP/gone.sent
	while [ "$1" != -- ]; do reader+=("$1"); shift; done
	shift
	rm -f "$sock" "$flag"
	# shellcheck disable=SC2016
	"${reader[@]}" python3 -c '
import os, socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
_, anc, _, _ = s.recvmsg(64, 64)
print("pid", struct.unpack("3i", anc[0][2])[0])' "$sock" "$flag" >"$TEST_TMP/gone.out" 2>&1 &
	local pid=$!
	for _ in $(seq 200); do grep -q ready "$TEST_TMP/gone.out" && break; sleep 0.05; done
	"$@" python3 -c '
import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"x", sys.argv[1])' "$sock"
	touch "$flag"
	wait "$pid"
	sed -n 2p "$TEST_TMP/gone.out"
}
like "$(gone_sender -- )" '^pid [1-9][0-9]*$' \
	"SCM_CREDENTIALS (control, context 0): a host sender that is gone reads as its pid"
is "$(gone_sender chcontext --silent --secure -- )" "pid 0" \
	"SCM_CREDENTIALS in a sandbox, of a host sender that is gone: pid 0"
like "$(gone_sender -- chcontext --silent --secure)" '^pid [1-9][0-9]*$' \
	"SCM_CREDENTIALS in context 0, of a sandbox's sender that is gone: its pid (the host may know it)"
# The same rule must leave a group or session whose leader exited alone:
# its members still name it (getpgid, getsid, /proc/PID/stat), in a
# server as on the host.  orphaned_session prints "leader L pgid P sid S
# stat P S" for a member whose leader L has exited.
orphaned_session() {
	"$@" python3 -c '
import os, time
r, w = os.pipe()
leader = os.fork()
if leader == 0:
    os.setsid()
    member = os.fork()
    if member == 0:
        time.sleep(2)
        os._exit(0)
    os.write(w, str(member).encode())
    os._exit(0)
os.waitpid(leader, 0)
member = int(os.read(r, 32))
stat = open("/proc/%d/stat" % member).read().rsplit(")", 1)[1].split()
print("leader", leader, "pgid", os.getpgid(member), "sid", os.getsid(member),
      "stat", stat[2], stat[3])'
}
out=$(orphaned_session chcontext --silent --secure)
leader=$(echo "$out" | cut -d" " -f2)
is "$out" "leader $leader pgid $leader sid $leader stat $leader $leader" \
	"a sandbox's session and group outlive their leader: getpgid, getsid, /proc/PID/stat name it"
out=$(orphaned_session)
leader=$(echo "$out" | cut -d" " -f2)
is "$out" "leader $leader pgid $leader sid $leader stat $leader $leader" \
	"(control, context 0: the same)"

# ---- the victims, intact ----
# shellcheck disable=SC2016 # (expanded by that sh)
check_run "victim: the host listener on /root/host.sock still serves alpha (by design) and the host" \
	0 "PATH-TOKEN${NL}PATH-TOKEN" "" \
	sh -c 'vserver alpha exec vx-netprobe aconnect stream /root/host.sock && vx-netprobe aconnect stream "$0"' \
	"$host_path"
check_run "victim: the host's @vx-host-stream still answers a host client" \
	0 "HOST-TOKEN" "" vx-netprobe aconnect stream vx-host-stream
is "$(grep -c '^served$' "$TEST_TMP/host-stream")" 2 \
	"victim: the host's @vx-host-stream served exactly the host's two clients"
check_run "victim: the host's @vx-host-dgram still receives from the host" \
	0 "ok" "" vx-netprobe asendto vx-host-dgram from-host
sleep 0.2
is "$(cat "$TEST_TMP/host-dgram")" "listening${NL}received from-host" \
	"victim: the host's @vx-host-dgram received nothing from alpha"
is "$(grep -c '^served$' "$TEST_TMP/alpha-squat2")" 0 "victim: alpha's @vx-squat caught no host client"
alive=
for pid in "$host_stream" "$host_dgram" "$host_tcp" "$host_udp" "$host_raw" "$host_packet" \
	"$host_netlink" "$host_peer"; do
	kill -0 "$pid" 2>/dev/null || alive="$alive $pid-gone"
done
is "$alive" "" "victim: every host victim process is still running"
run vx-netprobe connect tcp 127.0.0.1 4700
is "$rc:$out" "0:127.0.0.1" "victim: the host listener on 127.0.0.1:4700 still answers"
is "$(fetch "http://$BETA/")" "I am beta" "victim: beta still serves its page"

for pid in "$alpha_squat" "$alpha_squat2" "$alpha_shared" "$beta_shared"; do
	kill_anywhere "$pid"
done
for pid in "$host_stream" "$host_dgram" "$host_tcp" "$host_udp" "$host_raw" "$host_packet" \
	"$host_netlink" "$host_peer"; do
	kill_anywhere "$pid"
done
escape_finish
