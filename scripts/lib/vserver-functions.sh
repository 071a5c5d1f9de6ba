# vserver-functions.sh: shell helpers shared by the vserver scripts.
# shellcheck shell=sh
#
# Sourced (never executed) by vps, vpstree, vtop and vserver-stat, which set
# PROG to their own name first.  Everything here is POSIX sh and safe under
# "set -eu".  Public names start with vs_ (functions) or VS_ (variables).
#
# Where the scripts find this file: first lib/vserver-functions.sh next to the
# script itself (the source tree), then the install location
# ${CMAKE_INSTALL_FULL_DATADIR}/vserver/vserver-functions.sh, which CMake
# writes into the installed copies of the scripts (configure_file @ONLY).
#
# Environment understood here:
#   VSERVER_GLOBAL_CONF  global configuration file (default /etc/vservers.conf)
#   VSERVER_CONFDIR      server configurations NAME.conf (default /etc/vservers)
#   VSERVER_RUNDIR       running servers' NAME.ctx files (default
#                        /var/run/vservers)
#   VSERVER_ROOTDIR      the servers' root directories NAME/ (default
#                        /vservers)
#   VSERVER_PROC         proc file system to read (default /proc); for tests
#   VSERVER_EXEC         the vserver-exec to run (default: the one beside the
#                        script, else the one on PATH); for tests
#   VSERVER_SKIP_CHCONTEXT=1
#                        do not enter context 1, run in place; for tests only
#
# Precedence for VSERVER_CONFDIR, VSERVER_RUNDIR and VSERVER_ROOTDIR: the
# environment, then an assignment in the global file, then the default.
# Configuration files are read, not executed, by the tools' library
# (vserver-exec --conf-value, --paths, --read-conf): the last "KEY=value"
# (optionally preceded by "export") counts, one level of quotes is removed,
# no shell expansion happens.

VS_VERSION=0.1.0
: "${PROG:=vserver}"

# vs_die MESSAGE...: one line on stderr, exit status 1.
vs_die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

# vs_usage_error MESSAGE...: a usage error, reported like the C++ tools do.
vs_usage_error() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	printf "Try '%s --help' for more information.\n" "$PROG" >&2
	exit 1
}

# vs_warn MESSAGE...: one line on stderr.
vs_warn() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

# vs_std_options "$@": handles --help (calls the script's usage function) and
# --version as the first argument, both on stdout with status 0.
vs_std_options() {
	case ${1-} in
	--help)
		usage
		exit 0
		;;
	--version)
		printf '%s (vserver) %s\n' "$PROG" "$VS_VERSION"
		exit 0
		;;
	esac
}

# vs_find_tool: _vs_tool is vserver-exec: $VSERVER_EXEC, else the one
# beside the script ($_vs_here; the init scripts that source this file
# have none: never the current directory), else the one on PATH.  It also reads the configuration
# files for the scripts: the tools' library is their one reader.
vs_find_tool() {
	[ -z "${_vs_tool:-}" ] || return 0
	if [ -n "${VSERVER_EXEC:-}" ]; then
		_vs_tool=$VSERVER_EXEC
	elif [ -n "${_vs_here:-}" ] && [ -x "$_vs_here/vserver-exec" ]; then
		_vs_tool=$_vs_here/vserver-exec
	else
		_vs_tool=$(command -v vserver-exec) || vs_die "cannot find vserver-exec"
	fi
}

# vs_conf_value FILE KEY: prints the value of the last assignment to KEY in
# FILE.  Status 1 when FILE is unreadable or has no such assignment.
vs_conf_value() {
	if [ ! -f "$1" ] || [ ! -r "$1" ]; then
		return 1
	fi
	vs_find_tool
	"$_vs_tool" --conf-value "$2" "$1"
}

# vs_init_dirs: sets VSERVER_CONFDIR, VSERVER_RUNDIR, VSERVER_ROOTDIR and
# VSERVER_PROC (see the precedence above).  Only what came from the
# environment is passed on to other programs: vserver, started by vservers,
# finds the configured paths itself, and starts through vserver@NAME.service
# only when none was set by hand.
vs_init_dirs() {
	if [ -z "${VSERVER_CONFDIR:-}" ] || [ -z "${VSERVER_RUNDIR:-}" ] ||
		[ -z "${VSERVER_ROOTDIR:-}" ]; then
		vs_find_tool
		_vs_paths=$("$_vs_tool" --paths) || vs_die "cannot find the server directories"
		eval "$_vs_paths"
	fi
	: "${VSERVER_PROC:=/proc}"
	export VSERVER_PROC
}

# vs_valid_server_name NAME: letters, digits, '.', '_' and '-', not first
# '.' or '-' (vserver::valid_server_name() is the same rule in C++).
vs_valid_server_name() {
	case $1 in
	'' | .* | -* | *[!A-Za-z0-9._-]*) return 1 ;;
	esac
	return 0
}

# shellcheck disable=SC2034 # (for the scripts that source this file)
VS_NAME_RULE="letters, digits, '.', '_' and '-', not first '.'"

# vs_is_ctx WORD: true when WORD is a context id (decimal digits).
vs_is_ctx() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	return 0
}

# vs_ctx_norm ID: prints the context id ID without leading zeros (decimal,
# where $((ID)) would read 010 as octal).
vs_ctx_norm() {
	_vs_i=$1
	while :; do
		case $_vs_i in
		0?*) _vs_i=${_vs_i#0} ;;
		*) break ;;
		esac
	done
	printf '%s\n' "$_vs_i"
}

# vs_ctx_map: prints "CTX NAME" lines, first match wins: 0 MAIN, 1 ALL_PROCS,
# then running servers ($VSERVER_RUNDIR/NAME.ctx), then servers with a fixed
# S_CONTEXT in $VSERVER_CONFDIR/NAME.conf, each in name order.
vs_ctx_map() {
	printf '0 MAIN\n1 ALL_PROCS\n'
	for _vs_f in "$VSERVER_RUNDIR"/*.ctx; do
		if [ ! -f "$_vs_f" ] || [ ! -r "$_vs_f" ]; then
			continue
		fi
		_vs_n=${_vs_f##*/}
		_vs_n=${_vs_n%.ctx}
		_vs_c=
		IFS= read -r _vs_c <"$_vs_f" || :
		_vs_c=$(printf '%s' "$_vs_c" | tr -d ' \t\r')
		vs_is_ctx "$_vs_c" || continue
		printf '%s %s\n' "$(vs_ctx_norm "$_vs_c")" "$_vs_n"
	done
	for _vs_f in "$VSERVER_CONFDIR"/*.conf; do
		_vs_c=$(vs_conf_value "$_vs_f" S_CONTEXT) || continue
		vs_is_ctx "$_vs_c" || continue
		_vs_n=${_vs_f##*/}
		printf '%s %s\n' "$(vs_ctx_norm "$_vs_c")" "${_vs_n%.conf}"
	done
}

# vs_self_ctx: prints the caller's context id as vserver-exec --processes
# reads it from $VSERVER_PROC/self/status; nothing when the kernel shows
# none (a kernel without vserver).
vs_self_ctx() {
	vs_find_tool
	_vs_self=$("$_vs_tool" --processes self 2>/dev/null) || _vs_self=
	_vs_self=${_vs_self#self }
	_vs_self=${_vs_self%% *}
	vs_is_ctx "$_vs_self" && printf '%s\n' "$_vs_self"
	return 0
}

# vs_need_ctx1: true when the script must still enter context 1, false when
# it already runs there (or VSERVER_SKIP_CHCONTEXT=1).  After a re-exec that
# did not arrive in context 1 it stops with an error instead of looping.
vs_need_ctx1() {
	[ "${VSERVER_SKIP_CHCONTEXT:-}" != 1 ] || return 1
	_vs_ctx=$(vs_self_ctx)
	if [ "$_vs_ctx" = 1 ]; then
		unset _VSERVER_REEXEC
		return 1
	fi
	[ -z "${_VSERVER_REEXEC:-}" ] ||
		vs_die "cannot enter security context 1: still in context ${_vs_ctx:-unknown} after chcontext"
	return 0
}

# vs_probe_ctx1: checks that chcontext can enter context 1; otherwise prints
# one line "PROG: cannot enter security context 1: REASON" and exits 1,
# REASON being the first line chcontext printed, without what it repeats.
vs_probe_ctx1() {
	command -v chcontext >/dev/null 2>&1 ||
		vs_die "cannot enter security context 1: chcontext not found in PATH"
	if _vs_err=$(chcontext --silent --ctx 1 true 2>&1 >/dev/null); then
		return 0
	fi
	_vs_err=$(printf '%s\n' "$_vs_err" | sed -n \
		'1{s/^chcontext: //;s/^cannot enter security context 1: //;p;}')
	vs_die "cannot enter security context 1: ${_vs_err:-chcontext failed}"
}

# vs_exec_ctx1 CMD [ARGS...]: runs CMD in context 1 in place of the script.
vs_exec_ctx1() {
	command -v "$1" >/dev/null 2>&1 || vs_die "$1: command not found"
	if ! vs_need_ctx1; then
		exec "$@"
	fi
	vs_probe_ctx1
	exec chcontext --silent --ctx 1 "$@"
}

# vs_reexec_ctx1 SCRIPT [ARGS...]: runs SCRIPT again with sh in context 1.
# Call it only when vs_need_ctx1 is true.
vs_reexec_ctx1() {
	vs_probe_ctx1
	_VSERVER_REEXEC=1
	export _VSERVER_REEXEC
	exec chcontext --silent --ctx 1 /bin/sh "$@"
}
