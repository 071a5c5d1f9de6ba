#!/bin/bash
# Registers the CPU refuses: root in a server (with a server's ceiling)
# gives a process it traces an FS or GS base in the kernel half of the
# address space, and the process tries the same with arch_prctl, while the
# tracer cancels every signal.  The kernel must stay up, refuse each write
# as x86 does (EIO, EPERM), and each process end.  A signal handler that
# returns through a frame whose code segment the CPU refuses must leave
# the process alive, as on x86 (where its own SIGSEGV handler recovers).  User-Mode Linux 6.12
# took the write, then the host refused to load it: the process was killed
# with SIGSEGV, and a tracer that cancelled the signal ended the whole
# guest kernel (kernel-patch/guest-fixes/ carries the fixes of both).
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

# (timeout inside the new context: one in context 0 could not signal it)
run chcontext --silent --secure timeout 60 vx-badregs
is "$rc" 0 "every traced process ends ($err)"
for what in "ptrace fs_base" "ptrace gs_base" "arch_prctl fs" "arch_prctl gs"; do
	like "$out" "$what: refused" "$what: the write is refused"
done
like "$out" "sigreturn cs: exit 0" \
	"a frame with a code segment the CPU refuses: the process survives (its SIGSEGV handler, or no fault)"
finish
