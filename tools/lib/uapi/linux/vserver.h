/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vserver(2): security contexts, the capability ceiling and the
 * per-process-tree IPv4 root, multiplexed over the system call slot that
 * mainline reserves for "vserver" (x86_64 236, i386 273).
 *
 *	long vserver(unsigned int cmd, long id, void __user *data);
 *
 * A kernel without this support answers ENOSYS on that slot.
 */
#ifndef _UAPI_LINUX_VSERVER_H
#define _UAPI_LINUX_VSERVER_H

#include <linux/types.h>

/* 1.6: major in the upper 16 bits, minor in the lower 16 */
#define VSERVER_VERSION		0x00010006

/* Commands */
#define VCMD_GET_VERSION	0	/* returns VSERVER_VERSION */
#define VCMD_NEW_S_CONTEXT	1	/* id: context, data: vcmd_new_s_context */
#define VCMD_SET_IPV4ROOT	2	/* id: 0, data: vcmd_set_ipv4root */
#define VCMD_GET_CONTEXT_INFO	3	/* id: pid (0: caller), data: vcmd_context_info */
#define VCMD_SET_NETSET		4	/* id: 0, data: vcmd_set_netset (since 1.3) */

/* Context ids (the id argument of VCMD_NEW_S_CONTEXT) */
#define VX_CTX_KEEP		(-2)	/* stay, only lower the ceiling */
#define VX_CTX_NEW		(-1)	/* allocate an unused context */
#define VX_CTX_HOST		0	/* where the machine boots */
#define VX_CTX_SPECTATOR	1	/* sees every context, acts on none */
#define VX_CTX_STATIC_MIN	2	/* ids root chooses: 2..49151 */
#define VX_CTX_STATIC_MAX	49151
#define VX_CTX_DYNAMIC_MIN	49152	/* ids VX_CTX_NEW allocates */
#define VX_CTX_MAX		65535

/* Context flags, given when the context is created */
#define VXF_LOCK		(1U << 0)	/* no new_s_context from inside */
#define VXF_SCHED		(1U << 1)	/* one CPU share for the context */
#define VXF_NPROC		(1U << 2)	/* RLIMIT_NPROC counts the context */
#define VXF_PRIVATE		(1U << 3)	/* nobody may enter */
#define VXF_FAKEINIT		(1U << 4)	/* the creator acts as pid 1 */
#define VXF_USERNS		(1U << 5)	/* may create user namespaces */
#define VXF_ALL			(VXF_LOCK | VXF_SCHED | VXF_NPROC | \
				 VXF_PRIVATE | VXF_FAKEINIT | VXF_USERNS)

#define VX_NAME_LEN		65	/* __NEW_UTS_LEN + 1 */

struct vcmd_new_s_context {
	__u32 size;		/* sizeof(struct vcmd_new_s_context) */
	__u32 flags;		/* VXF_*, only when the context is created */
	__u64 remove_cap;	/* capabilities removed from the ceiling */
	char nodename[VX_NAME_LEN];	/* "": the creator's host name */
	char domainname[VX_NAME_LEN];	/* "": the creator's NIS domain */
	__u8 __reserved[6];	/* must be zero */
};

/* IPv4 root flags (since 1.2) */
#define VX_IPV4ROOT_HOSTLOOPBACK (1U << 0) /* 127.0.0.0/8 stays the host's */
#define VX_IPV4ROOT_ALL		VX_IPV4ROOT_HOSTLOOPBACK

/*
 * The loopback of a server (since 1.4): a task locked in context ID without
 * VX_IPV4ROOT_HOSTLOOPBACK has 127.254.(ID >> 8).(ID & 255) for 127.0.0.1.
 * Only that server reaches it or binds it; a set may not name it.
 */
#define VX_LOOPBACK_NET		0x7ffe0000	/* 127.254.0.0 */
#define VX_LOOPBACK_MASK	0xffff0000	/* /16 */

/*
 * Its ::1 (since 1.6), when its set holds an IPv6 address: the address
 * fd76:7365:7276:6572::ID of a unique local prefix ("\xfd" "vserver"), made
 * local on the host by one route, "ip -6 route add local
 * fd76:7365:7276:6572::/64 dev lo" (vserver start adds it); without that
 * route, ::1 stays out of the server's reach.  Only that server reaches it
 * or binds it, it never comes from a network device, and a set may not
 * name an address of the prefix.
 */
#define VX_LOOPBACK6_PREFIX	0xfd76736572766572ULL	/* the first 64 bits */

struct vcmd_set_ipv4root {
	__be32 addr;		/* the one IPv4 address, never 0 */
	__be32 bcast;		/* its broadcast (UDP may bind it), or 0 */
	__u32 flags;		/* VX_IPV4ROOT_* */
	__u32 __reserved;	/* must be zero */
};

/*
 * A set of addresses (since 1.3; IPv6 ones since 1.5): VCMD_SET_IPV4ROOT
 * is the set of one.  A wildcard bind answers on each address of the set
 * and on no other.  A set holds at least one IPv4 address; IPv6 sockets
 * are for tasks whose set holds an IPv6 address.
 */
#define VX_NETSET_MAX		16

struct vx_netaddr {
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 __reserved;	/* must be zero */
	__u8 addr[16];		/* network order; IPv4: the first 4, then zero */
};

struct vcmd_set_netset {
	__u32 size;		/* sizeof(struct vcmd_set_netset) */
	__u32 flags;		/* VX_IPV4ROOT_* */
	__u32 count;		/* addresses in @addrs: 1..VX_NETSET_MAX */
	__be32 bcast;		/* the IPv4 broadcast UDP may bind, or 0 */
	struct vx_netaddr addrs[VX_NETSET_MAX];	/* the first of each family
						 * is its source
						 */
};

struct vcmd_context_info {
	__u32 xid;		/* context id */
	__u32 flags;		/* VXF_* of the context */
	__s32 initpid;		/* pid of the context's fake init, or 0 */
	__u32 nr_tasks;		/* tasks in the context */
	__u64 cap_bset;		/* the task's capability ceiling */
	__be32 ipv4root;	/* the task's IPv4 root, 0: none */
	__be32 ipv4root_bcast;	/* its broadcast address, or 0 */
};

#endif /* _UAPI_LINUX_VSERVER_H */
