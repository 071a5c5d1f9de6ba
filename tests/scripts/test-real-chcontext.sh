#!/bin/sh
# The scripts with the project's own chcontext on the running kernel: on a
# kernel without vserver support (or when not root in context 0) each says
# so in one line and exits 1; with it, their output comes from context 1.
# Usage: test-real-chcontext.sh SCRIPTS-DIR CHCONTEXT-DIR
TEST=real-chcontext
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

[ -x "${2:-}/chcontext" ] || skip "no chcontext built (give its directory)"
PATH=$2:$PATH
export PATH
unset VSERVER_PROC

if grep -q '^s_context:' /proc/self/status; then
	lacks=
else
	lacks="this kernel lacks vserver support (vserver system call: Function not implemented)"
fi

for cmd in "vps" "vpstree" "vtop -b -n 1" "vserver-stat"; do
	prog=${cmd%% *}
	# shellcheck disable=SC2086 # cmd carries its arguments
	run "$SCRIPTS"/$cmd
	if [ -n "$lacks" ]; then
		check "$prog on a kernel without vserver" \
			"1|$prog: cannot enter security context 1: $lacks|" \
			"$RC|$ERR|$OUT"
	elif [ "$RC" != 0 ]; then
		case $ERR in
		"$prog: cannot enter security context 1: "*)
			ok "$prog refused in one line: $ERR" ;;
		*) fail "$prog: status $RC: $ERR" ;;
		esac
	else
		case $prog in
		vps) pattern='*PID*CTX NAME*MAIN*' ;;
		vserver-stat) pattern='CTX*PROC*NAME*MAIN*ALL_PROCS*' ;;
		*) pattern='?*' ;;
		esac
		# shellcheck disable=SC2254 # pattern is a pattern
		case $OUT in
		$pattern) ok "$prog output from context 1" ;;
		*) fail "$prog output from context 1: $OUT" ;;
		esac
	fi
done
finish
