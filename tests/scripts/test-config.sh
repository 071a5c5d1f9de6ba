#!/bin/sh
# The shared library: reading configuration files, where the configuration
# and run directories are, and the context to name map.
TEST=config
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1
need_vserver_exec

PROG=test-config
# shellcheck source=../../scripts/lib/vserver-functions.sh
. "$SCRIPTS/lib/vserver-functions.sh"

C=$T/x.conf
cat >"$C" <<'EOS'
# comment S_CONTEXT=1
A=plain
B="double quoted"   # comment
C='single quoted'
  export D=exported
E=1
E=2
F=value;other=1
G=
H="unterminated
EOS
for kv in A=plain "B=double quoted" "C=single quoted" D=exported E=2 \
	F=value G=; do
	run vs_conf_value "$C" "${kv%%=*}"
	check "vs_conf_value ${kv%%=*}" "0|${kv#*=}" "$RC|$OUT"
done
for k in H S_CONTEXT comment; do
	run vs_conf_value "$C" "$k"
	check "vs_conf_value $k: no assignment" "1|" "$RC|$OUT"
done
run vs_conf_value "$T/missing.conf" A
check "vs_conf_value: missing file" "1|" "$RC|$OUT"

show_dirs() {
	(
		vs_init_dirs
		printf '%s %s %s' "$VSERVER_CONFDIR" "$VSERVER_RUNDIR" "$VSERVER_PROC"
	)
}
check "defaults" "/etc/vservers /var/run/vservers /proc" "$(show_dirs)"
G=$T/vservers.conf
printf 'VSERVER_CONFDIR="%s/conf dir"\nVSERVER_RUNDIR=%s/run\n' "$T" "$T" >"$G"
check "global file" "$T/conf dir $T/run /proc" \
	"$(VSERVER_GLOBAL_CONF=$G show_dirs)"
check "environment before the global file" "/c $T/run /p" \
	"$(VSERVER_GLOBAL_CONF=$G VSERVER_CONFDIR=/c VSERVER_PROC=/p show_dirs)"
check "empty variables count as unset" "$T/conf dir /r /proc" \
	"$(VSERVER_GLOBAL_CONF=$G VSERVER_CONFDIR='' VSERVER_RUNDIR=/r show_dirs)"

mkdir -p "$T/conf dir" "$T/run"
printf '12\n' >"$T/run/b.ctx"
printf ' 0013 \n' >"$T/run/a.ctx"
printf '\n' >"$T/run/empty.ctx"
mkdir "$T/run/dir.ctx"
printf 'S_CONTEXT=014\n' >"$T/conf dir/c.conf"
printf 'S_CONTEXT=12\n' >"$T/conf dir/b.conf"
printf 'S_CONTEXT=-3\n' >"$T/conf dir/neg.conf"
printf 'S_HOSTNAME=x\n' >"$T/conf dir/d.conf"
check "context map" "\
0 MAIN
1 ALL_PROCS
13 a
12 b
12 b
14 c" "$(VSERVER_GLOBAL_CONF=$G vs_init_dirs && vs_ctx_map)"

mkdir -p "$T/p/self"
printf 'Name:\tsh\ns_context:\t7\nctxflags:\tlock\n' >"$T/p/self/status"
check "vs_self_ctx" 7 "$(VSERVER_PROC=$T/p vs_self_ctx)"
check "vs_self_ctx without vserver" "" "$(VSERVER_PROC=$T/none vs_self_ctx)"

# The current directory is never where vserver-exec is looked for (the
# init scripts source the library without a directory of their own).
mkdir "$T/cwd"
printf '#!/bin/sh\necho planted\n' >"$T/cwd/vserver-exec"
chmod 755 "$T/cwd/vserver-exec"
# shellcheck disable=SC2016 # (for the inner shell)
run env -u VSERVER_EXEC PATH=/usr/bin:/bin sh -c 'cd "$1" && . "$2" && vs_find_tool && echo "$_vs_tool"' \
	sh "$T/cwd" "$SCRIPTS/lib/vserver-functions.sh"
check "no vserver-exec from the current directory" "1||vserver: cannot find vserver-exec" \
	"$RC|$OUT|$ERR"

finish
