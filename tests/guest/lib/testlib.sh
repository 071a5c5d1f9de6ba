# Shared functions of the guest test cases (tests/guest/cases/*.sh), which
# run as root inside the patched test guest (tests/guest/vm-run). Source it:
#
#   . "$(dirname "$0")/../lib/testlib.sh"
#
# Output is TAP-like: "ok - WHAT" or "not ok - WHAT" with "#" lines telling
# what was expected and what came; finish ends with the plan and exits 1
# if anything failed.
# shellcheck shell=bash

set -u
export LC_ALL=C
# The helpers and tools live in build/bin, first on the guest's PATH.
export PATH

TEST_TMP=$(mktemp -d /tmp/vxtest.XXXXXX)
chmod 755 "$TEST_TMP"
_tests=0
_failed=0

# The uid of an ordinary user (nobody) for the unprivileged runs.
USER_ID=65534

pass() {
	_tests=$((_tests + 1))
	printf 'ok - %s\n' "$1"
}

fail() {
	_tests=$((_tests + 1))
	_failed=$((_failed + 1))
	printf 'not ok - %s\n' "$1"
	shift
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# skip WHAT WHY: a check that cannot be made here, reported as skipped.
skip() {
	_tests=$((_tests + 1))
	printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

# is GOT EXPECTED WHAT: exact comparison (multi-line values too).
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "expected:" "$2" "got:" "$1"
	fi
}

# like GOT PATTERN WHAT: GOT matches the extended regular expression.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "expected to match: $2" "got:" "$1"
	fi
}

# run CMD [ARG...]: run a command; its standard output, standard error and
# exit status land in $out, $err and $rc.
run() {
	# (the outer redirection takes bash's notes on killed jobs it reaps)
	{ "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null; } 2>/dev/null
	rc=$?
	# (a NUL byte cannot be in a shell variable: dropped without a word)
	out=$(tr -d '\0' <"$TEST_TMP/out")
	err=$(tr -d '\0' <"$TEST_TMP/err")
}

# check_run WHAT RC OUT ERR CMD...: run CMD and compare all three exactly.
check_run() {
	local what=$1 want_rc=$2 want_out=$3 want_err=$4
	shift 4
	run "$@"
	if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ] && [ "$err" = "$want_err" ]; then
		pass "$what"
	else
		fail "$what" "command: $*" "expected status $want_rc, stdout:" "$want_out" \
			"stderr:" "$want_err" "got status $rc, stdout:" "$out" "stderr:" "$err"
	fi
}

# as_user CMD...: run CMD as the ordinary user nobody, without privilege.
as_user() {
	setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups -- "$@"
}

# field PID NAME: the value of line NAME: of /proc/PID/status, read from the
# spectator context 1, which sees every process ("" if PID is gone).
field() {
	chcontext --silent --ctx 1 cat "/proc/$1/status" 2>/dev/null |
		sed -n "s/^$2:[[:space:]]*//p"
}

# wait_ready PID NAME [CTX]: wait (up to 10 s) until process PID runs the
# program NAME, in context CTX when given (a background chcontext has
# then entered its context and executed its command).
wait_ready() {
	local deadline=$((SECONDS + 10))
	while [ $SECONDS -lt $deadline ]; do
		if [ "$(field "$1" Name)" = "$2" ] &&
			{ [ $# -lt 3 ] || [ "$(field "$1" s_context)" = "$3" ]; }; then
			return 0
		fi
		sleep 0.05
	done
	echo "# process $1 did not become $2${3:+ in context $3}" >&2
	return 1
}

# bg_start CMD...: start CMD in the background, in its own session and
# process group; $! is its pid (setsid and chcontext exec: it is CMD's).
bg_start() {
	setsid "$@" </dev/null >/dev/null 2>&1 &
}

# kill_anywhere PID: SIGKILL a process of any context (entered as root,
# looked up from context 1), then reap it if it is our child. For cleanup.
kill_anywhere() {
	local ctx
	ctx=$(field "$1" s_context)
	[ -n "$ctx" ] || return 0
	# (bash reports a killed job on stderr when it reaps it: not here)
	{
		if [ "$ctx" = 0 ]; then
			kill -KILL "$1"
		else
			chcontext --silent --ctx "$ctx" kill -KILL "$1"
		fi && wait "$1"
	} 2>/dev/null
	return 0
}

# finish: print the plan, exit 1 if a test failed.
finish() {
	rm -rf "$TEST_TMP"
	printf '1..%d\n' "$_tests"
	if [ "$_failed" -ne 0 ]; then
		printf '# %d of %d failed\n' "$_failed" "$_tests"
		exit 1
	fi
	exit 0
}
