// vx-pidcalls: try every system call that takes a process id on one process
// and print one line "NAME RESULT" per call, RESULT being "ok" or the errno
// name (ESRCH, EPERM, ...). The guest tests compare the whole output with a
// table of what a caller of each security context must get.
//
//   vx-pidcalls PID [PGID]   PGID adds the line kill_pgrp0 (kill(-PGID, 0))
//   vx-pidcalls --self-test  run the calls on a child of our own, print
//                            nothing and exit 0 when each got what an
//                            unrestricted caller gets, else print the
//                            differing lines and exit 1
//
// process_vm_readv and process_vm_writev use a bogus remote address: a
// call that is let through fails with EFAULT.  Every "set" call writes
// back the value just read (or, when the read failed, our own value), so
// a call that is let through changes nothing.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <string>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

// struct sched_attr of <linux/sched/types.h>, whose header clashes with
// <sched.h> (SCHED_ATTR_SIZE_VER1)
struct SchedAttr {
    std::uint32_t size = sizeof(SchedAttr);
    std::uint32_t sched_policy;
    std::uint64_t sched_flags;
    std::int32_t sched_nice;
    std::uint32_t sched_priority;
    std::uint64_t sched_runtime, sched_deadline, sched_period;
    std::uint32_t sched_util_min, sched_util_max;
};

using Call = std::pair<const char *, std::function<int()>>;

// 0 when the call returned something other than -1, else errno.
int result(long ret) { return ret == -1 ? errno : 0; }

std::string errno_name(int err) {
    if (err == 0)
        return "ok";
    const char *name = strerrorname_np(err);
    return name ? name : "errno" + std::to_string(err);
}

int seize_and_detach(pid_t pid) {
    if (::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == -1)
        return errno;
    // A seized tracee is running; stop it so it can be detached.
    if (::ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) == 0) {
        int status;
        while (::waitpid(pid, &status, __WALL) == -1 && errno == EINTR) {
        }
    }
    ::ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
    return 0;
}

int open_and_read(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return errno;
    char buf[64];
    int err = ::read(fd, buf, sizeof(buf)) == -1 ? errno : 0;
    ::close(fd);
    return err;
}

std::vector<Call> calls(pid_t pid, pid_t pgid) {
    std::vector<Call> c;
    c.emplace_back("kill0", [=] { return result(::kill(pid, 0)); });
    c.emplace_back("kill_cont", [=] { return result(::kill(pid, SIGCONT)); });
    c.emplace_back("tkill0", [=] { return result(::syscall(SYS_tkill, pid, 0)); });
    c.emplace_back("tgkill0", [=] { return result(::syscall(SYS_tgkill, pid, pid, 0)); });
    c.emplace_back("rt_sigqueueinfo0", [=] {
        siginfo_t info;
        std::memset(&info, 0, sizeof(info));
        info.si_code = SI_QUEUE;
        info.si_pid = ::getpid();
        info.si_uid = ::getuid();
        return result(::syscall(SYS_rt_sigqueueinfo, pid, 0, &info));
    });
    c.emplace_back("pidfd_open", [=] {
        long fd = ::syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0)
            ::close(static_cast<int>(fd));
        return result(fd);
    });
    c.emplace_back("getpgid", [=] { return result(::getpgid(pid)); });
    c.emplace_back("getsid", [=] { return result(::getsid(pid)); });
    c.emplace_back("setpgid", [=] { return result(::setpgid(pid, pid)); });
    c.emplace_back("getpriority", [=] {
        errno = 0;
        int prio = ::getpriority(PRIO_PROCESS, pid);
        return prio == -1 ? errno : 0;
    });
    c.emplace_back("setpriority", [=] {
        errno = 0;
        int prio = ::getpriority(PRIO_PROCESS, pid);
        if (prio == -1 && errno)
            prio = ::getpriority(PRIO_PROCESS, 0);
        return result(::setpriority(PRIO_PROCESS, pid, prio));
    });
    c.emplace_back("sched_getscheduler", [=] { return result(::sched_getscheduler(pid)); });
    c.emplace_back("sched_getparam", [=] {
        sched_param param{};
        return result(::sched_getparam(pid, &param));
    });
    c.emplace_back("sched_setparam", [=] {
        sched_param param{};
        if (::sched_getparam(pid, &param) == -1)
            ::sched_getparam(0, &param);
        return result(::sched_setparam(pid, &param));
    });
    c.emplace_back("sched_getaffinity", [=] {
        cpu_set_t set;
        return result(::sched_getaffinity(pid, sizeof(set), &set));
    });
    c.emplace_back("sched_setaffinity", [=] {
        cpu_set_t set;
        if (::sched_getaffinity(pid, sizeof(set), &set) == -1)
            ::sched_getaffinity(0, sizeof(set), &set);
        return result(::sched_setaffinity(pid, sizeof(set), &set));
    });
    c.emplace_back("sched_getattr", [=] {
        SchedAttr attr{};
        return result(::syscall(SYS_sched_getattr, pid, &attr, sizeof(attr), 0));
    });
    c.emplace_back("sched_setattr", [=] {
        SchedAttr attr{};
        if (::syscall(SYS_sched_getattr, pid, &attr, sizeof(attr), 0) == -1)
            ::syscall(SYS_sched_getattr, 0, &attr, sizeof(attr), 0);
        return result(::syscall(SYS_sched_setattr, pid, &attr, 0));
    });
    c.emplace_back("ioprio_get",
                   [=] { return result(::syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, pid)); });
    c.emplace_back("ioprio_set", [=] {
        long prio = ::syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, pid);
        if (prio == -1)
            prio = ::syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
        return result(::syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid, prio));
    });
    c.emplace_back("prlimit_get", [=] {
        rlimit lim;
        return result(::prlimit(pid, RLIMIT_NOFILE, nullptr, &lim));
    });
    c.emplace_back("prlimit_set", [=] {
        rlimit lim;
        if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &lim) == -1)
            ::getrlimit(RLIMIT_NOFILE, &lim);
        return result(::prlimit(pid, RLIMIT_NOFILE, &lim, nullptr));
    });
    c.emplace_back("capget", [=] {
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, pid};
        __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
        return result(::syscall(SYS_capget, &header, data));
    });
    c.emplace_back("ptrace_seize", [=] { return seize_and_detach(pid); });
    c.emplace_back("process_vm_readv", [=] {
        // A bogus remote address: a call that gets through fails with EFAULT.
        char byte;
        iovec local{&byte, 1};
        iovec remote{reinterpret_cast<void *>(8), 1};
        return result(::process_vm_readv(pid, &local, 1, &remote, 1, 0));
    });
    c.emplace_back("process_vm_writev", [=] {
        char byte = 0;
        iovec local{&byte, 1};
        iovec remote{reinterpret_cast<void *>(8), 1};
        return result(::process_vm_writev(pid, &local, 1, &remote, 1, 0));
    });
    c.emplace_back("kcmp",
                   [=] { return result(::syscall(SYS_kcmp, ::getpid(), pid, KCMP_VM, 0, 0)); });
    c.emplace_back("get_robust_list", [=] {
        void *head;
        size_t len;
        return result(::syscall(SYS_get_robust_list, pid, &head, &len));
    });
    c.emplace_back("proc_status", [=] {
        int fd = ::open(("/proc/" + std::to_string(pid) + "/status").c_str(), O_RDONLY);
        if (fd >= 0)
            ::close(fd);
        return result(fd);
    });
    c.emplace_back("proc_environ",
                   [=] { return open_and_read("/proc/" + std::to_string(pid) + "/environ"); });
    c.emplace_back("proc_maps",
                   [=] { return open_and_read("/proc/" + std::to_string(pid) + "/maps"); });
    c.emplace_back("proc_mem", [=] {
        int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
        if (fd >= 0)
            ::close(fd);
        return result(fd);
    });
    c.emplace_back("pidfd_send_signal0", [=] {
        long fd = ::syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
            return errno;
        int err = result(::syscall(SYS_pidfd_send_signal, fd, 0, nullptr, 0));
        ::close(static_cast<int>(fd));
        return err;
    });
    c.emplace_back("pidfd_getfd", [=] {
        long fd = ::syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
            return errno;
        long got = ::syscall(SYS_pidfd_getfd, fd, 0, 0);
        int err = result(got);
        if (got >= 0)
            ::close(static_cast<int>(got));
        ::close(static_cast<int>(fd));
        return err;
    });
    c.emplace_back("f_setown", [=] {
        int fds[2];
        if (::pipe(fds) == -1)
            return errno;
        int err = result(::fcntl(fds[0], F_SETOWN, pid));
        ::close(fds[0]);
        ::close(fds[1]);
        return err;
    });
    c.emplace_back("f_setown_ex", [=] {
        int fds[2];
        if (::pipe(fds) == -1)
            return errno;
        f_owner_ex owner{F_OWNER_PID, pid};
        int err = result(::fcntl(fds[0], F_SETOWN_EX, &owner));
        ::close(fds[0]);
        ::close(fds[1]);
        return err;
    });
    if (pgid > 0)
        c.emplace_back("kill_pgrp0", [=] { return result(::kill(-pgid, 0)); });
    return c;
}

// The calls on a child of ours, which an unrestricted caller may do all.
int self_test() {
    pid_t child = ::fork();
    if (child == -1) {
        std::perror("vx-pidcalls: fork");
        return 1;
    }
    if (child == 0) {
        for (;;)
            ::pause();
    }
    ::setpgid(child, child);
    int failed = 0;
    for (const auto &[name, call] : calls(child, child)) {
        bool bogus_address = std::strncmp(name, "process_vm_", 11) == 0;
        std::string want = bogus_address ? "EFAULT" : "ok";
        std::string got = errno_name(call());
        if (got != want) {
            std::printf("%s %s (expected %s)\n", name, got.c_str(), want.c_str());
            failed = 1;
        }
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return failed;
}

long parse_pid(const char *text) {
    char *end;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno || end == text || *end || value < 1 || value > 0x7fffffff) {
        std::fprintf(stderr, "vx-pidcalls: invalid process id '%s'\n", text);
        std::exit(2);
    }
    return value;
}

} // namespace

int main(int argc, char *argv[]) {
    // A wedged call must not hang the guest test.
    ::alarm(60);
    if (argc == 2 && std::strcmp(argv[1], "--self-test") == 0)
        return self_test();
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: vx-pidcalls PID [PGID] | --self-test\n");
        return 2;
    }
    pid_t pid = static_cast<pid_t>(parse_pid(argv[1]));
    pid_t pgid = argc == 3 ? static_cast<pid_t>(parse_pid(argv[2])) : 0;
    for (const auto &[name, call] : calls(pid, pgid))
        std::printf("%s %s\n", name, errno_name(call()).c_str());
    return std::fflush(stdout) == 0 ? 0 : 1;
}
