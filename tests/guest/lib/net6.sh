# Helpers of the guest tests of IPv6 in address sets (ipv6_sets.sh,
# private_loopback6.sh): servers made with chcontext and chbind, probed with
# net6probe.py.  Sourced after testlib.sh.

NET6PROBE=$(dirname "${BASH_SOURCE[0]}")/net6probe.py
holders=()

# server N ADDR...: the command prefix that runs a command in context N,
# locked to the ADDRs, in $srv.
server() {
	local ctx=$1
	shift
	srv=(chcontext --silent --ctx "$ctx" chbind --silent)
	for a in "$@"; do srv+=(--ip "$a"); done
	srv+=(--)
}

# probe_cmd [SERVER...] STEP...: in $cmd, net6probe STEP... (in the server
# when a prefix of server() is given).
probe_cmd() {
	cmd=()
	if [ "$1" = chcontext ] || [ "$1" = chbind ]; then
		while [ "$1" != -- ]; do
			cmd+=("$1")
			shift
		done
		cmd+=(--)
		shift
	fi
	cmd+=(python3 "$NET6PROBE" "$@")
}

# p6 WHAT EXPECTED [SERVER...] STEP...: that probe prints EXPECTED, nothing
# on stderr, status 0.
p6() {
	local what=$1 want=$2
	shift 2
	probe_cmd "$@"
	check_run "$what" 0 "$want" "" "${cmd[@]}"
}

# start NAME CMD...: CMD in the background, its
# output in $TEST_TMP/NAME; waits for its first line.
start() {
	local name=$1 deadline=$((SECONDS + 10))
	shift
	rm -f "$TEST_TMP/$name"
	setsid "$@" </dev/null >"$TEST_TMP/$name" 2>&1 &
	holders+=("$!")
	until [ -s "$TEST_TMP/$name" ] || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
}
# server_start NAME [SERVER...] STEP...: that probe, started as NAME.
server_start() {
	local name=$1
	shift
	probe_cmd "$@"
	start "$name" "${cmd[@]}"
}
stop_all() {
	local pid
	for pid in "${holders[@]}"; do kill_anywhere "$pid"; done
	holders=()
}
