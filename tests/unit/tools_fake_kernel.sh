#!/bin/sh
# The tools against fake_vserver.so, a user-space stand-in for the vserver
# system call (see fake_vserver.c): context ids, messages and exit codes of
# chcontext, the ceiling reducecap shows, vkill's lookup and signalling
# helpers, and the address chbind sets (its resolution of interfaces,
# labels, broadcasts and host names, in a network namespace of its own). Exits 77 (skipped) when not root (the stand-in lowers the real
# bounding set, which needs CAP_SETPCAP).
#
# Usage: tools_fake_kernel.sh FAKE_SO CHCONTEXT REDUCECAP VKILL CHBIND

set -u

FAKE=$1
CHCONTEXT=$2
REDUCECAP=$3
VKILL=$4
CHBIND=$5

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root"
    exit 77
fi

tmp=$(mktemp -d) || exit 1
pids=
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
failures=0
unset FAKE_VSERVER_XID FAKE_VSERVER_PIDS FAKE_VSERVER_PRIVATE FAKE_VSERVER_IPV4ROOT \
    FAKE_VSERVER_IPV4ROOT_BCAST

fail() {
    echo "FAIL: $*"
    echo "  status: $status"
    echo "  stdout:"; sed 's/^/    /' "$tmp/out"
    echo "  stderr:"; sed 's/^/    /' "$tmp/err"
    failures=$((failures + 1))
}

# run [VAR=value...] CMD...: with the stand-in preloaded; sets $status.
run() {
    env LD_PRELOAD="$FAKE" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

# expect STATUS STDOUT STDERR [VAR=value...] CMD...: exact results.
expect() {
    want_status=$1 want_out=$2 want_err=$3
    shift 3
    run "$@"
    [ "$status" -eq "$want_status" ] || { fail "$*: status $status, expected $want_status"; return; }
    [ "$(cat "$tmp/out")" = "$want_out" ] || { fail "$*: stdout is not '$want_out'"; return; }
    [ "$(cat "$tmp/err")" = "$want_err" ] || fail "$*: stderr is not '$want_err'"
}

# Running (a killed child of this shell stays a zombie until reaped).
alive() {
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ]
}

# A process that stays until killed.
spawn() {
    sleep 600 &
    last=$!
    pids="$pids $last"
}

# chcontext
expect 0 "" "New security context is 2" "$CHCONTEXT" true
expect 0 "7" "" "$CHCONTEXT" --silent --ctx 7 sh -c 'echo $FAKE_VSERVER_XID'
expect 0 "4" "New security context is 4" FAKE_VSERVER_XID=3 \
    "$CHCONTEXT" --flag lock,sched --hostname h --domainname d sh -c 'echo $FAKE_VSERVER_XID'
expect 1 "" "chcontext: cannot enter security context 7: Operation not permitted" \
    FAKE_VSERVER_XID=3 "$CHCONTEXT" --ctx 7 true
expect 1 "" "chcontext: cannot enter security context 9: Operation not permitted" \
    FAKE_VSERVER_PRIVATE=9 "$CHCONTEXT" --ctx 9 true
expect 3 "" "" "$CHCONTEXT" --silent sh -c 'exit 3'
expect 127 "" "chcontext: failed to execute /nonexistent/cmd: No such file or directory" \
    "$CHCONTEXT" --silent /nonexistent/cmd
expect 127 "" "chcontext: failed to execute no-such-command-xyz: No such file or directory" \
    "$CHCONTEXT" --silent no-such-command-xyz
expect 126 "" "chcontext: failed to execute /etc/passwd: Permission denied" \
    "$CHCONTEXT" --silent /etc/passwd
run "$CHCONTEXT" --silent --cap NET_RAW,25 sh -c 'grep ^CapBnd: /proc/self/status'
mask=$(sed 's/^CapBnd:[[:space:]]*//' "$tmp/out")
[ "$status" -eq 0 ] && [ -n "$mask" ] || fail "chcontext --cap NET_RAW,25 CMD"
[ $(( 0x$mask & (1 << 13 | 1 << 25) )) -eq 0 ] || fail "chcontext --cap: CMD kept NET_RAW/SYS_TIME"
[ $(( 0x$mask & 1 )) -ne 0 ] || fail "chcontext --cap: CMD lost CAP_CHOWN"

# reducecap --show: the ceiling after the call, as names.
run "$REDUCECAP" --show
[ "$status" -eq 0 ] && grep -q CAP_NET_RAW "$tmp/out" || fail "reducecap --show"
before=$(cat "$tmp/out")
run "$REDUCECAP" --cap net_raw,CAP_SYS_TIME --show
[ "$status" -eq 0 ] || fail "reducecap --cap --show: status"
[ "$(cat "$tmp/out")" = "$(echo "$before" | tr , '\n' |
    grep -vx 'CAP_NET_RAW\|CAP_SYS_TIME' | paste -sd, -)" ] ||
    fail "reducecap --cap net_raw,CAP_SYS_TIME --show: not the ceiling without those two"
run "$REDUCECAP" --secure --show sh -c 'echo ran'
[ "$status" -eq 0 ] || fail "reducecap --secure --show CMD: status"
[ "$(sed -n 2p "$tmp/out")" = ran ] || fail "reducecap --secure --show CMD: CMD did not run"
for cap in CAP_SYS_ADMIN CAP_NET_RAW CAP_SYS_MODULE CAP_MKNOD; do
    head -n 1 "$tmp/out" | grep -q "$cap" && fail "reducecap --secure --show still has $cap"
done
head -n 1 "$tmp/out" | grep -q CAP_NET_BIND_SERVICE || fail "reducecap --secure lost NET_BIND_SERVICE"
run "$REDUCECAP" --secure sh -c 'grep ^CapBnd: /proc/self/status'
grep -q '^CapBnd:' "$tmp/out" || fail "reducecap --secure CMD"
mask=$(sed 's/^CapBnd:[[:space:]]*//' "$tmp/out")
[ $(( 0x$mask & (1 << 21) )) -eq 0 ] || fail "reducecap --secure: CMD still has CAP_SYS_ADMIN"
[ $(( 0x$mask & (1 << 10) )) -ne 0 ] || fail "reducecap --secure: CMD lost CAP_NET_BIND_SERVICE"

# vkill: lookup in context 1, signal from the process's context.
spawn; p5=$last
spawn; p0=$last
spawn; p6=$last
map="FAKE_VSERVER_PIDS=$p5:5,$p6:6"
expect 0 "" "" "$map" "$VKILL" "$p5"
sleep 0.2
alive "$p5" && fail "vkill $p5 (context 5): still alive"
expect 0 "" "" "$map" "$VKILL" -s KILL "$p0"
sleep 0.2
alive "$p0" && fail "vkill -s KILL $p0 (context 0): still alive"
expect 1 "" "vkill: $p6: No such process" "$map" "$VKILL" --ctx 7 "$p6"
alive "$p6" || fail "vkill --ctx 7 $p6 (context 6) killed it"
expect 1 "" "vkill: $p6: cannot enter security context 6: Operation not permitted" \
    "$map" FAKE_VSERVER_PRIVATE=6 "$VKILL" "$p6"
expect 1 "" "vkill: $p6: cannot enter the spectator context 1: Operation not permitted" \
    "$map" FAKE_VSERVER_XID=4 "$VKILL" "$p6"
expect 1 "" "vkill: $p6: cannot enter security context 6: Operation not permitted" \
    "$map" FAKE_VSERVER_XID=1 "$VKILL" "$p6"
expect 1 "" "vkill: 2147483600: No such process" "$map" "$VKILL" -s 0 2147483600
expect 1 "" "vkill: 2147483600: No such process" "$map" "$VKILL" --ctx 6 -s 0 2147483600 "$p6"
alive "$p6" || fail "vkill -s 0: killed $p6"
expect 0 "" "" "$map" "$VKILL" --ctx 6 -s SIGUSR1 "$p6"
sleep 0.2
alive "$p6" && fail "vkill --ctx 6 -s SIGUSR1 $p6: still alive"

# chbind: the root and broadcast the command runs with (the stand-in keeps
# them in FAKE_VSERVER_IPV4ROOT and FAKE_VSERVER_IPV4ROOT_BCAST).
# shellcheck disable=SC2016 # expanded by the command's shell
show='echo "$FAKE_VSERVER_IPV4ROOT $FAKE_VSERVER_IPV4ROOT_BCAST"'
expect 0 "127.0.0.1 0.0.0.0" "ipv4root is now 127.0.0.1" "$CHBIND" --ip 127.0.0.1 sh -c "$show"
expect 0 "127.0.0.1 0.0.0.0" "" "$CHBIND" --silent --ip 127.0.0.1 sh -c "$show"
expect 0 "127.0.0.1 127.255.255.255" "ipv4root is now 127.0.0.1" \
    "$CHBIND" --ip 127.0.0.1 --bcast 127.255.255.255 sh -c "$show"
# 127.0.0.2 is local (127.0.0.0/8) though no interface lists it.
expect 0 "127.0.0.2 0.0.0.0" "" "$CHBIND" --silent --ip 127.0.0.2 sh -c "$show"
if [ -n "$(ip -4 -o addr show dev lo 2>/dev/null)" ]; then
    expect 0 "127.0.0.1 0.0.0.0" "ipv4root is now 127.0.0.1" "$CHBIND" --ip lo sh -c "$show"
fi
if getent ahostsv4 localhost 2>/dev/null | grep -q '^127\.0\.0\.1 '; then
    expect 0 "127.0.0.1 0.0.0.0" "" "$CHBIND" --silent --ip localhost sh -c "$show"
fi
expect 1 "" "chbind: the broadcast address cannot be an --ip address (127.0.0.1)" \
    "$CHBIND" --ip 127.0.0.1 --bcast 127.0.0.1 true
# --host-loopback is the flag VX_IPV4ROOT_HOSTLOOPBACK; a 1.1 kernel has none.
# shellcheck disable=SC2016 # expanded by the command's shell
expect 0 "127.0.0.1 1" "" "$CHBIND" --silent --host-loopback --ip 127.0.0.1 \
    sh -c 'echo "$FAKE_VSERVER_IPV4ROOT ${FAKE_VSERVER_HOSTLOOPBACK:-0}"'
# shellcheck disable=SC2016 # expanded by the command's shell
expect 0 "127.0.0.1 0" "" "$CHBIND" --silent --ip 127.0.0.1 \
    sh -c 'echo "$FAKE_VSERVER_IPV4ROOT ${FAKE_VSERVER_HOSTLOOPBACK:-0}"'
expect 1 "" "chbind: --host-loopback: this kernel's vserver interface is older than 1.2" \
    FAKE_VSERVER_API=0x00010001 "$CHBIND" --silent --host-loopback --ip 127.0.0.1 true
expect 0 "" "" FAKE_VSERVER_API=0x00010001 "$CHBIND" --silent --ip 127.0.0.1 true
# Several --ip: VCMD_SET_NETSET (API 1.3), the first address the root.
# shellcheck disable=SC2016 # expanded by the command's shell
expect 0 "127.0.0.3 127.0.0.3,127.0.0.2" "ipv4root is now 127.0.0.3 127.0.0.2" \
    "$CHBIND" --ip 127.0.0.3 --ip 127.0.0.2 sh -c 'echo "$FAKE_VSERVER_IPV4ROOT $FAKE_VSERVER_NETADDRS"'
expect 1 "" "chbind: several --ip addresses: this kernel's vserver interface is older than 1.3" \
    FAKE_VSERVER_API=0x00010002 "$CHBIND" --silent --ip 127.0.0.3 --ip 127.0.0.2 true
expect 1 "" "chbind: address 127.0.0.3 is given twice (--ip 127.0.0.3)" \
    "$CHBIND" --ip 127.0.0.3 --ip 127.0.0.2 --ip 127.0.0.3 true
expect 1 "" "chbind: the broadcast address cannot be an --ip address (127.0.0.2)" \
    "$CHBIND" --ip 127.0.0.3 --ip 127.0.0.2 --bcast 127.0.0.2 true
sixteen=$(for i in $(seq 1 16); do printf -- '--ip 127.0.1.%d ' "$i"; done)
# shellcheck disable=SC2086 # (words)
expect 0 "" "" "$CHBIND" --silent $sixteen true
# shellcheck disable=SC2086 # (words)
expect 1 "" "chbind: at most 16 --ip addresses" "$CHBIND" $sixteen --ip 127.0.2.1 true
# One shot: another address is refused, naming the one in force; the same
# address again is fine (a nested chbind), unless --bcast differs.
expect 1 "" "chbind: cannot lock to 127.0.0.2: this process is already locked to 127.0.0.1" \
    FAKE_VSERVER_IPV4ROOT=127.0.0.1 "$CHBIND" --ip 127.0.0.2 true
expect 1 "" "chbind: cannot lock to 127.0.0.2 (broadcast 127.255.255.255): this process is already locked to 127.0.0.1 (broadcast 127.0.0.255)" \
    FAKE_VSERVER_IPV4ROOT=127.0.0.1 FAKE_VSERVER_IPV4ROOT_BCAST=127.0.0.255 \
    "$CHBIND" --ip 127.0.0.2 --bcast 127.255.255.255 true
expect 0 "127.0.0.1 127.0.0.255" "ipv4root is now 127.0.0.1" \
    FAKE_VSERVER_IPV4ROOT=127.0.0.1 FAKE_VSERVER_IPV4ROOT_BCAST=127.0.0.255 \
    "$CHBIND" --ip 127.0.0.1 sh -c "$show"
expect 1 "" "chbind: cannot lock to 127.0.0.1 (broadcast 127.255.255.255): this process is already locked to 127.0.0.1 (broadcast 127.0.0.255)" \
    FAKE_VSERVER_IPV4ROOT=127.0.0.1 FAKE_VSERVER_IPV4ROOT_BCAST=127.0.0.255 \
    "$CHBIND" --ip 127.0.0.1 --bcast 127.255.255.255 true
# The command's status, exec failures, and its options are not chbind's.
expect 3 "" "" "$CHBIND" --silent --ip 127.0.0.1 sh -c 'exit 3'
expect 127 "" "chbind: failed to execute no-such-command-xyz: No such file or directory" \
    "$CHBIND" --silent --ip 127.0.0.1 no-such-command-xyz
expect 126 "" "chbind: failed to execute /etc/passwd: Permission denied" \
    "$CHBIND" --silent --ip 127.0.0.1 /etc/passwd
expect 0 "--ip 0.0.0.0" "" "$CHBIND" --silent --ip 127.0.0.1 echo --ip 0.0.0.0
# chcontext and chbind together, as a server is started.
expect 0 "5 127.0.0.1 0.0.0.0" "" "$CHCONTEXT" --silent --ctx 5 "$CHBIND" --silent \
    --ip 127.0.0.1 sh -c "printf '%s ' \"\$FAKE_VSERVER_XID\" && $show"

# Interfaces, in a network namespace (the host's network is not touched):
# n0 has a primary and a secondary address and a labelled alias n0:web,
# n1 has no IPv4 address, lo stays down (no address).
cat >"$tmp/netns.sh" <<'EOF'
set -e
ip link add n0 type veth peer name n1
ip link set n0 up
ip link set n1 up
ip addr add 10.9.8.7/24 brd + dev n0
ip addr add 10.9.8.8/24 brd + dev n0
ip addr add 10.20.30.40/24 brd + dev n0 label n0:web
set +e
exec "$@"
EOF
if unshare -n sh "$tmp/netns.sh" true 2>/dev/null; then
    net="unshare -n sh $tmp/netns.sh"
    # shellcheck disable=SC2086 # $net is a command with its arguments
    {
        expect 0 "10.9.8.7 10.9.8.255" "ipv4root is now 10.9.8.7" \
            $net "$CHBIND" --ip n0 sh -c "$show"
        expect 0 "10.9.8.7 0.0.0.0" "" $net "$CHBIND" --silent --ip n0 --bcast 0.0.0.0 sh -c "$show"
        expect 0 "10.9.8.7 10.9.8.254" "" \
            $net "$CHBIND" --silent --ip n0 --bcast 10.9.8.254 sh -c "$show"
        expect 0 "10.20.30.40 10.20.30.255" "ipv4root is now 10.20.30.40" \
            $net "$CHBIND" --ip n0:web sh -c "$show"
        expect 0 "10.9.8.8 0.0.0.0" "" $net "$CHBIND" --silent --ip 10.9.8.8 sh -c "$show"
        expect 1 "" "chbind: interface n1 has no IPv4 address" $net "$CHBIND" --ip n1 true
        expect 1 "" "chbind: interface lo has no IPv4 address" $net "$CHBIND" --ip lo true
        expect 1 "" "chbind: address 10.9.8.255 is not configured on this host" \
            $net "$CHBIND" --ip 10.9.8.255 true
        expect 1 "" "chbind: address 10.9.8.9 is not configured on this host" \
            $net "$CHBIND" --ip 10.9.8.9 true
        expect 1 "" "chbind: address 127.0.0.1 is not configured on this host" \
            $net "$CHBIND" --ip 127.0.0.1 true
    }
else
    echo "note: no network namespace with veth interfaces here, chbind --ip IFNAME not checked"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
