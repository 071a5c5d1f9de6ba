/*
 * A user-space stand-in for the vserver system call, LD_PRELOADed into the
 * tools by tools_fake_kernel.sh so that their logic (fork/pipe helpers of
 * vkill, messages, exit codes, the ceiling shown by reducecap) can be tested
 * on a build host whose kernel lacks the patch. It is NOT a model of the
 * kernel's security: the real behaviour is tested in a booted guest.
 *
 * Environment:
 *   FAKE_VSERVER_XID=N        context of the process (default 0); updated by
 *                             new_s_context so that exec'd commands see it
 *   FAKE_VSERVER_PIDS=P:X,... contexts of other processes (default 0)
 *   FAKE_VSERVER_PRIVATE=X    a context nobody may enter
 *   FAKE_VSERVER_IPV4ROOT=A.B.C.D, FAKE_VSERVER_IPV4ROOT_BCAST=A.B.C.D
 *                             the process's IPv4 root and its broadcast
 *                             (default none); set by set_ipv4root
 *   FAKE_VSERVER_HOSTLOOPBACK=1  set by set_ipv4root with that flag
 *   FAKE_VSERVER_NETADDRS=A.B.C.D,...  every address of the lock, set by
 *                             set_ipv4root and VCMD_SET_NETSET
 *   FAKE_VSERVER_API=N        the interface version (default the header's);
 *                             below 1.2 set_ipv4root takes no flag, below
 *                             1.3 VCMD_SET_NETSET is EINVAL
 *
 * Rules: contexts other than the caller's own are invisible (ESRCH) except
 * from context 1, which sees all and may signal none (EPERM); only context 0
 * may choose a context; remove_cap really lowers the bounding set (prctl);
 * set_ipv4root checks its argument as the kernel does and is one shot
 * (EPERM once an IPv4 root is set); nothing is bound or filtered.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/vserver.h>

#define FAKE_NR 236

static int real_kill(pid_t pid, int sig) {
    int (*real)(pid_t, int) = (int (*)(pid_t, int))dlsym(RTLD_NEXT, "kill");

    return real(pid, sig);
}

static long current_xid(void) {
    const char *s = getenv("FAKE_VSERVER_XID");
    return s ? strtol(s, NULL, 10) : 0;
}

static void set_xid(long xid) {
    char buf[32];

    snprintf(buf, sizeof(buf), "%ld", xid);
    setenv("FAKE_VSERVER_XID", buf, 1);
}

static long xid_of(pid_t pid) {
    const char *s = getenv("FAKE_VSERVER_PIDS");

    while (s && *s) {
        char *end;
        long p = strtol(s, &end, 10);
        long x = *end == ':' ? strtol(end + 1, &end, 10) : 0;

        if (p == pid)
            return x;
        s = strchr(end, ',');
        if (s)
            s++;
    }
    return 0;
}

static int is_private(long xid) {
    const char *s = getenv("FAKE_VSERVER_PRIVATE");

    return s && strtol(s, NULL, 10) == xid;
}

static long fail(int err) {
    errno = err;
    return -1;
}

static long new_s_context(long id, struct vcmd_new_s_context *arg) {
    long cur = current_xid();

    if (!arg || arg->size != sizeof(*arg) || (arg->flags & ~VXF_ALL))
        return fail(EINVAL);
    if (id == VX_CTX_NEW) {
        id = cur >= 2 ? cur + 1 : 2;
    } else if (id != VX_CTX_KEEP) {
        if (id < 0 || id > VX_CTX_MAX)
            return fail(EINVAL);
        if (cur != 0 || is_private(id))
            return fail(EPERM);
    }
    for (int cap = 0; cap < 64; cap++)
        if ((arg->remove_cap >> cap) & 1)
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                return -1;
    if (id == VX_CTX_KEEP)
        return cur;
    set_xid(id);
    return id;
}

static __be32 env_ipv4(const char *name) {
    const char *s = getenv(name);
    struct in_addr addr = {0};

    if (s)
        inet_pton(AF_INET, s, &addr);
    return addr.s_addr;
}

static void set_env_ipv4(const char *name, __be32 value) {
    char buf[INET_ADDRSTRLEN];
    struct in_addr addr = {value};

    inet_ntop(AF_INET, &addr, buf, sizeof(buf));
    setenv(name, buf, 1);
}

static long api_version(void) {
    const char *api = getenv("FAKE_VSERVER_API");

    return api ? strtol(api, NULL, 0) : VSERVER_VERSION;
}

static long set_ipv4root(long id, struct vcmd_set_ipv4root *arg) {
    __u32 addr, bcast, known = api_version() >= 0x00010002 ? VX_IPV4ROOT_ALL : 0;

    if (id != 0 || !arg || (arg->flags & ~known) || arg->__reserved)
        return fail(EINVAL);
    addr = ntohl(arg->addr);
    bcast = ntohl(arg->bcast);
    if ((addr >> 24) == 0 || IN_MULTICAST(addr) || addr == INADDR_BROADCAST)
        return fail(EINVAL);
    if (bcast && ((bcast >> 24) == 0 || IN_MULTICAST(bcast) || bcast == addr))
        return fail(EINVAL);
    if (env_ipv4("FAKE_VSERVER_IPV4ROOT"))
        return fail(EPERM);
    set_env_ipv4("FAKE_VSERVER_IPV4ROOT", arg->addr);
    set_env_ipv4("FAKE_VSERVER_IPV4ROOT_BCAST", arg->bcast);
    set_env_ipv4("FAKE_VSERVER_NETADDRS", arg->addr);
    if (arg->flags & VX_IPV4ROOT_HOSTLOOPBACK)
        setenv("FAKE_VSERVER_HOSTLOOPBACK", "1", 1);
    return 0;
}

/* The argument checks of the kernel, without the broadcast's. */
static long set_netset(long id, struct vcmd_set_netset *arg) {
    char list[VX_NETSET_MAX * (INET_ADDRSTRLEN + 1)] = "";
    __be32 first;

    if (api_version() < 0x00010003 || id != 0 || !arg || arg->size != sizeof(*arg) ||
        (arg->flags & ~VX_IPV4ROOT_ALL) || arg->count < 1 || arg->count > VX_NETSET_MAX)
        return fail(EINVAL);
    for (__u32 i = 0; i < arg->count; i++) {
        __be32 be;
        __u32 addr;
        char text[INET_ADDRSTRLEN];

        if (arg->addrs[i].family != AF_INET)
            return fail(arg->addrs[i].family == AF_INET6 ? EAFNOSUPPORT : EINVAL);
        memcpy(&be, arg->addrs[i].addr, sizeof(be));
        addr = ntohl(be);
        if ((addr >> 24) == 0 || IN_MULTICAST(addr) || addr == INADDR_BROADCAST)
            return fail(EINVAL);
        for (__u32 j = 0; j < i; j++)
            if (!memcmp(arg->addrs[j].addr, arg->addrs[i].addr, sizeof(be)))
                return fail(EINVAL);
        inet_ntop(AF_INET, &be, text, sizeof(text));
        if (i)
            strcat(list, ",");
        strcat(list, text);
    }
    if (env_ipv4("FAKE_VSERVER_IPV4ROOT"))
        return fail(EPERM);
    memcpy(&first, arg->addrs[0].addr, sizeof(first));
    set_env_ipv4("FAKE_VSERVER_IPV4ROOT", first);
    set_env_ipv4("FAKE_VSERVER_IPV4ROOT_BCAST", arg->bcast);
    setenv("FAKE_VSERVER_NETADDRS", list, 1);
    if (arg->flags & VX_IPV4ROOT_HOSTLOOPBACK)
        setenv("FAKE_VSERVER_HOSTLOOPBACK", "1", 1);
    return 0;
}

static long context_info(long pid, struct vcmd_context_info *info) {
    long cur = current_xid();
    long xid = pid ? xid_of((pid_t)pid) : cur;

    if (pid && real_kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        return fail(ESRCH);
    if (cur != 1 && xid != cur)
        return fail(ESRCH);
    memset(info, 0, sizeof(*info));
    info->xid = (__u32)xid;
    if (!pid) {
        info->ipv4root = env_ipv4("FAKE_VSERVER_IPV4ROOT");
        info->ipv4root_bcast = env_ipv4("FAKE_VSERVER_IPV4ROOT_BCAST");
    }
    return 0;
}

long syscall(long number, ...) {
    va_list ap;
    long a[6];

    va_start(ap, number);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);

    if (number != FAKE_NR) {
        long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");

        return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    switch ((unsigned int)a[0]) {
    case VCMD_GET_VERSION:
        return api_version();
    case VCMD_NEW_S_CONTEXT:
        return new_s_context(a[1], (struct vcmd_new_s_context *)a[2]);
    case VCMD_SET_IPV4ROOT:
        return set_ipv4root(a[1], (struct vcmd_set_ipv4root *)a[2]);
    case VCMD_GET_CONTEXT_INFO:
        return context_info(a[1], (struct vcmd_context_info *)a[2]);
    case VCMD_SET_NETSET:
        return set_netset(a[1], (struct vcmd_set_netset *)a[2]);
    default:
        return fail(EINVAL);
    }
}

int kill(pid_t pid, int sig) {
    long cur = current_xid();

    if (pid > 0 && (cur == 1 || xid_of(pid) != cur)) {
        if (real_kill(pid, 0) < 0)
            return -1;
        errno = cur == 1 ? EPERM : ESRCH;
        return -1;
    }
    return real_kill(pid, sig);
}
