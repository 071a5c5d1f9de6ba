#!/bin/sh
# Command-line behaviour of chcontext, reducecap, vkill and chbind on a kernel
# WITHOUT vserver support (the build host): every syscall path must end in
# one clear line and status 1; option errors must be caught before any
# system call. Exits 77 (skipped) on a kernel that has the support.
#
# Usage: tools_cli.sh CHCONTEXT REDUCECAP VKILL CHBIND

set -u

CHCONTEXT=$1
REDUCECAP=$2
VKILL=$3
CHBIND=$4

# shellcheck source=clilib.sh
. "$(dirname "$0")/clilib.sh"
LACKS='this kernel lacks vserver support'

# expect_no_support CMD...: status 1, nothing on stdout, exactly one stderr
# line naming the missing support, prefixed with the program name.
expect_no_support() {
    prog=$(basename "$1")
    expect_status 1 "$@" || return
    [ -s "$tmp/out" ] && { fail "$*: wrote to stdout"; return; }
    [ "$(lines "$tmp/err")" -eq 1 ] || { fail "$*: expected one stderr line"; return; }
    grep -q "^$prog: .*$LACKS" "$tmp/err" || fail "$*: no '$prog: ...$LACKS' message"
    grep -qx "$prog: $LACKS (vserver system call: Function not implemented)" "$tmp/err" ||
        fail "$*: message is not exactly the library's"
}

# expect_error PATTERN CMD...: status 1, nothing on stdout, exactly one
# stderr line "PROG: ..." matching PATTERN (an error that is not a usage
# error, so no "Try" line).
expect_error() {
    pattern=$1
    shift
    prog=$(basename "$1")
    expect_status 1 "$@" || return
    [ -s "$tmp/out" ] && { fail "$*: wrote to stdout"; return; }
    [ "$(lines "$tmp/err")" -eq 1 ] || { fail "$*: expected one stderr line"; return; }
    grep -q "^$prog: $pattern" "$tmp/err" || fail "$*: message does not match '$prog: $pattern'"
}

# Is this kernel really without vserver support? (--show with nothing to
# remove changes nothing on a patched kernel.)
run "$REDUCECAP" --show
if [ "$status" -eq 0 ]; then
    echo "SKIP: this kernel has vserver support"
    exit 77
fi
grep -q "$LACKS" "$tmp/err" || { fail "reducecap --show: unexpected failure"; exit 1; }

# The system call paths.
expect_no_support "$CHCONTEXT" true
expect_no_support "$CHCONTEXT" --silent --ctx 5 --flag lock --secure --hostname h true
expect_no_support "$REDUCECAP" --cap NET_RAW true
expect_no_support "$REDUCECAP" --secure --show true
expect_no_support "$REDUCECAP" --show
expect_no_support "$VKILL" --ctx 2 1
expect_no_support "$VKILL" -s KILL 1 2 3
expect_no_support "$CHBIND" --ip 127.0.0.1 true
expect_no_support "$CHBIND" --silent --ip 127.0.0.1 --bcast 127.255.255.255 true
expect_no_support "$CHBIND" --ip lo true
if getent ahostsv4 localhost 2>/dev/null | grep -q '^127\.0\.0\.1 '; then
    expect_no_support "$CHBIND" --ip localhost true
fi

# --help and --version: stdout, status 0.
for tool in "$CHCONTEXT" "$REDUCECAP" "$VKILL" "$CHBIND"; do
    prog=$(basename "$tool")
    expect_info "$tool" --help
    grep -q "^Usage: $prog " "$tmp/out" || fail "$prog --help: no Usage line"
    for opt in --help --version; do
        grep -q -- "$opt" "$tmp/out" || fail "$prog --help does not list $opt"
    done
    expect_info "$tool" --version
    grep -qx "$prog (vserver) [0-9][0-9.]*" "$tmp/out" || fail "$prog --version: bad format"
    expect_usage_error "unrecognized option '--bogus'" "$tool" --bogus
done
run "$CHCONTEXT" --help
for opt in --ctx --flag --cap --secure --hostname --domainname --silent; do
    grep -q -- "$opt" "$tmp/out" || fail "chcontext --help does not list $opt"
done
run "$REDUCECAP" --help
for opt in --cap --secure --show --show-secure --list-caps; do
    grep -q -- "$opt" "$tmp/out" || fail "reducecap --help does not list $opt"
done
run "$CHBIND" --help
for opt in --ip --bcast --silent; do
    grep -q -- "$opt" "$tmp/out" || fail "chbind --help does not list $opt"
done
run "$VKILL" --help
for opt in --ctx -s --signal; do
    grep -q -- "$opt" "$tmp/out" || fail "vkill --help does not list $opt"
done

# Option checks, all before any system call (so no "lacks support" line).
expect_usage_error "invalid context id '0'" "$CHCONTEXT" --ctx 0 true
expect_usage_error "invalid context id '70000'" "$CHCONTEXT" --ctx 70000 true
expect_usage_error "invalid context id '-1'" "$CHCONTEXT" --ctx -1 true
expect_usage_error "invalid context id 'abc'" "$CHCONTEXT" --ctx abc true
expect_usage_error "unknown context flag 'nosuch'" "$CHCONTEXT" --flag nosuch true
expect_usage_error "unknown context flag 'nosuch'" "$CHCONTEXT" --flag lock,nosuch true
expect_usage_error "unknown capability 'NOSUCH'" "$CHCONTEXT" --cap NOSUCH true
expect_usage_error "unknown capability 'NOSUCH'" "$CHCONTEXT" --cap NET_RAW --cap NOSUCH true
expect_usage_error "host name .* longer than 64 bytes" \
    "$CHCONTEXT" --hostname "$(printf '%065d' 0)" true
expect_usage_error "missing command" "$CHCONTEXT"
expect_usage_error "missing command" "$CHCONTEXT" --ctx 5
expect_usage_error "requires an argument" "$CHCONTEXT" --ctx
expect_usage_error "unknown capability 'NOSUCH'" "$REDUCECAP" --cap NOSUCH true
expect_usage_error "missing command" "$REDUCECAP" --secure
expect_usage_error "cannot be combined" "$REDUCECAP" --show-secure true
expect_usage_error "cannot be combined" "$REDUCECAP" --list-caps --cap NET_RAW
expect_usage_error "cannot be combined" "$REDUCECAP" --list-caps --show-secure
expect_usage_error "invalid context id '70000'" "$VKILL" --ctx 70000 1
expect_usage_error "unknown signal 'NOSUCH'" "$VKILL" -s NOSUCH 1
expect_usage_error "unknown signal 'NOSUCH'" "$VKILL" --signal=NOSUCH 1
expect_usage_error "invalid process id '0'" "$VKILL" 0
expect_usage_error "invalid process id 'x'" "$VKILL" 1 x
expect_usage_error "missing process id" "$VKILL" -s KILL

# chbind: every bad input stops it with one line on stderr, before the
# system call, and the command (which would create $tmp/ran) never runs.
# Only getopt's own errors (unknown option, missing argument) add the
# "Try --help" line, as with every tool.
ran="$tmp/ran"
chbind_error() {
    pattern=$1
    shift
    expect_error "$pattern" "$CHBIND" "$@" touch "$ran"
    [ -e "$ran" ] && { fail "chbind $*: ran the command"; rm -f "$ran"; }
}
expect_error "missing --ip\$" "$CHBIND"
chbind_error "missing --ip\$"
chbind_error "missing --ip\$" --silent
chbind_error "missing --ip\$" --bcast 127.255.255.255
expect_error "missing command\$" "$CHBIND" --ip 127.0.0.1
expect_error "missing command\$" "$CHBIND" --ip lo --silent
expect_usage_error "option '--ip' requires an argument" "$CHBIND" --ip
expect_usage_error "option '--bcast' requires an argument" "$CHBIND" --ip 127.0.0.1 --bcast
expect_usage_error "unrecognized option '--ipv4'" "$CHBIND" --ipv4 127.0.0.1 true
chbind_error "empty --ip address\$" --ip ''
chbind_error "empty --ip address\$" --ip=
for bad in 10.1 127.1 2130706433 0x7f000001 010.0.0.1 1.2.3 127.1.0.300 1.2.3.4.5; do
    chbind_error "invalid IPv4 address '$bad' (expected a dotted quad such as 192.0.2.1)\$" \
        --ip "$bad"
done
for bad in 0.0.0.0 0.1.2.3 224.0.0.1 239.255.255.250 255.255.255.255; do
    chbind_error "$bad cannot be an IPv4 root (0.0.0.0/8, multicast and 255.255.255.255 are not allowed)\$" \
        --ip "$bad"
done
for bad in 1.2.3 127.255.255.256 eth0 '' 0x7fffffff; do
    chbind_error "invalid broadcast address '$bad' (expected a dotted quad such as 192.0.2.255)\$" \
        --ip 127.0.0.1 --bcast "$bad"
done
for bad in 0.0.0.1 224.0.0.255; do
    chbind_error "$bad cannot be a broadcast address (0.0.0.0/8 and multicast are not allowed)\$" \
        --ip 127.0.0.1 --bcast "$bad"
done
chbind_error "the broadcast address cannot be an --ip address (127.0.0.1)\$" \
    --ip 127.0.0.1 --bcast 127.0.0.1
# RFC 5737 documentation addresses: not configured on a test host.
chbind_error "address 198.51.100.213 is not configured on this host\$" --ip 198.51.100.213
chbind_error "address 203.0.113.213 is not configured on this host\$" \
    --silent --ip 203.0.113.213 --bcast 203.0.113.255
chbind_error "'no-such-host.invalid' is not a network interface, an IPv4 address or a known host name (" \
    --ip no-such-host.invalid
chbind_error "'nosuchif9' is not a network interface, an IPv4 address or a known host name (" \
    --ip nosuchif9
# A subnet's broadcast address can be bound (UDP) but is no host's.
bcast=$(ip -4 -o addr show 2>/dev/null | sed -n 's/.* brd \([0-9.]*\) .*/\1/p' | head -n 1)
if [ -n "$bcast" ]; then
    chbind_error "address $bcast is not configured on this host\$" --ip "$bcast"
fi
# An interface without an IPv4 address: lo of a fresh network namespace.
if unshare -n true 2>/dev/null; then
    run unshare -n "$CHBIND" --ip lo touch "$ran"
    if [ "$status" -ne 1 ] || [ -s "$tmp/out" ] ||
        [ "$(cat "$tmp/err")" != "chbind: interface lo has no IPv4 address" ]; then
        fail "chbind --ip lo in a new network namespace"
    fi
    [ -e "$ran" ] && fail "chbind --ip lo in a new network namespace ran the command"
else
    echo "note: no network namespace (unshare -n), 'no IPv4 address' not checked"
fi

# Options stop at the command: its own options are not ours.
expect_no_support "$CHCONTEXT" true --bogus
expect_no_support "$REDUCECAP" true --bogus
expect_no_support "$CHBIND" --ip 127.0.0.1 true --ip 0.0.0.0 --bogus

# reducecap --show-secure: no system call, one line of names.
expect_info "$REDUCECAP" --show-secure
[ "$(lines "$tmp/out")" -eq 1 ] || fail "reducecap --show-secure: not one line"
for cap in CAP_SYS_ADMIN CAP_NET_RAW CAP_SYS_MODULE; do
    grep -q "$cap" "$tmp/out" || fail "reducecap --show-secure lacks $cap"
done
grep -q CAP_NET_BIND_SERVICE "$tmp/out" && fail "reducecap --show-secure lists NET_BIND_SERVICE"

# reducecap --list-caps: every capability of the running kernel, a line each.
expect_info "$REDUCECAP" --list-caps
[ "$(lines "$tmp/out")" -eq "$(($(cat /proc/sys/kernel/cap_last_cap) + 1))" ] ||
    fail "reducecap --list-caps: not one line per capability of the kernel"
[ "$(head -n 1 "$tmp/out")" = CAP_CHOWN ] || fail "reducecap --list-caps: CAP_CHOWN is not first"
grep -qx CAP_NET_RAW "$tmp/out" || fail "reducecap --list-caps lacks CAP_NET_RAW"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
