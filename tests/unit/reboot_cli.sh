#!/bin/sh
# Command-line behaviour of rebootmgr, vreboot and vhalt on the build host:
# --help/--version, option errors, the one-line error without a reboot
# manager, and (on a kernel without vserver support) rebootmgr's refusal to
# start, with nothing left behind.
#
# Usage: reboot_cli.sh REBOOTMGR VREBOOT VHALT

set -u

REBOOTMGR=$1
VREBOOT=$2
VHALT=$3

# shellcheck source=clilib.sh
. "$(dirname "$0")/clilib.sh"
LACKS='this kernel lacks vserver support'
unset VSERVER_GLOBAL_CONF VSERVER_CONFDIR VSERVER_RUNDIR VSERVER_ROOTDIR VSERVER_PROC \
    VSERVER_SKIP_CHCONTEXT

# expect_error LINE CMD...: status 1, nothing on stdout, exactly LINE on stderr.
expect_error() {
    line=$1
    shift
    expect_status 1 "$@" || return
    [ -s "$tmp/out" ] && { fail "$*: wrote to stdout"; return; }
    [ "$(lines "$tmp/err")" -eq 1 ] || { fail "$*: expected one stderr line"; return; }
    grep -qxF -- "$line" "$tmp/err" || fail "$*: stderr is not '$line'"
}

for tool in "$REBOOTMGR" "$VREBOOT" "$VHALT"; do
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
run "$REBOOTMGR" --help
for opt in --foreground --pidfile --vserver-cmd VSERVER_ROOTDIR VSERVER_CONFDIR; do
    grep -q -- "$opt" "$tmp/out" || fail "rebootmgr --help does not mention $opt"
done
run "$VREBOOT" --help
grep -q "to restart this virtual server" "$tmp/out" || fail "vreboot --help: not a restart"
run "$VHALT" --help
grep -q "to stop this virtual server" "$tmp/out" || fail "vhalt --help: not a stop"

# Option errors.
expect_usage_error "invalid server name 'a/b'" "$REBOOTMGR" --foreground a/b
expect_usage_error "invalid server name '\.\.'" "$REBOOTMGR" --foreground ..
expect_usage_error "invalid server name ''" "$REBOOTMGR" --foreground ''
expect_usage_error "requires an argument" "$REBOOTMGR" --pidfile
expect_usage_error "requires an argument" "$REBOOTMGR" --vserver-cmd
expect_usage_error "empty pid file name" "$REBOOTMGR" --pidfile ''
expect_usage_error "unexpected argument 'now'" "$VREBOOT" now
expect_usage_error "unexpected argument 'now'" "$VHALT" --socket /x now
expect_usage_error "requires an argument" "$VREBOOT" --socket
expect_usage_error "invalid socket path ''" "$VHALT" --socket ''
expect_usage_error "invalid socket path '/$(printf '%0120d' 0)'" \
    "$VREBOOT" --socket "/$(printf '%0120d' 0)"

# No reboot manager.
expect_error "vreboot: no reboot manager at $tmp/none: No such file or directory" \
    "$VREBOOT" --socket "$tmp/none"
expect_error "vhalt: no reboot manager at $tmp/none: No such file or directory" \
    "$VHALT" --socket "$tmp/none"
: >"$tmp/plain"
expect_error "vreboot: no reboot manager at $tmp/plain: Connection refused" \
    "$VREBOOT" --socket "$tmp/plain"
if [ ! -e /dev/reboot ]; then
    expect_error "vreboot: no reboot manager at /dev/reboot: No such file or directory" "$VREBOOT"
    expect_error "vhalt: no reboot manager at /dev/reboot: No such file or directory" "$VHALT"
fi

# rebootmgr must enter context 1 first: on a kernel without vserver support it
# stops with the library's line, in the foreground or as a daemon, and
# leaves no socket, pid file or directory behind.
if grep -q '^s_context:' /proc/self/status; then
    echo "SKIP: this kernel has vserver support; not checking rebootmgr's refusal"
else
    mkdir -p "$tmp/root/a/dev" "$tmp/etc"
    : >"$tmp/etc/a.conf"
    for mode in --foreground ""; do
        # shellcheck disable=SC2086
        expect_error "rebootmgr: $LACKS (vserver system call: Function not implemented)" \
            env VSERVER_ROOTDIR="$tmp/root" VSERVER_CONFDIR="$tmp/etc" \
            VSERVER_RUNDIR="$tmp/run" "$REBOOTMGR" $mode
        [ -e "$tmp/root/a/dev/reboot" ] && fail "rebootmgr $mode: left a socket"
        [ -e "$tmp/run" ] && fail "rebootmgr $mode: created the run directory"
    done
fi

# The test switch VSERVER_SKIP_CHCONTEXT=1 (stay in this context): then the
# vserver command is looked for.
export VSERVER_SKIP_CHCONTEXT=1 VSERVER_ROOTDIR="$tmp/root" VSERVER_CONFDIR="$tmp/etc" \
    VSERVER_RUNDIR="$tmp/run"
expect_error "rebootmgr: cannot execute $tmp/nosuch: No such file or directory" \
    "$REBOOTMGR" --foreground --vserver-cmd "$tmp/nosuch"
expect_error "rebootmgr: cannot find the vserver command in PATH (see --vserver-cmd)" \
    env PATH="$tmp/empty" "$REBOOTMGR" --foreground
[ -e "$tmp/run" ] && fail "rebootmgr: created the run directory before failing"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
