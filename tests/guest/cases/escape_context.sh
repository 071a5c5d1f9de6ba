#!/bin/bash
# Escapes through the context API itself (vserver(2), raw and through the
# tools), against a started server:
#  - dynamic ids (VX_CTX_NEW) come from 49152..65535, ids root chooses
#    from 2..49151: a chosen id of 49152 or more cannot be created, so no
#    user can create the context an administrator will;
#  - new_s_context from inside a lock server: EPERM; bad arguments:
#    EINVAL; choosing an id from a context: EPERM;
#  - VCMD_GET_CONTEXT_INFO on pid 1 from a server: all zero;
#  - removing any capability without CAP_SETPCAP sets no_new_privs
#    (CVE-2000-0506);
#  - a task that entered a context is out of the context's ptrace-class
#    reach until it executes a program, and has the ceiling already;
#  - a tracer that cannot see its tracee any more loses it cleanly:
#    strace -f chcontext finishes.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start

# in_dynamic_range ID...: every ID in 49152..65535
in_dynamic_range() {
	local id
	[ $# -gt 0 ] || return 1
	for id; do
		case $id in '' | *[!0-9]*) return 1 ;; esac
		[ "$id" -ge 49152 ] && [ "$id" -le 65535 ] || return 1
	done
}
check_dynamic() {
	if in_dynamic_range "$2"; then pass "$1 ($2)"; else fail "$1" "expected an id in 49152..65535" "got: $2 ${3:-}"; fi
}

# --- dynamic and static ids ---
run as_user vx-attack new_s_context new
check_dynamic "ids: a new context of an ordinary user (raw VX_CTX_NEW) is in 49152..65535" "$out" "$err"
run vx-attack new_s_context new
check_dynamic "ids: a new context of root (raw VX_CTX_NEW) is in 49152..65535" "$out" "$err"
run as_user chcontext true
check_dynamic "ids: chcontext of an ordinary user reports a context in 49152..65535" \
	"$(printf '%s\n' "$err" | sed -n 's/^New security context is //p')" "$err"
# shellcheck disable=SC2016 # (for the user's shell)
run as_user sh -c 'for i in $(seq 30); do vx-attack new_s_context new; done'
# shellcheck disable=SC2086 # one id a word
if in_dynamic_range $out && [ "$(printf '%s\n' "$out" | wc -l)" = 30 ]; then
	pass "ids: 30 new contexts of an ordinary user in a row all are in 49152..65535"
else
	fail "ids: 30 new contexts of an ordinary user in a row all are in 49152..65535" "got:" "$out" "$err"
fi
# The squat of issue 9: a user keeps a context alive; root's chosen ids
# are never that one.
bg_start setpriv --reuid="$USER_ID" --regid="$USER_ID" --clear-groups chcontext --silent sleep 1000
squat=$!
escape_track "$squat"
wait_ready "$squat" sleep || fail "setup: an ordinary user's sleep in a context of its own"
sq_ctx=$(field "$squat" s_context)
check_dynamic "ids: the context a user keeps alive is in 49152..65535" "$sq_ctx"
refused "ids: root creating a chosen id of 49152 or more (65000) fails with EINVAL" EINVAL \
	"proc_state $squat" vx-attack new_s_context 65000
# (49152 itself is the server's context, the first the kernel handed out:
# entering it would work; the top of the range is free.)
refused "ids: root creating the highest dynamic id, 65535, fails with EINVAL" EINVAL \
	"proc_state $squat" vx-attack new_s_context 65535
run vx-attack new_s_context "$sq_ctx"
is "$out" "$sq_ctx" "ids: root in context 0 may enter an existing dynamic context"
run vx-attack new_s_context 49151
is "$out" 49151 "control: root creates the highest static id, 49151"
run vx-attack new_s_context 4243 0 0 -- vx-attack context-info 0
is "$(printf '%s\n' "$out" | head -n1)" 4243 "control: root creates a static id (4243) and enters it"

# --- new_s_context from where it is not allowed ---
refused "api: new_s_context(VX_CTX_NEW) inside a lock server fails with EPERM" EPERM \
	"proc_state $squat" attack new_s_context new
refused "api: new_s_context(4242) inside a lock server fails with EPERM" EPERM \
	"proc_state $squat" attack new_s_context 4242
refused "api: new_s_context(the user's context) inside a lock server fails with EPERM" EPERM \
	"proc_state $squat" attack new_s_context "$sq_ctx"
refused "api: new_s_context(1) inside a lock server fails with EPERM" EPERM \
	"proc_state $squat" attack new_s_context 1
refused "api: choosing an id (4242) from a chcontext root fails with EPERM" EPERM \
	"proc_state $squat" chcontext --silent vx-attack new_s_context 4242
refused "api: entering the user's context from a chcontext root fails with EPERM" EPERM \
	"proc_state $squat" chcontext --silent vx-attack new_s_context "$sq_ctx"
refused "api: choosing context 1 from a chcontext root fails with EPERM" EPERM \
	"proc_state $squat" chcontext --silent vx-attack new_s_context 1
# Bad arguments (root, context 0): EINVAL.
refused "api: unknown flag bit 10: EINVAL" EINVAL "proc_state $squat" vx-attack new_s_context new 0x400
refused "api: id -3: EINVAL" EINVAL "proc_state $squat" vx-attack new_s_context -3
refused "api: id 65536: EINVAL" EINVAL "proc_state $squat" vx-attack new_s_context 65536
refused "api: id 0: EINVAL" EINVAL "proc_state $squat" vx-attack new_s_context 0
refused "api: capability bit 63 in remove_cap: EINVAL" EINVAL "proc_state $squat" \
	vx-attack new_s_context new 0 0x8000000000000000
refused "api: struct size 4: EINVAL" EINVAL "proc_state $squat" vx-attack new_s_context new 0 0 4
refused "api: struct size 8192: EINVAL" EINVAL "proc_state $squat" vx-attack new_s_context new 0 0 8192

# --- VCMD_GET_CONTEXT_INFO ---
host_victim root || escape_abort "no host victim"
V=$VICTIM
refused "info: VCMD_GET_CONTEXT_INFO on pid 1 from inside reads all zero" \
	"xid 0 flags 0 initpid 0 nr_tasks 0 cap_bset 0 ipv4root 0.0.0.0" "proc_state 1" attack context-info 1
refused "info: VCMD_GET_CONTEXT_INFO on a host process from inside fails with ESRCH" ESRCH \
	"proc_state $V" attack context-info "$V"
ceiling=$(inside sed -n 's/^CapBnd:[[:space:]]*0*//p' /proc/self/status)
attack context-info 0
like "$out" "^xid $ESC_CTX flags 5 initpid 0 nr_tasks [1-9][0-9]* cap_bset $ceiling ipv4root $ESC_IP\$" \
	"info: VCMD_GET_CONTEXT_INFO on itself inside shows the server's context, flags, ceiling and address"
host context-info 1
like "$out" "^xid 0 flags 0 initpid 0 nr_tasks [1-9][0-9]* cap_bset 1f+ ipv4root 0.0.0.0\$" \
	"control: VCMD_GET_CONTEXT_INFO on pid 1 from context 0 shows context 0"

# --- CVE-2000-0506: any removal without CAP_SETPCAP sets no_new_privs ---
nnp() { printf '%s\n' "$1" | sed -n 's/^NoNewPrivs:[[:space:]]*//p'; }
run as_user reducecap --cap CAP_NET_RAW cat /proc/self/status
is "$(nnp "$out")" 1 "nnp: an ordinary user's reducecap --cap CAP_NET_RAW gets no_new_privs"
run as_user vx-attack new_s_context keep 0 0x2000 -- vx-attack ceiling
is "$(printf '%s\n' "$out" | sed -n 's/.* NoNewPrivs //p')" 1 \
	"nnp: an ordinary user removing CAP_NET_RAW (raw VX_CTX_KEEP) gets no_new_privs"
run as_user chcontext --silent --cap CAP_CHOWN cat /proc/self/status
is "$(nnp "$out")" 1 "nnp: an ordinary user's chcontext --cap CAP_CHOWN gets no_new_privs"
attack new_s_context keep 0 0x400 -- /bin/vx-attack ceiling
is "$(printf '%s\n' "$out" | sed -n 's/.* NoNewPrivs //p')" 1 \
	"nnp: root inside the server (no CAP_SETPCAP) removing CAP_NET_BIND_SERVICE gets no_new_privs"
run as_user reducecap --cap CAP_SETUID cat /proc/self/status
is "$(nnp "$out")" 1 "control: an ordinary user's reducecap --cap CAP_SETUID gets no_new_privs"
run reducecap --cap CAP_NET_RAW cat /proc/self/status
is "$(nnp "$out")" 0 "control: root with CAP_SETPCAP removing CAP_NET_RAW keeps no_new_privs off"
run as_user vx-attack new_s_context keep 0 0 -- vx-attack ceiling
is "$(printf '%s\n' "$out" | sed -n 's/.* NoNewPrivs //p')" 0 \
	"control: an ordinary user removing nothing keeps no_new_privs off"

# --- entering: out of reach until exec ---
# A context-0 root process enters the server's context by the raw call
# (with the server's ceiling) and waits, not executing anything, until a
# line comes on its standard input; then it executes sleep.
last=$(cat /proc/sys/kernel/cap_last_cap)
remove=$(printf '0x%x' $(((1 << (last + 1)) - 1 & ~0x$ceiling)))
mkfifo "$TEST_TMP/go"
setsid vx-attack hold-entered "$ESC_CTX" "$remove" -- sleep 1000 <"$TEST_TMP/go" >"$TEST_TMP/entered" 2>&1 &
exec 7>"$TEST_TMP/go"
for _ in $(seq 100); do [ -s "$TEST_TMP/entered" ] && break; sleep 0.05; done
E=$(sed -n 's/^entered //p' "$TEST_TMP/entered")
if [ -n "$E" ] && [ "$(field "$E" s_context)" = "$ESC_CTX" ]; then
	pass "setup: a root process ($E) entered the server's context and waits before exec"
	escape_track "$E"
else
	fail "setup: a root process entered the server's context and waits before exec" \
		"$(cat "$TEST_TMP/entered")"
fi
ES="proc_state $E"
refused "entering: PTRACE_ATTACH from inside to a task that entered and has not executed fails with EPERM" \
	EPERM "$ES" attack ptrace "$E"
refused "entering: process_vm_readv from inside on it fails with EPERM" EPERM "$ES" \
	attack process_vm_readv "$E"
refused "entering: pidfd_getfd of its descriptor 0 from inside fails with EPERM" EPERM "$ES" \
	attack pidfd_getfd "$E" 0
refused "entering: opening its /proc/PID/mem from inside fails with EACCES" "open EACCES" "$ES" \
	attack read "/proc/$E/mem"
refused "entering: reading its /proc/PID/environ from inside fails with EACCES" "open EACCES" "$ES" \
	attack read "/proc/$E/environ"
refused "entering: listing its /proc/PID/fd from inside fails with EACCES" "open EACCES" "$ES" \
	attack read "/proc/$E/fd"
run inside sed -n 's/^CapBnd:[[:space:]]*0*//p' "/proc/$E/status"
is "$out" "$ceiling" "entering: its CapBnd seen from inside is already the server's ceiling"
echo go >&7
exec 7>&-
wait_ready "$E" sleep "$ESC_CTX" || fail "setup: the entered task executes sleep"
attack ptrace "$E"
is "$out" ok "entering: after exec, PTRACE_ATTACH from inside works as usual"
attack process_vm_readv "$E"
is "$out" EFAULT "entering: after exec, process_vm_readv from inside gets through (EFAULT)"
attack pidfd_getfd "$E" 0
is "$out" ok "entering: after exec, pidfd_getfd from inside works"
attack read "/proc/$E/environ"
is "$out" ok "entering: after exec, /proc/PID/environ reads from inside"
kill_anywhere "$E"

# --- tracers that lose sight of their tracee ---
run timeout -s KILL 20 strace -f -o /dev/null chcontext --silent true
is "$rc" 0 "strace: 'strace -f chcontext true' from context 0 finishes (no hang)"
# (the time limit inside the new context: from context 0 it could not kill)
run chcontext --silent timeout -s KILL 20 strace -f -o /dev/null chcontext --silent true
is "$rc" 0 "strace: 'strace -f chcontext true' from a context of its own finishes (no hang)"
# A tracer in a context keeps no attachment to a task that moved on.
setsid chcontext --silent timeout -s KILL 20 strace -f -o /dev/null \
	chcontext --silent sleep 1001 </dev/null >/dev/null 2>&1 &
tracer_job=$!
disown "$tracer_job"
moved=
for _ in $(seq 100); do
	moved=$(chcontext --silent --ctx 1 pgrep -x -f 'sleep 1001')
	[ -n "$moved" ] && break
	sleep 0.1
done
if [ -n "$moved" ]; then
	escape_track "$moved"
	is "$(field "$moved" TracerPid)" 0 \
		"strace: a task that moved to another context has no tracer left (TracerPid 0)"
else
	fail "strace: a task that moved to another context has no tracer left (TracerPid 0)" \
		"the traced chcontext never ran sleep 1001"
fi
kill_anywhere "$moved"
kill -KILL "$tracer_job" 2>/dev/null

escape_finish
