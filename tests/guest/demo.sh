#!/bin/bash
# A walk through security contexts in the patched guest, after the seed
# paper's "Playing with the new system calls".  Run by tests/demo.
set -u
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[36m# %s\033[0m\n' "$*"; bash -c "$*" 2>&1 | sed 's/^/   /'; }

step "The kernel: $(uname -r), vserver(2) answers"
show 'grep -E "^(s_context|ctxflags|initpid|CapBnd)" /proc/self/status'

step "A program in the main server (context 0)"
sleep 1000 &
main_sleep=$!
echo "   sleep 1000 running as pid $main_sleep"

step "A new security context cannot see it, nor kill it"
show "chcontext sh -c 'grep s_context /proc/self/status; ps ax; kill $main_sleep'"

step "Any user may do it: as nobody"
show "setpriv --reuid=65534 --regid=65534 --clear-groups chcontext --silent ps ax"

step "Root starts a service in its own context"
chcontext --silent --hostname web sleep 2000 &
sleep 0.5
show "ps ax  # context 0 does not see it"

step "Context 1 sees every context, but acts on none"
show "chcontext --silent --ctx 1 ps ax | grep 'sleep [12]000'"
web_pid=$(chcontext --silent --ctx 1 pgrep -f 'sleep 2000')
show "chcontext --silent --ctx 1 kill $web_pid"
show "vps ax | grep -E 'CTX|sleep [12]000'"
show "vserver-stat"

step "Which context is it in?  Enter that one, and the kill works"
ctx=$(chcontext --silent --ctx 1 awk '/^s_context/ {print $2}' /proc/"$web_pid"/status)
show "chcontext --silent --ctx 1 grep -E '^(Name|s_context)' /proc/$web_pid/status"
show "chcontext --silent --ctx $ctx kill $web_pid && echo killed"

step "Each context has its own host name and SysV IPC"
show "chcontext --silent --hostname web sh -c 'hostname; ipcmk -Q >/dev/null; ipcs -q | grep -c 0x'"
show "hostname; ipcs -q | grep -c 0x"

step "A fake init: getpid() is 1 inside"
show "chcontext --silent --flag fakeinit sh -c 'echo \"my pid: \$\$\"; grep -E \"^(Name|initpid)\" /proc/1/status'"

step "reducecap --secure: a lower ceiling, even for setuid root"
cp /bin/bash /tmp/rootsh && chmod 4755 /tmp/rootsh
show "reducecap --show --secure"
show "setpriv --reuid=65534 --regid=65534 --clear-groups reducecap --secure /tmp/rootsh -p -c 'echo euid=\$EUID; grep -E \"^Cap(Eff|Bnd)\" /proc/self/status; ip link add demo0 type dummy'"

kill "$main_sleep"
step "Done"
