#!/bin/bash
# The bash completion files: each loads without a word on stdout/stderr and
# registers its command; a few completions are checked.
TEST=completion
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

C=$SRCROOT/completion
for cmd in chcontext reducecap vkill vps vpstree vtop vserver-stat; do
	run bash -c 'set -eu; source "$1"; complete -p "$2"' sh "$C/$cmd" "$cmd"
	check "$cmd loads and registers" "0|" "$RC|$ERR"
	case $OUT in
	"complete -F "*" $cmd") ok "$cmd: complete -F" ;;
	*) fail "$cmd: complete -F: $OUT" ;;
	esac
done

check "41 capabilities" 41 \
	"$(bash -c 'source "$1"; echo ${#_vserver_caps[@]}' sh "$C/chcontext")"

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
	"lock,private,sched lock,private,nproc lock,private,fakeinit" \
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

finish
