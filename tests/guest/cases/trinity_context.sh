#!/bin/bash
# trinity (Debian's system call fuzzer) run by root inside a new context
# with a server's capability ceiling (chcontext --secure), for
# VX_TRINITY_CALLS (20,000) system calls: the kernel must stay quiet
# (vm-run fails the run on an oops, a warning or a sanitizer's report),
# a host process the context cannot see survives it, and nothing of the
# context is left afterwards.  Skipped when trinity is not installed
# (apt-get install trinity).  trinity 1.9's pool of ready-made sockets
# and perf descriptors is left out (--disable-fds=perf,sockets): making
# it crashes trinity under User-Mode Linux, in context 0 as well; socket
# calls are still among those it makes.
# vm-run: --timeout 600
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

if ! command -v trinity >/dev/null; then
	skip "trinity inside a context" "trinity is not installed (apt-get install trinity)"
	finish
fi
calls=${VX_TRINITY_CALLS:-20000}
sleep 100000 &
canary=$!
mkdir -p "$TEST_TMP/fuzz"
cd "$TEST_TMP/fuzz" || exit 1
run timeout 480 chcontext --silent --secure trinity --dangerous -q -l off --disable-fds=perf,sockets -C 2 -N "$calls" -s 1
cd / || exit 1
like "$out$err" "Ran [0-9]+ syscalls|[Ee]xiting" "trinity ran its $calls system calls and ended ($rc)"
is "$rc" 0 "trinity's status"
if kill -0 "$canary" 2>/dev/null; then pass "the host's canary process survived"; else
	fail "the host's canary process survived"; fi
kill "$canary"
left=$(chcontext --silent --ctx 1 sh -c 'for s in /proc/[0-9]*/status; do
	sed -n "s/^Name:[[:space:]]*trinity.*/x/p" "$s" 2>/dev/null; done' | wc -l)
is "$left" 0 "no trinity process is left"
finish
