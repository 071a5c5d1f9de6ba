#!/bin/sh
# newvserver without a terminal, with a fake vserver beside it that records
# the build and writes the default NAME.conf of the real one: the build
# call, the answers written into the configuration (its comments kept),
# and the refusals, one line each, which build and write nothing.
TEST=newvserver
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

B=$T/sbin
mkdir -p "$B" "$T/tree/etc"
cp "$SCRIPTS/newvserver" "$B/newvserver"
cp -R "$SCRIPTS/lib" "$B/lib"
LOG=$T/log

# The default configuration, as the real "vserver NAME build" writes it.
# shellcheck disable=SC2016 # $CONF and $NAME are the text looked for
sed -n '/^	cat >"\$CONF.new" <<EOF$/,/^EOF$/p' "$SCRIPTS/vserver" | sed '1d;$d' \
	>"$T/default.conf"
if grep -q '^S_HOSTNAME=[$]NAME$' "$T/default.conf"; then
	ok "default configuration taken from vserver"
else
	fail "default configuration taken from vserver: $(cat "$T/default.conf")"
fi

cat >"$B/vserver" <<'EOF'
#!/bin/sh
name=$1 cmd=$2
shift 2
[ "$cmd" = build ] || { echo "fake vserver: unexpected $cmd" >&2; exit 99; }
echo "$name build $*" >>"$FAKE_LOG"
if [ -n "${FAKE_BUILD_FAIL:-}" ]; then
	echo "vserver: build: copying /x/usr failed" >&2
	exit 1
fi
mkdir -p "$VSERVER_ROOTDIR/$name" "$VSERVER_CONFDIR"
sed "s/\$NAME/$name/g" "$FAKE_DEFAULT" >"$VSERVER_CONFDIR/$name.conf"
echo "vserver: built $name in $VSERVER_ROOTDIR/$name" >&2
EOF
chmod +x "$B/vserver"
FAKE_LOG=$LOG
FAKE_DEFAULT=$T/default.conf
VSERVER_CONFDIR=$T/conf
VSERVER_ROOTDIR=$T/root
VSERVER_RUNDIR=$T/run
export FAKE_LOG FAKE_DEFAULT VSERVER_CONFDIR VSERVER_ROOTDIR VSERVER_RUNDIR
C=$VSERVER_CONFDIR

# nv ARG...: newvserver without a terminal, with a fresh log.
nv() {
	: >"$LOG"
	run "$B/newvserver" "$@" </dev/null
	LOGTEXT=$(cat "$LOG")
}

# conf_with NAME KEY=VALUE...: the default configuration of NAME with
# those keys set.
conf_with() {
	_c=$(sed "s/\$NAME/$1/g" "$T/default.conf")
	shift
	for _kv in "$@"; do
		_c=$(printf '%s\n' "$_c" | sed "s|^${_kv%%=*}=.*|$_kv|")
	done
	printf '%s\n' "$_c"
}

# ---- --help, --version ----
nv --version
check "--version" "0|newvserver (vserver) 0.1.0|" "$RC|$OUT|$ERR"
nv --help
check "--help: status, stderr" "0|" "$RC|$ERR"
case $OUT in
"Usage: newvserver"*"See newvserver(8).") ok "--help: usage text" ;;
*) fail "--help: usage text: $OUT" ;;
esac

# ---- every answer as an option ----
nv --name web1 --ip 192.0.2.10 --dev lo --hostname www.example.org \
	--domainname example --onboot yes --from "$T/tree"
check "all options: status, messages" "0||vserver: built web1 in $T/root/web1
newvserver: web1 is ready; start it with: vserver web1 start" "$RC|$OUT|$ERR"
check "all options: the build" "web1 build --from $T/tree" "$LOGTEXT"
check "all options: the configuration" "$(conf_with web1 IPROOT=192.0.2.10 \
	IPROOTDEV=lo S_HOSTNAME=www.example.org S_DOMAINNAME=example ONBOOT=yes)" \
	"$(cat "$C/web1.conf")"
check "comments kept" "$(grep -c '^#' "$T/default.conf")" "$(grep -c '^#' "$C/web1.conf")"
check "no temporary file left" "web1.conf" "$(ls -A "$C")"

nv --name web2 --ip 192.0.2.11
check "name and address only: status" "0" "$RC"
check "name and address only: a copy of the running system" "web2 build " "$LOGTEXT"
check "name and address only: defaults" "$(conf_with web2 IPROOT=192.0.2.11)" \
	"$(cat "$C/web2.conf")"

nv --yes --name=deb1 --ip=192.0.2.12 --debootstrap bookworm \
	--mirror=http://deb.debian.org/debian --onboot=no
check "--debootstrap, --mirror, --opt=value" \
	"0|deb1 build --debootstrap bookworm --mirror http://deb.debian.org/debian" \
	"$RC|$LOGTEXT"
check "--debootstrap: the configuration" "$(conf_with deb1 IPROOT=192.0.2.12)" \
	"$(cat "$C/deb1.conf")"

# A configuration lacking keys, or repeating one: the first assignment
# is replaced, later ones go, missing ones are appended.
printf '# mine\nS_HOSTNAME=old\nULIMIT="-H -u 10"\nS_HOSTNAME=older\n' >"$T/default.conf.mine"
cp "$T/default.conf" "$T/default.conf.real"
cp "$T/default.conf.mine" "$T/default.conf"
nv --name odd --ip 192.0.2.13 --yes
cp "$T/default.conf.real" "$T/default.conf"
check "keys replaced once, missing ones appended" "0|# mine
S_HOSTNAME=odd
ULIMIT=\"-H -u 10\"
IPROOT=192.0.2.13
IPROOTDEV=
S_DOMAINNAME=
ONBOOT=no" "$RC|$(cat "$C/odd.conf")"

# ---- refusals: one line on stderr, status 1, nothing built or written ----
# refused WHAT EXPECTED-STDERR ARG...
refused() {
	_what=$1
	_err=$2
	shift 2
	_before=$(ls -A "$C" "$T/root")
	nv "$@"
	check "$_what" "1||$_err||$_before" "$RC|$OUT|$ERR|$LOGTEXT|$(ls -A "$C" "$T/root")"
}
refused "bad address" \
	"newvserver: invalid IP address '192.0.2.300' (expected a dotted quad such as 192.0.2.10)" \
	--name new --ip 192.0.2.300
refused "short address" \
	"newvserver: invalid IP address '10.0.0' (expected a dotted quad such as 192.0.2.10)" \
	--name new --ip 10.0.0
refused "host name as address" \
	"newvserver: invalid IP address 'www.example.org' (expected a dotted quad such as 192.0.2.10)" \
	--name new --ip www.example.org
refused "bad name" \
	"newvserver: invalid server name 'a/b' (letters, digits, '.', '_' and '-', not first '.')" \
	--name a/b --ip 192.0.2.20
refused "dot name" \
	"newvserver: invalid server name '.hidden' (letters, digits, '.', '_' and '-', not first '.')" \
	--name .hidden --ip 192.0.2.20
refused "missing device" "newvserver: no network device 'nosuchdev0' on this host" \
	--name new --ip 192.0.2.20 --dev nosuchdev0
refused "device path" "newvserver: no network device '../lo' on this host" \
	--name new --ip 192.0.2.20 --dev ../lo
refused "no terminal, no name" \
	"newvserver: --name is required: standard input is not a terminal" --ip 192.0.2.20
refused "no terminal, no address" \
	"newvserver: --ip is required: standard input is not a terminal" --name new
refused "--yes, no address" "newvserver: --ip is required: not asking (--yes)" \
	--yes --name new
refused "existing configuration" \
	"newvserver: server 'web1' exists already ($C/web1.conf)" --name web1 --ip 192.0.2.20
mkdir "$T/root/tree-only"
refused "existing tree" \
	"newvserver: server 'tree-only' exists already ($T/root/tree-only)" \
	--name tree-only --ip 192.0.2.20
refused "bad ONBOOT" "newvserver: --onboot takes yes or no, not 'maybe'" \
	--name new --ip 192.0.2.20 --onboot maybe
refused "bad host name" \
	"newvserver: invalid host name 'a b' (letters, digits, '.', '_' and '-')" \
	--name new --ip 192.0.2.20 --hostname 'a b'
refused "bad domain name" \
	"newvserver: invalid domain name '-x' (letters, digits, '.', '_' and '-')" \
	--name new --ip 192.0.2.20 --domainname=-x
refused "--from not a directory" "newvserver: --from $T/nothing is not a directory" \
	--name new --ip 192.0.2.20 --from "$T/nothing"
refused "--from and --debootstrap" "newvserver: give only one of --from and --debootstrap
Try 'newvserver --help' for more information." \
	--name new --ip 192.0.2.20 --from "$T/tree" --debootstrap bookworm
refused "--mirror without --debootstrap" "newvserver: --mirror goes with --debootstrap
Try 'newvserver --help' for more information." \
	--name new --ip 192.0.2.20 --mirror http://deb.debian.org/debian
refused "option given twice" "newvserver: --ip given twice
Try 'newvserver --help' for more information." \
	--name new --ip 192.0.2.20 --ip 192.0.2.21
refused "unknown option" "newvserver: unknown option '--size'
Try 'newvserver --help' for more information." --name new --size 10
refused "a plain argument" \
	"newvserver: unexpected argument 'new' (the name goes with --name)
Try 'newvserver --help' for more information." new

# The build fails: vserver said why, newvserver writes nothing.
FAKE_BUILD_FAIL=1
export FAKE_BUILD_FAIL
nv --name broken --ip 192.0.2.30
unset FAKE_BUILD_FAIL
check "failed build" "1|vserver: build: copying /x/usr failed
newvserver: vserver broken build failed (status 1); nothing written|broken build " \
	"$RC|$ERR|$LOGTEXT"
check "failed build: no configuration" "no" \
	"$([ -e "$C/broken.conf" ] || [ -e "$C/broken.conf.new" ] && echo yes || echo no)"

# ---- asking, through a pseudo-terminal (plain prompts) ----
if command -v script >/dev/null 2>&1 && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	: >"$LOG"
	RC=0
	printf '%s\n' ask1 bad.ip 192.0.2.40 lo '' example.org no from "$T/tree" yes |
		script -qec "'$B/newvserver' --ui text" /dev/null >"$T/pty.out" 2>&1 || RC=$?
	check "asked: status and build" "0|ask1 build --from $T/tree" "$RC|$(cat "$LOG")"
	check "asked: the configuration" "$(conf_with ask1 IPROOT=192.0.2.40 \
		IPROOTDEV=lo S_DOMAINNAME=example.org)" "$(cat "$C/ask1.conf" 2>&1)"
	if grep -q "invalid IP address 'bad.ip'" "$T/pty.out"; then
		ok "asked: a bad answer is asked again"
	else
		fail "asked: a bad answer is asked again: $(cat "$T/pty.out")"
	fi
else
	skip_part "asking: no script(1)"
fi

finish
