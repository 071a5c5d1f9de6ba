#!/bin/sh
# vserver without a kernel: each bad NAME.conf stops "vserver NAME start"
# with one exact line and status 1 before anything is set up; good ones
# get as far as the kernel check (on a kernel without vserver support, as
# the build machine's; else the cgroup check, a fake empty root); the command
# line, status, running and stop of a server that does not run.
# Usage: test-vserver-conf.sh SCRIPTS-DIR [VSERVER-EXEC-DIR]
# (vserver reads and checks NAME.conf with vserver-exec --read-conf: it
# looks beside itself, then on PATH; without it the test is skipped.)
TEST=vserver-conf
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

if [ -n "${2:-}" ] && [ -x "$2/vserver-exec" ]; then
	PATH=$2:$PATH
	export PATH
fi
if [ ! -x "$SCRIPTS/vserver-exec" ] && ! command -v vserver-exec >/dev/null 2>&1; then
	skip "no vserver-exec, through which vserver reads NAME.conf (give its directory)"
fi

VS=$SCRIPTS/vserver
C=$T/conf
R=$T/root
VSERVER_CONFDIR=$C
VSERVER_ROOTDIR=$R
VSERVER_RUNDIR=$T/run
# No cgroup v2 here: a start that passed every check stops at this one.
VSERVER_CGROUP_ROOT=$T/cgroup
export VSERVER_CONFDIR VSERVER_ROOTDIR VSERVER_RUNDIR VSERVER_CGROUP_ROOT
unset VSERVER_STOP_TIMEOUT
mkdir -p "$C" "$R/web/proc" "$T/cgroup"
NOCGROUP="vserver: cgroup v2 is not mounted on $T/cgroup"
# On a kernel without vserver support (the build machine's), a start that
# passed every check of the configuration stops at the kernel's first.
NOKERNEL="vserver: this kernel lacks vserver support (vserver system call: Function not implemented)"

# ---- --help, --version, the command line ----
run "$VS" --version
check "--version" "0|vserver (vserver) 0.1.0|" "$RC|$OUT|$ERR"
run "$VS" --help
check "--help: status, stderr" "0|" "$RC|$ERR"
case $OUT in
"Usage: vserver NAME COMMAND"*"See vserver(8).") ok "--help: usage text" ;;
*) fail "--help: usage text: $OUT" ;;
esac
TRY="Try 'vserver --help' for more information."
run "$VS" web frobnicate
check "unknown command" "1||vserver: unknown command 'frobnicate'
$TRY" "$RC|$OUT|$ERR"
run "$VS" web
check "missing command" "1||vserver: missing server name or command
$TRY" "$RC|$OUT|$ERR"
run "$VS"
check "no arguments" "1||vserver: missing server name or command
$TRY" "$RC|$OUT|$ERR"
run "$VS" --frob start
check "unknown option" "1||vserver: unknown option '--frob'
$TRY" "$RC|$OUT|$ERR"
# (the same names as vserver::valid_server_name's unit test refuses)
for bad in ../web .web 'a b' 'x/y' 'web+1' 'a:b'; do
	run "$VS" "$bad" start
	check "invalid name '$bad'" "1||vserver: invalid server name '$bad' (letters, digits, '.', '_' and '-', not first '.')" \
		"$RC|$OUT|$ERR"
done
run "$VS" web start now
check "start takes no arguments" "1||vserver: start takes no arguments
$TRY" "$RC|$OUT|$ERR"
run "$VS" web exec
check "exec needs a command" "1||vserver: exec needs a command
$TRY" "$RC|$OUT|$ERR"
run "$VS" web build --frob
check "build: unknown argument" "1||vserver: build: unknown argument '--frob'
$TRY" "$RC|$OUT|$ERR"
run "$VS" web2 build --from "$T/nothing"
check "build: --from a missing directory" \
	"1||vserver: build: --from $T/nothing is not a directory|web" \
	"$RC|$OUT|$ERR|$(ls -A "$R")"

# ---- a server that does not run ----
: >"$C/web.conf"
run "$VS" web status
check "status of a stopped server" "3|web is stopped|" "$RC|$OUT|$ERR"
rm "$C/web.conf"
run "$VS" nosuch status
check "status of a server that does not exist: 4 (LSB: unknown)" \
	"4||vserver: no server nosuch (no $C/nosuch.conf)" "$RC|$OUT|$ERR"
run "$VS" web running
check "running of a stopped server" "1||" "$RC|$OUT|$ERR"
run "$VS" web stop
check "stop of a stopped server" "1||vserver: web is not running" "$RC|$OUT|$ERR"

# ---- bad configurations ----
run "$VS" web start
check "no configuration" \
	"1||vserver: no configuration $C/web.conf (make one with: vserver web build)" \
	"$RC|$OUT|$ERR"

# leftovers: what is in the run directory besides the lock file.
leftovers() {
	for _f in "$T"/run/* "$T"/run/.[!.]*; do
		[ -e "$_f" ] || [ -L "$_f" ] || continue
		[ "$_f" = "$T/run/web.lock" ] || printf '%s\n' "${_f##*/}"
	done
}

# bad WHAT EXPECTED-REASON LINE...: a configuration of those lines is
# refused with "vserver: CONF: REASON", nothing left in the run directory
# but the lock file.
bad() {
	_what=$1
	_reason=$2
	shift 2
	printf '%s\n' "$@" >"$C/web.conf"
	rm -rf "$T/run"
	run "$VS" web start
	check "$_what" "1||vserver: $C/web.conf: $_reason|" \
		"$RC|$OUT|$ERR|$(leftovers)"
}
bad "not an assignment" "line 3: not a KEY=value assignment" \
	"# a comment" "IPROOT=192.0.2.10" "ifconfig eth0:1 192.0.2.10"
# shellcheck disable=SC2016 # not to be expanded
bad "a command substitution is no assignment" "line 1: not a KEY=value assignment" \
	'$(reboot)'
bad "unknown key" "line 2: unknown key IPADDR" "" "IPADDR=192.0.2.10"
bad "unknown exported key" "line 1: unknown key PATH" "export PATH=/tmp"
bad "unterminated quote" "line 1: unterminated quote in S_FLAGS" 'S_FLAGS="lock nproc'
bad "ONBOOT" "ONBOOT must be yes or no, not 'maybe'" "ONBOOT=maybe"
bad "ONBOOT in capitals" "ONBOOT must be yes or no, not 'YES'" "ONBOOT=YES"
bad "S_CONTEXT 1" "S_CONTEXT must be a context id from 2 to 49151, not '1'" "S_CONTEXT=1"
bad "S_CONTEXT 0" "S_CONTEXT must be a context id from 2 to 49151, not '0'" "S_CONTEXT=0"
bad "S_CONTEXT too big" "S_CONTEXT must be a context id from 2 to 49151, not '65536'" \
	"S_CONTEXT=65536"
bad "S_CONTEXT among the kernel's dynamic ids" \
	"S_CONTEXT must be a context id from 2 to 49151, not '49152'" "S_CONTEXT=49152"
bad "S_CONTEXT not a number" "S_CONTEXT must be a context id from 2 to 49151, not 'web'" \
	"S_CONTEXT=web"
bad "S_CONTEXT negative" "S_CONTEXT must be a context id from 2 to 49151, not '-5'" \
	"S_CONTEXT=-5"
for nice in 20 -21 5x - 1-2 +3; do
	bad "S_NICE $nice" "S_NICE must be a nice level from -20 to 19, not '$nice'" "S_NICE=$nice"
done
bad "S_FLAGS" "S_FLAGS: unknown flag 'bogus' (known: lock sched nproc private fakeinit userns)" \
	'S_FLAGS="lock bogus"'
bad "S_FLAGS with commas" \
	"S_FLAGS: unknown flag 'lock,nproc' (known: lock sched nproc private fakeinit userns)" \
	'S_FLAGS="lock,nproc"'
for ip in 10.0.0.300 1.2.3 010.0.0.1 0x7f000001; do
	bad "IPROOT $ip" "IPROOT '$ip' is not a dotted IPv4 address" "IPROOT=$ip"
done
for mask in 255.0.255.0 33 255.255.255.256 abc 24.5; do
	bad "IPROOTMASK $mask" "IPROOTMASK '$mask' is not a netmask" \
		"IPROOT=192.0.2.10" "IPROOTMASK=$mask"
done
bad "IPROOTBCAST" "IPROOTBCAST '192.0.2.256' is not an IPv4 address" \
	"IPROOT=192.0.2.10" "IPROOTBCAST=192.0.2.256"
bad "IPROOTDEV without IPROOT" "IPROOTDEV is set but IPROOT is not" "IPROOTDEV=lo"
bad "HOSTLOOPBACK not yes or no" "HOSTLOOPBACK must be yes or no, not 'true'" \
	"IPROOT=192.0.2.10" "HOSTLOOPBACK=true"
bad "HOSTLOOPBACK=yes without IPROOT" "HOSTLOOPBACK=yes needs IPROOT" "HOSTLOOPBACK=yes"
bad "SYSLOG not host or server" "SYSLOG must be host or server, not 'yes'" "SYSLOG=yes"
bad "IPROOTDEV missing" "IPROOTDEV 'nosuchdev0' is not a network interface of this host" \
	"IPROOT=192.0.2.10" "IPROOTDEV=nosuchdev0"
bad "ULIMIT with a command" \
	"ULIMIT may only hold ulimit options and numbers, not '-H -u 1000; reboot'" \
	'ULIMIT="-H -u 1000; reboot"'
bad "ULIMIT with an expansion" \
	"ULIMIT may only hold ulimit options and numbers, not '-u \$(reboot)'" \
	"ULIMIT='-u \$(reboot)'"

# Where a good start stops: the kernel check, or with vserver support the
# (empty, fake) cgroup root.
EXEC=$SCRIPTS/vserver-exec
[ -x "$EXEC" ] || EXEC=$(command -v vserver-exec)
if "$EXEC" --check-kernel 2>/dev/null; then STOP=$NOCGROUP; else STOP=$NOKERNEL; fi

bad "S_CAPS unknown capability" "unknown capability 'BOGUS'" 'S_CAPS="NET_RAW BOGUS"'
bad "S_CAPS with the CAP_ prefix, then a bad one" "unknown capability 'CAP_FROB'" \
	'S_CAPS="CAP_NET_RAW CAP_FROB"'

# ---- good configurations reach the kernel (or cgroup) check ----
# good WHAT LINE...: no complaint about the configuration, nothing set up.
good() {
	_what=$1
	shift
	printf '%s\n' "$@" >"$C/web.conf"
	rm -rf "$T/run"
	run "$VS" web start
	check "$_what" "1||$STOP|" \
		"$RC|$OUT|$ERR|$(leftovers)"
}
good "an empty configuration" ""
# What "vserver NAME build" writes.
# shellcheck disable=SC2016 # $CONF and $NAME are the text looked for
sed -n '/^	cat >"\$CONF.new" <<EOF$/,/^EOF$/p' "$VS" | sed '1d;$d' |
	sed 's/\$NAME/web/g' >"$T/default.conf"
good "the configuration build writes" "$(cat "$T/default.conf")"
good "the seed's example" "IPROOT=192.0.2.10" "IPROOTDEV=lo" "IPROOTMASK=255.255.255.0" \
	"IPROOTBCAST=192.0.2.255" "ONBOOT=yes" 'S_CAPS="CAP_NET_RAW"' "S_CONTEXT=00042" \
	"S_DOMAINNAME=example" "S_HOSTNAME=www.example.org" "S_NICE=-5" \
	'S_FLAGS="lock sched nproc private fakeinit"' 'ULIMIT="-H -u 1000"'
good "HOSTLOOPBACK=yes with IPROOT" "IPROOT=192.0.2.10" "HOSTLOOPBACK=yes"
good "SYSLOG=server" "SYSLOG=server"
good "quotes, export, comments, blanks" "  # indented comment" "" \
	"export ONBOOT='no'" "S_NICE=19 # lowest" "S_CAPS='net_raw,sys_time'" "	IPROOTMASK=24"

# enter, exec and restart of a good server that does not run.
printf 'IPROOT=192.0.2.10\nS_HOSTNAME=web\n' >"$C/web.conf"
run "$VS" web enter
check "enter a stopped server" "1||vserver: web is not running" "$RC|$OUT|$ERR"
run "$VS" web exec true
check "exec in a stopped server" "1||vserver: web is not running" "$RC|$OUT|$ERR"
run "$VS" web restart
check "restart a stopped server: a start" "1||$STOP" "$RC|$OUT|$ERR"

# A good configuration, but no tree.
printf 'IPROOT=192.0.2.11\n' >"$C/other.conf"
run "$VS" other start
check "no server tree" "1||vserver: no server tree $R/other (make it with: vserver other build)" \
	"$RC|$OUT|$ERR"

# Another command holds the server's lock: start and stop wait
# VSERVER_LOCK_TIMEOUT seconds, then give up naming the lock.
mkdir -p "$T/run"
if command -v flock >/dev/null 2>&1; then
	# (this shell holds it, on an open file of its own)
	exec 7>"$T/run/web.lock"
	flock 7
	BUSY="vserver: web is still busy after 1 s (another vserver command holds $T/run/web.lock)"
	run env VSERVER_LOCK_TIMEOUT=1 "$VS" web start
	check "start while another command holds the lock" "1||$BUSY" "$RC|$OUT|$ERR"
	run env VSERVER_LOCK_TIMEOUT=1 "$VS" web stop
	check "stop while another command holds the lock" "1||$BUSY" "$RC|$OUT|$ERR"
	exec 7>&-
else
	skip_part "no flock(1) to hold a server's lock"
fi
run env VSERVER_LOCK_TIMEOUT=soon "$VS" web start
check "a bad VSERVER_LOCK_TIMEOUT" \
	"1||vserver: VSERVER_LOCK_TIMEOUT must be a number of seconds from 1 to 86400" "$RC|$OUT|$ERR"

finish
