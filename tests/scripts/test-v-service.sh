#!/bin/sh
# The SysV init wrappers v_httpd, v_sshd, v_smb and v_xinetd (etc/init.d,
# configured as CMake installs them): which real script they run, the
# address they give chbind (V_<NAME>_IP, V_IPROOT, the default route), the
# actions that bypass chbind, and their LSB exit codes.  chbind, ip and the
# real scripts are stand-ins that print what they were given.
TEST=v-service
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

I=$T/init.d
mkdir -p "$I" "$T/bin"
for w in v_httpd v_sshd v_smb v_xinetd; do
	sed "s|@VSERVER_PKGDATADIR@|$SCRIPTS/lib|" "$SRCROOT/etc/init.d/$w" >"$I/$w"
	chmod +x "$I/$w"
done

# The real scripts: print their arguments and what they inherited.
real() {
	cat >"$I/$1" <<'EOF'
#!/bin/sh
echo "$0 $* redirect=$SYSTEMCTL_SKIP_REDIRECT"
[ "$1" != status ] || exit 3
EOF
	chmod +x "$I/$1"
}
real ssh
real apache2
real smbd
real xinetd

# chbind: prints its options, then runs the command.
cat >"$T/bin/chbind" <<'EOF'
#!/bin/sh
echo "chbind $1 $2 $3"
shift 3
exec "$@"
EOF
# ip: the default route, from $FAKE_ROUTE.
cat >"$T/bin/ip" <<'EOF'
#!/bin/sh
[ "$*" = "-4 route show default" ] || exit 1
[ -z "${FAKE_ROUTE:-}" ] || echo "$FAKE_ROUTE"
EOF
chmod +x "$T/bin/chbind" "$T/bin/ip"
PATH=$T/bin:$PATH
export PATH
C=$T/vservers.conf
VSERVER_GLOBAL_CONF=$C
export VSERVER_GLOBAL_CONF
unset SYSTEMCTL_SKIP_REDIRECT FAKE_ROUTE

# ---- the address ----
printf 'V_IPROOT=eth1\nV_SSHD_IP="192.0.2.10"  # sshd alone\n' >"$C"
run "$I/v_sshd" start
check "v_sshd start: V_SSHD_IP" "0|chbind --silent --ip 192.0.2.10
$I/ssh start redirect=1|" "$RC|$OUT|$ERR"
run "$I/v_httpd" restart
check "v_httpd restart: V_IPROOT" "0|chbind --silent --ip eth1
$I/apache2 restart redirect=1|" "$RC|$OUT|$ERR"
printf 'V_IPROOT=eth1\nV_SMB_IP=\nexport V_XINETD_IP=web.example.org\n' >"$C"
run "$I/v_smb" force-reload
check "v_smb: an empty V_SMB_IP falls back to V_IPROOT" "0|chbind --silent --ip eth1
$I/smbd force-reload redirect=1" "$RC|$OUT"
run "$I/v_xinetd" reload
check "v_xinetd: a host name" "0|chbind --silent --ip web.example.org
$I/xinetd reload redirect=1" "$RC|$OUT"
rm -f "$C"
FAKE_ROUTE='default via 192.0.2.1 dev eth7 proto static metric 100' run "$I/v_sshd" start
check "no configuration: the default route's interface" "0|chbind --silent --ip eth7
$I/ssh start redirect=1" "$RC|$OUT"
run "$I/v_sshd" start
check "no address at all: LSB 6, nothing run" \
	"6||v_sshd: no address: set V_SSHD_IP or V_IPROOT in $C" "$RC|$OUT|$ERR"

# ---- actions that do not need the address ----
for a in stop status; do
	run "$I/v_sshd" "$a"
	rc=0
	[ "$a" = stop ] || rc=3
	check "v_sshd $a: the real script directly, its status" "$rc|$I/ssh $a redirect=1|" \
		"$RC|$OUT|$ERR"
done
run "$I/v_sshd"
check "v_sshd without an action: the real script's usage" "0|$I/ssh  redirect=1" "$RC|$OUT"

# ---- which real script ----
printf 'V_IPROOT=eth0\n' >"$C"
rm "$I/apache2"
run "$I/v_httpd" start
check "v_httpd: no real script: LSB 5" \
	"5||v_httpd: no init script to run: none of 'apache2 httpd' in $I" "$RC|$OUT|$ERR"
real httpd
run "$I/v_httpd" start
check "v_httpd: Red Hat's httpd" "0|chbind --silent --ip eth0
$I/httpd start redirect=1" "$RC|$OUT"
real apache2
run "$I/v_httpd" start
check "v_httpd: Debian's apache2 first" "0|chbind --silent --ip eth0
$I/apache2 start redirect=1" "$RC|$OUT"

# ---- --help, --version, a missing library ----
for w in v_httpd v_sshd v_smb v_xinetd; do
	run "$I/$w" --version
	check "$w --version" "0|$w (vserver) 0.1.0|" "$RC|$OUT|$ERR"
	run "$I/$w" --help
	case "$RC|$ERR|$OUT" in
	"0||Usage: $w start|stop"*"See chbind(8).") ok "$w --help" ;;
	*) fail "$w --help: $RC|$ERR|$OUT" ;;
	esac
	grep -q "^# Provides: *$w\$" "$I/$w" || fail "$w: LSB header"
done
sed "s|@VSERVER_PKGDATADIR@|$T/nolib|" "$SRCROOT/etc/init.d/v_sshd" >"$T/v_sshd"
run sh "$T/v_sshd" start
check "missing library: LSB 5" "5||v_sshd: cannot find $T/nolib/v-service.sh" \
	"$RC|$OUT|$ERR"

finish
