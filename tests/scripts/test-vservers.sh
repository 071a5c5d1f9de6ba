#!/bin/sh
# vservers and its SysV init script with a fake vserver beside vservers:
# which servers start (ONBOOT=yes, not running) and stop (every running
# one), how many at a time, failures, status, and the init script's
# actions and LSB exit codes.
TEST=vservers
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

B=$T/sbin
mkdir -p "$B" "$T/running" "$T/active"
cp "$SCRIPTS/vservers" "$B/vservers"
cp -R "$SCRIPTS/lib" "$B/lib"
LOG=$T/log
INIT=$SRCROOT/etc/init.d/vservers

# The fake vserver: running from $T/running/NAME; start and stop take a
# moment, record themselves and how many were under way at once.
cat >"$B/vserver" <<'EOF'
#!/bin/sh
name=$1
case $2 in
running) [ -e "$FAKE_DIR/running/$name" ]; exit ;;
start | stop) ;;
*) echo "fake vserver: unexpected $2" >&2; exit 99 ;;
esac
: >"$FAKE_DIR/active/$name"
n=0
for f in "$FAKE_DIR"/active/*; do n=$((n + 1)); done
echo "$2 $name $n" >>"$FAKE_DIR/log"
sleep "${FAKE_SLEEP:-0}"
rm -f "$FAKE_DIR/active/$name"
case " ${FAKE_FAIL:-} " in
*" $name "*) echo "vserver: $name did not start (status 1)" >&2; exit 1 ;;
esac
if [ "$2" = start ]; then
	: >"$FAKE_DIR/running/$name"
	echo "vserver: $name started in context 4$name" >&2
else
	rm -f "$FAKE_DIR/running/$name"
	echo "vserver: $name stopped" >&2
fi
EOF
chmod +x "$B/vserver"
FAKE_DIR=$T
VSERVER_CONFDIR=$T/conf
VSERVER_ROOTDIR=$T/root
VSERVER_RUNDIR=$T/run
export FAKE_DIR VSERVER_CONFDIR VSERVER_ROOTDIR VSERVER_RUNDIR
unset VSERVERS_PARALLEL FAKE_FAIL FAKE_SLEEP
C=$VSERVER_CONFDIR
mkdir -p "$C"
printf 'ONBOOT=yes\n' >"$C/a.conf"
printf 'ONBOOT=no\n' >"$C/b.conf"
printf 'IPROOT=192.0.2.3\n' >"$C/c.conf"
printf '# up already\nONBOOT="yes"\n' >"$C/d.conf"
printf 'export ONBOOT=yes # at boot\n' >"$C/e.conf"
printf 'not a server\n' >"$C/README"
: >"$T/running/d"

# actions: what the fake vserver did, without the counts, in name order.
actions() {
	sed 's/ [0-9]*$//' "$LOG" 2>/dev/null | sort
}

# up: the servers the fake vserver says run, on one line.
up() {
	_l=
	for _f in "$T"/running/*; do
		[ -e "$_f" ] && _l="$_l ${_f##*/}"
	done
	printf '%s\n' "${_l# }"
}

# vs ARG...: vservers with a fresh log.
vs() {
	rm -f "$LOG"
	run "$B/vservers" "$@"
}

vs status
check "status" "0|a                    ONBOOT=yes stopped
b                    ONBOOT=no  stopped
c                    ONBOOT=no  stopped
d                    ONBOOT=yes running
e                    ONBOOT=yes stopped|" "$RC|$OUT|$ERR"

vs start
check "start: the ONBOOT servers not running" "0|start a
start e" "$RC|$(actions)"
check "start: their messages" "vserver: a started in context 4a
vserver: e started in context 4e" "$(printf '%s\n' "$ERR" | sort)"

vs start
check "start again: nothing to do" "0||" "$RC|$(actions)|$ERR"

: >"$T/running/b"
vs stop
check "stop: every running server, ONBOOT or not" "0|stop a
stop b
stop d
stop e" "$RC|$(actions)"
check "stop: none left running" "" "$(up)"

vs stop
check "stop with nothing running" "0||" "$RC|$(actions)|$ERR"

FAKE_FAIL=a
export FAKE_FAIL
vs start
unset FAKE_FAIL
check "a failing server: status 1, the others start" "1|start a
start d
start e|vserver: a did not start (status 1)" \
	"$RC|$(actions)|$(printf '%s\n' "$ERR" | grep -v started)"
rm -f "$T/running"/*

# At most VSERVERS_PARALLEL at a time, and more than one when allowed.
i=0
while [ $i -lt 6 ]; do
	printf 'ONBOOT=yes\n' >"$C/p$i.conf"
	i=$((i + 1))
done
rm -f "$C/a.conf" "$C/d.conf" "$C/e.conf"
FAKE_SLEEP=1
export FAKE_SLEEP
VSERVERS_PARALLEL=2
export VSERVERS_PARALLEL
vs start
max=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$LOG")
check "VSERVERS_PARALLEL=2: six servers, at most two at a time" "0|6|yes" \
	"$RC|$(wc -l <"$LOG" | tr -d ' ')|$([ "$max" -ge 1 ] && [ "$max" -le 2 ] && echo yes || echo "max $max")"
unset VSERVERS_PARALLEL
vs stop
max=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$LOG")
check "default: four at a time, in parallel" "0|yes" \
	"$RC|$([ "$max" -ge 2 ] && [ "$max" -le 4 ] && echo yes || echo "max $max")"
unset FAKE_SLEEP

VSERVERS_PARALLEL=0
export VSERVERS_PARALLEL
vs start
unset VSERVERS_PARALLEL
check "VSERVERS_PARALLEL=0" "1||vservers: VSERVERS_PARALLEL must be a positive number|" \
	"$RC|$OUT|$ERR|$(actions)"

vs
check "no command" "1||vservers: expected one of start, stop, status
Try 'vservers --help' for more information." "$RC|$OUT|$ERR"
vs restart
check "unknown command" "1||vservers: unknown command 'restart' (expected start, stop or status)
Try 'vservers --help' for more information." "$RC|$OUT|$ERR"
vs start now
check "extra argument" "1||vservers: expected one of start, stop, status
Try 'vservers --help' for more information." "$RC|$OUT|$ERR"

# ---- the SysV init script ----
VSERVERS_CMD=$B/vservers
export VSERVERS_CMD
# (a stand-in cgroup root: the init script enables its controllers)
VSERVER_CGROUP_ROOT=$T/cgroup
export VSERVER_CGROUP_ROOT
mkdir -p "$T/cgroup"
echo "cpu io memory pids" >"$T/cgroup/cgroup.controllers"
echo "cpu" >"$T/cgroup/cgroup.subtree_control"
rm -f "$T/running"/*
run sh "$INIT" status
check "init status, none running: 3" "3" "$RC"
run sh "$INIT" start
check "init start" "0|Starting the virtual servers (ONBOOT=yes)..." "$RC|$OUT"
check "init start: started" "p0 p1 p2 p3 p4 p5" "$(up)"
if [ -d /run/systemd/system ]; then
	skip_part "init start: the cgroup controllers (systemd runs here: it owns them)"
else
	check "init start: enables the missing cgroup controllers at the root" "cpu +io +memory +pids" \
		"$(tr '\n' ' ' <"$T/cgroup/cgroup.subtree_control" | sed 's/ $//')"
fi
run sh "$INIT" status
check "init status, running: 0 and the list" "0|yes" \
	"$RC|$(printf '%s\n' "$OUT" | grep -c 'ONBOOT=yes running' | sed 's/^6$/yes/')"
: >"$T/running/b"
run sh "$INIT" restart
check "init restart: all stopped, the ONBOOT ones started" "0|p0 p1 p2 p3 p4 p5" \
	"$RC|$(up)"
run sh "$INIT" stop
check "init stop" "0|Stopping the virtual servers...|" "$RC|$OUT|$(up)"
run sh "$INIT" reload
check "init: unknown action" "2||Usage: $INIT {start|stop|restart|force-reload|status}" \
	"$RC|$OUT|$ERR"
VSERVERS_CMD=$T/nothing
run sh "$INIT" start
check "init start, vservers not installed: 5" "5|vservers: $T/nothing is not installed" "$RC|$ERR"
run sh "$INIT" stop
check "init stop, vservers not installed: 0" "0" "$RC"
run sh "$INIT" status
check "init status, vservers not installed: 4" "4" "$RC"
unset VSERVERS_CMD

finish
