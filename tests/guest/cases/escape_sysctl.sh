#!/bin/bash
# Escapes through the host's global knobs: sysctls, sysrq, the other
# global /proc files and the pseudo file systems (sysfs, cgroupfs,
# debugfs, binfmt_misc, securityfs).  From a started server, from a
# chcontext --secure sandbox (root, host file system, secure ceiling) and
# from a plain chcontext (root with every capability, in a new context):
#  - a write to any /proc/sys file fails with EPERM, whatever the file's
#    mode and the caller's capabilities, except those of the context's own
#    UTS and IPC namespaces, which change only the context's value (the
#    kernel answers before the mount table, which inside a started server
#    also says /proc/sys is read-only but for those);
#  - reading /proc/sys stays allowed;
#  - /proc/sysrq-trigger and every other global /proc file: EPERM (inside
#    a server, sysrq-trigger and core_pattern are masked: EACCES);
#  - sysfs, cgroupfs, debugfs, binfmt_misc, securityfs: EPERM.
# Each time the host's value must be unchanged afterwards.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start
ESC_INTACT="host value unchanged"

# The contents of FILE on the host, bracketed (a victim: must not change).
# shellcheck disable=SC2317 # (called through refused)
host_value() { printf '[%s]\n' "$(cat "$1" 2>&1)"; }

# sysctl_attack WHO NAME VALUE CMD...: CMD writes VALUE to sysctl NAME; the
# write must fail with $SYSCTL_REFUSAL (default EPERM; at open or at
# write) and the host keep its value.  Should the write get through, the host's value is put back.
sysctl_attack() {
	local who=$1 name=$2 value=$3 file before errno=${SYSCTL_REFUSAL:-EPERM}
	shift 3
	file=/proc/sys/${name//.//}
	if [ ! -e "$file" ]; then
		fail "sysctl: $name write from $who fails with $errno" "setup: $file does not exist"
		return
	fi
	before=$(cat "$file")
	if [ "$before" = "$value" ]; then
		fail "sysctl: $name write from $who fails with $errno" "setup: $value is already the value"
		return
	fi
	refused "sysctl: $name write from $who fails with $errno" "(open|write) $errno" \
		"host_value $file" "$@" vx-attack write "$file" "$value"
	[ "$(cat "$file")" = "$before" ] || printf '%s\n' "$before" >"$file"
}

# Each attack from inside the server (/bin/vx-attack in its tree, its own,
# masked /proc), from a chcontext --secure sandbox and from root with every
# capability in a new context (both on the host's /proc).  INSIDE_REFUSAL:
# the errno inside when not EPERM.
# shellcheck disable=SC2317 # (called through sysctl_attack and refused)
secure() { chcontext --silent --secure "$@"; }
# shellcheck disable=SC2317
fullcaps() { chcontext --silent "$@"; }
flip() { [ "$(cat "/proc/sys/${1//.//}")" = 0 ] && echo 1 || echo 0; }
everywhere() {
	SYSCTL_REFUSAL=${INSIDE_REFUSAL:-EPERM} sysctl_attack inside "$@" inside
	sysctl_attack "a chcontext --secure root" "$@" secure
	sysctl_attack "a chcontext root with every capability" "$@" fullcaps
}
everywhere kernel.randomize_va_space 0
everywhere fs.protected_symlinks "$(flip fs.protected_symlinks)"
everywhere vm.swappiness 1
everywhere net.ipv4.ip_unprivileged_port_start 80
INSIDE_REFUSAL=EACCES everywhere kernel.core_pattern "|/bin/vx-attack"
if [ -e /proc/sys/kernel/modprobe ]; then
	everywhere kernel.modprobe /tmp/vxesc
else
	printf '# kernel.modprobe: not in this kernel (no modules); kernel.poweroff_cmd instead\n'
fi
everywhere kernel.poweroff_cmd /tmp/vxesc
everywhere kernel.sysrq "$(flip kernel.sysrq)"
everywhere net.ipv4.ping_group_range "0 2147483647"
everywhere user.max_user_namespaces 0
everywhere kernel.printk_ratelimit 0
everywhere kernel.dmesg_restrict "$(flip kernel.dmesg_restrict)"

# Reading stays allowed.
run inside cat /proc/sys/kernel/randomize_va_space /proc/sys/vm/swappiness
is "$out" "$(cat /proc/sys/kernel/randomize_va_space /proc/sys/vm/swappiness)" \
	"sysctl: reading kernel.randomize_va_space and vm.swappiness inside works (the host's values)"

# The context's own UTS and IPC sysctls: they work, and only inside.
ESC_INTACT="host value unchanged"
own_sysctl() {
	local name=$1 value=$2 file=/proc/sys/${1//.//}
	refused "sysctl: $name (the server's own) write from inside works" ok "host_value $file" \
		attack write "$file" "$value"
	run inside cat "$file"
	is "$out" "$value" "sysctl: $name inside reads the value written inside"
}
own_sysctl kernel.hostname vxesc-renamed
own_sysctl kernel.domainname vxesc-nis
own_sysctl kernel.shmmax 1048576
own_sysctl kernel.msgmax 4096
own_sysctl fs.mqueue.msg_max 64

# The mount table inside says what the kernel says (defence in depth).
run inside awk '$5 == "/proc/sys" { print $6 }' /proc/self/mountinfo
case $out in ro,*) pass "mask: /proc/sys is mounted read-only inside" ;;
*) fail "mask: /proc/sys is mounted read-only inside" "mount options: $out" ;; esac
for f in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /proc/timer_list /proc/kallsyms; do
	run inside vx-attack read "$f"
	is "$out" "open EACCES" "mask: $f cannot be opened inside"
done
run inside ls -A /proc/irq /proc/bus
is "$out" "$(printf '/proc/bus:\n\n/proc/irq:')" "mask: /proc/irq and /proc/bus are empty inside"
run inside sh -c 'mkdir /proc/irq/x 2>/dev/null || touch /proc/irq/x 2>/dev/null || echo refused'
is "$out" refused "mask: nothing can be created in the masked /proc/irq"

# sysrq: the harmless key h (help), whose effect is a line in the host's
# kernel log.
# shellcheck disable=SC2317 # (called through refused)
sysrq_help() { dmesg | grep -c 'sysrq: HELP'; }
refused "sysrq: writing h to /proc/sysrq-trigger from inside fails with EACCES (masked)" \
	"open EACCES" sysrq_help attack write /proc/sysrq-trigger h
refused "sysrq: writing h to /proc/sysrq-trigger from a chcontext root with every capability fails with EPERM" \
	"(open|write) EPERM" sysrq_help fullcaps vx-attack write /proc/sysrq-trigger h
# Another global /proc file: User-Mode Linux's exitcode (the guest's exit
# status), when the kernel has it.
if [ -e /proc/exitcode ]; then
	refused "global /proc: writing 42 to /proc/exitcode from inside fails with EPERM" \
		"(open|write) EPERM" "host_value /proc/exitcode" attack write /proc/exitcode 42
	echo 0 >/proc/exitcode
fi

# The pseudo file systems, from a chcontext --secure root on the host's.
mkdir -p /sys/kernel/debug
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug ||
	fail "setup: debugfs mounted on /sys/kernel/debug"
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
	fail "setup: binfmt_misc mounted on /proc/sys/fs/binfmt_misc"
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security ||
	fail "setup: securityfs mounted on /sys/kernel/security"
mkdir /sys/fs/cgroup/vxesc || fail "setup: a cgroup /sys/fs/cgroup/vxesc"

pflip() { [ "$(cat "$1")" = N ] && echo Y || echo N; }
time_file=/sys/module/printk/parameters/time
refused "sysfs: writing /sys/module/printk/parameters/time from a chcontext --secure root fails with EPERM" \
	"(open|write) EPERM" "host_value $time_file" secure vx-attack write "$time_file" "$(pflip "$time_file")"
refused "sysfs: the same from a chcontext root with every capability fails with EPERM" \
	"(open|write) EPERM" "host_value $time_file" fullcaps vx-attack write "$time_file" "$(pflip "$time_file")"
# (the sandbox's shell starts a sleep and tries to move it: were the move
# let through, the sleep would show in the other cgroup)
# shellcheck disable=SC2016
refused "cgroupfs: a chcontext --secure root moving its process to another cgroup fails with EPERM" \
	"(open|write) EPERM" "host_value /sys/fs/cgroup/vxesc/cgroup.procs" \
	secure sh -c 'sleep 30 </dev/null >/dev/null 2>&1 &
		exec vx-attack write /sys/fs/cgroup/vxesc/cgroup.procs $!'
echo 1 >/sys/fs/cgroup/vxesc/cgroup.kill
refused "cgroupfs: writing cgroup.max.descendants from a chcontext --secure root fails with EPERM" \
	"(open|write) EPERM" "host_value /sys/fs/cgroup/vxesc/cgroup.max.descendants" \
	secure vx-attack write /sys/fs/cgroup/vxesc/cgroup.max.descendants 0
refused "debugfs: writing fault_around_bytes from a chcontext --secure root fails with EPERM" \
	"(open|write) EPERM" "host_value /sys/kernel/debug/fault_around_bytes" \
	secure vx-attack write /sys/kernel/debug/fault_around_bytes 4096
# shellcheck disable=SC2317 # (called through refused)
binfmt_list() { printf '[%s]\n' "$(ls /proc/sys/fs/binfmt_misc)"; }
refused "binfmt_misc: registering a host interpreter from a chcontext --secure root fails with EPERM" \
	"(open|write) EPERM" binfmt_list \
	secure vx-attack write /proc/sys/fs/binfmt_misc/register ":vxesc:E::vxesc::/tmp/vxesc:"
[ -e /proc/sys/fs/binfmt_misc/vxesc ] && echo -1 >/proc/sys/fs/binfmt_misc/vxesc
refused "binfmt_misc: disabling binfmt_misc from a chcontext --secure root fails with EPERM" \
	"(open|write) EPERM" "host_value /proc/sys/fs/binfmt_misc/status" \
	secure vx-attack write /proc/sys/fs/binfmt_misc/status 0
echo 1 >/proc/sys/fs/binfmt_misc/status
if [ -e /sys/kernel/security/apparmor/.remove ]; then
	refused "securityfs: removing an AppArmor profile from a chcontext root with every capability fails with EPERM" \
		"(open|write) EPERM" "host_value /sys/kernel/security/apparmor/profiles" \
		fullcaps vx-attack write /sys/kernel/security/apparmor/.remove vxesc
else
	fail "setup: securityfs has AppArmor's .remove" "$(ls /sys/kernel/security)"
fi

# Controls: context 0 writes the same knobs (the values they have).
for name in vm.swappiness kernel.core_pattern kernel.sysrq net.ipv4.ip_unprivileged_port_start; do
	host write "/proc/sys/${name//.//}" "$(cat "/proc/sys/${name//.//}")"
	is "$out" ok "control: writing $name from context 0 works"
done
host write "$time_file" "$(cat "$time_file")"
is "$out" ok "control: writing /sys/module/printk/parameters/time from context 0 works"
host write /sys/kernel/debug/fault_around_bytes "$(cat /sys/kernel/debug/fault_around_bytes)"
is "$out" ok "control: writing debugfs fault_around_bytes from context 0 works"
host write /sys/fs/cgroup/vxesc/cgroup.max.descendants max
is "$out" ok "control: writing cgroup.max.descendants from context 0 works"
host write /proc/sys/fs/binfmt_misc/status 1
is "$out" ok "control: writing binfmt_misc's status from context 0 works"
is "$(hostname)" vserver-guest "the host's name is unchanged"
for _ in $(seq 50); do rmdir /sys/fs/cgroup/vxesc 2>/dev/null && break; sleep 0.1; done

escape_finish
