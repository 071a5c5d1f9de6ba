#!/bin/bash
# A fuzzer of the vserver(2) multiplexer and its structures
# (tests/guest/helpers/vx-fuzz.cpp): VX_FUZZ_CALLS (1,000,000) random
# commands, ids, sizes, flags, capability masks and pointers, from workers
# that fork, exit and exec meanwhile.  The kernel must stay quiet (vm-run
# fails the run on an oops, a warning or a sanitizer's report), no worker
# may die of a signal, and nothing of the fuzzing may be left: every
# context it made ends with its tasks.  VX_FUZZ_SEED repeats a run.
# 1,000,000 calls take about 3 minutes under User-Mode Linux; on the x86_64
# SMP debugging guest (KASAN, lockdep) under QEMU about 4 minutes per
# 100,000.  Longer runs, 20,000,000 calls on UML (about an hour) and
# 2,000,000 on the SMP debugging guest (about an hour and a half):
#   tests/guest/vm-run --timeout 7200 -- \
#       env VX_FUZZ_CALLS=20000000 bash tests/guest/cases/fuzz_vserver.sh
#   tests/guest/vm-run --arch x86_64 --debug --timeout 7200 -- \
#       env VX_FUZZ_CALLS=2000000 bash tests/guest/cases/fuzz_vserver.sh
# vm-run: --timeout 1200
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

calls=${VX_FUZZ_CALLS:-1000000}
# (contexts of tasks other than this test's own, as the spectator sees them)
others() {
	chcontext --silent --ctx 1 sh -c 'for s in /proc/[0-9]*/status; do
		sed -n "s/^s_context:[[:space:]]*//p" "$s" 2>/dev/null
	done' | grep -cvx '[01]'
}
before=$(others)
run vx-fuzz "$calls" 4 ${VX_FUZZ_SEED:+"$VX_FUZZ_SEED"}
is "$rc/$err" "0/" "the fuzzer ends, no worker killed by a signal ($out)"
like "$out" "succeeded: version [1-9][0-9]*, new_s_context [1-9][0-9]*, set_ipv4root [1-9][0-9]*, context_info [1-9][0-9]*, set_netset [1-9][0-9]*$" \
	"every command got past the checks some of the time"
n=${out%% calls*}
if [ "${n:-0}" -ge "$calls" ] 2>/dev/null; then pass "at least $calls calls"; else
	fail "at least $calls calls" "made: $out"; fi
for _ in $(seq 50); do [ "$(others)" -le "$before" ] && break; sleep 0.2; done
is "$(others)" "$before" "no task of a context the fuzzer made is left"
finish
