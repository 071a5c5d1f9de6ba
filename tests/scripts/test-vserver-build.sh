#!/bin/sh
# "vserver NAME build" into a temporary root directory, as root (its /dev
# needs mknod): the tree from --from DIR, its /dev, fstab, host services
# left out and NAME.conf; a second build of the name changes nothing; a
# build that fails or is interrupted (SIGINT to its process group during
# the copy or during debootstrap) leaves no NAME, no temporary directory
# and no configuration.
# Usage: test-vserver-build.sh SCRIPTS-DIR [TOOLS-DIR]
# (TOOLS-DIR: where vreboot and vhalt were built, to be copied in.)
TEST=vserver-build
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

[ "$(id -u)" = 0 ] || skip "not root: the server's /dev needs mknod"
if [ -n "${2:-}" ] && [ -d "$2" ]; then
	PATH=$2:$PATH
	export PATH
fi

VS=$SCRIPTS/vserver
C=$T/conf
R=$T/root
VSERVER_CONFDIR=$C
VSERVER_ROOTDIR=$R
VSERVER_RUNDIR=$T/run
VSERVER_CGROUP_ROOT=$T/cgroup
export VSERVER_CONFDIR VSERVER_ROOTDIR VSERVER_RUNDIR VSERVER_CGROUP_ROOT

# A small system tree.
S=$T/src
mkdir -p "$S/bin" "$S/sbin" "$S/lib" "$S/usr/bin" "$S/usr/share/doc/x" "$S/etc/rc3.d" \
	"$S/etc/rc0.d" "$S/etc/systemd/system/multi-user.target.wants" "$S/var/log" \
	"$S/var/tmp" "$S/var/run" "$S/var/lib/dpkg" "$S/home/user" "$S/proc/1"
cp /bin/sh "$S/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$S/etc/passwd"
printf '/dev/sda1 / ext4 defaults 0 1\n' >"$S/etc/fstab"
printf 'host\n' >"$S/etc/hostname"
printf '#!/bin/sh\n' >"$S/etc/init.d-apache2"
ln -s ../init.d/udev "$S/etc/rc3.d/S01udev"
ln -s ../init.d/apache2 "$S/etc/rc3.d/S02apache2"
ln -s ../init.d/sendsigs "$S/etc/rc0.d/K01sendsigs"
ln -s /lib/systemd/system/systemd-networkd.service \
	"$S/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
ln -s /lib/systemd/system/ssh.service "$S/etc/systemd/system/multi-user.target.wants/ssh.service"
printf 'old log\n' >"$S/var/log/syslog"
printf 'junk\n' >"$S/var/tmp/junk"
printf '1\n' >"$S/var/run/host.pid"
printf 'mine\n' >"$S/home/user/file"
ln -s usr/bin "$S/bin2"
mkdir -p "$S/etc/ssh" "$S/var/lib/dbus"
printf 'the source host key\n' >"$S/etc/ssh/ssh_host_ed25519_key"
printf 'the source host key\n' >"$S/etc/ssh/ssh_host_ed25519_key.pub"
printf 'Port 22\n' >"$S/etc/ssh/sshd_config"
printf '0123456789abcdef0123456789abcdef\n' >"$S/etc/machine-id"
ln -s /etc/machine-id "$S/var/lib/dbus/machine-id"
printf 'doc\n' >"$S/usr/share/doc/x/README"

# devinfo PATH: type, major, minor and mode of a device node.
devinfo() {
	stat -c '%F %t %T %a' "$1" 2>&1
}

# names DIR: the names in DIR, dot files included, on one line.
names() {
	_l=
	for _f in "$1"/* "$1"/.[!.]*; do
		[ -e "$_f" ] || [ -L "$_f" ] || continue
		_l="$_l ${_f##*/}"
	done
	printf '%s\n' "${_l# }"
}

# tree DIR: a listing of DIR to compare before and after.
tree() {
	(cd "$1" && find . -exec stat -c '%n %F %a %s' {} + | sort) 2>&1
}

# ---- a build from a tree ----
run "$VS" b1 build --from "$S"
check "build: status, messages" "0||vserver: built b1 in $R/b1" \
	"$RC|$OUT|$(printf '%s\n' "$ERR" | grep -v 'vreboot/vhalt will not work')"
B1=$R/b1
check "build: only the server in the root directory" "b1" "$(ls -A "$R")"
check "build: the copied tree" "root:x:0:0:root:/root:/bin/sh|doc|yes" \
	"$(cat "$B1/etc/passwd")|$(cat "$B1/usr/share/doc/x/README")|$(cmp -s /bin/sh "$B1/bin/sh" && echo yes)"
check "build: not copied: home, proc contents, other top-level entries" "||" \
	"$(ls -A "$B1/home")|$(ls -A "$B1/proc")|$(ls -d "$B1/bin2" 2>/dev/null)"
check "build: the directories it adds" "drwxrwxrwt|drwxrwxrwt|drwx------|d|d|d" \
	"$(stat -c %A "$B1/tmp")|$(stat -c %A "$B1/var/tmp")|$(stat -c %A "$B1/root")|$(
		[ -d "$B1/proc" ] && echo d)|$([ -d "$B1/home" ] && echo d)|$([ -d "$B1/run" ] && echo d)"
check "build: the root is 755" "drwxr-xr-x" "$(stat -c %A "$B1")"
check "build: host run-time state left out" "|x|/run" \
	"$(names "$B1/var/log")$(names "$B1/var/tmp")|$(
		[ -e "$B1/var/run/host.pid" ] || echo x)|$(readlink "$B1/var/run")"
check "build: /dev null zero full random urandom tty" \
	"character special file 1 3 666
character special file 1 5 666
character special file 1 7 666
character special file 1 8 666
character special file 1 9 666
character special file 5 0 666" \
	"$(for d in null zero full random urandom tty; do devinfo "$B1/dev/$d"; done)"
check "build: /dev links and directories" "pts/ptmx|/proc/self/fd|/proc/self/fd/0|d|drwxrwxrwt" \
	"$(readlink "$B1/dev/ptmx")|$(readlink "$B1/dev/fd")|$(readlink "$B1/dev/stdin")|$(
		[ -d "$B1/dev/pts" ] && echo d)|$(stat -c %A "$B1/dev/shm")"
check "build: no disk or memory device" "" \
	"$(find "$B1/dev" -type b; find "$B1/dev" -type c | grep -v -e '/null$' -e '/zero$' \
		-e '/full$' -e '/random$' -e '/urandom$' -e '/tty$')"
check "build: a dummy fstab" "# The virtual server has no file systems of its own to mount." \
	"$(cat "$B1/etc/fstab")"
check "build: mtab" "/proc/self/mounts" "$(readlink "$B1/etc/mtab")"
check "build: host name" "b1" "$(cat "$B1/etc/hostname")"
mid=$(cat "$B1/etc/machine-id")
case $mid in
*[!0-9a-f]* | 0123456789abcdef0123456789abcdef) fail "build: a new machine id (got '$mid')" ;;
*) check "build: a new machine id, 32 hex digits; the dbus link kept" "32|/etc/machine-id" \
	"${#mid}|$(readlink "$B1/var/lib/dbus/machine-id")" ;;
esac
if command -v ssh-keygen >/dev/null 2>&1; then
	check "build: new SSH host keys, private ones 600, config kept" "no|600|yes|Port 22" \
		"$(grep -rqs 'the source host key' "$B1/etc/ssh" && echo yes || echo no)|$(
			stat -c %a "$B1/etc/ssh/ssh_host_ed25519_key")|$(
			ssh-keygen -l -f "$B1/etc/ssh/ssh_host_ed25519_key.pub" >/dev/null && echo yes)|$(
			cat "$B1/etc/ssh/sshd_config")"
else
	skip_part "build: new SSH host keys (no ssh-keygen here)"
fi
check "build: the source keeps its keys and id" \
	"the source host key|0123456789abcdef0123456789abcdef" \
	"$(cat "$S/etc/ssh/ssh_host_ed25519_key")|$(cat "$S/etc/machine-id")"
check "build: host services left out, others kept" "S02apache2||ssh.service" \
	"$(ls "$B1/etc/rc3.d")|$(ls "$B1/etc/rc0.d")|$(ls "$B1/etc/systemd/system/multi-user.target.wants")"
check "build: the source is untouched" "S01udev S02apache2|/dev/sda1 / ext4 defaults 0 1" \
	"$(names "$S/etc/rc3.d")|$(cat "$S/etc/fstab")"
if [ -x "${2:-}/vreboot" ] && [ -x "${2:-}/vhalt" ]; then
	check "build: vreboot and vhalt copied in" "yes|yes" \
		"$(cmp -s "$2/vreboot" "$B1/sbin/vreboot" && echo yes)|$(cmp -s "$2/vhalt" "$B1/sbin/vhalt" && echo yes)"
fi
# shellcheck disable=SC2016 # $CONF and $NAME are the text looked for
sed -n '/^	cat >"\$CONF.new" <<EOF$/,/^EOF$/p' "$VS" | sed '1d;$d' |
	sed 's/\$NAME/b1/g' >"$T/b1.conf"
check "build: the configuration" "$(cat "$T/b1.conf")" "$(cat "$C/b1.conf" 2>&1)"

# ---- the same name again: refused, nothing changed ----
before=$(tree "$B1")
conf_before=$(cat "$C/b1.conf")
run "$VS" b1 build --from "$S"
check "again: refused" "1||vserver: $R/b1 already exists; remove it first to build b1 again" \
	"$RC|$OUT|$ERR"
check "again: the tree is unchanged" "$before" "$(tree "$B1")"
check "again: the configuration is unchanged" "$conf_before" "$(cat "$C/b1.conf")"
check "again: nothing else in the root directory" "b1" "$(ls -A "$R")"

# ---- an existing configuration is kept ----
printf 'IPROOT=192.0.2.20\nS_HOSTNAME=mine\n' >"$C/b2.conf"
run "$VS" b2 build --from "$S"
check "existing configuration: kept" "0|vserver: kept the existing $C/b2.conf
vserver: built b2 in $R/b2|IPROOT=192.0.2.20
S_HOSTNAME=mine" \
	"$RC|$(printf '%s\n' "$ERR" | grep -v 'vreboot/vhalt will not work')|$(cat "$C/b2.conf")"

# ---- a tree whose links lead out of it (a server's, cloned) ----
# Root of a server makes /var/log and /etc/ssh links to the host's
# directories; building a new server from that tree must not empty or
# rewrite them.
for link in var/log etc/ssh; do
	V=$T/victim-${link%%/*}
	mkdir -p "$V"
	printf 'host data\n' >"$V/keep"
	E=$T/evil-${link%%/*}
	rm -rf "$E"
	cp -a "$S" "$E"
	rm -rf "${E:?}/$link"
	ln -s "$V" "$E/$link"
	run "$VS" evil build --from "$E"
	check "links out: $link -> the host's is refused, nothing touched" \
		"1|vserver: build: $link in the tree leads out of it (to $V); not building from it|host data|keep" \
		"$RC|$ERR|$(cat "$V/keep")|$(ls "$V")"
	check "links out: $link: no tree, no configuration left" "b1 b2|" \
		"$(names "$R")|$(ls "$C/evil.conf" 2>/dev/null)"
done

# ---- failures leave nothing ----
mkdir -p "$T/empty/boot"
run "$VS" b3 build --from "$T/empty"
check "a tree without a system" \
	"1||vserver: build: $T/empty has none of bin sbin lib usr etc var|b1 b2|b1.conf b2.conf" \
	"$RC|$OUT|$ERR|$(names "$R")|$(names "$C")"

# interrupted NAME MARKER ARG...: "vserver NAME build ARG..." in its own
# process group with SIGINT at its default; once MARKER exists (the copy
# or debootstrap is under way) the group gets SIGINT, as from ^C.
interrupted() {
	_name=$1
	_mark=$2
	shift 2
	rm -f "$_mark"
	env --default-signal=INT setsid "$VS" "$_name" build "$@" >"$T/.out" 2>&1 </dev/null &
	_pid=$!
	_n=0
	while [ ! -e "$_mark" ] && [ $_n -lt 200 ]; do
		sleep 0.05
		_n=$((_n + 1))
	done
	if [ ! -e "$_mark" ]; then
		fail "$_name: the build did not get under way: $(cat "$T/.out")"
		kill -s KILL -- "-$_pid" 2>/dev/null || :
		wait "$_pid" || :
		return
	fi
	kill -s INT -- "-$_pid"
	RC=0
	wait "$_pid" || RC=$?
	# Nothing of the group may be left (the paused copy included).
	kill -s KILL -- "-$_pid" 2>/dev/null && fail "$_name: processes left after SIGINT"
	check "$_name interrupted: status, nothing left" "yes|b1 b2|b1.conf b2.conf" \
		"$([ "$RC" -ne 0 ] && echo yes)|$(names "$R")|$(names "$C")"
}

if env --default-signal=INT true 2>/dev/null && command -v setsid >/dev/null 2>&1; then
	# The copy pauses after usr: cp is a wrapper that copies, then sleeps.
	REALCP=$(command -v cp)
	mkdir -p "$T/slow"
	cat >"$T/slow/cp" <<EOF
#!/bin/sh
'$REALCP' "\$@" || exit
case \$* in
*/usr" "*) : >'$T/copying'; exec sleep 60 ;;
esac
EOF
	# debootstrap SUITE TARGET MIRROR: writes a little, then takes its time,
	# or fails when the suite is "broken".
	cat >"$T/slow/debootstrap" <<EOF
#!/bin/sh
[ "\$1" = --variant=minbase ] && shift
target=\$2
echo "I: Retrieving InRelease from \$3"
mkdir -p "\$target/bin" "\$target/etc" "\$target/var/lib/dpkg"
if [ "\$1" = broken ]; then
	echo "E: Couldn't download packages: base-files"
	exit 1
fi
if [ "\$1" = slow ]; then
	: >'$T/bootstrapping'
	exec sleep 60
fi
echo "I: Base system installed successfully."
EOF
	chmod +x "$T/slow/cp" "$T/slow/debootstrap"
	_path=$PATH
	PATH=$T/slow:$PATH
	interrupted b4 "$T/copying" --from "$S"
	interrupted b5 "$T/bootstrapping" --debootstrap slow --mirror http://deb.example.org/debian
	# Its leftovers are not counted again below.
	rm -rf "$R"/.b5.*
	run "$VS" b6 build --debootstrap broken --mirror http://deb.example.org/debian
	check "debootstrap fails: its last lines, one error, nothing left" "1|\
I: Retrieving InRelease from http://deb.example.org/debian
E: Couldn't download packages: base-files
vserver: build: debootstrap broken from http://deb.example.org/debian failed|b1 b2|b1.conf b2.conf" \
		"$RC|$ERR|$(names "$R")|$(names "$C")"
	run "$VS" b7 build --debootstrap bookworm --mirror http://deb.example.org/debian
	check "debootstrap: built, its log removed" "0|b1 b2 b7|b7" \
		"$RC|$(names "$R")|$(cat "$R/b7/etc/hostname")"
	PATH=$_path
else
	skip_part "interrupted builds: no env --default-signal or setsid"
fi

finish
