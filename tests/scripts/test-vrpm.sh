#!/bin/sh
# vrpm with fake server trees, a fake rpm on PATH and a fake vserver beside
# vrpm, both recording their arguments: rpm --root from the host, dpkg and
# apt-get inside the server through "vserver NAME exec", ALL, the report,
# package files copied into the server's /tmp and removed, and the
# refusals, which run nothing.
TEST=vrpm
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

# vrpm finds vserver beside itself: a copy of vrpm and its library goes
# next to the fake one.
B=$T/sbin
mkdir -p "$B" "$T/path" "$T/running"
cp "$SCRIPTS/vrpm" "$B/vrpm"
cp -R "$SCRIPTS/lib" "$B/lib"
LOG=$T/log

# The fake vserver: "running" from $T/running/NAME; exec emulates the few
# commands vrpm runs inside a server on the server's tree, and records
# the package manager's arguments together with the files they name.
cat >"$B/vserver" <<'EOF'
#!/bin/sh
name=$1 cmd=$2
shift 2
root=$VSERVER_ROOTDIR/$name
case $cmd in
running) [ -e "$FAKE_RUNNING/$name" ]; exit ;;
exec) ;;
*) echo "fake vserver: unexpected command $cmd" >&2; exit 99 ;;
esac
case $*  in
"/bin/sh -c umask 077 && mktemp -d /tmp/vrpm.XXXXXX")
	mkdir "$root/tmp/vrpm.fake" && echo /tmp/vrpm.fake
	echo "$name mktemp" >>"$FAKE_LOG"
	exit ;;
'/bin/sh -c cat >"$1" sh '*)
	cat >"$root$5"
	echo "$name copy $5" >>"$FAKE_LOG"
	exit ;;
"rm -rf -- "*)
	rm -rf "$root$4"
	echo "$name rm $4" >>"$FAKE_LOG"
	exit ;;
esac
echo "$name exec $*" >>"$FAKE_LOG"
for a in "$@"; do
	case $a in /tmp/vrpm.*) echo "  $a: $(cat "$root$a")" >>"$FAKE_LOG" ;; esac
done
exit "${FAKE_EXEC_STATUS:-0}"
EOF
cat >"$T/path/rpm" <<'EOF'
#!/bin/sh
echo "rpm $*" >>"$FAKE_LOG"
[ "$2" != "$FAKE_RPM_FAIL" ] || exit 3
EOF
chmod +x "$B/vserver" "$T/path/rpm"
BASEPATH=$PATH
PATH=$T/path:$PATH
FAKE_LOG=$LOG
FAKE_RUNNING=$T/running
VSERVER_CONFDIR=$T/conf
VSERVER_ROOTDIR=$T/root
VSERVER_RUNDIR=$T/run
export PATH FAKE_LOG FAKE_RUNNING VSERVER_CONFDIR VSERVER_ROOTDIR VSERVER_RUNDIR
R=$VSERVER_ROOTDIR

# server NAME DATABASE-DIR: a configured server with that database.
NSERVERS=0
server() {
	NSERVERS=$((NSERVERS + 1))
	mkdir -p "$VSERVER_CONFDIR" "$R/$1/tmp" "$R/$1/$2"
	printf 'IPROOT=192.0.2.%s\n' "$NSERVERS" >"$VSERVER_CONFDIR/$1.conf"
}
server alpha var/lib/rpm
server beta usr/lib/sysimage/rpm
server deb1 var/lib/dpkg
server deb2 var/lib/dpkg
touch "$T/running/deb1"
mkdir -p "$T/pkgs"
echo DEB-ONE >"$T/pkgs/one_1.0_all.deb"
echo DEB-TWO >"$T/pkgs/two.deb"
echo RPM-ONE >"$T/pkgs/one-1.0.noarch.rpm"

# vrpm ARG...: runs it with a fresh log; LOGTEXT is the log.
vrpm() {
	: >"$LOG"
	run "$B/vrpm" "$@"
	LOGTEXT=$(cat "$LOG")
}

# ---- --help, --version ----
vrpm --version
check "--version" "0|vrpm (vserver) 0.1.0|" "$RC|$OUT|$ERR"
vrpm --help
check "--help: status, stderr" "0|" "$RC|$ERR"
case $OUT in
"Usage: vrpm"*"See vrpm(8).") ok "--help: usage text" ;;
*) fail "--help: usage text: $OUT" ;;
esac

# ---- rpm --root from the host, as in the seed ----
vrpm alpha beta -- -Uvh /tmp/x.rpm
check "two rpm servers: report" "0|alpha: ok
beta: ok|" "$RC|$OUT|$ERR"
check "two rpm servers: rpm --root each" "rpm --root $R/alpha -Uvh /tmp/x.rpm
rpm --root $R/beta -Uvh /tmp/x.rpm" "$LOGTEXT"

vrpm alpha -- -Uvh "$T/pkgs/one-1.0.noarch.rpm"
check "rpm --root reads package files on the host" \
	"0|rpm --root $R/alpha -Uvh $T/pkgs/one-1.0.noarch.rpm" "$RC|$LOGTEXT"

vrpm alpha alpha -- -q bash
check "a name given twice runs once" "0|alpha: ok|rpm --root $R/alpha -q bash" \
	"$RC|$OUT|$LOGTEXT"

FAKE_RPM_FAIL=$R/alpha
export FAKE_RPM_FAIL
vrpm alpha beta -- -e foo
unset FAKE_RPM_FAIL
check "a failure is reported and the others still run" "1|alpha: failed (status 3)
beta: ok|rpm --root $R/alpha -e foo
rpm --root $R/beta -e foo" "$RC|$OUT|$LOGTEXT"

# ---- ALL: rpm, dpkg inside a running server, a stopped Debian server ----
vrpm ALL -- -l
check "ALL: every configured server, in name order" "1|alpha: ok
beta: ok
deb1: ok
deb2: failed (not running)" "$RC|$OUT"
check "ALL: stderr says why" \
	"vrpm: deb2 is not running: dpkg runs inside the server (vserver deb2 start)" "$ERR"
check "ALL: what ran" "rpm --root $R/alpha -l
rpm --root $R/beta -l
deb1 exec dpkg -l" "$LOGTEXT"

vrpm --rpm ALL -- -qa
check "--rpm ALL: rpm --root everywhere, stopped or not" "0|rpm --root $R/alpha -qa
rpm --root $R/beta -qa
rpm --root $R/deb1 -qa
rpm --root $R/deb2 -qa" "$RC|$LOGTEXT"

# ---- package files copied into the server ----
vrpm deb1 -- -i "$T/pkgs/one_1.0_all.deb" --no-such.deb "$T/pkgs/two.deb" bash
check "dpkg -i: status, report" "0|deb1: ok|" "$RC|$OUT|$ERR"
check "dpkg -i: files copied in, paths rewritten, removed" "deb1 mktemp
deb1 copy /tmp/vrpm.fake/one_1.0_all.deb
deb1 copy /tmp/vrpm.fake/two.deb
deb1 exec dpkg -i /tmp/vrpm.fake/one_1.0_all.deb --no-such.deb /tmp/vrpm.fake/two.deb bash
  /tmp/vrpm.fake/one_1.0_all.deb: DEB-ONE
  /tmp/vrpm.fake/two.deb: DEB-TWO
deb1 rm /tmp/vrpm.fake" "$LOGTEXT"
check "nothing left in the server's /tmp" "" "$(ls -A "$R/deb1/tmp")"

FAKE_EXEC_STATUS=2
export FAKE_EXEC_STATUS
vrpm --apt deb1 -- install -y "$T/pkgs/two.deb"
unset FAKE_EXEC_STATUS
check "apt-get failing: report and status" "1|deb1: failed (status 2)" "$RC|$OUT"
check "apt-get failing: ran inside, copy removed all the same" "deb1 mktemp
deb1 copy /tmp/vrpm.fake/two.deb
deb1 exec apt-get install -y /tmp/vrpm.fake/two.deb
  /tmp/vrpm.fake/two.deb: DEB-TWO
deb1 rm /tmp/vrpm.fake" "$LOGTEXT"
check "apt-get failing: nothing left in /tmp" "" "$(ls -A "$R/deb1/tmp")"

vrpm --dpkg deb1 -- -l 'lib*'
check "no package file: no copy" "0|deb1 exec dpkg -l lib*" "$RC|$LOGTEXT"

vrpm --rpm --inside deb1 -- -Uvh "$T/pkgs/one-1.0.noarch.rpm"
check "--rpm --inside: rpm in the server, the package copied in" "0|deb1 mktemp
deb1 copy /tmp/vrpm.fake/one-1.0.noarch.rpm
deb1 exec rpm -Uvh /tmp/vrpm.fake/one-1.0.noarch.rpm
  /tmp/vrpm.fake/one-1.0.noarch.rpm: RPM-ONE
deb1 rm /tmp/vrpm.fake" "$RC|$LOGTEXT"

vrpm --inside alpha -- -q bash
check "--inside on a stopped server" "1|alpha: failed (not running)|\
vrpm: alpha is not running: rpm runs inside the server (vserver alpha start)|" \
	"$RC|$OUT|$ERR|$LOGTEXT"

# ---- refusals: one line, nothing run ----
# refused WHAT EXPECTED-STDERR ARG...: status 1, nothing on stdout, nothing run.
refused() {
	_what=$1
	_err=$2
	shift 2
	vrpm "$@"
	check "$_what" "1||$_err|" "$RC|$OUT|$ERR|$LOGTEXT"
}
refused "unknown server" "vrpm: unknown server 'gamma' (no $T/conf/gamma.conf)" \
	alpha gamma -- -q bash
refused "invalid name" \
	"vrpm: invalid server name '../etc' (letters, digits, '.', '_' and '-', not first '.')" \
	alpha ../etc -- -q bash
refused "no --" "vrpm: missing '--' before the package manager's arguments
Try 'vrpm --help' for more information." alpha -q bash
refused "no name" "vrpm: missing server name (or ALL)
Try 'vrpm --help' for more information." -- -q bash
refused "no arguments" "vrpm: missing the package manager's arguments after '--'
Try 'vrpm --help' for more information." alpha --
refused "two modes" "vrpm: give only one of --rpm, --dpkg and --apt
Try 'vrpm --help' for more information." --rpm --dpkg alpha -- -q bash
refused "--inside with --apt" "vrpm: --inside goes with --rpm (dpkg and apt always run inside)
Try 'vrpm --help' for more information." --apt --inside deb1 -- install x
refused "unknown option" "vrpm: unknown option '--force'
Try 'vrpm --help' for more information." --force alpha -- -q bash

mkdir -p "$R/bare"
printf 'IPROOT=192.0.2.99\n' >"$VSERVER_CONFDIR/bare.conf"
refused "no package database" \
	"vrpm: bare: neither an rpm nor a dpkg database in $R/bare (give --rpm, --dpkg or --apt)" \
	alpha bare -- -q bash
rm -r "$R/bare"
refused "no server tree" "vrpm: bare: no server tree $R/bare" --rpm alpha bare -- -q bash
rm "$VSERVER_CONFDIR/bare.conf"

if PATH=$BASEPATH command -v rpm >/dev/null 2>&1; then
	skip_part "rpm missing: this host has rpm"
else
	_path=$PATH
	PATH=$BASEPATH
	refused "rpm missing" "vrpm: rpm is not installed on this host" deb1 alpha -- -q bash
	PATH=$_path
fi

VSERVER_CONFDIR=$T/empty
refused "ALL without servers" "vrpm: no server is configured in $T/empty" ALL -- -q bash

finish
