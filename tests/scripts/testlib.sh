# testlib.sh: helpers for the shell tests of the vserver scripts.
# shellcheck shell=sh
# shellcheck disable=SC2034 # RC, OUT, ... are for the tests
#
# A test sources this file after setting TEST to its own name.  SCRIPTS is the
# directory holding vps, vserver-stat, ... (first argument of the test, else
# ../../scripts relative to the test); the second, when given, holds the
# built tools (VSERVER_EXEC).  T is a fresh temporary directory removed at
# exit.  check/check_status print "ok" or "FAIL" lines; finish exits
# non-zero when anything failed.

set -eu
: "${TEST:=test}"
TESTDIR=$(cd "${TESTDIR:-.}" && pwd)
SCRIPTS=${1:-$TESTDIR/../../scripts}
SCRIPTS=$(cd "$SCRIPTS" && pwd)
SRCROOT=$(cd "$SCRIPTS/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/vserver-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
FAILED=0

# Keep the caller's vserver settings out of the tests.
unset VSERVER_CONFDIR VSERVER_RUNDIR VSERVER_PROC VSERVER_SKIP_CHCONTEXT \
	_VSERVER_REEXEC VSERVER_EXEC
# The built tools' directory (second argument): the scripts' vserver-exec,
# which reads the configuration files for them.
if [ -n "${2:-}" ] && [ -x "$2/vserver-exec" ]; then
	VSERVER_EXEC=$(cd "$2" && pwd)/vserver-exec
	export VSERVER_EXEC
fi
VSERVER_GLOBAL_CONF=$T/no-such-vservers.conf
export VSERVER_GLOBAL_CONF
LC_ALL=C
export LC_ALL

ok() {
	printf 'ok   %s: %s\n' "$TEST" "$1"
}

fail() {
	printf 'FAIL %s: %s\n' "$TEST" "$1"
	FAILED=1
}

# check WHAT EXPECTED ACTUAL: exact comparison, with a diff on failure.
check() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		printf '%s\n' "$2" >"$T/.expected"
		printf '%s\n' "$3" >"$T/.actual"
		diff -u "$T/.expected" "$T/.actual" | sed 's/^/    /' || :
	fi
}

# run CMD...: runs CMD, setting OUT, ERR (text) and RC (status).
run() {
	RC=0
	"$@" >"$T/.out" 2>"$T/.err" || RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

# skip REASON: the whole test is skipped (ctest SKIP_RETURN_CODE 77).
skip() {
	printf 'skip %s: %s\n' "$TEST" "$1"
	exit 77
}

# need_vserver_exec: skips the test when the scripts cannot find vserver-exec
# (neither the built tools' directory was given nor is one on PATH): they
# read their configuration files through it.
need_vserver_exec() {
	[ -n "${VSERVER_EXEC:-}" ] || command -v vserver-exec >/dev/null ||
		skip "no vserver-exec (give the built tools' directory as the second argument)"
}

# skip_part WHY: one part of the test did not run (reported, not a pass).
skip_part() {
	printf 'skip %s: %s\n' "$TEST" "$1"
}

finish() {
	if [ "$FAILED" -ne 0 ]; then
		printf 'FAIL %s\n' "$TEST"
		exit 1
	fi
	printf 'ok   %s\n' "$TEST"
	exit 0
}

# fake_proc DIR PID CTX VMSIZE VMRSS UTIME STIME START [COMM [ADDRS]]: one
# process of a fake proc tree.  VMSIZE "-" leaves out VmSize/VmRSS (kernel
# thread), CTX "-" leaves out the s_context line (kernel without vserver);
# ADDRS, blank-separated, is its netaddrs: line (none: not locked).
fake_proc() {
	_d=$1/$2
	mkdir -p "$_d"
	{
		printf 'Name:\t%s\nState:\tS (sleeping)\nTgid:\t%s\nPid:\t%s\n' \
			"${9:-proc$2}" "$2" "$2"
		[ "$4" = - ] || printf 'VmSize:\t%8s kB\nVmRSS:\t%8s kB\n' "$4" "$5"
		printf 'CapBnd:\t000001ffffffffff\n'
		[ "$3" = - ] ||
			printf 's_context:\t%s\nctxflags:\tnone\ninitpid:\t0\n' "$3"
		_a=${10:-}
		_r=${_a%% *}
		[ "$3" = - ] || printf 'ipv4root:\t%s\nnetaddrs:\t%s\n' \
			"${_r:-0.0.0.0}" "$_a"
	} >"$_d/status"
	# pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
	# majflt cmajflt utime stime cutime cstime prio nice threads itreal
	# starttime vsize rss ...
	printf '%s (%s) S 1 %s %s 0 -1 4194560 10 0 0 0 %s %s 0 0 20 0 1 0 %s 4096 1 18446744073709551615\n' \
		"$2" "${9:-proc$2}" "$2" "$2" "$6" "$7" "$8" >"$_d/stat"
}
