# Shared functions of the IPv4 root guest tests (ipv4root_*.sh): one
# vx-netprobe run per assertion.  Source it after testlib.sh.
# shellcheck shell=bash

# The two loopback addresses the cases lock to (lo answers for 127/8).
A=127.0.0.2
B=127.0.0.3
NL=$'\n'

# probe WHAT EXPECTED STEP...: vx-netprobe STEP... prints EXPECTED, nothing
# on stderr, status 0.
probe() {
	local what=$1 want=$2
	shift 2
	check_run "$what" 0 "$want" "" vx-netprobe "$@"
}

# probe_user WHAT EXPECTED STEP...: the same, as the user nobody.
probe_user() {
	local what=$1 want=$2
	shift 2
	check_run "$what" 0 "$want" "" as_user vx-netprobe "$@"
}
