#!/bin/sh
# vps: the CTX, NAME and IP columns after PID, for several ps formats, with a
# fake ps on PATH and a fake proc tree.
TEST=vps
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

P=$T/proc
mkdir -p "$P" "$T/etc" "$T/run" "$T/bin"
fake_proc "$P" 1 0 1 1 0 0 0 init
fake_proc "$P" 2 0 - - 0 0 0 kthreadd
fake_proc "$P" 100 5 1 1 0 0 0 nginx '127.0.5.1 127.0.5.2'
fake_proc "$P" 200 7 1 1 0 0 0 sendmail 10.0.0.7
fake_proc "$P" 300 49152 1 1 0 0 0 sleep
fake_proc "$P" 400 1 1 1 0 0 0 ps
fake_proc "$P" 1234 5 1 1 0 0 0 'Web Content' 127.0.5.2
printf '5\n' >"$T/run/web.ctx"
printf 'S_CONTEXT=7\n' >"$T/etc/mail.conf"

# The fake ps records its arguments and prints what real ps would.
cat >"$T/bin/ps" <<'EOS'
#!/bin/sh
printf '%s\n' "$*" >"$FAKE_DIR/ps.args"
case $* in
ax)
	cat <<'OUT'
    PID TTY      STAT   TIME COMMAND
      1 ?        Ss     0:01 /sbin/init
      2 ?        S      0:00 [kthreadd]
    100 ?        S      0:00 nginx: master process
    200 pts/0    S+     0:00 sendmail: MTA
    300 ?        S      0:00 sleep 1000
    400 ?        R      0:00 ps ax
    777 ?        S      0:00 gone
OUT
	;;
-ef)
	cat <<'OUT'
UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:55 ?        00:00:01 /sbin/init
verylongname1     100       1  0 10:55 ?        00:00:00 nginx: master
mail         200       1  0 10:56 pts/0    00:00:00 sendmail: MTA
OUT
	;;
'-o comm,pid')
	cat <<'OUT'
COMMAND             PID
Web Content        1234
sleep 1000          300
OUT
	;;
'-o pid')
	printf '    PID\n      1\n    300\n'
	;;
--many)
	echo '    PID'
	seq 10000 17999
	;;
'-o pid=' | --no-headers)
	printf '      1\n    300\n'
	;;
*)
	echo "error: unsupported option (BSD syntax)" >&2
	exit 1
	;;
esac
EOS
chmod +x "$T/bin/ps"

PATH=$T/bin:$PATH
FAKE_DIR=$T
export PATH FAKE_DIR
export VSERVER_PROC="$P" VSERVER_CONFDIR="$T/etc" VSERVER_RUNDIR="$T/run"
export VSERVER_SKIP_CHCONTEXT=1

run "$SCRIPTS/vps"
check "default arguments are ax" ax "$(cat "$T/ps.args")"
check "ax: status and stderr" "0|" "$RC|$ERR"
check "ax: CTX, NAME and IP after PID" "\
    PID   CTX NAME      IP          TTY      STAT   TIME COMMAND
      1     0 MAIN      -           ?        Ss     0:01 /sbin/init
      2     0 MAIN      -           ?        S      0:00 [kthreadd]
    100     5 web       127.0.5.1+1 ?        S      0:00 nginx: master process
    200     7 mail      10.0.0.7    pts/0    S+     0:00 sendmail: MTA
    300 49152           -           ?        S      0:00 sleep 1000
    400     1 ALL_PROCS -           ?        R      0:00 ps ax
    777     ?           -           ?        S      0:00 gone" "$OUT"

run "$SCRIPTS/vps" -ef
check "-ef: arguments passed unchanged" -ef "$(cat "$T/ps.args")"
check "-ef: PID found by position, or by field when a column overflowed" "\
UID          PID   CTX NAME IP             PPID  C STIME TTY          TIME CMD
root           1     0 MAIN -                 0  0 10:55 ?        00:00:01 /sbin/init
verylongname1     100     5 web  127.0.5.1+1       1  0 10:55 ?        00:00:00 nginx: master
mail         200     7 mail 10.0.0.7          1  0 10:56 pts/0    00:00:00 sendmail: MTA" "$OUT"

run "$SCRIPTS/vps" -o comm,pid
check "-o comm,pid: PID as the last column, blanks in the command" "0||\
COMMAND             PID   CTX NAME IP
Web Content        1234     5 web  127.0.5.2
sleep 1000          300 49152      -" "$RC|$ERR|$OUT"

run "$SCRIPTS/vps" -o pid
check "-o pid: only PID" "\
    PID   CTX NAME IP
      1     0 MAIN -
    300 49152      -" "$OUT"

run "$SCRIPTS/vps" -o pid=
check "-o pid=: no header, output unchanged with a warning" "0|\
vps: no PID column in the ps output, shown unchanged|\
      1
    300" "$RC|$ERR|$OUT"

run "$SCRIPTS/vps" -Z
check "a ps error: its message and status, nothing else" "1|\
error: unsupported option (BSD syntax)|" "$RC|$ERR|$OUT"

run "$SCRIPTS/vps" ax --help
check "--help after the first argument goes to ps" "ax --help" \
	"$(cat "$T/ps.args")"

# 8,000 processes: a process table longer than one environment string may
# be (it failed to start awk: "Argument list too long").
seq 10000 17999 | sed "s|^|$P/|" | xargs mkdir
awk -v P="$P" 'BEGIN { for (i = 10000; i < 18000; i++) {
	f = P "/" i "/status"; printf "Name:\tmany\ns_context:\t9\n" > f; close(f) } }'
run "$SCRIPTS/vps" --many
check "8,000 processes: every one with its context" "0||8001|17999     9      -" \
	"$RC|$ERR|$(printf '%s\n' "$OUT" | wc -l)|$(printf '%s\n' "$OUT" | tail -n 1)"

finish
