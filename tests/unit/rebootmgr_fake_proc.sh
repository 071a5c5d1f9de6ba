#!/bin/sh
# rebootmgr, vreboot and vhalt together on the build host, without a vserver
# kernel: rebootmgr runs with the test switch VSERVER_SKIP_CHCONTEXT=1 (it
# stays in this context instead of entering context 1) and reads the
# clients' contexts from a fake VSERVER_PROC, where each client writes its
# own PID/status before it execs vreboot or vhalt. The vserver command is a
# script that records its arguments.
#
# Checked: restart/stop of the right server, refusals (wrong context, server
# not running, context unknown, not root), unknown requests, a silent client
# that does not block the others, the socket's mode, a stale socket after
# kill -9, SIGHUP (new and removed servers, a missing dev reported once),
# SIGTERM (sockets removed, status 0), a dev symbolic link not followed, a
# non-socket /dev/reboot left alone, the daemon mode and its pid file.
# Exits 77 (skipped) when not root: the peer must be uid 0.
#
# Usage: rebootmgr_fake_proc.sh REBOOTMGR VREBOOT VHALT

# shellcheck disable=SC2015 # "A && B || fail": fail is meant to run when A or B fails
set -u

REBOOTMGR=$1
VREBOOT=$2
VHALT=$3

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root"
    exit 77
fi

tmp=$(mktemp -d) || exit 1
mgr=
cleanup() {
    [ -n "$mgr" ] && kill -9 "$mgr" 2>/dev/null
    [ -f "$tmp/pid" ] && kill -9 "$(cat "$tmp/pid")" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failures=0
status=0
: >"$tmp/out"
: >"$tmp/err"

fail() {
    echo "FAIL: $*"
    echo "  status: $status"
    echo "  stdout:"; sed 's/^/    /' "$tmp/out"
    echo "  stderr:"; sed 's/^/    /' "$tmp/err"
    echo "  rebootmgr's log:"; sed 's/^/    /' "$tmp/log" 2>/dev/null
    failures=$((failures + 1))
}

R=$tmp/root
P=$tmp/proc
mkdir -p "$R/a/dev" "$R/b/dev" "$tmp/etc" "$tmp/run" "$P"
: >"$tmp/etc/a.conf"
: >"$tmp/etc/b.conf"
printf '5\n' >"$tmp/run/a.ctx"
printf ' 6 \n' >"$tmp/run/b.ctx"
cat >"$tmp/vserver" <<EOF
#!/bin/sh
echo "\$*" >>"$tmp/calls"
EOF
chmod +x "$tmp/vserver"
: >"$tmp/calls"

unset VSERVER_GLOBAL_CONF
export VSERVER_ROOTDIR="$R" VSERVER_CONFDIR="$tmp/etc" VSERVER_RUNDIR="$tmp/run" \
    VSERVER_PROC="$P" VSERVER_SKIP_CHCONTEXT=1

# as CTX CMD...: runs CMD as a process whose fake status shows context CTX
# ("-": no status at all); output in $tmp/out and $tmp/err, $status set.
as() {
    ctx=$1
    shift
    P=$P sh -c '
        ctx=$1
        shift
        if [ "$ctx" != - ]; then
            mkdir -p "$P/$$" && printf "Name:\tvreboot\ns_context:\t%s\n" "$ctx" >"$P/$$/status"
        fi
        exec "$@"' sh "$ctx" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

# wait_for TEST...: waits up to 5 s for the test command to succeed.
wait_for() {
    i=0
    while ! "$@"; do
        i=$((i + 1))
        [ "$i" -le 50 ] || return 1
        sleep 0.1
    done
}

calls_are() { [ "$(cat "$tmp/calls")" = "$1" ]; }

# check_calls WHAT EXPECTED: the vserver command ran exactly so (waits for
# the detached command; then makes sure nothing more comes).
check_calls() {
    if [ -n "$2" ]; then
        wait_for calls_are "$2" || fail "$1: calls are '$(cat "$tmp/calls")', expected '$2'"
    else
        sleep 0.3
        calls_are "" || fail "$1: the vserver command ran: '$(cat "$tmp/calls")'"
    fi
    : >"$tmp/calls"
}

# expect_ok WHAT CTX TOOL SOCKET CALL: the request is accepted, silently.
expect_ok() {
    as "$2" "$3" --socket "$4"
    [ "$status" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] ||
        fail "$1: expected success"
    check_calls "$1" "$5"
}

# expect_refused WHAT CTX TOOL SOCKET LINE: one line on stderr, status 1,
# nothing run.
expect_refused() {
    as "$2" "$3" --socket "$4"
    [ "$status" -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "$5" ] ||
        fail "$1: expected '$5'"
    check_calls "$1" ""
}

start_mgr() {
    "$REBOOTMGR" --foreground --vserver-cmd "$tmp/vserver" "$@" 2>>"$tmp/log" &
    mgr=$!
}

is_socket() { [ -S "$1" ]; }
gone() { [ ! -e "$1" ]; }

start_mgr
wait_for is_socket "$R/a/dev/reboot" && wait_for is_socket "$R/b/dev/reboot" ||
    fail "rebootmgr made no sockets"
mode=$(stat -c '%a %u' "$R/a/dev/reboot")
[ "$mode" = "600 0" ] || fail "socket mode/owner is '$mode', expected '600 0'"

expect_ok "vreboot in a's context" 5 "$VREBOOT" "$R/a/dev/reboot" "a restart"
expect_ok "vhalt in a's context" 5 "$VHALT" "$R/a/dev/reboot" "a stop"
expect_ok "vreboot from the host (context 0)" 0 "$VREBOOT" "$R/b/dev/reboot" "b restart"
expect_ok "vhalt in b's context (padded b.ctx)" 6 "$VHALT" "$R/b/dev/reboot" "b stop"
expect_refused "another server's context" 5 "$VREBOOT" "$R/b/dev/reboot" \
    "vreboot: denied: security context 5 is not that of server b"
expect_refused "context 1" 1 "$VHALT" "$R/a/dev/reboot" \
    "vhalt: denied: security context 1 is not that of server a"
expect_refused "unknown context" - "$VREBOOT" "$R/a/dev/reboot" \
    "vreboot: denied: cannot determine the security context of the caller"
rm "$tmp/run/b.ctx"
expect_refused "server not running" 6 "$VREBOOT" "$R/b/dev/reboot" \
    "vreboot: denied: server b is not running"
expect_ok "server not running, from the host" 0 "$VHALT" "$R/b/dev/reboot" "b stop"
printf 'x\n' >"$tmp/run/b.ctx"
expect_refused "garbage in b.ctx" 6 "$VREBOOT" "$R/b/dev/reboot" \
    "vreboot: denied: server b is not running"
printf '6\n' >"$tmp/run/b.ctx"
if command -v setpriv >/dev/null 2>&1; then
    # The socket is 0600: another user cannot even connect.
    as 5 setpriv --reuid=65534 --regid=65534 --clear-groups "$VREBOOT" --socket "$R/a/dev/reboot"
    [ "$status" -eq 1 ] && grep -qx "vreboot: cannot connect to the reboot manager at $R/a/dev/reboot: Permission denied" "$tmp/err" ||
        fail "not root: expected Permission denied"
    check_calls "not root" ""
fi
grep -q "a: reboot requested by pid [0-9]* (uid 0, context 5): running $tmp/vserver a restart" \
    "$tmp/log" || fail "the log does not record the request"
grep -q "b: reboot from pid [0-9]* (uid 0, context 5): denied: security context 5 is not that of server b" \
    "$tmp/log" || fail "the log does not record the refusal"
grep -q "rebootmgr: .* a restart" "$tmp/run/rebootmgr.log" ||
    fail "no record in RUNDIR/rebootmgr.log"

# Raw protocol (python3): unknown requests, and a client that says nothing
# does not hold up the others.
if command -v python3 >/dev/null 2>&1; then
    cat >"$tmp/client.py" <<'EOF'
import os, socket, sys
proc, ctx, path, data = sys.argv[1:5]
os.makedirs(f"{proc}/{os.getpid()}", exist_ok=True)
with open(f"{proc}/{os.getpid()}/status", "w") as f:
    f.write(f"Name:\tpython3\ns_context:\t{ctx}\n")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
if data == "silent":
    import time
    time.sleep(float(sys.argv[5]))
    sys.exit(0)
s.sendall(data.encode().decode("unicode_escape").encode("latin-1"))
s.shutdown(socket.SHUT_WR)
print(s.recv(256).decode(), end="")
EOF
    raw() {
        python3 "$tmp/client.py" "$P" "$@" >"$tmp/out" 2>"$tmp/err"
        status=$?
    }
    raw 5 "$R/a/dev/reboot" "shutdown\n"
    [ "$(cat "$tmp/out")" = "error: unknown request" ] || fail "unknown request"
    check_calls "unknown request" ""
    raw 7 "$R/a/dev/reboot" "bogus\n"
    [ "$(cat "$tmp/out")" = "denied: security context 7 is not that of server a" ] ||
        fail "unknown request from a refused peer: denied first"
    raw 5 "$R/a/dev/reboot" "reboot"
    [ "$(cat "$tmp/out")" = "ok" ] || fail "request without a newline, then end of file"
    check_calls "request without a newline" "a restart"
    raw 5 "$R/a/dev/reboot" "$(printf '%0200d' 0)"
    [ "$(cat "$tmp/out")" = "error: unknown request" ] || fail "overlong request"
    python3 "$tmp/client.py" "$P" 5 "$R/a/dev/reboot" silent 3 &
    silent=$!
    sleep 0.3
    expect_ok "while a client says nothing" 5 "$VHALT" "$R/a/dev/reboot" "a stop"
    wait "$silent"
fi

# kill -9, then a new rebootmgr replaces the stale sockets at once.
kill -9 "$mgr"
wait "$mgr" 2>/dev/null
mgr=
is_socket "$R/a/dev/reboot" || fail "kill -9: the socket file should remain"
start_mgr
sleep 0.5
expect_ok "after kill -9 and a restart" 5 "$VREBOOT" "$R/a/dev/reboot" "a restart"
expect_ok "after kill -9 and a restart (b)" 6 "$VREBOOT" "$R/b/dev/reboot" "b restart"

# SIGHUP: c appears, b goes, d has no dev (reported once), e's dev is a
# symbolic link (not followed), f has a file where the socket would be.
mkdir -p "$R/c/dev" "$R/d" "$R/e" "$R/f/dev" "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$R/e/dev"
printf 'not a socket\n' >"$R/f/dev/reboot"
for s in c d e f; do : >"$tmp/etc/$s.conf"; done
rm "$tmp/etc/b.conf"
printf '8\n' >"$tmp/run/c.ctx"
kill -HUP "$mgr"
wait_for is_socket "$R/c/dev/reboot" || fail "SIGHUP: no socket for the new server c"
wait_for gone "$R/b/dev/reboot" || fail "SIGHUP: b's socket remains"
expect_ok "new server c" 8 "$VHALT" "$R/c/dev/reboot" "c stop"
kill -HUP "$mgr"
sleep 0.5
n=$(grep -c "d: no directory $R/d/dev, skipped" "$tmp/log")
[ "$n" = 1 ] || fail "the missing d/dev reported $n times, expected once"
grep -q "e: $R/e/dev is not a directory, skipped" "$tmp/log" ||
    fail "e: the dev symbolic link is not reported"
[ -e "$tmp/elsewhere/reboot" ] && fail "e: the dev symbolic link was followed"
grep -q "f: $R/f/dev/reboot exists and is not a socket, skipped" "$tmp/log" ||
    fail "f: the file in the way is not reported"
[ "$(cat "$R/f/dev/reboot")" = "not a socket" ] || fail "f: the file was touched"
# The socket removed behind its back is made again on SIGHUP.
rm "$R/a/dev/reboot"
kill -HUP "$mgr"
wait_for is_socket "$R/a/dev/reboot" || fail "SIGHUP: a's removed socket not made again"
expect_ok "a after its socket was made again" 5 "$VREBOOT" "$R/a/dev/reboot" "a restart"

# SIGTERM: sockets removed, status 0.
kill -TERM "$mgr"
wait "$mgr"
status=$?
mgr=
[ "$status" -eq 0 ] || fail "SIGTERM: exit status $status"
for s in a b c; do
    [ -e "$R/$s/dev/reboot" ] && fail "SIGTERM: $s's socket remains"
done
[ -f "$R/f/dev/reboot" ] || fail "SIGTERM: f's file was removed"

# Only the servers named on the command line.
start_mgr a
wait_for is_socket "$R/a/dev/reboot" || fail "rebootmgr a: no socket for a"
[ -e "$R/c/dev/reboot" ] && fail "rebootmgr a: c served as well"
kill -TERM "$mgr"
wait "$mgr"
mgr=

# The daemon: returns once serving, writes and locks its pid file, runs in
# its own session; a second one is refused; SIGTERM removes the pid file.
"$REBOOTMGR" --vserver-cmd "$tmp/vserver" --pidfile "$tmp/pid" a >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] || fail "daemon start"
is_socket "$R/a/dev/reboot" || fail "daemon: not serving when the command returned"
pid=$(cat "$tmp/pid" 2>/dev/null)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "daemon: not a session leader"
    expect_ok "daemon" 5 "$VREBOOT" "$R/a/dev/reboot" "a restart"
    "$REBOOTMGR" --vserver-cmd "$tmp/vserver" --pidfile "$tmp/pid" a >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] &&
        [ "$(cat "$tmp/err")" = "rebootmgr: another rebootmgr is running (pid $pid, $tmp/pid)" ] ||
        fail "second daemon"
    kill -TERM "$pid"
    wait_for gone "$tmp/pid" || fail "daemon: pid file remains after SIGTERM"
    wait_for gone "$R/a/dev/reboot" || fail "daemon: socket remains after SIGTERM"
else
    fail "daemon: no running pid in the pid file"
fi
# The default pid file is RUNDIR/rebootmgr.pid.
"$REBOOTMGR" --vserver-cmd "$tmp/vserver" a >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] && [ -s "$tmp/run/rebootmgr.pid" ] || fail "daemon: default pid file"
[ -s "$tmp/run/rebootmgr.pid" ] && kill -TERM "$(cat "$tmp/run/rebootmgr.pid")"
wait_for gone "$tmp/run/rebootmgr.pid" || fail "daemon: default pid file remains"

# The SysV init script (etc/init.d/rebootmgr), with its test overrides.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
sed 's|@VSERVER_SBINDIR@|/nonexistent|g' "$SRC/etc/init.d/rebootmgr" >"$tmp/init"
export REBOOTMGR_DAEMON="$REBOOTMGR" REBOOTMGR_PIDFILE="$tmp/init.pid" \
    REBOOTMGR_VSERVER_CMD="$tmp/vserver"
init() {
    sh "$tmp/init" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}
init status
[ "$status" -eq 3 ] || fail "init status before start: expected 3"
init start
[ "$status" -eq 0 ] && is_socket "$R/a/dev/reboot" && [ -s "$tmp/init.pid" ] ||
    fail "init start"
pid=$(cat "$tmp/init.pid" 2>/dev/null)
init status
[ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = "rebootmgr is running (pid $pid)" ] ||
    fail "init status while running"
init start
[ "$status" -eq 0 ] && grep -q "already running" "$tmp/out" || fail "init start twice"
mkdir -p "$R/g/dev"
: >"$tmp/etc/g.conf"
# Five times: reload returns only once the new server's socket exists.
for i in 1 2 3 4 5; do
    mkdir -p "$R/g$i/dev"
    : >"$tmp/etc/g$i.conf"
    init reload
    [ "$status" -eq 0 ] || fail "init reload ($i): status $status, $(cat "$tmp/err")"
    is_socket "$R/g$i/dev/reboot" || fail "init reload ($i): returned before g$i was served"
done
init reload
[ "$status" -eq 0 ] || fail "init reload"
wait_for is_socket "$R/g/dev/reboot" || fail "init reload: g not served"
init restart
[ "$status" -eq 0 ] && [ "$(cat "$tmp/init.pid" 2>/dev/null)" != "$pid" ] || fail "init restart"
expect_ok "after init restart" 5 "$VREBOOT" "$R/a/dev/reboot" "a restart"
init stop
[ "$status" -eq 0 ] && [ ! -e "$R/a/dev/reboot" ] && [ ! -e "$tmp/init.pid" ] ||
    fail "init stop"
init status
[ "$status" -eq 3 ] || fail "init status after stop: expected 3"
init stop
[ "$status" -eq 0 ] || fail "init stop when stopped"
init reload
[ "$status" -eq 7 ] || fail "init reload when stopped: expected 7"
init bogus
[ "$status" -eq 2 ] && grep -q "^Usage: " "$tmp/err" || fail "init bogus: expected 2 and usage"
REBOOTMGR_DAEMON=$tmp/nosuch init start
[ "$status" -eq 5 ] || fail "init start without the daemon: expected 5"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
