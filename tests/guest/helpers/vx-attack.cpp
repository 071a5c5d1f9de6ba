// vx-attack: one system-call-level attack per run, for the guest escape
// tests (tests/guest/cases/escape_*.sh).  It runs inside busybox server
// trees too, so it needs only the C library.  Each subcommand prints one
// line: "ok", a value, or the errno name of the call that failed (ESRCH,
// EPERM, ...); where a step before the attacked call fails, "STEP ERRNO".
//
//   vx-attack CMD [ARGS...]
//
// Processes (PID may be negative for kill; "fd:N" names a pidfd on fd N):
//   kill PID SIG                    kill()
//   tgkill TGID TID SIG             tgkill()
//   sigqueue PID SIG                rt_sigqueueinfo() with SI_QUEUE
//   pidfd_open PID                  pidfd_open(): ok | ERRNO
//   pidfd_send_signal PID|fd:N SIG  (PID: pidfd_open first, "pidfd_open E")
//   pidfd_getfd PID|fd:N FD         steal descriptor FD: ok | ERRNO
//   ptrace PID                      PTRACE_ATTACH, wait, PTRACE_DETACH
//   process_vm_readv PID            one byte at a bogus address: EFAULT
//                                   means the call was let through
//   kcmp PID                        kcmp(self, PID, KCMP_VM): ok | ERRNO
//   setaffinity PID CPU             sched_setaffinity() to CPU only
//   setscheduler PID other|batch|idle   sched_setscheduler(), priority 0
//   setpriority process|pgrp|user WHO NICE   setpriority(): ok | ERRNO
//   getpriority process|pgrp|user WHO        the nice value | ERRNO
//   ioprio_set process|pgrp|user WHO CLASS DATA   ioprio_set(): ok | ERRNO
//   ioprio_get process|pgrp|user WHO         "CLASS/DATA" | ERRNO
//   prlimit PID [SOFT HARD]         RLIMIT_NOFILE of PID: "SOFT HARD", or
//                                   set it: ok | ERRNO
//   getpgid PID | getsid PID        the value | ERRNO
//   setpgid PID PGID                ok | ERRNO
//   getppid                         getppid()
//   migrate_pages PID               all nodes to node 0: ok | ERRNO
//   move_pages PID                  ask where one page of PID is (no
//                                   move): ok | ERRNO
//   perf_event_open PID             count PID's task clock in user mode:
//                                   ok | ERRNO
//   cpuclock PID                    clock_gettime() on the process CPU clock
//                                   ((~PID) << 3 | 2): ok | ERRNO
//   pidns_tgid NSFILE PID           ioctl(NS_GET_TGID_FROM_PIDNS): tgid | ERRNO
//   hold-lock FILE                  take a write lock (fcntl), print
//                                   "locked", wait to be killed
//   getlk FILE                      F_GETLK for a write lock: "F_WRLCK PID",
//                                   "F_RDLCK PID" or "F_UNLCK"
//   hold-unix PATH                  listen on unix stream socket PATH, print
//                                   "listening", wait to be killed
//   peercred PATH                   connect to PATH, SO_PEERCRED: "pid P uid U"
//   hold-entered CTX [REMOVE_CAP] [-- CMD...]   (root, context 0) enter
//                                   context CTX by the raw system call,
//                                   print "entered PID", wait for a line or
//                                   end of file on standard input, then exec
//                                   CMD (or exit 0) - no exec before
// Namespaces:
//   unshare FLAG[,FLAG...]          unshare(); FLAG: user mnt pid net uts
//                                   ipc cgroup: ok | ERRNO
//   clone FLAG[,FLAG...]            raw clone(SIGCHLD | flags), the child
//                                   exits at once: ok | ERRNO
//   clone3 FLAG[,FLAG...]           the same with clone3()
//   setns PATH|fd:N [TYPE]          setns() (TYPE a FLAG or 0): ok | ERRNO
// Files:
//   write FILE VALUE                open O_WRONLY, write VALUE: ok |
//                                   "open ERRNO" | "write ERRNO"
//   read FILE                       open, read (getdents for directories):
//                                   ok | "open ERRNO" | "read ERRNO"
//   open FILE rdonly|wronly|rdwr|path   open(): ok | ERRNO
// Leaks, keys, IPC:
//   klogctl TYPE                    syslog(2) TYPE (3: READ_ALL, 5: CLEAR,
//                                   10: SIZE_BUFFER): ok | ERRNO
//   key-add TYPE DESC PAYLOAD KEYRING   add_key(): serial | ERRNO
//   key-search KEYRING TYPE DESC    KEYCTL_SEARCH: serial | ERRNO
//   key-read SERIAL                 KEYCTL_READ: the payload | ERRNO
//   request-key TYPE DESC [INFO]    request_key() into @s: serial | ERRNO
//                                   (KEYRING: @t @p @s @u @us or a serial)
//   ipc shm|msg|sem get|create KEY  *get(KEY, 0 or IPC_CREAT): id | ERRNO
//   shmat ID                        attach shared memory ID: ok | ERRNO
//   mq NAME                         mq_open(NAME, O_RDONLY): ok | ERRNO
// Per-user budgets (KIND: inotify instances, sigqueue (signals queued to
// the caller, RLIMIT_SIGPENDING), timer (POSIX timers, the same budget),
// mqueue (8-page message queues, RLIMIT_MSGQUEUE), epoll (watches,
// fs.epoll.max_user_watches), pipe (pipes, their pages under
// fs.pipe-user-pages-*), key (user keys of 1000 bytes in the process
// keyring, the key quota)):
//   take KIND                       one more: ok | ERRNO
//   hoard KIND                      take until refused, print "N ERRNO",
//                                   keep them, wait to be killed
// The host's kernel (each: ok | ERRNO; a call the kernel lacks: ENOSYS):
//   kernel CALL [PATH]              finit_module (this program, as if a
//                                   module), delete_module (a name no module
//                                   has), kexec_load and kexec_file_load
//                                   (unload), reboot (bad magic: EINVAL once
//                                   let in), clock_settime (to the time read),
//                                   adjtimex (ADJ_TICK to the tick read),
//                                   bpf (BPF_PROG_GET_NEXT_ID), userfaultfd
//                                   (kernel faults too), userfaultfd-user
//                                   (user-mode faults only), fanotify (a mark on
//                                   the whole filesystem of PATH, default /:
//                                   "fanotify_init ERRNO" if the group
//                                   fails), swapon (a
//                                   file that does not exist: ENOENT once let
//                                   in), acct (off), iopl (level 3), kcore
//                                   (open /proc/kcore)
//   handle PATH                     name_to_handle_at(): "TYPE HEX" | ERRNO
//   open-handle TYPE HEX            open_by_handle_at() through a descriptor
//                                   of /, read: the first line | ERRNO
// vserver(2):
//   context-info PID                VCMD_GET_CONTEXT_INFO: "xid X flags F
//                                   initpid I nr_tasks N cap_bset HEX
//                                   ipv4root A" | ERRNO
//   new_s_context ID [FLAGS [REMOVE_CAP [SIZE]]] [-- CMD...]
//                                   VCMD_NEW_S_CONTEXT raw; ID a number,
//                                   "new" (-1) or "keep" (-2); SIZE the
//                                   struct's size field: the context id |
//                                   ERRNO; then exec CMD if it worked
//   ceiling                         "CapBnd HEX NoNewPrivs N" of the caller
//   tiocsti TEXT                    push TEXT and a newline into the input
//                                   of the terminal on 0, 1 or 2 (TIOCSTI):
//                                   "ok FD" for the first that takes it, else
//                                   the errno name of the last try
// Wrappers (to hand a descriptor to a program in a server):
//   with-pidfd FD PID -- CMD...     pidfd_open(PID) on FD, exec CMD
//   with-fd FD PATH -- CMD...       open(PATH, O_RDONLY) on FD, exec CMD
//
// Numbers may be decimal or 0x hexadecimal.  Usage errors: status 64.
#include <linux/vserver.h>
#include <vserver/syscall_nr.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/fanotify.h>
#include <linux/ioprio.h>
#include <linux/kcmp.h>
#include <linux/kexec.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <sched.h>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/klog.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#ifndef NS_GET_TGID_FROM_PIDNS
#define NS_GET_TGID_FROM_PIDNS _IOR(0xb7, 0x7, int)
#endif

#include "probe.hpp"

namespace {

using Args = std::vector<std::string>;

[[noreturn]] void usage(const std::string &why) {
    std::fprintf(stderr, "vx-attack: %s (see tests/guest/helpers/vx-attack.cpp)\n", why.c_str());
    std::exit(64);
}

using probe::errname;
using probe::say;

// "ok" when RET is not -1, else the errno name.
void say_result(long ret) { say(ret == -1 ? errname(errno) : "ok"); }

// The value, or the errno name when RET is -1.
void say_value(long ret) { say(ret == -1 ? errname(errno) : std::to_string(ret)); }

void say_step(const char *step) { say(std::string(step) + " " + errname(errno)); }

long long num(const std::string &text) {
    char *end;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || errno)
        usage("bad number '" + text + "'");
    return v;
}

unsigned long long unum(const std::string &text) {
    char *end;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || errno)
        usage("bad number '" + text + "'");
    return v;
}

pid_t pid_of(const std::string &text) { return static_cast<pid_t>(num(text)); }

void need(const Args &a, std::size_t min, std::size_t max, const char *line) {
    if (a.size() < min || a.size() > max)
        usage(std::string("usage: ") + line);
}

// A pidfd for "fd:N" (that descriptor) or a PID (pidfd_open; -1 and the
// step's error printed when it fails).
int pidfd_of(const std::string &spec) {
    if (spec.starts_with("fd:"))
        return static_cast<int>(num(spec.substr(3)));
    long fd = syscall(SYS_pidfd_open, pid_of(spec), 0);
    if (fd < 0)
        say_step("pidfd_open");
    return static_cast<int>(fd);
}

int ns_flags(const std::string &list) {
    int flags = 0;
    std::size_t at = 0;
    while (at <= list.size()) {
        std::size_t comma = list.find(',', at);
        std::string f =
            list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (f == "user")
            flags |= CLONE_NEWUSER;
        else if (f == "mnt")
            flags |= CLONE_NEWNS;
        else if (f == "pid")
            flags |= CLONE_NEWPID;
        else if (f == "net")
            flags |= CLONE_NEWNET;
        else if (f == "uts")
            flags |= CLONE_NEWUTS;
        else if (f == "ipc")
            flags |= CLONE_NEWIPC;
        else if (f == "cgroup")
            flags |= CLONE_NEWCGROUP;
        else if (f != "0")
            usage("unknown namespace '" + f + "'");
        if (comma == std::string::npos)
            break;
        at = comma + 1;
    }
    return flags;
}

int which_of(const std::string &w, int process, int pgrp, int user) {
    if (w == "process")
        return process;
    if (w == "pgrp")
        return pgrp;
    if (w == "user")
        return user;
    usage("expected process, pgrp or user, not '" + w + "'");
}

int signal_of(const std::string &text) { return static_cast<int>(num(text)); }

// ---- processes ----

void cmd_kill(const Args &a) {
    need(a, 2, 2, "kill PID SIG");
    say_result(kill(pid_of(a[0]), signal_of(a[1])));
}

void cmd_tgkill(const Args &a) {
    need(a, 3, 3, "tgkill TGID TID SIG");
    say_result(syscall(SYS_tgkill, pid_of(a[0]), pid_of(a[1]), signal_of(a[2])));
}

void cmd_sigqueue(const Args &a) {
    need(a, 2, 2, "sigqueue PID SIG");
    siginfo_t info;
    std::memset(&info, 0, sizeof(info));
    info.si_signo = signal_of(a[1]);
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    say_result(syscall(SYS_rt_sigqueueinfo, pid_of(a[0]), info.si_signo, &info));
}

void cmd_pidfd_open(const Args &a) {
    need(a, 1, 1, "pidfd_open PID");
    long fd = syscall(SYS_pidfd_open, pid_of(a[0]), 0);
    say_result(fd);
}

void cmd_pidfd_send_signal(const Args &a) {
    need(a, 2, 2, "pidfd_send_signal PID|fd:N SIG");
    int fd = pidfd_of(a[0]);
    if (fd < 0)
        return;
    say_result(syscall(SYS_pidfd_send_signal, fd, signal_of(a[1]), nullptr, 0));
}

void cmd_pidfd_getfd(const Args &a) {
    need(a, 2, 2, "pidfd_getfd PID|fd:N FD");
    int fd = pidfd_of(a[0]);
    if (fd < 0)
        return;
    say_result(syscall(SYS_pidfd_getfd, fd, static_cast<int>(num(a[1])), 0));
}

void cmd_ptrace(const Args &a) {
    need(a, 1, 1, "ptrace PID");
    pid_t pid = pid_of(a[0]);
    if (ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) == -1)
        return say(errname(errno));
    int status;
    while (waitpid(pid, &status, __WALL) == -1 && errno == EINTR) {
    }
    ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    say("ok");
}

void cmd_process_vm_readv(const Args &a) {
    need(a, 1, 1, "process_vm_readv PID");
    char byte;
    iovec local{&byte, 1};
    iovec remote{reinterpret_cast<void *>(8), 1};
    say_result(process_vm_readv(pid_of(a[0]), &local, 1, &remote, 1, 0));
}

void cmd_kcmp(const Args &a) {
    need(a, 1, 1, "kcmp PID");
    say_result(syscall(SYS_kcmp, getpid(), pid_of(a[0]), KCMP_VM, 0, 0));
}

void cmd_setaffinity(const Args &a) {
    need(a, 2, 2, "setaffinity PID CPU");
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<int>(num(a[1])), &set);
    say_result(sched_setaffinity(pid_of(a[0]), sizeof(set), &set));
}

void cmd_setscheduler(const Args &a) {
    need(a, 2, 2, "setscheduler PID other|batch|idle");
    int policy = a[1] == "other"   ? SCHED_OTHER
                 : a[1] == "batch" ? SCHED_BATCH
                 : a[1] == "idle"  ? SCHED_IDLE
                                   : -1;
    if (policy < 0)
        usage("unknown policy '" + a[1] + "'");
    sched_param param{};
    say_result(sched_setscheduler(pid_of(a[0]), policy, &param));
}

void cmd_setpriority(const Args &a) {
    need(a, 3, 3, "setpriority process|pgrp|user WHO NICE");
    int which = which_of(a[0], PRIO_PROCESS, PRIO_PGRP, PRIO_USER);
    say_result(setpriority(static_cast<__priority_which_t>(which), static_cast<id_t>(num(a[1])),
                           static_cast<int>(num(a[2]))));
}

void cmd_getpriority(const Args &a) {
    need(a, 2, 2, "getpriority process|pgrp|user WHO");
    int which = which_of(a[0], PRIO_PROCESS, PRIO_PGRP, PRIO_USER);
    errno = 0;
    int nice = getpriority(static_cast<__priority_which_t>(which), static_cast<id_t>(num(a[1])));
    say(nice == -1 && errno ? errname(errno) : std::to_string(nice));
}

void cmd_ioprio_set(const Args &a) {
    need(a, 4, 4, "ioprio_set process|pgrp|user WHO CLASS DATA");
    int which = which_of(a[0], IOPRIO_WHO_PROCESS, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER);
    int prio = IOPRIO_PRIO_VALUE(static_cast<int>(num(a[2])), static_cast<int>(num(a[3])));
    say_result(syscall(SYS_ioprio_set, which, static_cast<int>(num(a[1])), prio));
}

void cmd_ioprio_get(const Args &a) {
    need(a, 2, 2, "ioprio_get process|pgrp|user WHO");
    int which = which_of(a[0], IOPRIO_WHO_PROCESS, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER);
    long prio = syscall(SYS_ioprio_get, which, static_cast<int>(num(a[1])));
    if (prio == -1)
        return say(errname(errno));
    say(std::to_string(IOPRIO_PRIO_CLASS(prio)) + "/" + std::to_string(IOPRIO_PRIO_DATA(prio)));
}

void cmd_prlimit(const Args &a) {
    if (a.size() != 1 && a.size() != 3)
        usage("usage: prlimit PID [SOFT HARD]");
    pid_t pid = pid_of(a[0]);
    if (a.size() == 1) {
        rlimit lim{};
        if (prlimit(pid, RLIMIT_NOFILE, nullptr, &lim) == -1)
            return say(errname(errno));
        return say(std::to_string(lim.rlim_cur) + " " + std::to_string(lim.rlim_max));
    }
    rlimit lim{static_cast<rlim_t>(unum(a[1])), static_cast<rlim_t>(unum(a[2]))};
    say_result(prlimit(pid, RLIMIT_NOFILE, &lim, nullptr));
}

void cmd_getpgid(const Args &a) {
    need(a, 1, 1, "getpgid PID");
    say_value(getpgid(pid_of(a[0])));
}

void cmd_getsid(const Args &a) {
    need(a, 1, 1, "getsid PID");
    say_value(getsid(pid_of(a[0])));
}

void cmd_setpgid(const Args &a) {
    need(a, 2, 2, "setpgid PID PGID");
    say_result(setpgid(pid_of(a[0]), pid_of(a[1])));
}

void cmd_getppid(const Args &a) {
    need(a, 0, 0, "getppid");
    say(std::to_string(getppid()));
}

void cmd_migrate_pages(const Args &a) {
    need(a, 1, 1, "migrate_pages PID");
    unsigned long from = ~0UL, to = 1;
    say_result(syscall(SYS_migrate_pages, pid_of(a[0]), sizeof(from) * 8, &from, &to));
}

void cmd_move_pages(const Args &a) {
    need(a, 1, 1, "move_pages PID");
    void *page = nullptr;
    int status = 0;
    say_result(syscall(SYS_move_pages, pid_of(a[0]), 1, &page, nullptr, &status, 0));
}

void cmd_perf_event_open(const Args &a) {
    need(a, 1, 1, "perf_event_open PID");
    perf_event_attr attr{};
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.disabled = 1;
    // User mode only: what perf_event_paranoid=2 lets any user count of
    // its own processes, so the refusal is the pid's, not the privilege's.
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attr, pid_of(a[0]), -1, -1, 0);
    if (fd >= 0)
        close(static_cast<int>(fd));
    say_result(fd);
}

void cmd_cpuclock(const Args &a) {
    need(a, 1, 1, "cpuclock PID");
    pid_t pid = pid_of(a[0]);
    clockid_t clock = static_cast<clockid_t>((~static_cast<unsigned>(pid)) << 3 | 2);
    timespec ts{};
    say_result(clock_gettime(clock, &ts));
}

void cmd_pidns_tgid(const Args &a) {
    need(a, 2, 2, "pidns_tgid NSFILE PID");
    int fd = open(a[0].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return say_step("open");
    say_value(ioctl(fd, NS_GET_TGID_FROM_PIDNS, static_cast<unsigned long>(num(a[1]))));
}

[[noreturn]] void wait_forever() {
    for (;;)
        pause();
}

void cmd_hold_lock(const Args &a) {
    need(a, 1, 1, "hold-lock FILE");
    int fd = open(a[0].c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return say_step("open");
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) == -1)
        return say_step("F_SETLK");
    say("locked");
    wait_forever();
}

void cmd_getlk(const Args &a) {
    need(a, 1, 1, "getlk FILE");
    int fd = open(a[0].c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return say_step("open");
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &fl) == -1)
        return say_step("F_GETLK");
    if (fl.l_type == F_UNLCK)
        return say("F_UNLCK");
    say(std::string(fl.l_type == F_WRLCK ? "F_WRLCK " : "F_RDLCK ") + std::to_string(fl.l_pid));
}

sockaddr_un sun_of(const std::string &path) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sun.sun_path))
        usage("socket path too long");
    std::memcpy(sun.sun_path, path.data(), path.size());
    return sun;
}

void cmd_hold_unix(const Args &a) {
    need(a, 1, 1, "hold-unix PATH");
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun = sun_of(a[0]);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&sun), sizeof(sun)) != 0 ||
        listen(fd, 16) != 0)
        return say_step("listen");
    say("listening");
    wait_forever();
}

void cmd_peercred(const Args &a) {
    need(a, 1, 1, "peercred PATH");
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun = sun_of(a[0]);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&sun), sizeof(sun)) != 0)
        return say_step("connect");
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return say_step("SO_PEERCRED");
    say("pid " + std::to_string(cred.pid) + " uid " + std::to_string(cred.uid));
}

long new_s_context(long id, uint32_t flags, uint64_t remove_cap, uint32_t size) {
    vcmd_new_s_context arg{};
    arg.size = size;
    arg.flags = flags;
    arg.remove_cap = remove_cap;
    return syscall(VSERVER_NR, VCMD_NEW_S_CONTEXT, id, &arg);
}

[[noreturn]] void exec_cmd(char **cmd) {
    execvp(cmd[0], cmd);
    std::fprintf(stderr, "vx-attack: cannot run %s: %s\n", cmd[0], std::strerror(errno));
    std::exit(127);
}

int cmd_hold_entered(const Args &a, char **cmd) {
    need(a, 1, 2, "hold-entered CTX [REMOVE_CAP] [-- CMD...]");
    uint64_t remove = a.size() > 1 ? unum(a[1]) : 0;
    long ctx = new_s_context(static_cast<long>(num(a[0])), 0, remove, sizeof(vcmd_new_s_context));
    if (ctx < 0) {
        say_step("new_s_context");
        return 2;
    }
    say("entered " + std::to_string(getpid()));
    char c;
    while (read(0, &c, 1) == 1 && c != '\n') {
    }
    if (cmd)
        exec_cmd(cmd);
    return 0;
}

// ---- namespaces ----

void cmd_unshare(const Args &a) {
    need(a, 1, 1, "unshare FLAG[,FLAG...]");
    say_result(unshare(ns_flags(a[0])));
}

void reap(long pid) {
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid(static_cast<pid_t>(pid), nullptr, 0);
}

void cmd_clone(const Args &a) {
    need(a, 1, 1, "clone FLAG[,FLAG...]");
    long pid = syscall(SYS_clone, static_cast<unsigned long>(ns_flags(a[0])) | SIGCHLD, nullptr,
                       nullptr, nullptr, 0);
    int err = errno;
    reap(pid);
    errno = err;
    say_result(pid);
}

void cmd_clone3(const Args &a) {
    need(a, 1, 1, "clone3 FLAG[,FLAG...]");
    clone_args args{};
    args.flags = static_cast<unsigned>(ns_flags(a[0]));
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    int err = errno;
    reap(pid);
    errno = err;
    say_result(pid);
}

void cmd_setns(const Args &a) {
    need(a, 1, 2, "setns PATH|fd:N [TYPE]");
    int fd = a[0].starts_with("fd:") ? static_cast<int>(num(a[0].substr(3)))
                                     : open(a[0].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return say_step("open");
    say_result(setns(fd, a.size() > 1 ? ns_flags(a[1]) : 0));
}

// ---- files ----

void cmd_write(const Args &a) {
    need(a, 2, 2, "write FILE VALUE");
    int fd = open(a[0].c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return say_step("open");
    if (write(fd, a[1].data(), a[1].size()) != static_cast<ssize_t>(a[1].size()))
        return say_step("write");
    if (close(fd) != 0)
        return say_step("close");
    say("ok");
}

void cmd_read(const Args &a) {
    need(a, 1, 1, "read FILE");
    int fd = open(a[0].c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return say_step("open");
    char buf[4096];
    long n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EISDIR)
        n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
    if (n < 0)
        return say_step("read");
    say("ok");
}

void cmd_open(const Args &a) {
    need(a, 2, 2, "open FILE rdonly|wronly|rdwr|path");
    int flags = a[1] == "rdonly"   ? O_RDONLY
                : a[1] == "wronly" ? O_WRONLY
                : a[1] == "rdwr"   ? O_RDWR
                : a[1] == "path"   ? O_PATH
                                   : -1;
    if (flags < 0)
        usage("unknown open mode '" + a[1] + "'");
    say_result(open(a[0].c_str(), flags | O_CLOEXEC));
}

// ---- leaks, keys, IPC ----

void cmd_klogctl(const Args &a) {
    need(a, 1, 1, "klogctl TYPE");
    static char buf[1 << 16];
    say_result(klogctl(static_cast<int>(num(a[0])), buf, sizeof(buf)));
}

long kernel_call(const std::string &call, const std::string &path) {
    if (call == "finit_module") {
        int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
    }
    if (call == "delete_module")
        return syscall(SYS_delete_module, "vx_no_such_module", O_NONBLOCK);
    if (call == "kexec_load")
        return syscall(SYS_kexec_load, 0UL, 0UL, nullptr, KEXEC_ARCH_DEFAULT);
    if (call == "kexec_file_load")
        return syscall(SYS_kexec_file_load, -1, -1, 0UL, "", KEXEC_FILE_UNLOAD);
    if (call == "reboot")
        return syscall(SYS_reboot, 0, 0, 0, nullptr);
    if (call == "clock_settime") {
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        return clock_settime(CLOCK_REALTIME, &now);
    }
    if (call == "adjtimex") {
        timex tx{};
        if (adjtimex(&tx) == -1)
            return -1;
        tx.modes = ADJ_TICK;
        return adjtimex(&tx);
    }
    if (call == "bpf") {
        bpf_attr attr{};
        long ret = syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr, sizeof(attr));
        // No program loaded is an answer too: the call was let in.
        return ret == -1 && errno == ENOENT ? 0 : ret;
    }
    if (call == "userfaultfd")
        return syscall(SYS_userfaultfd, O_CLOEXEC);
    if (call == "userfaultfd-user")
        return syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    if (call == "fanotify") {
        int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY);
        if (fd < 0) {
            say("fanotify_init " + std::string(errname(errno)));
            std::exit(0);
        }
        return fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD,
                             path.c_str());
    }
    if (call == "swapon") {
        long ret = swapon("/vx-no-such-swap-file", 0);
        return ret == -1 && errno == ENOENT ? 0 : ret;
    }
    if (call == "acct")
        return acct(nullptr);
    if (call == "iopl")
        return syscall(SYS_iopl, 3);
    if (call == "kcore")
        return open("/proc/kcore", O_RDONLY | O_CLOEXEC);
    usage("kernel: unknown CALL '" + call + "'");
}

void cmd_kernel(const Args &a) {
    need(a, 1, 2, "kernel CALL [PATH]");
    say_result(kernel_call(a[0], a.size() > 1 ? a[1] : "/"));
}

// A file_handle with room for any handle; its bytes through bytes(), as
// f_handle is a flexible array.
struct Handle {
    alignas(file_handle) unsigned char storage[sizeof(file_handle) + MAX_HANDLE_SZ] = {};
    file_handle *get() { return reinterpret_cast<file_handle *>(storage); }
    unsigned char *bytes() { return storage + offsetof(file_handle, f_handle); }
};

void cmd_handle(const Args &a) {
    need(a, 1, 1, "handle PATH");
    Handle h;
    h.get()->handle_bytes = MAX_HANDLE_SZ;
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, a[0].c_str(), h.get(), &mount_id, 0) == -1)
        return say(errname(errno));
    std::string hex;
    for (unsigned i = 0; i < h.get()->handle_bytes; ++i) {
        char byte[3];
        std::snprintf(byte, sizeof(byte), "%02x", h.bytes()[i]);
        hex += byte;
    }
    say(std::to_string(h.get()->handle_type) + " " + hex);
}

void cmd_open_handle(const Args &a) {
    need(a, 2, 2, "open-handle TYPE HEX");
    const std::string &hex = a[1];
    if (hex.size() % 2 || hex.size() / 2 > MAX_HANDLE_SZ)
        usage("open-handle: HEX must be whole bytes, " + std::to_string(MAX_HANDLE_SZ) +
              " at most");
    Handle h;
    h.get()->handle_type = static_cast<int>(num(a[0]));
    h.get()->handle_bytes = static_cast<unsigned>(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size() / 2; ++i)
        h.bytes()[i] = static_cast<unsigned char>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return say("open / " + std::string(errname(errno)));
    int fd = open_by_handle_at(root, h.get(), O_RDONLY);
    if (fd < 0)
        return say(errname(errno));
    char text[256] = {};
    ssize_t n = read(fd, text, sizeof(text) - 1);
    if (n < 0)
        return say("read " + std::string(errname(errno)));
    std::string line(text, static_cast<std::size_t>(n));
    say(line.substr(0, line.find('\n')));
}

int32_t keyring_of(const std::string &name) {
    if (name == "@t")
        return KEY_SPEC_THREAD_KEYRING;
    if (name == "@p")
        return KEY_SPEC_PROCESS_KEYRING;
    if (name == "@s")
        return KEY_SPEC_SESSION_KEYRING;
    if (name == "@u")
        return KEY_SPEC_USER_KEYRING;
    if (name == "@us")
        return KEY_SPEC_USER_SESSION_KEYRING;
    return static_cast<int32_t>(num(name));
}

void cmd_key_add(const Args &a) {
    need(a, 4, 4, "key-add TYPE DESC PAYLOAD KEYRING");
    say_value(syscall(SYS_add_key, a[0].c_str(), a[1].c_str(), a[2].data(), a[2].size(),
                      keyring_of(a[3])));
}

void cmd_key_search(const Args &a) {
    need(a, 3, 3, "key-search KEYRING TYPE DESC");
    say_value(syscall(SYS_keyctl, KEYCTL_SEARCH, keyring_of(a[0]), a[1].c_str(), a[2].c_str(), 0));
}

void cmd_key_read(const Args &a) {
    need(a, 1, 1, "key-read SERIAL");
    char buf[4096];
    long n = syscall(SYS_keyctl, KEYCTL_READ, keyring_of(a[0]), buf, sizeof(buf));
    if (n < 0)
        return say(errname(errno));
    say(std::string(buf, static_cast<std::size_t>(std::min<long>(n, sizeof(buf)))));
}

void cmd_request_key(const Args &a) {
    need(a, 2, 3, "request-key TYPE DESC [INFO]");
    const char *info = a.size() > 2 ? a[2].c_str() : nullptr;
    say_value(syscall(SYS_request_key, a[0].c_str(), a[1].c_str(), info, KEY_SPEC_SESSION_KEYRING));
}

void cmd_ipc(const Args &a) {
    need(a, 3, 3, "ipc shm|msg|sem get|create KEY");
    key_t key = static_cast<key_t>(unum(a[2]));
    int flags = a[1] == "create" ? IPC_CREAT | IPC_EXCL | 0600 : a[1] == "get" ? 0 : -1;
    if (flags < 0)
        usage("expected get or create, not '" + a[1] + "'");
    if (a[0] == "shm")
        say_value(shmget(key, 4096, flags));
    else if (a[0] == "msg")
        say_value(msgget(key, flags));
    else if (a[0] == "sem")
        say_value(semget(key, 1, flags));
    else
        usage("expected shm, msg or sem, not '" + a[0] + "'");
}

void cmd_shmat(const Args &a) {
    need(a, 1, 1, "shmat ID");
    void *at = shmat(static_cast<int>(num(a[0])), nullptr, SHM_RDONLY);
    say_result(at == reinterpret_cast<void *>(-1) ? -1 : 0);
}

void cmd_mq(const Args &a) {
    need(a, 1, 1, "mq NAME");
    mqd_t mq = mq_open(a[0].c_str(), O_RDONLY);
    say_result(mq == static_cast<mqd_t>(-1) ? -1 : 0);
}

// ---- per-user budgets ----

// Watch N: eventfd N % 64 watched by epoll instance N / 64, so that a few
// descriptors hold thousands of watches.
bool take_epoll_watch(long n) {
    constexpr long targets = 64;
    static std::vector<int> events, polls;
    if (events.empty())
        for (long i = 0; i < targets; ++i) {
            int fd = eventfd(0, EFD_CLOEXEC);
            if (fd < 0)
                return false;
            events.push_back(fd);
        }
    if (n % targets == 0) {
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0)
            return false;
        polls.push_back(fd);
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    return epoll_ctl(polls.back(), EPOLL_CTL_ADD, events[n % targets], &ev) == 0;
}

// One unit of the per-user budget KIND, kept until the process exits:
// false, errno set, when the kernel refuses it.  N names a message queue.
bool take_one(const std::string &kind, long n) {
    if (kind == "inotify")
        return inotify_init1(IN_CLOEXEC) >= 0;
    if (kind == "sigqueue")
        return sigqueue(getpid(), SIGRTMIN, sigval{}) == 0; // blocked: stays queued
    if (kind == "timer") {
        timer_t timer;
        return timer_create(CLOCK_MONOTONIC, nullptr, &timer) == 0;
    }
    if (kind == "mqueue") {
        std::string name = "/vx-hoard-" + std::to_string(getpid()) + "-" + std::to_string(n);
        mq_attr attr{};
        attr.mq_maxmsg = 4;
        attr.mq_msgsize = 8192;
        mqd_t mq = mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
        if (mq == static_cast<mqd_t>(-1))
            return false;
        mq_unlink(name.c_str()); // its bytes stay charged while it is open
        return true;
    }
    if (kind == "epoll")
        return take_epoll_watch(n);
    if (kind == "pipe") {
        int fds[2];
        return pipe2(fds, O_CLOEXEC) == 0;
    }
    if (kind == "key") {
        std::string name = "vx-hoard-" + std::to_string(getpid()) + "-" + std::to_string(n);
        std::string payload(1000, 'k');
        return syscall(SYS_add_key, "user", name.c_str(), payload.data(), payload.size(),
                       KEY_SPEC_PROCESS_KEYRING) >= 0;
    }
    usage("unknown budget '" + kind + "' (inotify, sigqueue, timer, mqueue, epoll, pipe, key)");
}

void block_rt_signal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, nullptr);
}

void cmd_take(const Args &a) {
    need(a, 1, 1, "take KIND");
    block_rt_signal();
    say_result(take_one(a[0], 0) ? 0 : -1);
}

void cmd_hoard(const Args &a) {
    need(a, 1, 1, "hoard KIND");
    block_rt_signal();
    long n = 0;
    while (n < 1000000 && take_one(a[0], n))
        ++n;
    say(std::to_string(n) + " " + errname(errno));
    wait_forever();
}

// ---- vserver(2) ----

void cmd_context_info(const Args &a) {
    need(a, 1, 1, "context-info PID");
    vcmd_context_info info{};
    if (syscall(VSERVER_NR, VCMD_GET_CONTEXT_INFO, static_cast<long>(num(a[0])), &info) != 0)
        return say(errname(errno));
    char bset[32];
    std::snprintf(bset, sizeof(bset), "%llx", static_cast<unsigned long long>(info.cap_bset));
    in_addr ip{info.ipv4root};
    say("xid " + std::to_string(info.xid) + " flags " + std::to_string(info.flags) + " initpid " +
        std::to_string(info.initpid) + " nr_tasks " + std::to_string(info.nr_tasks) + " cap_bset " +
        bset + " ipv4root " + inet_ntoa(ip));
}

int cmd_new_s_context(const Args &a, char **cmd) {
    need(a, 1, 4, "new_s_context ID [FLAGS [REMOVE_CAP [SIZE]]] [-- CMD...]");
    long id = a[0] == "new"    ? VX_CTX_NEW
              : a[0] == "keep" ? VX_CTX_KEEP
                               : static_cast<long>(num(a[0]));
    uint32_t flags = a.size() > 1 ? static_cast<uint32_t>(unum(a[1])) : 0;
    uint64_t remove = a.size() > 2 ? unum(a[2]) : 0;
    uint32_t size = a.size() > 3 ? static_cast<uint32_t>(unum(a[3])) : sizeof(vcmd_new_s_context);
    long ret = new_s_context(id, flags, remove, size);
    say_value(ret);
    if (ret >= 0 && cmd)
        exec_cmd(cmd);
    return 0;
}

void cmd_tiocsti(const Args &a) {
    need(a, 1, 1, "tiocsti TEXT");
    std::string text = a[0] + "\n";
    int err = ENOTTY;
    for (int fd = 0; fd <= 2; ++fd) {
        std::size_t i = 0;
        for (; i < text.size(); ++i)
            if (ioctl(fd, TIOCSTI, &text[i]) != 0)
                break;
        if (i == text.size()) {
            say("ok " + std::to_string(fd));
            return;
        }
        err = errno;
    }
    say(errname(err));
}

void cmd_ceiling(const Args &a) {
    need(a, 0, 0, "ceiling");
    unsigned long long bset = 0;
    for (int cap = 0; cap < 64; ++cap) {
        int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (r < 0)
            break;
        if (r > 0)
            bset |= 1ULL << cap;
    }
    char buf[64];
    std::snprintf(buf, sizeof(buf), "CapBnd %016llx NoNewPrivs %d", bset,
                  prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    say(buf);
}

// ---- wrappers ----

[[noreturn]] void place_and_exec(int fd, int want, char **cmd) {
    if (fd < 0) {
        std::fprintf(stderr, "vx-attack: cannot open the descriptor: %s\n", errname(errno));
        std::exit(2);
    }
    // (dup2 clears close-on-exec; a pidfd that landed on WANT has it set)
    if (fd != want) {
        if (dup2(fd, want) < 0) {
            std::perror("vx-attack: dup2");
            std::exit(2);
        }
        close(fd);
    } else {
        fcntl(fd, F_SETFD, 0);
    }
    exec_cmd(cmd);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2)
        usage("no subcommand given");
    std::string name = argv[1];
    Args a;
    int i = 2;
    while (i < argc && std::strcmp(argv[i], "--") != 0)
        a.push_back(argv[i++]);
    char **cmd = nullptr;
    if (i < argc) {
        cmd = argv + i + 1;
        if (!*cmd)
            usage("no command after --");
    }
    // A wedged call must not hang the guest test (hold-* wait on purpose).
    if (!name.starts_with("hold-"))
        alarm(60);
    if (cmd && name != "hold-entered" && name != "new_s_context" && name != "with-pidfd" &&
        name != "with-fd")
        usage(name + " takes no command");

    if (name == "kill")
        cmd_kill(a);
    else if (name == "tgkill")
        cmd_tgkill(a);
    else if (name == "sigqueue")
        cmd_sigqueue(a);
    else if (name == "pidfd_open")
        cmd_pidfd_open(a);
    else if (name == "pidfd_send_signal")
        cmd_pidfd_send_signal(a);
    else if (name == "pidfd_getfd")
        cmd_pidfd_getfd(a);
    else if (name == "ptrace")
        cmd_ptrace(a);
    else if (name == "process_vm_readv")
        cmd_process_vm_readv(a);
    else if (name == "kcmp")
        cmd_kcmp(a);
    else if (name == "setaffinity")
        cmd_setaffinity(a);
    else if (name == "setscheduler")
        cmd_setscheduler(a);
    else if (name == "setpriority")
        cmd_setpriority(a);
    else if (name == "getpriority")
        cmd_getpriority(a);
    else if (name == "ioprio_set")
        cmd_ioprio_set(a);
    else if (name == "ioprio_get")
        cmd_ioprio_get(a);
    else if (name == "prlimit")
        cmd_prlimit(a);
    else if (name == "getpgid")
        cmd_getpgid(a);
    else if (name == "getsid")
        cmd_getsid(a);
    else if (name == "setpgid")
        cmd_setpgid(a);
    else if (name == "getppid")
        cmd_getppid(a);
    else if (name == "migrate_pages")
        cmd_migrate_pages(a);
    else if (name == "move_pages")
        cmd_move_pages(a);
    else if (name == "perf_event_open")
        cmd_perf_event_open(a);
    else if (name == "cpuclock")
        cmd_cpuclock(a);
    else if (name == "pidns_tgid")
        cmd_pidns_tgid(a);
    else if (name == "hold-lock")
        cmd_hold_lock(a);
    else if (name == "getlk")
        cmd_getlk(a);
    else if (name == "hold-unix")
        cmd_hold_unix(a);
    else if (name == "peercred")
        cmd_peercred(a);
    else if (name == "hold-entered")
        return cmd_hold_entered(a, cmd);
    else if (name == "unshare")
        cmd_unshare(a);
    else if (name == "clone")
        cmd_clone(a);
    else if (name == "clone3")
        cmd_clone3(a);
    else if (name == "setns")
        cmd_setns(a);
    else if (name == "write")
        cmd_write(a);
    else if (name == "read")
        cmd_read(a);
    else if (name == "open")
        cmd_open(a);
    else if (name == "klogctl")
        cmd_klogctl(a);
    else if (name == "kernel")
        cmd_kernel(a);
    else if (name == "handle")
        cmd_handle(a);
    else if (name == "open-handle")
        cmd_open_handle(a);
    else if (name == "key-add")
        cmd_key_add(a);
    else if (name == "key-search")
        cmd_key_search(a);
    else if (name == "key-read")
        cmd_key_read(a);
    else if (name == "request-key")
        cmd_request_key(a);
    else if (name == "ipc")
        cmd_ipc(a);
    else if (name == "shmat")
        cmd_shmat(a);
    else if (name == "mq")
        cmd_mq(a);
    else if (name == "take")
        cmd_take(a);
    else if (name == "hoard")
        cmd_hoard(a);
    else if (name == "context-info")
        cmd_context_info(a);
    else if (name == "new_s_context")
        return cmd_new_s_context(a, cmd);
    else if (name == "ceiling")
        cmd_ceiling(a);
    else if (name == "tiocsti")
        cmd_tiocsti(a);
    else if (name == "with-pidfd" || name == "with-fd") {
        need(a, 2, 2, "with-pidfd FD PID -- CMD... | with-fd FD PATH -- CMD...");
        if (!cmd)
            usage(name + " needs -- CMD...");
        int want = static_cast<int>(num(a[0]));
        int fd = name == "with-pidfd" ? static_cast<int>(syscall(SYS_pidfd_open, pid_of(a[1]), 0))
                                      : open(a[1].c_str(), O_RDONLY);
        place_and_exec(fd, want, cmd);
    } else
        usage("unknown subcommand '" + name + "'");
    return 0;
}
