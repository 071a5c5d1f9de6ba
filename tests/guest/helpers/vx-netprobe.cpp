// vx-netprobe: one network operation per step, for the guest tests of
// set_ipv4root and of what a server may do with sockets
// (tests/guest/cases/ipv4root_*.sh, escape_net.sh, escape_sockets.sh).
// Each step prints one line: an IPv4 address (getsockname() after the
// operation), "ok", or the errno name of the call that failed
// (EADDRNOTAVAIL ...).
//
//   vx-netprobe STEP [ARGS] [+ STEP [ARGS]]...
//
// Steps run in order in one process ("+" separates them):
//   set ADDR [BCAST [FLAGS [RESERVED]]]   VCMD_SET_IPV4ROOT: ok | ERRNO
//   netset LIST [BCAST [FLAGS]]    VCMD_SET_NETSET of the addresses of LIST
//                                  (A,B,...; IPv4 or IPv6; "v6" stands for
//                                  ::1): ok | ERRNO
//   lock ADDR [BCAST]              the same, silent; exits 2 if it fails;
//                                  ADDR may be a LIST (VCMD_SET_NETSET)
//   lock ADDR [BCAST] -- CMD...    the same, then exec CMD (no more steps)
//   status                         the ipv4root lines of /proc/self/status
//   netaddrs                       the netaddrs line of /proc/self/status
//   cap NAME                       yes | no: NAME (net_raw, net_admin,
//                                  net_bind_service) is in CapEff
//   fork                           the remaining steps run in a child; the
//                                  parent waits and exits with its status
//   socket FAMILY TYPE [PROTO]     socket(): ok | ERRNO.  FAMILY: inet,
//                                  inet6, packet, unix, netlink, tipc,
//                                  vsock, xdp, smc or a number; TYPE:
//                                  stream, dgram, raw, seqpacket, rdm,
//                                  packet, dccp (6) or a number; PROTO: a
//                                  number or icmp, tcp, udp, dccp, sctp,
//                                  udplite, raw, smc, mptcp (default 0;
//                                  packet sockets: ETH_P_ALL)
//   sockhold FAMILY TYPE [PROTO]   the same socket, print "holding", then
//                                  wait to be killed
//   bind PROTO ADDR [PORT]         bind: address | ERRNO
//   bind-unspec tcp|udp            bind AF_UNSPEC 0.0.0.0: address | ERRNO
//   freebind ADDR                  TCP, IP_FREEBIND, bind: address | ERRNO
//   sctp-bindx ADDR [PORT]         SCTP stream socket, SCTP_SOCKOPT_BINDX_ADD
//                                  of ADDR (no bind()): address | ERRNO
//   listen                         TCP listen() without bind: address | ERRNO
//   hold tcp|udp ADDR|- PORT       bind (- : none), listen (tcp), print
//                                  "ADDRESS PORT", then wait to be killed
//   connect PROTO DEST PORT        connect an unbound socket (udp and
//                                  udplite: and send a datagram):
//                                  address | ERRNO
//   sendto DEST PORT               UDP sendto from an unbound socket
//   sendto-unspec DEST PORT        the same with sin_family AF_UNSPEC, which
//                                  UDP takes for AF_INET
//   fastopen DEST PORT             TCP sendto with MSG_FASTOPEN (connect and
//                                  send in one call) from an unbound socket
//   pktinfo SPEC DEST PORT         UDP sendmsg from an unbound socket with
//                                  an IP_PKTINFO cmsg, ipi_spec_dst SPEC
//   transparent tcp|udp            setsockopt(IP_TRANSPARENT, 1): ok | ERRNO
//   device IFNAME tcp|udp ADDR     SO_BINDTODEVICE, then bind ADDR
//   device-sendto IFNAME DEST PORT UDP, SO_BINDTODEVICE, sendto
//   disconnect DEST PORT [TO PORT2]   UDP connect, connect(AF_UNSPEC), and
//                                  sendto TO:PORT2 if given: address
//   ping DEST                      ICMP datagram socket, unbound, one echo
//                                  request: "ADDRESS reply|noreply" | ERRNO
//   pingfrom DEST                  the same: "reply from SOURCE" (the
//                                  reply's source, recvfrom()) | "noreply" |
//                                  ERRNO
//   rawping DEST [SPEC]            raw ICMP socket, unbound, one echo request
//                                  (with an IP_PKTINFO cmsg naming SPEC):
//                                  "ADDRESS reply" (ADDRESS: where the reply
//                                  went, the request's source) | "ADDRESS
//                                  noreply" (the socket's) | ERRNO
//   hdrincl                        raw ICMP socket, setsockopt(IP_HDRINCL, 1):
//                                  ok | ERRNO
//   rawsniff                       raw ICMP socket, print "ready", then at
//                                  SIGTERM one "SOURCE > DEST" line for each
//                                  pair of addresses it received a packet
//                                  for, sorted, or "none"
//   answer tcp|udp ADDR PORT NAME [reuseport]   bind ADDR:PORT (with
//                                  SO_REUSEPORT), listen, print "ADDRESS
//                                  PORT" (or ERRNO and exit), then answer
//                                  each connection (each datagram) with NAME
//                                  until killed
//   ask tcp|udp DEST PORT          connect and print the answer (1 s at
//                                  most): NAME | "noanswer" | ERRNO; udp:
//                                  sendto a datagram from an unconnected
//                                  socket: "NAME from ADDRESS" (the
//                                  answer's source) | "noanswer" | ERRNO
//   serve tcp|udp ADDR -- CMD...   bind ADDR:0 (and listen), run CMD with
//                                  "@PORT" in its arguments replaced by the
//                                  port, wait for it, then accept or receive
//                                  (2 s at most): "peer ADDRESS" | "peer none";
//                                  exits with CMD's status
// PROTO of bind and connect: tcp, udp, icmp (ping), rawicmp (SOCK_RAW),
// udplite, mptcp, sctp (SOCK_STREAM), dccp (SOCK_DCCP).
//
// io_uring (liburing; "async" sets IOSQE_ASYNC on every request, which
// runs it in an io-wq worker; otherwise it is issued inline).  The socket
// of bind, connect and sendmsg is made by IORING_OP_SOCKET too:
//   uring-socket [async] FAMILY TYPE [PROTO]   IORING_OP_SOCKET: ok | ERRNO
//   uring-bind [async] PROTO ADDR [PORT]       IORING_OP_BIND: address | ERRNO
//   uring-connect [async] tcp|udp DEST PORT    IORING_OP_CONNECT (udp: and
//                                  IORING_OP_SEND of a datagram): address | ERRNO
//   uring-sendmsg [async] DEST PORT [SPEC]     UDP IORING_OP_SENDMSG to
//                                  DEST:PORT, with an IP_PKTINFO cmsg naming
//                                  SPEC if given: address | ERRNO
// A failing io_uring_queue_init prints "io_uring ERRNO".
//
// Unix sockets; NAME is an abstract name (bound as "@NAME", without a
// trailing NUL), or a file when it starts with "/":
//   ahold stream|dgram NAME TOKEN  bind NAME (and listen), print
//                                  "listening", then until killed: stream,
//                                  send TOKEN on each accepted connection,
//                                  close it and print "served"; dgram, print
//                                  "received DATA" for each datagram
//   aconnect stream|dgram NAME     connect: stream, what the listener sent
//                                  (up to EOF or 2 s; "" if nothing) | ERRNO;
//                                  dgram: ok | ERRNO
//   asendto NAME [DATA]            unbound datagram socket, sendto NAME
//                                  (DATA, default "x"): ok | ERRNO
//   abind stream|dgram NAME        bind NAME, then close: ok | ERRNO
//   peercred NAME                  connect a stream socket to NAME and print
//                                  the SO_PEERCRED pid of the listener | ERRNO
//   peerpidfd NAME                 connect a stream socket to NAME and print
//                                  the pid that the fdinfo of the listener's
//                                  SO_PEERPIDFD names | ERRNO
//
// A failing setsockopt() before the step's main call prints "NAME ERRNO"
// (e.g. "SO_BINDTODEVICE EPERM").  Usage errors: status 64.
#include <linux/vserver.h>
#include <vserver/syscall_nr.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <liburing.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "probe.hpp"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 // Linux 6.5; newer than Debian 12's headers
#endif

namespace {

using Args = std::vector<std::string>;

[[noreturn]] void usage(const std::string &why) {
    std::fprintf(stderr, "vx-netprobe: %s (see tests/guest/helpers/vx-netprobe.cpp)\n",
                 why.c_str());
    std::exit(64);
}

using probe::errname;
using probe::say;

// The errno name of the last failed call, as the step's result.
void say_errno() { say(errname(errno)); }

in_addr_t addr_of(const std::string &text) {
    in_addr a;
    if (inet_pton(AF_INET, text.c_str(), &a) != 1)
        usage("bad IPv4 address '" + text + "'");
    return a.s_addr;
}

int port_of(const std::string &text) {
    char *end;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < 0 || v > 65535)
        usage("bad port '" + text + "'");
    return static_cast<int>(v);
}

sockaddr_in sin_of(in_addr_t addr, int port) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = addr;
    sin.sin_port = htons(static_cast<uint16_t>(port));
    return sin;
}

std::string text_of(in_addr_t addr) {
    char buf[INET_ADDRSTRLEN];
    in_addr a{addr};
    inet_ntop(AF_INET, &a, buf, sizeof(buf));
    return buf;
}

// getsockname(): the local address (and port) of a socket.
sockaddr_in local_of(int fd) {
    sockaddr_in sin{};
    socklen_t len = sizeof(sin);
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&sin), &len) != 0) {
        std::perror("vx-netprobe: getsockname");
        std::exit(3);
    }
    return sin;
}

void say_local(int fd) { say(text_of(local_of(fd).sin_addr.s_addr)); }

int type_of(const std::string &proto) {
    if (proto == "tcp")
        return SOCK_STREAM;
    if (proto == "udp")
        return SOCK_DGRAM;
    usage("expected tcp or udp, not '" + proto + "'");
}

// Numbers the C library may not name yet.
constexpr int vx_sock_dccp = 6;         // SOCK_DCCP
constexpr int vx_ipproto_dccp = 33;     // IPPROTO_DCCP
constexpr int vx_ipproto_sctp = 132;    // IPPROTO_SCTP
constexpr int vx_ipproto_udplite = 136; // IPPROTO_UDPLITE
constexpr int vx_ipproto_smc = 256;     // IPPROTO_SMC
constexpr int vx_ipproto_mptcp = 262;   // IPPROTO_MPTCP
constexpr int vx_ioring_op_bind = 56;   // IORING_OP_BIND (Linux 6.11)
constexpr int vx_sctp_bindx_add = 100;  // SCTP_SOCKOPT_BINDX_ADD

// The socket() type and protocol of an IPv4 PROTO of bind and connect.
struct InetKind {
    int type;
    int protocol;
    bool datagram; // connect sends a datagram
};

InetKind inet_kind(const std::string &proto) {
    if (proto == "tcp")
        return {SOCK_STREAM, 0, false};
    if (proto == "udp")
        return {SOCK_DGRAM, 0, true};
    if (proto == "icmp")
        return {SOCK_DGRAM, IPPROTO_ICMP, false};
    if (proto == "rawicmp")
        return {SOCK_RAW, IPPROTO_ICMP, false};
    if (proto == "udplite")
        return {SOCK_DGRAM, vx_ipproto_udplite, true};
    if (proto == "mptcp")
        return {SOCK_STREAM, vx_ipproto_mptcp, false};
    if (proto == "sctp")
        return {SOCK_STREAM, vx_ipproto_sctp, false};
    if (proto == "dccp")
        return {vx_sock_dccp, vx_ipproto_dccp, false};
    usage("expected tcp, udp, icmp, rawicmp, udplite, mptcp, sctp or dccp, not '" + proto + "'");
}

// A new IPv4 socket of PROTO (see inet_kind); -1 with errno on failure.
int inet_socket(const std::string &proto) {
    InetKind k = inet_kind(proto);
    return socket(AF_INET, k.type | SOCK_CLOEXEC, k.protocol);
}

// A number, or -1 if TEXT is not one.
long number_or(const std::string &text) {
    char *end;
    long v = std::strtol(text.c_str(), &end, 0);
    return text.empty() || *end != '\0' || v < 0 ? -1 : v;
}

// FAMILY TYPE [PROTO] of the socket steps, as socket() wants them.
struct SocketArgs {
    int family;
    int type;
    int protocol;
};

SocketArgs socket_args(const Args &a) {
    static const std::pair<const char *, int> families[] = {
        {"inet", AF_INET},   {"inet6", AF_INET6},     {"packet", AF_PACKET},
        {"unix", AF_UNIX},   {"netlink", AF_NETLINK}, {"tipc", AF_TIPC},
        {"vsock", AF_VSOCK}, {"xdp", AF_XDP},         {"smc", AF_SMC}};
    static const std::pair<const char *, int> types[] = {
        {"stream", SOCK_STREAM},       {"dgram", SOCK_DGRAM}, {"raw", SOCK_RAW},
        {"seqpacket", SOCK_SEQPACKET}, {"rdm", SOCK_RDM},     {"packet", SOCK_PACKET},
        {"dccp", vx_sock_dccp}};
    static const std::pair<const char *, int> protocols[] = {
        {"icmp", IPPROTO_ICMP},    {"tcp", IPPROTO_TCP},      {"udp", IPPROTO_UDP},
        {"dccp", vx_ipproto_dccp}, {"sctp", vx_ipproto_sctp}, {"udplite", vx_ipproto_udplite},
        {"raw", IPPROTO_RAW},      {"smc", vx_ipproto_smc},   {"mptcp", vx_ipproto_mptcp}};
    auto lookup = [](const auto &table, const std::string &text, const char *what) {
        for (const auto &[name, value] : table)
            if (text == name)
                return value;
        long v = number_or(text);
        if (v < 0 || v > 0xffff)
            usage(std::string("bad socket ") + what + " '" + text + "'");
        return static_cast<int>(v);
    };
    SocketArgs s{lookup(families, a[0], "family"), lookup(types, a[1], "type"), 0};
    if (a.size() > 2)
        s.protocol = lookup(protocols, a[2], "protocol");
    else if (s.family == AF_PACKET || s.type == SOCK_PACKET)
        s.protocol = htons(ETH_P_ALL);
    return s;
}

bool bind_to(int fd, in_addr_t addr, int port) {
    sockaddr_in sin = sin_of(addr, port);
    return bind(fd, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) == 0;
}

bool setopt(int fd, int level, int name, const char *what, const void *val, socklen_t len) {
    if (setsockopt(fd, level, name, val, len) == 0)
        return true;
    say(std::string(what) + " " + errname(errno));
    return false;
}

bool setopt_int(int fd, int level, int name, const char *what, int value) {
    return setopt(fd, level, name, what, &value, sizeof(value));
}

// A UDP datagram "x" to DEST, with an IP_PKTINFO naming SPEC if given.
struct Datagram {
    sockaddr_in dest;
    char data = 'x';
    iovec iov{};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    msghdr msg{};

    Datagram(in_addr_t to, int port, const std::string *spec) : dest(sin_of(to, port)) {
        iov = {&data, 1};
        msg.msg_name = &dest;
        msg.msg_namelen = sizeof(dest);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (!spec)
            return;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = IPPROTO_IP;
        cm->cmsg_type = IP_PKTINFO;
        cm->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_spec_dst.s_addr = addr_of(*spec);
        std::memcpy(CMSG_DATA(cm), &info, sizeof(info));
    }
    Datagram(const Datagram &) = delete;
    Datagram &operator=(const Datagram &) = delete;
};

long set_ipv4root(in_addr_t addr, in_addr_t bcast, uint32_t flags = 0, uint32_t reserved = 0) {
    vcmd_set_ipv4root arg{};
    arg.addr = addr;
    arg.bcast = bcast;
    arg.flags = flags;
    arg.__reserved = reserved;
    return syscall(VSERVER_NR, VCMD_SET_IPV4ROOT, 0L, &arg);
}

uint32_t u32_of(const std::string &text) {
    char *end;
    unsigned long v = std::strtoul(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || v > 0xffffffffUL)
        usage("bad number '" + text + "'");
    return static_cast<uint32_t>(v);
}

// ---- the steps; each gets its arguments (the step name excluded) ----

void need(const Args &a, std::size_t min, std::size_t max, const char *usage_line) {
    if (a.size() < min || a.size() > max)
        usage(std::string("usage: ") + usage_line);
}

void step_set(const Args &a) {
    need(a, 1, 4, "set ADDR [BCAST [FLAGS [RESERVED]]]");
    in_addr_t bcast = a.size() > 1 ? addr_of(a[1]) : 0;
    uint32_t flags = a.size() > 2 ? u32_of(a[2]) : 0;
    uint32_t reserved = a.size() > 3 ? u32_of(a[3]) : 0;
    if (set_ipv4root(addr_of(a[0]), bcast, flags, reserved) == 0)
        say("ok");
    else
        say_errno();
}

// VCMD_SET_NETSET of LIST ("A,B,..."; "v6": ::1).
long set_netset(const std::string &list, in_addr_t bcast, uint32_t flags = 0) {
    vcmd_set_netset arg{};
    arg.size = sizeof(arg);
    arg.flags = flags;
    arg.bcast = bcast;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = std::min(list.find(',', start), list.size());
        std::string item = list.substr(start, end - start);
        if (arg.count == VX_NETSET_MAX + 1)
            usage("more than " + std::to_string(VX_NETSET_MAX + 1) + " addresses");
        vx_netaddr &entry = arg.addrs[std::min<uint32_t>(arg.count, VX_NETSET_MAX - 1)];
        if (item == "v6") {
            entry.family = AF_INET6;
            entry.addr[15] = 1;
        } else if (item.find(':') != std::string::npos) {
            entry.family = AF_INET6;
            if (inet_pton(AF_INET6, item.c_str(), entry.addr) != 1)
                usage("bad IPv6 address '" + item + "'");
        } else {
            entry.family = AF_INET;
            in_addr_t addr = addr_of(item);
            std::memcpy(entry.addr, &addr, sizeof(addr));
        }
        arg.count++;
        start = end + 1;
    }
    return syscall(VSERVER_NR, VCMD_SET_NETSET, 0L, &arg);
}

void step_netset(const Args &a) {
    need(a, 1, 3, "netset LIST [BCAST [FLAGS]]");
    in_addr_t bcast = a.size() > 1 ? addr_of(a[1]) : 0;
    uint32_t flags = a.size() > 2 ? u32_of(a[2]) : 0;
    if (set_netset(a[0], bcast, flags) == 0)
        say("ok");
    else
        say_errno();
}

void lock(const Args &a) {
    in_addr_t bcast = a.size() > 1 ? addr_of(a[1]) : 0;
    bool list = a[0].find(',') != std::string::npos;
    if ((list ? set_netset(a[0], bcast) : set_ipv4root(addr_of(a[0]), bcast)) != 0) {
        std::fprintf(stderr, "vx-netprobe: lock %s: %s\n", a[0].c_str(), errname(errno));
        std::exit(2);
    }
}

void step_status(const Args &a) {
    need(a, 0, 0, "status");
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("ipv4root"))
            say(line);
}

void step_netaddrs(const Args &a) {
    need(a, 0, 0, "netaddrs");
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("netaddrs:"))
            say(line);
}

void step_cap(const Args &a) {
    need(a, 1, 1, "cap net_raw|net_admin|net_bind_service");
    int bit = a[0] == "net_raw"            ? 13
              : a[0] == "net_admin"        ? 12
              : a[0] == "net_bind_service" ? 10
                                           : -1;
    if (bit < 0)
        usage("unknown capability '" + a[0] + "'");
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("CapEff:")) {
            unsigned long long caps = std::strtoull(line.c_str() + 7, nullptr, 16);
            say(caps >> bit & 1 ? "yes" : "no");
            return;
        }
    say("no CapEff");
}

void step_socket(const Args &a) {
    need(a, 2, 3, "socket FAMILY TYPE [PROTO]");
    SocketArgs s = socket_args(a);
    int fd = socket(s.family, s.type | SOCK_CLOEXEC, s.protocol);
    if (fd < 0)
        return say_errno();
    close(fd);
    say("ok");
}

void step_sockhold(const Args &a) {
    need(a, 2, 3, "sockhold FAMILY TYPE [PROTO]");
    SocketArgs s = socket_args(a);
    int fd = socket(s.family, s.type | SOCK_CLOEXEC, s.protocol);
    if (fd < 0)
        return say_errno();
    say("holding");
    for (;;)
        pause();
}

void step_bind(const Args &a) {
    need(a, 2, 3, "bind PROTO ADDR [PORT]");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    if (bind_to(fd, addr_of(a[1]), a.size() > 2 ? port_of(a[2]) : 0))
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_bind_unspec(const Args &a) {
    need(a, 1, 1, "bind-unspec tcp|udp");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    sockaddr_in sin = sin_of(htonl(INADDR_ANY), 0);
    sin.sin_family = AF_UNSPEC;
    if (bind(fd, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) == 0)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_freebind(const Args &a) {
    need(a, 1, 1, "freebind ADDR");
    int fd = inet_socket("tcp");
    if (fd < 0)
        return say_errno();
    if (setopt_int(fd, IPPROTO_IP, IP_FREEBIND, "IP_FREEBIND", 1)) {
        if (bind_to(fd, addr_of(a[0]), 0))
            say_local(fd);
        else
            say_errno();
    }
    close(fd);
}

void step_sctp_bindx(const Args &a) {
    need(a, 1, 2, "sctp-bindx ADDR [PORT]");
    int fd = inet_socket("sctp");
    if (fd < 0)
        return say_errno();
    sockaddr_in sin = sin_of(addr_of(a[0]), a.size() > 1 ? port_of(a[1]) : 0);
    if (setsockopt(fd, vx_ipproto_sctp, vx_sctp_bindx_add, &sin, sizeof(sin)) == 0)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_listen(const Args &a) {
    need(a, 0, 0, "listen");
    int fd = inet_socket("tcp");
    if (fd < 0)
        return say_errno();
    if (listen(fd, 8) == 0)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_hold(const Args &a) {
    need(a, 3, 3, "hold tcp|udp ADDR|- PORT");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    if (a[1] != "-" && !bind_to(fd, addr_of(a[1]), port_of(a[2])))
        return say_errno();
    if (a[0] == "tcp" && listen(fd, 8) != 0)
        return say_errno();
    sockaddr_in sin = local_of(fd);
    say(text_of(sin.sin_addr.s_addr) + " " + std::to_string(ntohs(sin.sin_port)));
    for (;;)
        pause();
}

void step_answer(const Args &a) {
    need(a, 4, 5, "answer tcp|udp ADDR PORT NAME [reuseport]");
    if (a.size() == 5 && a[4] != "reuseport")
        usage("answer: the fifth argument can only be reuseport");
    bool tcp = a[0] == "tcp";
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    if ((a.size() == 5 && !setopt_int(fd, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT", 1)) ||
        !bind_to(fd, addr_of(a[1]), port_of(a[2])) || (tcp && listen(fd, 64) != 0))
        return say_errno();
    sockaddr_in sin = local_of(fd);
    say(text_of(sin.sin_addr.s_addr) + " " + std::to_string(ntohs(sin.sin_port)));
    std::fflush(stdout);
    const std::string &name = a[3];
    for (;;) {
        if (tcp) {
            int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            if (write(c, name.data(), name.size()) < 0) {
                // (the asker gave up: nothing to tell it)
            }
            close(c);
            continue;
        }
        char buf[64];
        sockaddr_in peer{};
        socklen_t len = sizeof(peer);
        if (recvfrom(fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(&peer), &len) >= 0)
            sendto(fd, name.data(), name.size(), 0, reinterpret_cast<sockaddr *>(&peer), len);
    }
}

void step_ask(const Args &a) {
    need(a, 3, 3, "ask tcp|udp DEST PORT");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    bool udp = a[0] == "udp";
    sockaddr_in dest = sin_of(addr_of(a[1]), port_of(a[2]));
    auto *to = reinterpret_cast<sockaddr *>(&dest);
    if (udp ? sendto(fd, "?", 1, 0, to, sizeof(dest)) != 1 : connect(fd, to, sizeof(dest)) != 0) {
        say_errno();
        close(fd);
        return;
    }
    pollfd p{fd, POLLIN, 0};
    char buf[256];
    sockaddr_in from{};
    socklen_t len = sizeof(from);
    ssize_t n = 0;
    if (poll(&p, 1, 1000) == 1 &&
        (n = recvfrom(fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(&from), &len)) < 0)
        say_errno();
    else if (n == 0)
        say("noanswer");
    else
        say(std::string(buf, static_cast<std::size_t>(n)) +
            (udp ? " from " + text_of(from.sin_addr.s_addr) : ""));
    close(fd);
}

void step_connect(const Args &a) {
    need(a, 3, 3, "connect PROTO DEST PORT");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[1]), port_of(a[2]));
    if (connect(fd, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) != 0 ||
        (inet_kind(a[0]).datagram && send(fd, "x", 1, 0) != 1))
        say_errno();
    else
        say_local(fd);
    close(fd);
}

void step_sendto(const Args &a) {
    need(a, 2, 2, "sendto DEST PORT");
    int fd = inet_socket("udp");
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[0]), port_of(a[1]));
    if (sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) == 1)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_sendto_unspec(const Args &a) {
    need(a, 2, 2, "sendto-unspec DEST PORT");
    int fd = inet_socket("udp");
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[0]), port_of(a[1]));
    dest.sin_family = AF_UNSPEC;
    if (sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) == 1)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_fastopen(const Args &a) {
    need(a, 2, 2, "fastopen DEST PORT");
    int fd = inet_socket("tcp");
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[0]), port_of(a[1]));
    if (sendto(fd, "x", 1, MSG_FASTOPEN, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) == 1)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_pktinfo(const Args &a) {
    need(a, 3, 3, "pktinfo SPEC DEST PORT");
    int fd = inet_socket("udp");
    if (fd < 0)
        return say_errno();
    Datagram dg(addr_of(a[1]), port_of(a[2]), &a[0]);
    if (sendmsg(fd, &dg.msg, 0) == 1)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

// Set the IPv4 option OPTION to 1 on a new PROTO socket: ok | ERRNO.
void say_set_ip_option(const std::string &proto, int option) {
    int fd = inet_socket(proto);
    if (fd < 0)
        return say_errno();
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, option, &one, sizeof(one)) == 0)
        say("ok");
    else
        say_errno();
    close(fd);
}

void step_transparent(const Args &a) {
    need(a, 1, 1, "transparent tcp|udp");
    say_set_ip_option(a[0], IP_TRANSPARENT);
}

void step_device(const Args &a) {
    need(a, 3, 3, "device IFNAME tcp|udp ADDR");
    int fd = inet_socket(a[1]);
    if (fd < 0)
        return say_errno();
    if (setopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE", a[0].c_str(),
               static_cast<socklen_t>(a[0].size() + 1))) {
        if (bind_to(fd, addr_of(a[2]), 0))
            say_local(fd);
        else
            say_errno();
    }
    close(fd);
}

void step_device_sendto(const Args &a) {
    need(a, 3, 3, "device-sendto IFNAME DEST PORT");
    int fd = inet_socket("udp");
    if (fd < 0)
        return say_errno();
    if (setopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE", a[0].c_str(),
               static_cast<socklen_t>(a[0].size() + 1))) {
        sockaddr_in dest = sin_of(addr_of(a[1]), port_of(a[2]));
        if (sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) == 1)
            say_local(fd);
        else
            say_errno();
    }
    close(fd);
}

void step_disconnect(const Args &a) {
    need(a, 2, 4, "disconnect DEST PORT [TO PORT2]");
    if (a.size() == 3)
        usage("disconnect: TO without PORT2");
    int fd = inet_socket("udp");
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[0]), port_of(a[1]));
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    if (connect(fd, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) != 0 ||
        connect(fd, &unspec, sizeof(unspec)) != 0) {
        say_errno();
    } else if (a.size() == 4) {
        sockaddr_in to = sin_of(addr_of(a[2]), port_of(a[3]));
        if (sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr *>(&to), sizeof(to)) == 1)
            say_local(fd);
        else
            say_errno();
    } else {
        say_local(fd);
    }
    close(fd);
}

// Wait up to 2 s for FD to become readable.
bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 2000) == 1;
}

// An ICMP datagram socket, unbound, that sent one echo request to DEST;
// -1 (the errno said) if that failed.
int sent_echo(const std::string &dest_text) {
    int fd = inet_socket("icmp");
    if (fd < 0) {
        say_errno();
        return -1;
    }
    icmphdr req{};
    req.type = ICMP_ECHO;
    req.un.echo.sequence = htons(1);
    sockaddr_in dest = sin_of(addr_of(dest_text), 0);
    if (sendto(fd, &req, sizeof(req), 0, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) !=
        static_cast<ssize_t>(sizeof(req))) {
        say_errno();
        close(fd);
        return -1;
    }
    return fd;
}

// Wait for the echo reply on FD; FROM gets its source.
bool got_echo_reply(int fd, sockaddr_in *from) {
    char buf[256];
    socklen_t len = sizeof(*from);
    return readable(fd) &&
           recvfrom(fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(from), &len) >=
               static_cast<ssize_t>(sizeof(icmphdr)) &&
           reinterpret_cast<icmphdr *>(buf)->type == ICMP_ECHOREPLY;
}

void step_ping(const Args &a) {
    need(a, 1, 1, "ping DEST");
    int fd = sent_echo(a[0]);
    if (fd < 0)
        return;
    std::string local = text_of(local_of(fd).sin_addr.s_addr);
    sockaddr_in from{};
    say(local + (got_echo_reply(fd, &from) ? " reply" : " noreply"));
    close(fd);
}

void step_pingfrom(const Args &a) {
    need(a, 1, 1, "pingfrom DEST");
    int fd = sent_echo(a[0]);
    if (fd < 0)
        return;
    sockaddr_in from{};
    say(got_echo_reply(fd, &from) ? "reply from " + text_of(from.sin_addr.s_addr) : "noreply");
    close(fd);
}

// The Internet checksum (RFC 1071) of an ICMP message.
uint16_t icmp_checksum(const void *data, std::size_t len) {
    const auto *bytes = static_cast<const unsigned char *>(data);
    uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2)
        sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
    if (len % 2)
        sum += static_cast<uint32_t>(bytes[len - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons(static_cast<uint16_t>(~sum));
}

int raw_icmp_socket() { return inet_socket("rawicmp"); }

// A raw socket reads whole IPv4 packets: the ICMP message behind the header.
const icmphdr *icmp_of(const char *packet, ssize_t len, const iphdr **ip) {
    *ip = reinterpret_cast<const iphdr *>(packet);
    if (len < static_cast<ssize_t>(sizeof(iphdr)))
        return nullptr;
    std::size_t header = (*ip)->ihl * 4u;
    if (len < static_cast<ssize_t>(header + sizeof(icmphdr)))
        return nullptr;
    return reinterpret_cast<const icmphdr *>(packet + header);
}

void step_rawping(const Args &a) {
    need(a, 1, 2, "rawping DEST [SPEC]");
    int fd = raw_icmp_socket();
    if (fd < 0)
        return say_errno();
    icmphdr req{};
    req.type = ICMP_ECHO;
    req.un.echo.id = htons(static_cast<uint16_t>(getpid()));
    req.un.echo.sequence = htons(1);
    req.checksum = icmp_checksum(&req, sizeof(req));
    Datagram dg(addr_of(a[0]), 0, a.size() > 1 ? &a[1] : nullptr);
    dg.iov = {&req, sizeof(req)};
    if (sendmsg(fd, &dg.msg, 0) != static_cast<ssize_t>(sizeof(req))) {
        say_errno();
        close(fd);
        return;
    }
    // (the socket also reads other ICMP packets for its address: skip them)
    char buf[512];
    while (readable(fd)) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        const iphdr *ip;
        const icmphdr *icmp = icmp_of(buf, n, &ip);
        if (icmp && icmp->type == ICMP_ECHOREPLY && icmp->un.echo.id == req.un.echo.id) {
            say(text_of(ip->daddr) + " reply");
            close(fd);
            return;
        }
    }
    say(text_of(local_of(fd).sin_addr.s_addr) + " noreply");
    close(fd);
}

void step_hdrincl(const Args &a) {
    need(a, 0, 0, "hdrincl");
    say_set_ip_option("rawicmp", IP_HDRINCL);
}

volatile sig_atomic_t sniff_done = 0;

void step_rawsniff(const Args &a) {
    need(a, 0, 0, "rawsniff");
    int fd = raw_icmp_socket();
    if (fd < 0)
        return say_errno();
    // SIGTERM is taken only inside ppoll(), so that it cannot fall between
    // the check of the flag and the wait.
    sigset_t term, unblocked;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &unblocked);
    sigdelset(&unblocked, SIGTERM);
    struct sigaction act {};
    act.sa_handler = [](int) { sniff_done = 1; };
    sigaction(SIGTERM, &act, nullptr);
    say("ready");
    std::fflush(stdout);
    std::vector<std::string> seen;
    while (!sniff_done) {
        pollfd p{fd, POLLIN, 0};
        if (ppoll(&p, 1, nullptr, &unblocked) != 1)
            continue;
        char buf[512];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        const iphdr *ip;
        if (!icmp_of(buf, n, &ip))
            continue;
        std::string pair = text_of(ip->saddr) + " > " + text_of(ip->daddr);
        if (std::find(seen.begin(), seen.end(), pair) == seen.end())
            seen.push_back(pair);
    }
    std::sort(seen.begin(), seen.end());
    if (seen.empty())
        say("none");
    for (const std::string &pair : seen)
        say(pair);
    close(fd);
}

// ---- io_uring ----

// One ring per step; each request is submitted alone and waited for.
class Ring {
public:
    Ring() {
        int err = io_uring_queue_init(8, &ring_, 0);
        if (err < 0) {
            say(std::string("io_uring ") + errname(-err));
            std::exit(0);
        }
    }
    ~Ring() { io_uring_queue_exit(&ring_); }
    Ring(const Ring &) = delete;
    Ring &operator=(const Ring &) = delete;

    io_uring_sqe *sqe() {
        io_uring_sqe *e = io_uring_get_sqe(&ring_);
        if (!e) {
            std::fprintf(stderr, "vx-netprobe: no free io_uring entry\n");
            std::exit(3);
        }
        return e;
    }
    // Submit the prepared entry (IOSQE_ASYNC if asked), wait for its
    // completion: its result, a negative errno on failure.
    int run(io_uring_sqe *e, bool async) {
        if (async)
            e->flags |= IOSQE_ASYNC;
        int err = io_uring_submit(&ring_);
        if (err < 0) {
            std::fprintf(stderr, "vx-netprobe: io_uring_submit: %s\n", errname(-err));
            std::exit(3);
        }
        io_uring_cqe *cqe;
        err = io_uring_wait_cqe(&ring_, &cqe);
        if (err < 0) {
            std::fprintf(stderr, "vx-netprobe: io_uring_wait_cqe: %s\n", errname(-err));
            std::exit(3);
        }
        int res = cqe->res;
        io_uring_cqe_seen(&ring_, cqe);
        return res;
    }
    // IORING_OP_SOCKET: a file descriptor, or a negative errno.
    int socket(int family, int type, int protocol, bool async) {
        io_uring_sqe *e = sqe();
        io_uring_prep_socket(e, family, type | SOCK_CLOEXEC, protocol, 0);
        return run(e, async);
    }

private:
    io_uring ring_{};
};

// The optional "async" first argument of the io_uring steps: removed.
bool async_of(Args &a) {
    if (!a.empty() && a[0] == "async") {
        a.erase(a.begin());
        return true;
    }
    return false;
}

void say_err(int negative_errno) { say(errname(-negative_errno)); }

void step_uring_socket(Args a) {
    bool async = async_of(a);
    need(a, 2, 3, "uring-socket [async] FAMILY TYPE [PROTO]");
    SocketArgs s = socket_args(a);
    Ring ring;
    int fd = ring.socket(s.family, s.type, s.protocol, async);
    if (fd < 0)
        return say_err(fd);
    close(fd);
    say("ok");
}

void step_uring_bind(Args a) {
    bool async = async_of(a);
    need(a, 2, 3, "uring-bind [async] PROTO ADDR [PORT]");
    InetKind k = inet_kind(a[0]);
    sockaddr_in sin = sin_of(addr_of(a[1]), a.size() > 2 ? port_of(a[2]) : 0);
    Ring ring;
    int fd = ring.socket(AF_INET, k.type, k.protocol, async);
    if (fd < 0)
        return say_err(fd);
    io_uring_sqe *e = ring.sqe();
    // As liburing's io_uring_prep_bind (2.7): addr, and the length in addr2.
    io_uring_prep_rw(vx_ioring_op_bind, e, fd, &sin, 0, sizeof(sin));
    int res = ring.run(e, async);
    if (res < 0)
        say_err(res);
    else
        say_local(fd);
    close(fd);
}

void step_uring_connect(Args a) {
    bool async = async_of(a);
    need(a, 3, 3, "uring-connect [async] tcp|udp DEST PORT");
    int type = type_of(a[0]);
    sockaddr_in dest = sin_of(addr_of(a[1]), port_of(a[2]));
    Ring ring;
    int fd = ring.socket(AF_INET, type, 0, async);
    if (fd < 0)
        return say_err(fd);
    io_uring_sqe *e = ring.sqe();
    io_uring_prep_connect(e, fd, reinterpret_cast<sockaddr *>(&dest), sizeof(dest));
    int res = ring.run(e, async);
    if (res == 0 && type == SOCK_DGRAM) {
        static char data = 'x';
        e = ring.sqe();
        io_uring_prep_send(e, fd, &data, 1, 0);
        res = ring.run(e, async);
        if (res == 1)
            res = 0;
        else if (res >= 0)
            res = -EIO;
    }
    if (res < 0)
        say_err(res);
    else
        say_local(fd);
    close(fd);
}

void step_uring_sendmsg(Args a) {
    bool async = async_of(a);
    need(a, 2, 3, "uring-sendmsg [async] DEST PORT [SPEC]");
    Datagram dg(addr_of(a[0]), port_of(a[1]), a.size() > 2 ? &a[2] : nullptr);
    Ring ring;
    int fd = ring.socket(AF_INET, SOCK_DGRAM, 0, async);
    if (fd < 0)
        return say_err(fd);
    io_uring_sqe *e = ring.sqe();
    io_uring_prep_sendmsg(e, fd, &dg.msg, 0);
    int res = ring.run(e, async);
    if (res == 1)
        say_local(fd);
    else
        say_err(res < 0 ? res : -EIO);
    close(fd);
}

// ---- unix sockets, abstract or not ----

// The address of NAME: a file if it starts with "/", else "@NAME".
sockaddr_un sun_of(const std::string &name, socklen_t &len) {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (name.empty() || name.size() >= sizeof(sun.sun_path))
        usage("bad unix socket name '" + name + "'");
    if (name[0] == '/') {
        std::memcpy(sun.sun_path, name.data(), name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
    } else {
        std::memcpy(sun.sun_path + 1, name.data(), name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    }
    return sun;
}

int unix_type_of(const std::string &type) {
    if (type == "stream")
        return SOCK_STREAM;
    if (type == "dgram")
        return SOCK_DGRAM;
    usage("expected stream or dgram, not '" + type + "'");
}

// A unix socket of TYPE bound to NAME; -1 with errno on failure.
int unix_bound(const std::string &type, const std::string &name) {
    int fd = socket(AF_UNIX, unix_type_of(type) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    socklen_t len;
    sockaddr_un sun = sun_of(name, len);
    if (bind(fd, reinterpret_cast<sockaddr *>(&sun), len) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

// A unix socket of TYPE connected to NAME; -1 with errno on failure.
int unix_connected(const std::string &type, const std::string &name) {
    int fd = socket(AF_UNIX, unix_type_of(type) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    socklen_t len;
    sockaddr_un sun = sun_of(name, len);
    if (connect(fd, reinterpret_cast<sockaddr *>(&sun), len) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

void step_ahold(const Args &a) {
    need(a, 3, 3, "ahold stream|dgram NAME TOKEN");
    int fd = unix_bound(a[0], a[1]);
    if (fd < 0 || (a[0] == "stream" && listen(fd, 16) != 0))
        return say_errno();
    say("listening");
    for (;;) {
        if (a[0] == "stream") {
            int conn = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0)
                continue;
            // (a client that left early is no reason to die of SIGPIPE)
            ssize_t n = send(conn, a[2].data(), a[2].size(), MSG_NOSIGNAL);
            close(conn);
            if (n == static_cast<ssize_t>(a[2].size()))
                say("served");
        } else {
            char buf[256];
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n >= 0)
                say("received " + std::string(buf, static_cast<std::size_t>(n)));
        }
    }
}

void step_aconnect(const Args &a) {
    need(a, 2, 2, "aconnect stream|dgram NAME");
    int fd = unix_connected(a[0], a[1]);
    if (fd < 0)
        return say_errno();
    if (a[0] == "dgram") {
        close(fd);
        return say("ok");
    }
    std::string got;
    char buf[256];
    for (;;) {
        if (!readable(fd))
            break;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0) {
            close(fd);
            return say_errno();
        }
        if (n == 0)
            break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    close(fd);
    say(got);
}

void step_asendto(const Args &a) {
    need(a, 1, 2, "asendto NAME [DATA]");
    std::string data = a.size() > 1 ? a[1] : "x";
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return say_errno();
    socklen_t len;
    sockaddr_un sun = sun_of(a[0], len);
    if (sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr *>(&sun), len) ==
        static_cast<ssize_t>(data.size()))
        say("ok");
    else
        say_errno();
    close(fd);
}

void step_abind(const Args &a) {
    need(a, 2, 2, "abind stream|dgram NAME");
    int fd = unix_bound(a[0], a[1]);
    if (fd < 0)
        return say_errno();
    close(fd);
    say("ok");
}

void step_peercred(const Args &a) {
    need(a, 1, 1, "peercred NAME");
    int fd = unix_connected("stream", a[0]);
    if (fd < 0)
        return say_errno();
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        say(std::to_string(cred.pid));
    else
        say_errno();
    close(fd);
}

void step_peerpidfd(const Args &a) {
    need(a, 1, 1, "peerpidfd NAME");
    int fd = unix_connected("stream", a[0]);
    if (fd < 0)
        return say_errno();
    int pidfd = -1;
    socklen_t len = sizeof(pidfd);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) != 0) {
        say_errno();
    } else {
        std::ifstream fdinfo("/proc/self/fdinfo/" + std::to_string(pidfd));
        std::string line, pid = "no Pid line";
        while (std::getline(fdinfo, line))
            if (line.rfind("Pid:", 0) == 0)
                pid = line.substr(line.find_first_not_of(" \t", 4));
        say(pid);
        close(pidfd);
    }
    close(fd);
}

int step_serve(const Args &a, char **cmd) {
    need(a, 2, 2, "serve tcp|udp ADDR -- CMD...");
    int fd = inet_socket(a[0]);
    if (fd < 0 || !bind_to(fd, addr_of(a[1]), 0) || (a[0] == "tcp" && listen(fd, 8) != 0)) {
        std::fprintf(stderr, "vx-netprobe: serve %s %s: %s\n", a[0].c_str(), a[1].c_str(),
                     errname(errno));
        std::exit(3);
    }
    std::string port = std::to_string(ntohs(local_of(fd).sin_port));
    std::vector<std::string> words;
    for (char **w = cmd; *w; ++w) {
        std::string s = *w;
        for (std::size_t at; (at = s.find("@PORT")) != std::string::npos;)
            s.replace(at, 5, port);
        words.push_back(s);
    }
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        std::perror("vx-netprobe: fork");
        std::exit(3);
    }
    if (pid == 0) {
        std::vector<char *> argv;
        for (std::string &s : words)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        std::fprintf(stderr, "vx-netprobe: cannot run %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    sockaddr_in peer{};
    socklen_t len = sizeof(peer);
    bool got = false;
    if (readable(fd)) {
        if (a[0] == "tcp") {
            int conn = accept4(fd, reinterpret_cast<sockaddr *>(&peer), &len, SOCK_CLOEXEC);
            got = conn >= 0;
            if (got)
                close(conn);
        } else {
            char buf[64];
            got = recvfrom(fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr *>(&peer), &len) >= 0;
        }
    }
    say(got ? "peer " + text_of(peer.sin_addr.s_addr) : "peer none");
    close(fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2)
        usage("no step given");
    int i = 1;
    while (i < argc) {
        std::string name = argv[i++];
        Args a;
        while (i < argc && std::strcmp(argv[i], "+") != 0 && std::strcmp(argv[i], "--") != 0)
            a.push_back(argv[i++]);
        bool dashdash = i < argc && std::strcmp(argv[i], "--") == 0;
        if (dashdash) {
            ++i;
            if (i >= argc)
                usage(name + ": no command after --");
            if (name == "lock") {
                need(a, 1, 2, "lock ADDR [BCAST] -- CMD...");
                lock(a);
                execvp(argv[i], argv + i);
                std::fprintf(stderr, "vx-netprobe: cannot run %s: %s\n", argv[i],
                             std::strerror(errno));
                return 127;
            }
            if (name == "serve")
                return step_serve(a, argv + i);
            usage(name + " takes no command");
        }
        if (i < argc)
            ++i; // the "+"
        if (name == "set")
            step_set(a);
        else if (name == "netset")
            step_netset(a);
        else if (name == "netaddrs")
            step_netaddrs(a);
        else if (name == "answer")
            step_answer(a);
        else if (name == "ask")
            step_ask(a);
        else if (name == "lock") {
            need(a, 1, 2, "lock ADDR [BCAST]");
            lock(a);
        } else if (name == "status")
            step_status(a);
        else if (name == "cap")
            step_cap(a);
        else if (name == "fork") {
            need(a, 0, 0, "fork");
            std::fflush(stdout);
            pid_t pid = fork();
            if (pid < 0) {
                std::perror("vx-netprobe: fork");
                return 3;
            }
            if (pid > 0) {
                int status = 0;
                waitpid(pid, &status, 0);
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
        } else if (name == "socket")
            step_socket(a);
        else if (name == "bind")
            step_bind(a);
        else if (name == "bind-unspec")
            step_bind_unspec(a);
        else if (name == "freebind")
            step_freebind(a);
        else if (name == "listen")
            step_listen(a);
        else if (name == "hold")
            step_hold(a);
        else if (name == "connect")
            step_connect(a);
        else if (name == "sendto")
            step_sendto(a);
        else if (name == "sendto-unspec")
            step_sendto_unspec(a);
        else if (name == "fastopen")
            step_fastopen(a);
        else if (name == "pktinfo")
            step_pktinfo(a);
        else if (name == "transparent")
            step_transparent(a);
        else if (name == "device")
            step_device(a);
        else if (name == "device-sendto")
            step_device_sendto(a);
        else if (name == "disconnect")
            step_disconnect(a);
        else if (name == "pingfrom")
            step_pingfrom(a);
        else if (name == "ping")
            step_ping(a);
        else if (name == "rawping")
            step_rawping(a);
        else if (name == "hdrincl")
            step_hdrincl(a);
        else if (name == "rawsniff")
            step_rawsniff(a);
        else if (name == "sctp-bindx")
            step_sctp_bindx(a);
        else if (name == "sockhold")
            step_sockhold(a);
        else if (name == "uring-socket")
            step_uring_socket(a);
        else if (name == "uring-bind")
            step_uring_bind(a);
        else if (name == "uring-connect")
            step_uring_connect(a);
        else if (name == "uring-sendmsg")
            step_uring_sendmsg(a);
        else if (name == "ahold")
            step_ahold(a);
        else if (name == "aconnect")
            step_aconnect(a);
        else if (name == "asendto")
            step_asendto(a);
        else if (name == "abind")
            step_abind(a);
        else if (name == "peercred")
            step_peercred(a);
        else if (name == "peerpidfd")
            step_peerpidfd(a);
        else
            usage("unknown step '" + name + "'");
    }
    return 0;
}
