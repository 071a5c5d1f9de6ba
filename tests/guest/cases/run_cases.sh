#!/bin/bash
# tests/guest/run-cases, the runner that gives several cases one boot of
# the SMP guest: each case's output between its markers, the counts, a
# case that fails or outlives its time failing the run, the kernel log
# naming the case that runs.
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

run bash "$runner" no_such_case
is "$rc/$err" "1/run-cases: no case no_such_case" "an unknown case is an error"
run bash "$runner"
is "$rc/$err" "2/usage: run-cases CASE..." "no case at all is a usage error"
finish
