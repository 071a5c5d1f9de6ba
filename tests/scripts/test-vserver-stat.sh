#!/bin/sh
# vserver-stat on a fake proc tree: sums, units, time formats, sorting by
# context id, the name of each context and the addresses its processes are
# locked to.
TEST=vserver-stat
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

[ "$(getconf CLK_TCK)" = 100 ] || skip "the tick counts below assume CLK_TCK 100"

P=$T/proc
mkdir -p "$P/self" "$P/500" "$P/net" "$T/etc" "$T/run"
printf '200000.00 12345.67\n' >"$P/uptime"
printf 'Name:\tvserver-stat\ns_context:\t1\n' >"$P/self/status"
#             pid   ctx   VmSize     VmRSS      utime  stime start    comm
fake_proc "$P" 1    0     10240      2048       150    50    0        init
fake_proc "$P" 2    0     -          -          0      30    1        kthreadd
fake_proc "$P" 100  5     1048576    1536       6000   12    19500000 nginx '127.0.5.1 127.0.5.2'
fake_proc "$P" 101  5     512        100        360000 7     19600000 'odd) (name' '127.0.5.2 127.0.5.3'
fake_proc "$P" 200  7     2047       1023       12345  99    19000000 sendmail 10.0.0.7
fake_proc "$P" 250  10    5          5          0      0     19999999 sleep
fake_proc "$P" 300  49152 3145728    1073741824 0      0     0        big
fake_proc "$P" 301  49152 -          -          0      0     100      zombie
fake_proc "$P" 400  1     100        0          1      0     19999000 vserver-stat
fake_proc "$P" 600  5     1          1          1      1     1        half
rm "$P/600/stat" # 600 exited between the two reads; 500 before any

printf '5\n' >"$T/run/web.ctx"
printf 'abc\n' >"$T/run/stale.ctx"
printf 'S_CONTEXT=5\n' >"$T/etc/old.conf"
printf 'S_CONTEXT=5\n' >"$T/etc/web.conf"
printf 'IPROOT=10.0.0.7\nS_CONTEXT="7"\nS_HOSTNAME=mail\n' >"$T/etc/mail.conf"
printf "  export S_CONTEXT='10'   # fixed\n" >"$T/etc/ten.conf"
printf '#S_CONTEXT=49152\nS_HOSTNAME=nofixed\n' >"$T/etc/nofixed.conf"
printf 'S_CONTEXT=1\n' >"$T/etc/bad.conf"

export VSERVER_PROC="$P" VSERVER_CONFDIR="$T/etc" VSERVER_RUNDIR="$T/run"
export VSERVER_SKIP_CHCONTEXT=1
run "$SCRIPTS/vserver-stat"
check "exit status" 0 "$RC"
check "nothing on stderr" "" "$ERR"
check "report" "\
CTX    PROC     VSZ     RSS   userTIME    sysTIME     UPTIME NAME      ADDRESSES
0         2   10.0M    2.0M   0m01.50s   0m00.80s   2d07h33m MAIN      -
1         1    100K      0K   0m00.01s   0m00.00s   0m10.00s ALL_PROCS -
5         2    1.0G    1.6M   1h01m00s   0m00.19s   1h23m20s web       127.0.5.1,127.0.5.2,127.0.5.3
7         1    2.0M   1023K   2m03.45s   0m00.99s   2h46m40s mail      10.0.0.7
10        1      5K      5K   0m00.00s   0m00.00s   0m00.01s ten       -
49152     2    3.0G    1.0T   0m00.00s   0m00.00s   2d07h33m           -" "$OUT"

# The same tree seen without s_context lines is context 0 only.
P2=$T/proc2
mkdir -p "$P2"
cp "$P/uptime" "$P2/uptime"
fake_proc "$P2" 1 - 2048 1024 100 100 0 init
fake_proc "$P2" 7 - 2048 1024 100 100 100 sh
VSERVER_PROC=$P2 run "$SCRIPTS/vserver-stat"
check "no vserver lines: everything is context 0" "\
CTX    PROC     VSZ     RSS   userTIME    sysTIME     UPTIME NAME      ADDRESSES
0         2    4.0M    2.0M   0m02.00s   0m02.00s   2d07h33m MAIN      -" "$OUT"

run "$SCRIPTS/vserver-stat" extra
check "an argument is a usage error" "1|vserver-stat: unexpected argument 'extra'
Try 'vserver-stat --help' for more information.|" "$RC|$ERR|$OUT"

finish
