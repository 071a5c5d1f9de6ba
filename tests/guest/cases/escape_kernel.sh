#!/bin/bash
# The host's kernel against root inside a started server (vserver NAME
# start, the default ceiling): the calls that load or replace the kernel,
# reboot the machine, set its clock, watch or fault on behalf of every
# process, or open files by handle, each tried from inside (vx-attack
# kernel CALL) after the same call from context 0 showed that the kernel
# lets it in.  Each must fail with EPERM (the capability it needs is above
# the ceiling) and leave the host as it was; a call this kernel lacks
# (ENOSYS, or no /proc/kcore, in context 0 too) is only checked to fail
# the same way inside, and the output says so.  /proc/kcore, masked inside,
# is also tried from a chcontext --secure sandbox on the host's /proc.
#
# open_by_handle_at(2) is the attack that turned a chroot inside out
# (CVE-2014-3519's "shocker"): a server's tree is a directory of the
# host's filesystem, so a handle names any file of it, the tree's root no
# boundary.  Host root chrooted into the server's tree reads a host secret
# that way (the control); root inside the server gets EPERM.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start

# What a call let in would change on the host: swap areas, the kexec image,
# process accounting and the clock's tick, read in context 0.
host_kernel() {
	printf 'swaps=%s kexec=%s tick=%s\n' "$(tail -n +2 /proc/swaps | wc -l)" \
		"$(cat /sys/kernel/kexec_loaded 2>/dev/null || echo none)" \
		"$(python3 -c 'import ctypes, ctypes.util
buf = (ctypes.c_long * 64)()
ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).adjtimex(buf)
print(buf[11])' 2>/dev/null || echo unknown)"
}
KS=host_kernel
like "$($KS)" '^swaps=[0-9]+ kexec=[0-9a-z]+ tick=[0-9]+$' "setup: the host's swaps, kexec image and tick read"

# kernel_call CALL LET_IN WHAT [HOST_PATH]: vx-attack kernel CALL
# [HOST_PATH] in context 0 must get LET_IN (an extended regular
# expression), then vx-attack kernel CALL from inside EPERM.
kernel_call() {
	local call=$1 let_in=$2 what=$3
	host kernel "$call" ${4:+"$4"}
	case $call:$out in
	*:ENOSYS)
		printf '# %s: not in this kernel (%s in context 0): only that is checked inside\n' "$call" "$out"
		refused "$what from inside fails ($out: not in this kernel)" "$out" "$KS" attack kernel "$call"
		return
		;;
	esac
	like "$out" "^($let_in)\$" "control: $what from context 0 is let in ($out)"
	refused "$what from inside fails with EPERM" "(fanotify_init )?EPERM" "$KS" attack kernel "$call"
}

# (this program is no module: once let in, the module loader refuses it)
kernel_call finit_module 'ENOEXEC|EINVAL|EBADMSG|EKEYREJECTED|ENOKEY' \
	"modules: finit_module() (CAP_SYS_MODULE)"
kernel_call delete_module ENOENT "modules: delete_module() (CAP_SYS_MODULE)"
kernel_call kexec_load ok "kexec: kexec_load() (CAP_SYS_BOOT)"
kernel_call kexec_file_load ok "kexec: kexec_file_load() (CAP_SYS_BOOT)"
kernel_call reboot EINVAL "reboot: reboot(2) (CAP_SYS_BOOT; bad magic, EINVAL once let in)"
kernel_call clock_settime ok "time: clock_settime(CLOCK_REALTIME) (CAP_SYS_TIME)"
kernel_call adjtimex ok "time: adjtimex(ADJ_TICK) (CAP_SYS_TIME)"
kernel_call swapon ok "swap: swapon() (CAP_SYS_ADMIN)"
kernel_call acct ok "accounting: acct() (CAP_SYS_PACCT)"
kernel_call bpf ok "bpf: BPF_PROG_GET_NEXT_ID, the host's programs (CAP_SYS_ADMIN)"
kernel_call userfaultfd ok "userfaultfd: faults in kernel mode too (CAP_SYS_PTRACE)"
attack kernel userfaultfd-user
is "$out" ok "userfaultfd: user-mode faults only, as any user may, inside: allowed"
# (the guest's / is the build machine's, through hostfs, which fanotify
# cannot mark: the control marks the test's tmpfs, the server's own /)
kernel_call fanotify ok "fanotify: a mark on a whole filesystem (CAP_SYS_ADMIN)" "$VS_TOP"
kernel_call iopl ok "I/O ports: iopl(3) (CAP_SYS_RAWIO)"
# /proc/kcore: inside a server vserver-exec binds the null device over it
# (nodev: EACCES), so the kernel's own fence, the ceiling without
# CAP_SYS_RAWIO, is tried on the host's /proc from a chcontext --secure
# sandbox.
host kernel kcore
if [ "$out" = ENOENT ]; then
	printf '# kcore: not in this kernel (ENOENT in context 0): only that is checked inside\n'
	refused "memory: open /proc/kcore from inside fails (ENOENT: not in this kernel)" ENOENT \
		"$KS" attack kernel kcore
else
	is "$out" ok "control: memory: open /proc/kcore from context 0 is let in"
	refused "memory: /proc/kcore is masked inside: open fails with EACCES" EACCES \
		"$KS" attack kernel kcore
	refused "memory: open /proc/kcore from a chcontext --secure sandbox fails with EPERM (CAP_SYS_RAWIO)" \
		EPERM "$KS" chcontext --silent --secure vx-attack kernel kcore
fi

# --- open_by_handle_at: a host file through a handle ---
secret=$VS_TOP/host-secret
echo "vx host secret $$" >"$secret"
SS="cat $secret"
host handle "$secret"
handle=$out
like "$handle" '^[0-9]+ [0-9a-f]+$' "setup: the host's handle of $secret (name_to_handle_at)"
# shellcheck disable=SC2086 # TYPE and HEX are two words
check_run "control: host root chrooted into the server's tree opens $secret by its handle" \
	0 "vx host secret $$" "" chroot "$ESC_ROOT" /bin/vx-attack open-handle $handle
# shellcheck disable=SC2086
refused "handles: open_by_handle_at of a host file from inside fails with EPERM" EPERM "$SS" \
	attack open-handle $handle
attack handle /etc/passwd
own=$out
like "$own" '^[0-9]+ [0-9a-f]+$' "handles: name_to_handle_at of its own file inside works (no capability)"
# shellcheck disable=SC2086
refused "handles: open_by_handle_at of its own file from inside fails with EPERM too" EPERM \
	"cat $ESC_ROOT/etc/passwd" attack open-handle $own

escape_cleanup
finish
