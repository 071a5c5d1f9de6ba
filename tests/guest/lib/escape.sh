# Shared setup of the escape cases (tests/guest/cases/escape_*.sh): a
# server started the way users start one (vserver NAME start, the defaults
# of vserver build: S_FLAGS="lock nproc", the secure ceiling, an IPv4 root
# on a dummy interface in 127.1.0.0/24), root inside it running vx-attack,
# live victims on the host, and the cleanup.  Source it after testlib.sh and
# servers.sh:
#
#   . "$(dirname "$0")/../lib/testlib.sh"
#   . "$(dirname "$0")/../lib/servers.sh"
#   . "$(dirname "$0")/../lib/escape.sh"
#   escape_start
#
# A setup step that fails is a failure: it is reported with fail, and when
# nothing after it could mean anything (no server), the case ends there.
# shellcheck shell=bash
# ($rc, $out and $err come from run in testlib.sh; ESC_ROOT is for the cases)
# shellcheck disable=SC2154,SC2034

ESC=esc              # the server the attacks come from
ESC_IP=127.1.0.2     # its address
ESC_CTX=             # its context, once started
ESC_ROOT=$VSERVER_ROOTDIR/$ESC
ESC_TEMPLATE=$TEST_TMP/template
_esc_servers=()
_esc_pids=()
_esc_net=false

# escape_abort WHY: a setup failure after which nothing can be tested.
escape_abort() {
	fail "setup: $1" "${@:2}"
	escape_cleanup
	finish
}

# escape_server NAME IP [KEY=VALUE...]: build NAME from the busybox template
# (with vx-attack and vx-netprobe in its /bin), configure it (IPROOT IP on vx0 and the
# settings given) and start it.  Aborts the case if it does not start.
escape_server() {
	local name=$1 ip=$2 kv
	shift 2
	if ! $_esc_net; then
		if ! { ip link add vx0 type dummy &&
			ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
			ip link set vx0 up; }; then
			escape_abort "the dummy interface vx0 with 127.1.0.1/24"
		fi
		_esc_net=true
	fi
	if [ ! -d "$ESC_TEMPLATE" ]; then
		make_busybox_tree "$ESC_TEMPLATE"
		cp "$(command -v vx-attack)" "$(command -v vx-netprobe)" "$ESC_TEMPLATE/bin/" ||
			escape_abort "vx-attack and vx-netprobe copied into the server template"
	fi
	run vserver "$name" build --from "$ESC_TEMPLATE"
	[ "$rc" = 0 ] || escape_abort "vserver $name build" "$out" "$err"
	set_conf "$name" IPROOT "$ip"
	set_conf "$name" IPROOTDEV vx0
	for kv in "$@"; do
		set_conf "$name" "${kv%%=*}" "${kv#*=}"
	done
	run vserver "$name" start
	[ "$rc" = 0 ] || escape_abort "vserver $name start" "$out" "$err"
	_esc_servers+=("$name")
}

# escape_start: the server $ESC, started; $ESC_CTX is its context.
escape_start() {
	escape_server "$ESC" "$ESC_IP"
	ESC_CTX=$(cat "$VSERVER_RUNDIR/$ESC.ctx")
	case $ESC_CTX in
	'' | *[!0-9]*) escape_abort "the context of $ESC is known" "got: '$ESC_CTX'" ;;
	esac
	is "$(inside sed -n 's/^s_context:[[:space:]]*//p' /proc/self/status)" "$ESC_CTX" \
		"setup: commands run with vserver $ESC exec are in its context $ESC_CTX"
}

# inside CMD...: run CMD as root in the server $ESC (vserver exec).
inside() { vserver "$ESC" exec "$@"; }

# attack ARG...: vx-attack ARG... as root inside $ESC, through run: the
# answer is in $out.
attack() { run vserver "$ESC" exec /bin/vx-attack "$@"; }

# host ARG...: the same call in context 0 (the control checks).
host() { run vx-attack "$@"; }

# escape_track PID: a process the cleanup ends (any context).
escape_track() { _esc_pids+=("$1"); }

# host_victim root|user: start a context-0 "sleep 1000" (as root, or as the
# ordinary user nobody) in its own session, wait until it runs, record its
# pid in $VICTIM.  A victim that does not come up is a setup failure
# (return 1).
host_victim() {
	if [ "$1" = user ]; then
		bg_start setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups -- sleep 1000
	else
		bg_start sleep 1000
	fi
	VICTIM=$!
	escape_track "$VICTIM"
	if ! wait_ready "$VICTIM" sleep 0; then
		fail "setup: a host victim (sleep of $1) runs in context 0"
		return 1
	fi
}

# proc_state PID: what an attack on process PID must not change, read from
# the spectator context (one process): state, context, nice, scheduling
# policy, allowed CPUs, I/O priority, RLIMIT_NOFILE; "gone" when it does
# not exist.
proc_state() {
	# shellcheck disable=SC2016 # (the script is for the spectator's shell)
	chcontext --silent --ctx 1 sh -c '
		stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo gone; exit 0; }
		status=$(cat "/proc/$1/status" 2>/dev/null)
		# the fields after the command name, which may hold blanks
		set -- "$1" ${stat##*) }
		printf "%s ctx=%s nice=%s policy=%s cpus=%s io=%s nofile=%s\n" "$2" \
			"$(printf "%s\n" "$status" | sed -n "s/^s_context:[[:space:]]*//p")" \
			"${18}" "${40}" \
			"$(printf "%s\n" "$status" | sed -n "s/^Cpus_allowed_list:[[:space:]]*//p")" \
			"$(ionice -p "$1" 2>&1)" \
			"$(prlimit --pid "$1" --nofile --noheadings -o SOFT,HARD 2>&1 | awk "{ print \$1, \$2 }")"
	' sh "$1"
}

# refused WHAT WANT STATE_FN CMD...: one attack.  STATE_FN (e.g. "proc_state
# $VICTIM") describes the victim; it must exist before (else a setup
# failure), CMD's one-line answer must match WANT (an extended regular
# expression for the whole line, e.g. "ESRCH" or "(open|write) EPERM"), and
# the victim must read the same afterwards: two assertions, "WHAT" and
# "WHAT: $ESC_INTACT" (default "victim intact").
ESC_INTACT="victim intact"
refused() {
	local what=$1 want=$2 state_fn=$3 before after
	shift 3
	before=$(eval "$state_fn")
	case $before in
	'' | gone*)
		fail "$what" "setup: the victim ($state_fn) is not there before the attack"
		return
		;;
	esac
	run "$@"
	if printf '%s' "$out" | grep -Eqx -- "$want" && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
		pass "$what"
	else
		fail "$what" "expected: $want" "got: $out" "stderr: $err"
	fi
	after=$(eval "$state_fn")
	is "$after" "$before" "$what: $ESC_INTACT"
}

# alive PID: "alive" while process PID exists and is not a zombie.
alive() {
	case $(chcontext --silent --ctx 1 sed -n 's/^State:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) in
	'' | Z*) echo gone ;;
	*) echo alive ;;
	esac
}

# escape_cleanup: stop the servers, end the tracked processes, remove vx0.
escape_cleanup() {
	local s p
	# (stop also cleans up after a server whose processes all ended)
	for s in "${_esc_servers[@]}"; do
		vserver "$s" stop >/dev/null 2>&1
	done
	_esc_servers=()
	for p in "${_esc_pids[@]}"; do
		kill_anywhere "$p"
	done
	_esc_pids=()
	if $_esc_net; then
		ip link del vx0 2>/dev/null
		_esc_net=false
	fi
	return 0
}

# escape_finish: cleanup, then the plan.
escape_finish() {
	escape_cleanup
	finish
}
