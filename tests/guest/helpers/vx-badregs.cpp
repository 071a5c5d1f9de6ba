// vx-badregs: a process given registers the CPU refuses, for the guest test
// bad_registers: an FS or GS base in the kernel half of the address space,
// written by its tracer (PTRACE_POKEUSER) or by itself (arch_prctl).  The
// tracer cancels every signal the process gets.  On an x86_64 kernel the
// write is refused; User-Mode Linux takes it and the host then refuses to
// load it, which ended the whole guest kernel while a tracer could cancel
// the SIGSEGV that follows.  And a signal handler that returns through a
// frame whose code segment the CPU refuses (RPL 0): x86 delivers a SIGSEGV
// the process can handle, User-Mode Linux killed the process outright.
// Each case ends in a line "CASE: HOW" (how the process ended, or
// "refused").
//
//   vx-badregs        status 0 once every case has ended
#include <asm/prctl.h>
#include <csetjmp>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr unsigned long kernel_half = 0xffff800000000000UL;

// How a waitpid() status ended a process.
void report(const char *what, int status) {
    if (WIFSIGNALED(status))
        std::printf("%s: killed by signal %d\n", what, WTERMSIG(status));
    else
        std::printf("%s: exit %d\n", what, WEXITSTATUS(status));
}

// The child stops for its tracer, which writes VALUE at OFFSET of its
// registers and then continues it, cancelling every signal, until it ends.
void poke_case(const char *what, std::size_t offset) {
    pid_t child = ::fork();
    if (child == 0) {
        ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        ::raise(SIGSTOP);
        ::getppid(); // (back from a system call with the registers)
        ::_exit(0);
    }
    int status;
    ::waitpid(child, &status, 0);
    if (::ptrace(PTRACE_POKEUSER, child, reinterpret_cast<void *>(offset),
                 reinterpret_cast<void *>(kernel_half)) != 0)
        std::printf("%s: refused\n", what);
    for (int stops = 0;; ++stops) {
        // (after 100 cancelled signals, let one through: the test must end)
        ::ptrace(PTRACE_CONT, child, nullptr,
                 reinterpret_cast<void *>(stops < 100 ? 0L : long{WSTOPSIG(status)}));
        ::waitpid(child, &status, 0);
        if (!WIFSTOPPED(status))
            break;
    }
    report(what, status);
}

// The process sets its own base, with a SIGSEGV handler that returns.
void arch_prctl_case(const char *what, int code) {
    pid_t child = ::fork();
    if (child == 0) {
        ::signal(SIGSEGV, [](int) {});
        if (::syscall(SYS_arch_prctl, code, kernel_half) != 0)
            ::_exit(100);
        ::syscall(SYS_exit_group, 0);
    }
    int status;
    ::waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
        std::printf("%s: refused\n", what);
    else
        report(what, status);
}

sigjmp_buf recovered;

// The process returns from a SIGUSR1 handler through a frame whose CS is
// 0xb000, with a SIGSEGV handler that jumps back: it must survive, either
// never faulting (UML keeps its code segment) or handling the SIGSEGV
// (x86, for which 0xb003 is no code segment).
void sigreturn_cs_case(const char *what) {
    pid_t child = ::fork();
    if (child == 0) {
        struct sigaction usr1 = {};
        usr1.sa_sigaction = [](int, siginfo_t *, void *context) {
            auto *uc = static_cast<ucontext_t *>(context);
            // CS is the low 16 bits of REG_CSGSFS
            uc->uc_mcontext.gregs[REG_CSGSFS] =
                (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffL) | 0xb000;
        };
        usr1.sa_flags = SA_SIGINFO;
        ::sigaction(SIGUSR1, &usr1, nullptr);
        struct sigaction segv = {};
        segv.sa_handler = [](int) { ::siglongjmp(recovered, 1); };
        ::sigaction(SIGSEGV, &segv, nullptr);
        if (sigsetjmp(recovered, 1) == 0)
            ::raise(SIGUSR1);
        ::_exit(0);
    }
    int status;
    ::waitpid(child, &status, 0);
    report(what, status);
}

} // namespace

int main() {
    std::setvbuf(stdout, nullptr, _IONBF, 0);
    poke_case("ptrace fs_base", offsetof(user_regs_struct, fs_base));
    poke_case("ptrace gs_base", offsetof(user_regs_struct, gs_base));
    arch_prctl_case("arch_prctl fs", ARCH_SET_FS);
    arch_prctl_case("arch_prctl gs", ARCH_SET_GS);
    sigreturn_cs_case("sigreturn cs");
    return 0;
}
