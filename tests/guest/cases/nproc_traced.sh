#!/bin/bash
# Forks refused by a context's nproc limit while the function_graph tracer
# runs.  The tracer gives every new task a shadow return stack
# (ftrace_graph_init_task); a refusal that unwinds copy_process() from the
# wrong point frees the parent's stack with the child (a double free that
# KASAN reports and vm-run fails the run on).  The limit is checked in the
# security module's task_alloc hook, after that point.  Needs a kernel with
# the function_graph tracer (the x86_64 guests: tests/run-all -L smp);
# skipped on User-Mode Linux, which has no ftrace.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

tracing=/sys/kernel/tracing
mountpoint -q "$tracing" || mount -t tracefs tracefs "$tracing" 2>/dev/null
if ! grep -qw function_graph "$tracing/available_tracers" 2>/dev/null; then
	skip "forks refused by nproc under function_graph" "this kernel has no function_graph tracer"
	finish
fi
# (one traced function keeps the tracer cheap; every new task still gets
# its shadow stack while the tracer is on)
echo vx_task_fork >"$tracing/set_ftrace_filter"
echo function_graph >"$tracing/current_tracer"
is "$(cat "$tracing/current_tracer")" function_graph "setup: the function_graph tracer runs"
for i in $(seq 50); do
	bash -c 'ulimit -u 6 && exec chcontext --silent --flag nproc vx-fork 20' >"$TEST_TMP/fork.$i" 2>&1
done
grep -q "vx_task_fork" "$tracing/trace" && traced=yes || traced=no
echo nop >"$tracing/current_tracer"
: >"$tracing/set_ftrace_filter"
is "$(sort -u "$TEST_TMP"/fork.* | tr '\n' ' ')" "5 EAGAIN " \
	"50 contexts with a limit of 6: 5 forks each, then EAGAIN, with the tracer on"
is "$traced" yes "the tracer saw the forks"
finish
