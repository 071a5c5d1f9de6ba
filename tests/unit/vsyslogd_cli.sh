#!/bin/sh
# vsyslogd on the build host (it needs no vserver support: a server's root
# is only a directory to it): --help/--version, option errors, the refusals
# that leave nothing behind (a dev or a log that is not what it should
# be, a second relay), a relayed message with its host-side tag, and
# --stop.  The host's syslog is a python3 datagram socket in a temporary
# directory.
#
# Usage: vsyslogd_cli.sh VSYSLOGD

set -u

VSYSLOGD=$1

# shellcheck source=clilib.sh
. "$(dirname "$0")/clilib.sh"
unset VSERVER_GLOBAL_CONF VSERVER_CONFDIR VSERVER_RUNDIR VSERVER_ROOTDIR

# expect_error LINE CMD...: status 1, nothing on stdout, exactly LINE on stderr.
expect_error() {
    line=$1
    shift
    expect_status 1 "$@" || return
    [ -s "$tmp/out" ] && { fail "$*: wrote to stdout"; return; }
    [ "$(lines "$tmp/err")" -eq 1 ] || { fail "$*: expected one stderr line"; return; }
    grep -qxF -- "$line" "$tmp/err" || fail "$*: stderr is not '$line'"
}

expect_info "$VSYSLOGD" --help
grep -q '^Usage: vsyslogd \[OPTION\]... NAME$' "$tmp/out" || fail "--help: no usage line"
expect_info "$VSYSLOGD" --version
grep -qx 'vsyslogd (vserver) 0.1.0' "$tmp/out" || fail "--version text"
expect_usage_error "missing server name" "$VSYSLOGD"
expect_usage_error "invalid server name '../x'" "$VSYSLOGD" ../x
expect_usage_error "extra argument 'b'" "$VSYSLOGD" a b
expect_usage_error "invalid --rate '-1'" "$VSYSLOGD" --rate -1 web
expect_usage_error "invalid --rate '1x'" "$VSYSLOGD" --rate 1x web
expect_usage_error "unrecognized option '--bogus'" "$VSYSLOGD" --bogus web
expect_usage_error "empty root directory" "$VSYSLOGD" --root '' web

command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
R=$tmp/root
mkdir -p "$R/dev" "$tmp/run" "$tmp/victim"
PID=$tmp/run/web.syslog
HOST=$tmp/host.sock
set -- --root "$R" --target "$HOST" --pidfile "$PID" web

# nothing_left WHAT: no pid file, no log in the server's dev or the victim.
nothing_left() {
    [ -e "$PID" ] && fail "$1: the pid file is left"
    [ -e "$R/dev/log" ] || [ -L "$R/dev/log" ] && [ ! -f "$R/dev/log" ] &&
        fail "$1: a socket or link is left in dev"
    [ -n "$(ls -A "$tmp/victim")" ] && fail "$1: something was made in the victim directory"
    return 0
}

# A dev that is a link (to a host directory) is refused.
mv "$R/dev" "$R/dev.real"
ln -s "$tmp/victim" "$R/dev"
expect_error "vsyslogd: $R/dev is not a directory (a symbolic link is not followed)" \
    "$VSYSLOGD" "$@"
nothing_left "dev is a link"
rm "$R/dev"
mv "$R/dev.real" "$R/dev"
# A log that is a regular file is the server's: not replaced.
echo mine >"$R/dev/log"
expect_error "vsyslogd: $R/dev/log exists and is neither a socket nor a symbolic link; not replacing it" \
    "$VSYSLOGD" "$@"
nothing_left "log is a file"
[ "$(cat "$R/dev/log")" = mine ] || fail "log is a file: it was changed"
rm "$R/dev/log"

# The host's syslog.
python3 - "$HOST" "$tmp/host.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
PY
host_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    [ -S "$HOST" ] && break
    sleep 0.1
done

# A link to a host file at dev/log is replaced, never followed.
echo secret >"$tmp/victim.file"
ln -s "$tmp/victim.file" "$R/dev/log"
expect_status 0 "$VSYSLOGD" "$@"
[ -S "$R/dev/log" ] || fail "start: $R/dev/log is not a socket"
[ "$(stat -c %a "$R/dev/log")" = 666 ] || fail "start: the socket's mode is not 666"
[ "$(cat "$tmp/victim.file")" = secret ] || fail "start: the linked file was changed"
relay=$(sed -n 1p "$PID")
expect_error "vsyslogd: the log relay of web is already running (pid $relay, $PID)" \
    "$VSYSLOGD" "$@"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"<0>Jan  1 00:00:00 vserver/other: forged\nsecond line", sys.argv[1])' "$R/dev/log"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    [ -s "$tmp/host.log" ] && break
    sleep 0.1
done
grep -Eqx '<8>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} vserver/web: \[from the host: pid [0-9]+, uid [0-9]+\] vserver/other: forged#012second line' \
    "$tmp/host.log" || { fail "relay: the message as the host's syslog got it"; cat "$tmp/host.log"; }

expect_status 0 "$VSYSLOGD" --stop --root "$R" --pidfile "$PID" web
# (not a zombie: the relay's parent exited, whoever adopted it may not reap)
case $(sed 's/.*) //' "/proc/$relay/stat" 2>/dev/null | cut -c1) in
'' | Z) ;;
*) fail "--stop: the relay still runs" ;;
esac
[ -e "$R/dev/log" ] && fail "--stop: the socket is left"
[ -e "$PID" ] && fail "--stop: the pid file is left"
expect_status 0 "$VSYSLOGD" --stop --root "$R" --pidfile "$PID" web
{ [ -s "$tmp/out" ] || [ -s "$tmp/err" ]; } && fail "--stop without a relay: said something"
kill "$host_pid"
wait "$host_pid" 2>/dev/null

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all vsyslogd command-line checks passed"
