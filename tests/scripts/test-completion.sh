#!/bin/bash
# The bash completion files: each loads without a word on stdout/stderr and
# registers its command; a few completions are checked.
TEST=completion
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

C=$SRCROOT/completion
# The capability names come from reducecap --list-caps: the built one (the
# second argument) or else the one on PATH.
if [ -n "${2:-}" ]; then PATH=$2:$PATH; fi
command -v reducecap >/dev/null || skip "no reducecap built or on PATH for the capability names"
for cmd in chcontext reducecap vkill vps vpstree vtop vserver-stat chbind \
	vserver-lock-service rebootmgr vreboot vserver vservers vrpm newvserver \
	vserver-exec vsyslogd; do
	run bash -c 'set -eu; source "$1"; complete -p "$2"' sh "$C/$cmd" "$cmd"
	check "$cmd loads and registers" "0|" "$RC|$ERR"
	case $OUT in
	"complete -F "*" $cmd") ok "$cmd: complete -F" ;;
	*) fail "$cmd: complete -F: $OUT" ;;
	esac
done

check "the capabilities of the running kernel, from reducecap --list-caps" \
	"$(($(cat /proc/sys/kernel/cap_last_cap) + 1)) chown checkpoint_restore" \
	"$(bash -c 'source "$1"; _vserver_load_caps; echo ${#_vserver_caps[@]} \
		${_vserver_caps[0]} ${_vserver_caps[40]}' sh "$C/chcontext")"
check "without reducecap, no capability name and not a word" "|" \
	"$(PATH=/nonexistent /bin/bash -c 'source "$1"; _vserver_load_caps
		printf "%s|" "${_vserver_caps[*]}"' sh "$C/chcontext" 2>&1)"

# comp FILE FUNCTION WORD...: the completions of the last WORD.
comp() {
	bash -c '
		f=$1 fn=$2
		shift 2
		source "$f"
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn"
		printf "%s\n" "${COMPREPLY[*]}"' sh "$@"
}

check "chcontext options" "--domainname" "$(comp "$C/chcontext" _chcontext chcontext --do)"
check "chcontext --flag" "lock" "$(comp "$C/chcontext" _chcontext chcontext --flag l)"
check "chcontext --flag list" \
	"lock,private,sched lock,private,nproc lock,private,fakeinit lock,private,userns" \
	"$(comp "$C/chcontext" _chcontext chcontext --flag lock,private,)"
check "chcontext --flag=" "private" "$(comp "$C/chcontext" _chcontext chcontext --flag = p)"
check "chcontext --cap lower case" "cap_sys_admin" \
	"$(comp "$C/chcontext" _chcontext chcontext --cap cap_sys_ad)"
check "chcontext --cap upper case" "NET_RAW,SYS_BOOT" \
	"$(comp "$C/chcontext" _chcontext chcontext --cap NET_RAW,SYS_BO)"
check "chcontext --cap with the prefix, without repeats" \
	"CAP_NET_ADMIN,CAP_NET_BIND_SERVICE CAP_NET_ADMIN,CAP_NET_BROADCAST CAP_NET_ADMIN,CAP_NET_RAW" \
	"$(comp "$C/chcontext" _chcontext chcontext --cap CAP_NET_ADMIN,CAP_NET_)"
check "chcontext after a --cap list comes the command" "true" \
	"$(comp "$C/chcontext" _chcontext chcontext --cap net_raw,sys_boot tru | tr ' ' '\n' | grep -x true | sort -u)"
mkdir -p "$T/run"
printf '42\n' >"$T/run/web.ctx"
check "chcontext --ctx" "1 42" \
	"$(VSERVER_RUNDIR=$T/run comp "$C/chcontext" _chcontext chcontext --ctx '')"
check "chcontext command" "true" \
	"$(comp "$C/chcontext" _chcontext chcontext --silent tru | tr ' ' '\n' | grep -x true | sort -u)"
check "reducecap alone finds the capability list" "checkpoint_restore" \
	"$(comp "$C/reducecap" _reducecap reducecap --secure --cap check)"
check "reducecap options" "--secure --show --show-secure" \
	"$(comp "$C/reducecap" _reducecap reducecap --s)"
check "vkill -s" "HUP" "$(comp "$C/vkill" _vkill vkill -s HU)"
check "vkill -s SIG" "SIGHUP" "$(comp "$C/vkill" _vkill vkill -s SIGHU)"
case " $(comp "$C/vkill" _vkill vkill '') " in
*" 1 "*) ok "vkill pids" ;;
*) fail "vkill pids" ;;
esac
check "vps first argument" "--help" "$(comp "$C/vps" _vps vps --he)"
check "vps later argument" "" "$(comp "$C/vps" _vps vps ax --he)"
check "vps -o list" "pid,ppid" "$(comp "$C/vps" _vps vps -o pid,pp)"
check "vpstree" "--version" "$(comp "$C/vpstree" _vpstree vpstree --vers)"
check "vtop" "--help" "$(comp "$C/vtop" _vtop vtop --h)"
check "vserver-stat" "--help --version" \
	"$(comp "$C/vserver-stat" _vserver_stat vserver-stat '')"
check "vserver-stat takes one argument" "" \
	"$(comp "$C/vserver-stat" _vserver_stat vserver-stat --help '')"
check "chbind options" "--bcast" "$(comp "$C/chbind" _chbind chbind --b)"
check "chbind options" "--ip" "$(comp "$C/chbind" _chbind chbind --silent --i)"
check "chbind --ip: interfaces" "lo" "$(comp "$C/chbind" _chbind chbind --ip l | tr ' ' '\n' | grep -x lo)"
check "chbind --ip=: interfaces" "lo" "$(comp "$C/chbind" _chbind chbind --ip = l | tr ' ' '\n' | grep -x lo)"
check "chbind after --ip comes the command" "true" \
	"$(comp "$C/chbind" _chbind chbind --ip lo tru | tr ' ' '\n' | grep -x true | sort -u)"
check "chbind: the command's own options are not ours" "" \
	"$(comp "$C/chbind" _chbind chbind --ip lo true --i | tr ' ' '\n' | grep -x -- --ip)"
mkdir -p "$T/root/etc/systemd/system/ssh.service.d" "$T/root/lib/systemd/system"
: >"$T/root/etc/systemd/system/ssh.service.d/50-vserver-chbind.conf"
: >"$T/root/lib/systemd/system/sshd-keygen.service"
check "vserver-lock-service options" "--remove --root" \
	"$(comp "$C/vserver-lock-service" _vserver_lock_service vserver-lock-service --r)"
check "vserver-lock-service --root: services" "sshd-keygen" \
	"$(comp "$C/vserver-lock-service" _vserver_lock_service vserver-lock-service --root "$T/root" ss)"
check "vserver-lock-service --remove: locked services" "ssh" \
	"$(comp "$C/vserver-lock-service" _vserver_lock_service vserver-lock-service --root "$T/root" --remove '')"
check "vserver-lock-service: then the address" "lo" \
	"$(comp "$C/vserver-lock-service" _vserver_lock_service vserver-lock-service ssh l | tr ' ' '\n' | grep -x lo)"
mkdir -p "$T/etc"
: >"$T/etc/web.conf"
: >"$T/etc/mail.conf"
check "rebootmgr options" "--foreground" "$(comp "$C/rebootmgr" _rebootmgr rebootmgr --f)"
check "rebootmgr --reload" "--reload" "$(comp "$C/rebootmgr" _rebootmgr rebootmgr --rel)"
check "rebootmgr: server names" "mail web" \
	"$(VSERVER_CONFDIR=$T/etc comp "$C/rebootmgr" _rebootmgr rebootmgr --foreground '')"
check "rebootmgr: no options after a name" "" \
	"$(VSERVER_CONFDIR=$T/etc comp "$C/rebootmgr" _rebootmgr rebootmgr web --f)"
check "vsyslogd options" "--root --rate" "$(comp "$C/vsyslogd" _vsyslogd vsyslogd --r)"
check "vsyslogd: server names" "mail web" \
	"$(VSERVER_CONFDIR=$T/etc comp "$C/vsyslogd" _vsyslogd vsyslogd --stop '')"
check "vsyslogd: nothing after the name" "" \
	"$(VSERVER_CONFDIR=$T/etc comp "$C/vsyslogd" _vsyslogd vsyslogd web '')"
check "vreboot options" "--socket" "$(comp "$C/vreboot" _vreboot vreboot --s)"
run bash -c 'source "$1"; complete -p vhalt' sh "$C/vreboot"
check "the vreboot completion serves vhalt" "complete -F _vreboot vhalt" "$OUT"

# vserver, vservers, vrpm, newvserver and vserver-exec; server names from
# $VSERVER_CONFDIR.
mkdir -p "$T/conf" "$T/pkg/sub"
: >"$T/conf/web1.conf"
: >"$T/conf/web2.conf"
: >"$T/conf/db.conf"
: >"$T/conf/notes.txt"
: >"$T/pkg/a.rpm"
: >"$T/pkg/b.deb"
: >"$T/pkg/c.txt"
export VSERVER_CONFDIR="$T/conf"
check "vserver server names" "db web1 web2" "$(comp "$C/vserver" _vserver vserver '')"
check "vserver options" "--help --version" "$(comp "$C/vserver" _vserver vserver --)"
check "vserver commands" "start stop status" "$(comp "$C/vserver" _vserver vserver web1 st)"
check "vserver build options" "--from --debootstrap --mirror" \
	"$(comp "$C/vserver" _vserver vserver web1 build '')"
check "vserver build: --from excludes --debootstrap" "--mirror" \
	"$(comp "$C/vserver" _vserver vserver web1 build --from /tmp '')"
check "vserver build --from: directories" "$T/pkg/sub" \
	"$(comp "$C/vserver" _vserver vserver web1 build --from "$T/pkg/s")"
check "vserver exec: a command" "true" \
	"$(comp "$C/vserver" _vserver vserver web1 exec tru | tr ' ' '\n' | grep -x true | sort -u)"
check "vserver check options" "--init --update" "$(comp "$C/vserver" _vserver vserver web1 check '')"
check "vserver: nothing after start" "" "$(comp "$C/vserver" _vserver vserver web1 start '')"
check "vservers" "start stop status --help --version" \
	"$(comp "$C/vservers" _vservers vservers '')"
check "vservers takes one argument" "" "$(comp "$C/vservers" _vservers vservers stop '')"
check "vrpm names" "ALL db web1 web2" "$(comp "$C/vrpm" _vrpm vrpm '')"
check "vrpm options" "--rpm --dpkg --apt --inside --help --version" \
	"$(comp "$C/vrpm" _vrpm vrpm -)"
check "vrpm: -- once a name is given, names once" "ALL db web2 --" \
	"$(comp "$C/vrpm" _vrpm vrpm web1 '')"
check "vrpm: rpm options after --" "-Uvh" "$(comp "$C/vrpm" _vrpm vrpm web1 -- -Uv)"
check "vrpm --apt: apt-get commands after --" "install" \
	"$(comp "$C/vrpm" _vrpm vrpm --apt web1 -- ins)"
check "vrpm: package files and directories" "$T/pkg/a.rpm $T/pkg/b.deb $T/pkg/sub" \
	"$(comp "$C/vrpm" _vrpm vrpm web1 -- -Uvh "$T/pkg/" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check "newvserver options, each once" \
	"--ip --dev --hostname --domainname --onboot --mirror --yes --ui" \
	"$(comp "$C/newvserver" _newvserver newvserver --name x --from /tmp --)"
check "newvserver --onboot" "yes no" "$(comp "$C/newvserver" _newvserver newvserver --onboot '')"
check "newvserver --dev" "lo" \
	"$(comp "$C/newvserver" _newvserver newvserver --dev l | tr ' ' '\n' | grep -x lo)"
check "newvserver --ui=" "whiptail" "$(comp "$C/newvserver" _newvserver newvserver --ui = wh)"
check "vserver-exec --read-conf" "--read-conf" "$(comp "$C/vserver-exec" _vserver_exec vserver-exec --rea)"
check "vserver-exec --keep-cap" "NET_RAW" \
	"$(comp "$C/vserver-exec" _vserver_exec vserver-exec --keep-cap NET_R)"
check "vserver-exec --ctx" "new 1" "$(comp "$C/vserver-exec" _vserver_exec vserver-exec --ctx '')"
check "vserver-exec: the root after --new-ns" "$T/pkg/sub" \
	"$(comp "$C/vserver-exec" _vserver_exec vserver-exec --new-ns /run/x "$T/pkg/s")"
check "vserver-exec: then the command" "true" \
	"$(comp "$C/vserver-exec" _vserver_exec vserver-exec --new-ns /run/x / tru | tr ' ' '\n' | grep -x true | sort -u)"

finish
