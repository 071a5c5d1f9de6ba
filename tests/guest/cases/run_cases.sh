#!/bin/bash
# tests/guest/run-cases, the runner that gives several cases one boot of
# the SMP guest: each case's output between its markers, the counts, a
# case that fails or outlives its time failing the run, the kernel log
# naming the case that runs, a case's kill -USR1 -1 leaving it running.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

runner=$(cd "$(dirname "$0")/.." && pwd)/run-cases
cases=$TEST_TMP/cases
mkdir "$cases"
printf '%s\n' '#!/bin/bash' 'echo "ok - one"' 'echo "ok - two # SKIP not here"' \
	'echo 1..2' >"$cases/passes.sh"
printf '%s\n' '#!/bin/bash' 'echo "ok - one"' 'echo "not ok - two"' 'echo 1..2' 'exit 1' \
	>"$cases/fails.sh"
printf '%s\n' '#!/bin/bash' '# vm-run: --timeout 1' 'sleep 30' >"$cases/hangs.sh"
# (as the cases that make a dummy interface vx0 and leave it)
printf '%s\n' '#!/bin/bash' 'ip link add vx0 type dummy && echo "ok - vx0 made" || echo "not ok - vx0 made"' \
	'echo 1..1' >"$cases/makes_vx0.sh"

run bash "$runner" "$cases/passes.sh"
is "$rc" 0 "a run whose cases pass succeeds"
like "$out" "^# case passes
ok - one
ok - two # SKIP not here
1..2
# case passes: status 0, [0-9]+ s, 2 ok \(1 skipped\), 0 not ok
run-cases: 1 of 1 cases passed$" "each case's output comes between its markers, with the counts"
like "$(dmesg | tail -n 20)" "run-cases: passes" "the kernel log names the case that runs"

run bash "$runner" "$cases/fails.sh" "$cases/passes.sh"
is "$rc" 1 "a run with a failing case fails"
like "$out" "# case passes: status 0" "the cases after a failing one still run"
like "$out" "run-cases: 1 of 2 cases passed; failed: fails$" "the summary names the failing case"

SECONDS=0
run bash "$runner" "$cases/hangs.sh" "$cases/passes.sh"
took=$SECONDS
is "$rc" 1 "a case that outlives its time fails the run"
like "$out" "not ok - hangs did not end within 1 s: killed" "it is killed at its --timeout, and says so"
like "$out" "not ok - passes not run: hangs was killed and left the machine as it was" \
	"the cases after a killed one fail as not run"
like "$out" "run-cases: 0 of 2 cases passed; failed: hangs passes$" "the summary names both"
[ "$took" -lt 20 ] && pass "the run goes on at once ($took s)" ||
	fail "the run goes on at once" "took $took s"

run bash "$runner" "$cases/makes_vx0.sh" "$cases/makes_vx0.sh"
is "$rc" 0 "a case finds no vx0 that the case before it left (a fresh boot has none)"
ip link del vx0 2>/dev/null

# (as permission_matrix, whose kill -USR1 -1 from context 0 reaches every
# process of context 0 but pid 1: the runner, its timeout and tee too)
printf '%s\n' '#!/bin/bash' \
	'[ $(( 0x$(sed -n "s/^SigIgn:\t//p" /proc/self/status) >> 9 & 1 )) = 0 ] && echo "ok - USR1 default" || echo "not ok - USR1 ignored"' \
	'trap "" USR1' '/bin/kill -USR1 -- -1' 'sleep 0.5' 'echo "ok - sent"' 'echo 1..2' >"$cases/signals_all.sh"
trap ':' USR1 # (this shell survives; what it runs gets the default)
run bash "$runner" "$cases/signals_all.sh" "$cases/passes.sh"
trap - USR1
is "$rc" 0 "a case's kill -USR1 -1 from context 0 leaves the runner, its timeout and tee running"
like "$out" "# case signals_all: status 0, [0-9]+ s, 2 ok" "the case itself gets SIGUSR1's default action"
like "$out" "run-cases: 2 of 2 cases passed$" "the cases after it run"

run bash "$runner" no_such_case
is "$rc/$err" "1/run-cases: no case no_such_case" "an unknown case is an error"
run bash "$runner"
is "$rc/$err" "2/usage: run-cases CASE..." "no case at all is a usage error"
finish
