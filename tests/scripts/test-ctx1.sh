#!/bin/sh
# Entering security context 1 through chcontext, with a fake chcontext that
# fails, "moves" the script by switching it to a proc tree whose self/status
# says s_context 1, or succeeds without moving it.
TEST=ctx1
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

mkdir -p "$T/proc0/self" "$T/proc1/self" "$T/etc" "$T/run" "$T/bin"
printf 'Name:\tsh\ns_context:\t0\n' >"$T/proc0/self/status"
printf 'Name:\tsh\ns_context:\t1\n' >"$T/proc1/self/status"
printf '100.00 50.00\n' >"$T/proc1/uptime"
fake_proc "$T/proc1" 1 0 1024 1024 0 0 0 init
fake_proc "$T/proc1" 42 9 1024 1024 0 0 5000 httpd
printf '9\n' >"$T/run/www.ctx"

cat >"$T/bin/chcontext" <<'EOS'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_DIR/chcontext.args"
case ${FAKE_CHCONTEXT:-} in
fail)
	echo "chcontext: this kernel lacks vserver support (vserver system call: Function not implemented)" >&2
	exit 1
	;;
eperm)
	echo "chcontext: cannot enter security context 1: Operation not permitted" >&2
	echo "a second line" >&2
	exit 1
	;;
stay) ;;
*)
	VSERVER_PROC=$FAKE_DIR/proc1
	export VSERVER_PROC
	;;
esac
if [ "$1 $2 $3" != "--silent --ctx 1" ]; then
	echo "chcontext: unexpected arguments $*" >&2
	exit 1
fi
shift 3
exec "$@"
EOS
for cmd in pstree top; do
	printf '#!/bin/sh\necho "%s $*"\n' "$cmd" >"$T/bin/$cmd"
done
printf '#!/bin/sh\nprintf "  PID CMD\\n    1 init\\n   42 httpd\\n"\n' >"$T/bin/ps"
chmod +x "$T/bin/"*

PATH=$T/bin:$PATH
FAKE_DIR=$T
export PATH FAKE_DIR
export VSERVER_PROC="$T/proc0" VSERVER_CONFDIR="$T/etc" VSERVER_RUNDIR="$T/run"

args() {
	cat "$T/chcontext.args" 2>/dev/null || :
	rm -f "$T/chcontext.args"
}

# chcontext fails: one line, status 1, nothing run.
export FAKE_CHCONTEXT=fail
for prog in vps vpstree vtop vserver-stat; do
	run "$SCRIPTS/$prog"
	check "$prog: chcontext fails" \
		"1|$prog: cannot enter security context 1: this kernel lacks vserver support (vserver system call: Function not implemented)|" \
		"$RC|$ERR|$OUT"
	args >/dev/null
done

# Not root: chcontext's reason, first line only, not repeated.
export FAKE_CHCONTEXT=eperm
run "$SCRIPTS/vps"
check "vps: chcontext refuses" \
	"1|vps: cannot enter security context 1: Operation not permitted|" \
	"$RC|$ERR|$OUT"
args >/dev/null

# chcontext works: the whole pipeline runs in context 1.
export FAKE_CHCONTEXT=ok
run "$SCRIPTS/vps"
check "vps: output from context 1" "0||\
  PID   CTX NAME IP CMD
    1     0 MAIN -  init
   42     9 www  -  httpd" "$RC|$ERR|$OUT"
check "vps: probe, then the script again in context 1" "\
--silent --ctx 1 true
--silent --ctx 1 /bin/sh $SCRIPTS/vps ax" "$(args)"

run "$SCRIPTS/vserver-stat"
check "vserver-stat: output from context 1" "0||\
CTX    PROC     VSZ     RSS   userTIME    sysTIME     UPTIME NAME      ADDRESSES
0         1    1.0M    1.0M   0m00.00s   0m00.00s   1m40.00s MAIN      -
9         1    1.0M    1.0M   0m00.00s   0m00.00s   0m50.00s www       -" \
	"$RC|$ERR|$OUT"
check "vserver-stat: probe, then the script again in context 1" "\
--silent --ctx 1 true
--silent --ctx 1 /bin/sh $SCRIPTS/vserver-stat" "$(args)"

run "$SCRIPTS/vpstree" -p -a
check "vpstree: pstree and its arguments in context 1" "0||pstree -p -a" \
	"$RC|$ERR|$OUT"
check "vpstree: chcontext arguments" "\
--silent --ctx 1 true
--silent --ctx 1 pstree -p -a" "$(args)"

run "$SCRIPTS/vtop" -b -n 1
check "vtop: top and its arguments in context 1" "0||top -b -n 1" \
	"$RC|$ERR|$OUT"
check "vtop: chcontext arguments" "\
--silent --ctx 1 true
--silent --ctx 1 top -b -n 1" "$(args)"

# chcontext claims success but the script is not in context 1: no loop.
export FAKE_CHCONTEXT=stay
run "$SCRIPTS/vps"
check "vps: chcontext that does not move" \
	"1|vps: cannot enter security context 1: still in context 0 after chcontext|" \
	"$RC|$ERR|$OUT"
args >/dev/null

# Already in context 1: chcontext (which would fail) is not called.
export FAKE_CHCONTEXT=fail VSERVER_PROC="$T/proc1"
run "$SCRIPTS/vpstree"
check "vpstree in context 1 runs pstree directly" "0|pstree |" \
	"$RC|$OUT|$(args)"
run "$SCRIPTS/vps" -e
check "vps in context 1 runs ps directly" "0|" "$RC|$(args)"

# No chcontext at all.
rm "$T/bin/chcontext"
export VSERVER_PROC="$T/proc0"
if command -v chcontext >/dev/null 2>&1; then
	skip_part "no chcontext: one is installed in PATH"
else
	run "$SCRIPTS/vserver-stat"
	check "no chcontext" \
		"1|vserver-stat: cannot enter security context 1: chcontext not found in PATH|" \
		"$RC|$ERR|$OUT"
fi

finish
