#!/bin/sh
# vserver-lock-service on a fake system tree (--root): the drop-in it writes
# from the unit's own ExecStart= (unit file, overrides, drop-ins,
# prefixes, continuation lines, templates), --remove, and its refusals,
# which leave nothing behind.
TEST=lock-service
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

LS=$SCRIPTS/vserver-lock-service
R=$T/root
CB=/usr/sbin/chbind
DROPIN=50-vserver-chbind.conf
mkdir -p "$R/lib/systemd/system" "$R/usr/lib/systemd/system" "$R/etc/systemd/system"

# unit DIR NAME LINES...: a unit file under the fake root.
unit() {
	_d=$R/$1/$2
	shift 2
	mkdir -p "${_d%/*}"
	printf '%s\n' "$@" >"$_d"
}

# dropin_of SERVICE: the drop-in written for SERVICE.
dropin_of() {
	cat "$R/etc/systemd/system/$1.service.d/$DROPIN"
}

# expected SERVICE ADDRESS EXECSTART...: the drop-in that should be written.
expected() {
	printf '%s\n' "# Written by vserver-lock-service(8): $1.service runs locked to one IPv4" \
		"# address with chbind(8), its own configuration unchanged." \
		"# Undo with: vserver-lock-service --remove $1.service" \
		"[Service]" "Environment=VSERVER_IP=$2" "ExecStart="
	shift 2
	printf 'ExecStart=%s\n' "$@"
}

# ---- --help, --version ----
run "$LS" --version
check "--version" "0|vserver-lock-service (vserver) 0.1.0|" "$RC|$OUT|$ERR"
run "$LS" --help
check "--help: status, stderr" "0|" "$RC|$ERR"
case $OUT in
"Usage: vserver-lock-service"*"See vserver-lock-service(8).") ok "--help: usage text" ;;
*) fail "--help: usage text: $OUT" ;;
esac

# ---- Debian 12's ssh.service ----
# shellcheck disable=SC2016 # $SSHD_OPTS and $MAINPID are for systemd
unit lib/systemd/system ssh.service '[Unit]' 'Description=OpenBSD Secure Shell server' '' \
	'[Service]' 'EnvironmentFile=-/etc/default/ssh' 'ExecStartPre=/usr/sbin/sshd -t' \
	'ExecStart=/usr/sbin/sshd -D $SSHD_OPTS' 'ExecReload=/bin/kill -HUP $MAINPID' \
	'Type=notify' '' '[Install]' 'WantedBy=multi-user.target'
run "$LS" --root "$R" --chbind "$CB" ssh eth0
check "ssh eth0: status, output" \
	"0|wrote $R/etc/systemd/system/ssh.service.d/$DROPIN; restart ssh.service to apply|" \
	"$RC|$OUT|$ERR"
check "ssh eth0: the drop-in" \
	"$(expected ssh eth0 "$CB --silent --ip \${VSERVER_IP} /usr/sbin/sshd -D \$SSHD_OPTS")" \
	"$(dropin_of ssh)"
perm=$(find "$R/etc/systemd/system/ssh.service.d/$DROPIN" -perm 644)
check "the drop-in is world-readable" "$R/etc/systemd/system/ssh.service.d/$DROPIN" "$perm"
check "no temporary file left" "$DROPIN" "$(ls -A "$R/etc/systemd/system/ssh.service.d")"

# Again, with another address and ".service": our own drop-in is not read
# back, so the command is not wrapped twice.
run "$LS" --root "$R/" --chbind "$CB" ssh.service 192.0.2.10
check "again: status" "0|" "$RC|$ERR"
check "again: rewritten, not wrapped twice" \
	"$(expected ssh 192.0.2.10 "$CB --silent --ip \${VSERVER_IP} /usr/sbin/sshd -D \$SSHD_OPTS")" \
	"$(dropin_of ssh)"

# A local drop-in that replaces the command, and one in /run sorting
# later: the last assignment after the last reset counts.
unit etc/systemd/system ssh.service.d/10-local.conf '[Service]' 'ExecStart=' \
	'ExecStart=/usr/sbin/sshd -D -p 2222'
unit run/systemd/system ssh.service.d/20-runtime.conf '# a comment' '[Unit]' \
	'ExecStart=/not/in/service/section' '[Service]' 'Nice=5'
run "$LS" --root "$R" --chbind "$CB" ssh web1.example.org
check "drop-ins of the unit are applied" \
	"0|$(expected ssh web1.example.org "$CB --silent --ip \${VSERVER_IP} /usr/sbin/sshd -D -p 2222")" \
	"$RC|$(dropin_of ssh)"
# A same-named drop-in in /etc hides the one in /run.
unit run/systemd/system ssh.service.d/10-local.conf '[Service]' 'ExecStart=' \
	'ExecStart=/hidden'
run "$LS" --root "$R" --chbind "$CB" ssh eth0
check "/etc hides a same-named drop-in in /run" \
	"0|$CB --silent --ip \${VSERVER_IP} /usr/sbin/sshd -D -p 2222" \
	"$RC|$(dropin_of ssh | sed -n 's/^ExecStart=\(..*\)/\1/p')"

# The unit file in /etc overrides the packaged one.
unit usr/lib/systemd/system apache2.service '[Service]' 'Type=forking' \
	'ExecStart=/usr/sbin/apachectl start' 'ExecStop=/usr/sbin/apachectl graceful-stop'
unit etc/systemd/system apache2.service '[Service]' 'Type=forking' \
	'ExecStart=/usr/sbin/apachectl -k start  ' 'PrivateTmp=yes'
run "$LS" --root "$R" --chbind "$CB" apache2 eth0:web
check "/etc overrides /usr/lib" \
	"0|$(expected apache2 eth0:web "$CB --silent --ip \${VSERVER_IP} /usr/sbin/apachectl -k start")" \
	"$RC|$(dropin_of apache2)"

# Prefixes, several commands (oneshot), continuation lines.
unit lib/systemd/system multi.service '[Service]' 'Type=oneshot' \
	'ExecStart=-/bin/first  --opt "quoted arg"' "ExecStart=!!/bin/second \\" \
	"    --continued \\" '    line' 'ExecStart=+:/bin/third %i'
run "$LS" --root "$R" --chbind "$CB" multi 10.0.0.1
check "prefixes stay in front, continuations joined" \
	"0|$(expected multi 10.0.0.1 "-$CB --silent --ip \${VSERVER_IP} /bin/first  --opt \"quoted arg\"" \
		"!!$CB --silent --ip \${VSERVER_IP} /bin/second      --continued      line" \
		"+:$CB --silent --ip \${VSERVER_IP} /bin/third %i")" \
	"$RC|$(dropin_of multi)"

# A template instance.
unit lib/systemd/system 'getty@.service' '[Service]' 'ExecStart=-/sbin/agetty -o "-p -- \\u" %I'
unit etc/systemd/system 'getty@.service.d/5-opts.conf' '[Service]' 'ExecStart=' \
	'ExecStart=-/sbin/agetty --noclear %I'
run "$LS" --root "$R" --chbind "$CB" 'getty@tty1' 127.0.0.1
check "template instance" \
	"0|$(expected 'getty@tty1' 127.0.0.1 "-$CB --silent --ip \${VSERVER_IP} /sbin/agetty --noclear %I")" \
	"$RC|$(dropin_of 'getty@tty1')"

# ---- --remove ----
run "$LS" --root "$R" --remove ssh
check "--remove" "0|removed $R/etc/systemd/system/ssh.service.d/$DROPIN; restart ssh.service to apply|" \
	"$RC|$OUT|$ERR"
check "--remove keeps the other drop-ins" "10-local.conf" \
	"$(ls -A "$R/etc/systemd/system/ssh.service.d")"
run "$LS" --root "$R" --remove multi.service
check "--remove of the last drop-in removes the directory" "0|no" \
	"$RC|$([ -e "$R/etc/systemd/system/multi.service.d" ] && echo yes || echo no)"
run "$LS" --root "$R" --remove multi
check "--remove of an unlocked service" \
	"1||vserver-lock-service: multi.service is not locked (no $R/etc/systemd/system/multi.service.d/$DROPIN)" \
	"$RC|$OUT|$ERR"

# ---- refusals: one line, nothing written ----
# refused WHAT MESSAGE ARGS...: status 1, exactly MESSAGE on stderr, and
# no new drop-in anywhere under the root.
refused() {
	_what=$1 _msg=$2
	shift 2
	_before=$(find "$R" -name "$DROPIN*" | sort)
	run "$LS" "$@"
	check "$_what" "1||vserver-lock-service: $_msg" "$RC|$OUT|$ERR"
	check "$_what: nothing written" "$_before" "$(find "$R" -name "$DROPIN*" | sort)"
}
try="Try 'vserver-lock-service --help' for more information."
refused "unknown unit" "nosuch.service: no such unit" --root "$R" --chbind "$CB" nosuch eth0
unit lib/systemd/system noexec.service '[Service]' 'ExecStart=' 'Type=oneshot'
refused "no ExecStart" "noexec.service has no ExecStart= to lock" \
	--root "$R" --chbind "$CB" noexec eth0
ln -s /dev/null "$R/etc/systemd/system/masked.service"
unit lib/systemd/system masked.service '[Service]' 'ExecStart=/bin/true'
refused "masked unit" "masked.service is masked" --root "$R" --chbind "$CB" masked eth0
unit lib/systemd/system argv0.service '[Service]' 'ExecStart=-@/bin/sh mysh -c true'
refused "@ prefix" "argv0.service: ExecStart=@... (a separate argv[0]) is not supported" \
	--root "$R" --chbind "$CB" argv0 eth0
refused "missing root" "$T/nosuchroot: no such directory" \
	--root "$T/nosuchroot" --chbind "$CB" ssh eth0
refused "missing service" "missing service
$try" --root "$R"
refused "missing address" "missing address
$try" --root "$R" ssh
refused "too many arguments" "unexpected argument 'x'
$try" --root "$R" ssh eth0 x
refused "--remove: too many arguments" "unexpected argument 'eth0'
$try" --root "$R" --remove ssh eth0
refused "bad address" "invalid address 'a b'
$try" --root "$R" --chbind "$CB" ssh 'a b'
refused "address with a specifier" "invalid address '%i'
$try" --root "$R" --chbind "$CB" ssh '%i'
refused "bad service name" "invalid service name 'a/b'
$try" --root "$R" a/b eth0
refused "bad service name" "invalid service name '../ssh'
$try" --root "$R" ../ssh eth0
refused "not a service" "ssh.socket is not a service
$try" --root "$R" ssh.socket eth0
refused "relative --chbind" "--chbind needs an absolute path, not 'chbind'
$try" --root "$R" --chbind chbind ssh eth0
refused "unknown option" "unrecognized option '--bogus'
$try" --bogus ssh eth0
refused "--root without its argument" "option '--root' requires an argument
$try" --root

# ---- the address check (no --root): chbind runs once ----
# A unit that does not exist on this machine: the check comes first, so a
# failing check names the address and a passing one reaches "no such unit";
# nothing is written to the real /etc either way.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "chbind: address 198.51.100.7 is not configured on this host" >&2\nexit 1\n' \
	>"$T/bin/chbind-no"
cat >"$T/bin/chbind-yes" <<'EOF'
#!/bin/sh
[ "$1 $2 $3 $4" = "--silent --ip 198.51.100.7 true" ] || exit 9
exec "$4"
EOF
chmod +x "$T/bin/chbind-no" "$T/bin/chbind-yes"
U=vserver-test-no-such-unit-$$
run "$LS" --no-reload --chbind "$T/bin/chbind-no" "$U" 198.51.100.7
check "the check fails: chbind's reason" \
	"1|vserver-lock-service: chbind --ip 198.51.100.7 fails: address 198.51.100.7 is not configured on this host (--no-check to write the drop-in anyway)" \
	"$RC|$ERR"
run "$LS" --no-reload --chbind "$T/bin/chbind-yes" "$U" 198.51.100.7
check "the check passes" "1|vserver-lock-service: $U.service: no such unit" "$RC|$ERR"
run "$LS" --no-reload --no-check --chbind "$T/bin/chbind-no" "$U" 198.51.100.7
check "--no-check" "1|vserver-lock-service: $U.service: no such unit" "$RC|$ERR"

finish
