#!/bin/bash
# The fake init of a context (flag fakeinit) is pid 1 to its context the
# whole way, as the machine's init is to the host: in getpid(), /proc/1,
# /proc/PID/stat and status (its own and its children's), kill(1),
# tgkill(), setpgid(), SCM_CREDENTIALS, kill(-1); it cannot leave its
# context; once it has died, 1 names nothing, even when a process of the
# context gets its old number.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# What the fake init itself checks, one "name value" line each.
cat >"$TEST_TMP/init.py" <<'END'
import os, signal, socket, struct, threading, time, sys
out = []
def say(k, v): out.append("%s %s" % (k, v))
def status(pid, key):
    for l in open("/proc/%s/status" % pid):
        if l.startswith(key + ":"):
            return l.split()[1]
say("getpid", os.getpid())
say("proc1_pid", status(1, "Pid"))
say("proc1_tgid", status(1, "Tgid"))
say("proc1_stat", open("/proc/1/stat").read().split()[0])
say("self_stat", open("/proc/self/stat").read().split()[0])
# glibc's raise() and pthread_kill(): tgkill(getpid(), gettid())
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
try:
    signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
    time.sleep(0.1)
    say("tgkill", "delivered" if got else "lost")
except OSError as e:
    say("tgkill", os.strerror(e.errno))
try:
    os.kill(1, 0)
    say("kill1", "ok")
except OSError as e:
    say("kill1", os.strerror(e.errno))
try:
    os.setpgid(0, os.getpid())
    say("setpgid", "ok %d" % os.getpgid(0))
except OSError as e:
    say("setpgid", os.strerror(e.errno))
# SCM_CREDENTIALS with the pid getpid() gave
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
b.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
try:
    creds = struct.pack("3i", os.getpid(), os.getuid(), os.getgid())
    a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, creds)])
    msg, anc, _, _ = b.recvmsg(1, socket.CMSG_SPACE(12))
    say("scm_creds", "pid %d" % struct.unpack("3i", anc[0][2])[0])
except OSError as e:
    say("scm_creds", os.strerror(e.errno))
# A child: its parent is 1 in getppid() and in /proc; its kill(-1) spares 1.
pid = os.fork()
if pid == 0:
    os.write(1, ("child_getppid %d\nchild_ppid_status %s\nchild_ppid_stat %s\n" % (
        os.getppid(), status(os.getpid(), "PPid"),
        open("/proc/self/stat").read().split()[3])).encode())
    try:
        os.kill(-1, signal.SIGTERM)
    except ProcessLookupError:
        pass  # (nothing else to reach, as on the machine)
    os._exit(0)
caught = []
signal.signal(signal.SIGTERM, lambda s, f: caught.append(s))
sys.stdout.write("\n".join(out) + "\n")
sys.stdout.flush()
os.waitpid(pid, 0)
time.sleep(0.1)
print("kill_minus_1", "spared" if not caught else "reached")
sys.stdout.flush()
# Last: it cannot leave its context (chcontext reports the refusal).
os.execvp("chcontext", ["chcontext", "--silent", "true"])
END
run chcontext --silent --flag fakeinit python3 "$TEST_TMP/init.py"
is "$rc" 1 "the fake init's chcontext into a new context fails"
is "$err" "chcontext: cannot create a new security context: Device or resource busy" \
	"the fake init cannot leave its context (EBUSY)"
is "$(sort <<<"$out")" "$(sort <<'END'
getpid 1
proc1_pid 1
proc1_tgid 1
proc1_stat 1
self_stat 1
tgkill delivered
kill1 ok
setpgid ok 1
scm_creds pid 1
child_getppid 1
child_ppid_status 1
child_ppid_stat 1
kill_minus_1 spared
END
)" "the fake init is 1 in getpid, /proc, tgkill, kill, setpgid, SCM_CREDENTIALS; kill(-1) spares it"

# After the fake init has died, 1 names nothing, even a process of the
# context that gets its number (the host steers ns_last_pid).
cat >"$TEST_TMP/orphan.sh" <<'END'
d=$1
( # the survivor: waits, without forking, until the host says go
	while [ ! -e "$d/go" ]; do :; done
	sleep 100 &
	echo $! >"$d/reuser"
	for _ in $(seq 100); do [ -e "$d/reused" ] && break; sleep 0.05; done
	if kill -0 1 2>/dev/null; then echo "kill1 reached"; else echo "kill1 ESRCH"; fi
	if [ -e /proc/1 ]; then echo "proc1 exists"; else echo "proc1 gone"; fi
	kill $! 2>/dev/null
) </dev/null >"$d/survivor.out" 2>&1 &
exit 0
END
chcontext --silent --ctx 61 --flag fakeinit bash "$TEST_TMP/orphan.sh" "$TEST_TMP" </dev/null &
init=$!
wait "$init"
# (no fork here until the survivor's: each would take the number)
echo $((init - 1)) >/proc/sys/kernel/ns_last_pid
: >"$TEST_TMP/go"
deadline=$((SECONDS + 10))
until [ -s "$TEST_TMP/reuser" ] || [ $SECONDS -gt $deadline ]; do :; done
reuser=$(cat "$TEST_TMP/reuser")
: >"$TEST_TMP/reused"
for _ in $(seq 100); do [ "$(wc -l <"$TEST_TMP/survivor.out")" -ge 2 ] && break; sleep 0.05; done
if [ "$reuser" = "$init" ]; then
	pass "a process of the context got the dead fake init's number ($init)"
	is "$(cat "$TEST_TMP/survivor.out")" "kill1 ESRCH
proc1 gone" "after the fake init died, kill(1) and /proc/1 reach nothing, not its successor"
else
	skip "kill(1) after the fake init died, with its number reused" \
		"the number was not reused ($reuser, not $init)"
fi

# An orphan that moved to another context is not adopted by its father's
# context's fake init (which could then wait() for it): here, by the
# machine's init, since its own context has none.
cat >"$TEST_TMP/moved.sh" <<'END'
# (its father waits until it has gone: kill -0 then fails)
bash -c 'chcontext --silent sleep 100 </dev/null >/dev/null 2>&1 &
	echo $! >"$1/moved"
	for _ in $(seq 100); do kill -0 $! 2>/dev/null || break; sleep 0.05; done' sh "$1"
for _ in $(seq 100); do [ -e "$1/checked" ] && break; sleep 0.05; done
END
chcontext --silent --flag fakeinit bash "$TEST_TMP/moved.sh" "$TEST_TMP" </dev/null &
finit=$!
for _ in $(seq 100); do [ -s "$TEST_TMP/moved" ] && break; sleep 0.05; done
moved=$(cat "$TEST_TMP/moved")
# (context 1, the spectator, sees both contexts)
for _ in $(seq 100); do
	case $(field "$moved" PPid) in "$finit" | 1) break ;; esac
	sleep 0.05
done
is "$(field "$moved" PPid)" 1 \
	"an orphan in another context than its father's goes to the machine's init, not the fake init $finit"
is "$([ "$(field "$moved" s_context)" != "$(field "$finit" s_context)" ] && echo moved)" \
	moved "(the orphan is in a context of its own)"
: >"$TEST_TMP/checked"
wait "$finit"
kill -9 "$moved" 2>/dev/null
finish
