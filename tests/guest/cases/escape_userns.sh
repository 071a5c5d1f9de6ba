#!/bin/bash
# Escapes from the capability ceiling through user namespaces: root inside
# a started server, in a chcontext --secure sandbox, in a chcontext with
# every capability and an ordinary user in a new context try to create a
# user namespace (unshare, clone, clone3) or to join the host's (setns on a
# descriptor handed in).
#  - outside context 0 each fails with EPERM;
#  - a context created with the flag userns may create user namespaces,
#    but their capability sets are the context's ceiling: with the secure
#    ceiling a mount in the new namespaces still fails;
#  - context 0 does all of it (control).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start

# The victim: a host process in a user namespace of its own (owned by
# root), whose namespace an attacker would join to get every capability.
bg_start unshare -U sleep 1000
H=$!
escape_track "$H"
wait_ready "$H" sleep 0 || escape_abort "a host process in its own user namespace"
ns_of() { readlink "/proc/$1/ns/user"; }
[ "$(ns_of "$H")" != "$(ns_of $$)" ] || fail "setup: the host process has a user namespace of its own"
HS="us_state"
us_state() { printf '%s userns=%s\n' "$(proc_state "$H")" "$(ns_of "$H")"; }
# handing CMD... the host user namespace on descriptor 0
# shellcheck disable=SC2317 # (called through refused and run)
with_ns() { vx-attack with-fd 0 "/proc/$H/ns/user" -- "$@"; }

# Root inside the server.
refused "userns: unshare(CLONE_NEWUSER) inside fails with EPERM" EPERM "$HS" attack unshare user
refused "userns: unshare(CLONE_NEWUSER|CLONE_NEWNS) inside fails with EPERM" EPERM "$HS" \
	attack unshare user,mnt
refused "userns: clone(CLONE_NEWUSER) inside fails with EPERM" EPERM "$HS" attack clone user
refused "userns: clone3(CLONE_NEWUSER) inside fails with EPERM" EPERM "$HS" attack clone3 user
refused "userns: clone(CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET) inside fails with EPERM" EPERM "$HS" \
	attack clone user,pid,net
refused "userns: setns into the host's user namespace (descriptor handed in) inside fails with EPERM" \
	EPERM "$HS" with_ns chcontext --silent --secure --ctx "$ESC_CTX" vx-attack setns fd:0 user
# The issue's reproduction, with the server's busybox.
run inside unshare -r -m sh -c 'grep CapBnd /proc/self/status; mount -t tmpfs none /tmp && echo mounted'
is "$out" "" "userns: 'unshare -r -m' inside shows no bounding set and mounts nothing"
like "$rc $err" "^[1-9][0-9]* .*(Operation not permitted|EPERM)" \
	"userns: 'unshare -r -m' inside fails with EPERM"

# A chcontext --secure sandbox, root with every capability in a new
# context, and an ordinary user in a new context.
refused "userns: unshare(CLONE_NEWUSER) in a chcontext --secure root fails with EPERM" EPERM "$HS" \
	chcontext --silent --secure vx-attack unshare user
refused "userns: clone(CLONE_NEWUSER) in a chcontext --secure root fails with EPERM" EPERM "$HS" \
	chcontext --silent --secure vx-attack clone user
refused "userns: setns into the host's user namespace from a chcontext --secure root fails with EPERM" \
	EPERM "$HS" with_ns chcontext --silent --secure vx-attack setns fd:0 user
refused "userns: unshare(CLONE_NEWUSER) in a chcontext root with every capability fails with EPERM" \
	EPERM "$HS" chcontext --silent vx-attack unshare user
refused "userns: setns into the host's user namespace from a chcontext root with every capability fails with EPERM" \
	EPERM "$HS" with_ns chcontext --silent vx-attack setns fd:0 user
refused "userns: unshare(CLONE_NEWUSER) by an ordinary user in a new context fails with EPERM" \
	EPERM "$HS" as_user chcontext --silent vx-attack unshare user
run chcontext --silent --secure unshare -r true
is "$rc" 1 "userns: 'unshare -r true' in a chcontext --secure root fails"
like "$err" "Operation not permitted" "userns: 'unshare -r true' in a chcontext --secure root says EPERM"

# The flag userns: user namespaces, clamped to the context's ceiling.
secure_bnd=$(chcontext --silent --secure sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
[ -n "$secure_bnd" ] || fail "setup: the secure ceiling is known"
# shellcheck disable=SC2016
run chcontext --silent --secure --flag userns unshare -r -m sh -c \
	'grep -E "^Cap(Prm|Eff|Bnd):" /proc/self/status; mount -t tmpfs none /tmp && echo mounted'
if [ "$(printf '%s\n' "$out" | grep -c '^Cap')" = 3 ]; then
	pass "userns flag: a --secure context with the flag userns may create a user namespace"
else
	fail "userns flag: a --secure context with the flag userns may create a user namespace" \
		"status $rc, stdout:" "$out" "stderr:" "$err"
fi
for set in Prm Eff Bnd; do
	is "$(printf '%s\n' "$out" | sed -n "s/^Cap$set:[[:space:]]*//p")" "$secure_bnd" \
		"userns flag: Cap$set in the new user namespace is the context's ceiling ($secure_bnd)"
done
if [ "$rc" != 0 ] && ! printf '%s\n' "$out" | grep -q mounted &&
	printf '%s\n' "$err" | grep -Eq 'permission denied|Operation not permitted'; then
	pass "userns flag: mount -t tmpfs in the new namespaces fails with EPERM"
else
	fail "userns flag: mount -t tmpfs in the new namespaces fails with EPERM" \
		"status $rc, stdout:" "$out" "stderr:" "$err"
fi
is "$(us_state | cut -d' ' -f1)" S "userns flag: the host's user namespace holder is untouched"

# Controls: context 0 does it all.
host unshare user
is "$out" ok "control: unshare(CLONE_NEWUSER) in context 0 works"
host clone user
is "$out" ok "control: clone(CLONE_NEWUSER) in context 0 works"
host clone3 user
is "$out" ok "control: clone3(CLONE_NEWUSER) in context 0 works"
run with_ns vx-attack setns fd:0 user
is "$out" ok "control: setns into a root-owned user namespace in context 0 works"
# shellcheck disable=SC2016
run unshare -r -m sh -c 'grep CapBnd /proc/self/status; mount -t tmpfs none /tmp && echo mounted'
is "$rc/$out" "0/$(printf 'CapBnd:\t%s\nmounted' "$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)")" \
	"control: 'unshare -r -m' in context 0 has the full bounding set and mounts"

escape_finish
