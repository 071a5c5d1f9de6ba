// vx-netprobe: one network operation per step, for the guest tests of
// set_ipv4root (tests/guest/cases/ipv4root_*.sh).  Each step prints one
// line: an IPv4 address (getsockname() after the operation), "ok", or the
// errno name of the call that failed (EADDRNOTAVAIL ...).
//
//   vx-netprobe STEP [ARGS] [+ STEP [ARGS]]...
//
// Steps run in order in one process ("+" separates them):
//   set ADDR [BCAST [FLAGS [RESERVED]]]   VCMD_SET_IPV4ROOT: ok | ERRNO
//   lock ADDR [BCAST]              the same, silent; exits 2 if it fails
//   lock ADDR [BCAST] -- CMD...    the same, then exec CMD (no more steps)
//   status                         the ipv4root lines of /proc/self/status
//   cap NAME                       yes | no: NAME (net_raw, net_admin,
//                                  net_bind_service) is in CapEff
//   fork                           the remaining steps run in a child; the
//                                  parent waits and exits with its status
//   socket inet|inet6|packet stream|dgram|raw|packet [PROTO]   ok | ERRNO
//                                  (packet sockets: PROTO ETH_P_ALL)
//   bind tcp|udp|icmp ADDR [PORT]  bind: address | ERRNO
//   bind-unspec tcp|udp            bind AF_UNSPEC 0.0.0.0: address | ERRNO
//   freebind ADDR                  TCP, IP_FREEBIND, bind: address | ERRNO
//   listen                         TCP listen() without bind: address | ERRNO
//   hold tcp|udp ADDR|- PORT       bind (- : none), listen (tcp), print
//                                  "ADDRESS PORT", then wait to be killed
//   connect tcp|udp DEST PORT      connect an unbound socket (udp: and send
//                                  a datagram): address | ERRNO
//   sendto DEST PORT               UDP sendto from an unbound socket
//   pktinfo SPEC DEST PORT         UDP sendmsg from an unbound socket with
//                                  an IP_PKTINFO cmsg, ipi_spec_dst SPEC
//   transparent tcp|udp            setsockopt(IP_TRANSPARENT, 1): ok | ERRNO
//   device IFNAME tcp|udp ADDR     SO_BINDTODEVICE, then bind ADDR
//   device-sendto IFNAME DEST PORT UDP, SO_BINDTODEVICE, sendto
//   disconnect DEST PORT [TO PORT2]   UDP connect, connect(AF_UNSPEC), and
//                                  sendto TO:PORT2 if given: address
//   ping DEST                      ICMP datagram socket, unbound, one echo
//                                  request: "ADDRESS reply|noreply" | ERRNO
//   serve tcp|udp ADDR -- CMD...   bind ADDR:0 (and listen), run CMD with
//                                  "@PORT" in its arguments replaced by the
//                                  port, wait for it, then accept or receive
//                                  (2 s at most): "peer ADDRESS" | "peer none";
//                                  exits with CMD's status
//
// A failing setsockopt() before the step's main call prints "NAME ERRNO"
// (e.g. "SO_BINDTODEVICE EPERM").  Usage errors: status 64.
#include <linux/vserver.h>
#include <vserver/syscall_nr.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using Args = std::vector<std::string>;

[[noreturn]] void usage(const std::string &why) {
    std::fprintf(stderr, "vx-netprobe: %s (see tests/guest/helpers/vx-netprobe.cpp)\n",
                 why.c_str());
    std::exit(64);
}

const char *errname(int err) {
    const char *name = strerrorname_np(err);
    return name ? name : "E?";
}

void say(const std::string &line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

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

// A new IPv4 socket of PROTO (tcp, udp, icmp); -1 with errno on failure.
int inet_socket(const std::string &proto) {
    if (proto == "icmp")
        return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
    return socket(AF_INET, type_of(proto) | SOCK_CLOEXEC, 0);
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

void lock(const Args &a) {
    in_addr_t bcast = a.size() > 1 ? addr_of(a[1]) : 0;
    if (set_ipv4root(addr_of(a[0]), bcast) != 0) {
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

void step_cap(const Args &a) {
    need(a, 1, 1, "cap net_raw|net_admin|net_bind_service");
    int bit = a[0] == "net_raw" ? 13 : a[0] == "net_admin" ? 12 : a[0] == "net_bind_service" ? 10 : -1;
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
    need(a, 2, 3, "socket inet|inet6|packet stream|dgram|raw|packet [PROTO]");
    int family = a[0] == "inet" ? AF_INET : a[0] == "inet6" ? AF_INET6 : a[0] == "packet" ? AF_PACKET : -1;
    int type = a[1] == "stream" ? SOCK_STREAM
               : a[1] == "dgram" ? SOCK_DGRAM
               : a[1] == "raw"   ? SOCK_RAW
               : a[1] == "packet" ? SOCK_PACKET
                                 : -1;
    if (family < 0 || type < 0)
        usage("bad family or type");
    int proto = a.size() > 2 ? static_cast<int>(u32_of(a[2])) : 0;
    if ((family == AF_PACKET || type == SOCK_PACKET) && a.size() == 2)
        proto = htons(ETH_P_ALL);
    int fd = socket(family, type | SOCK_CLOEXEC, proto);
    if (fd < 0)
        return say_errno();
    close(fd);
    say("ok");
}

void step_bind(const Args &a) {
    need(a, 2, 3, "bind tcp|udp|icmp ADDR [PORT]");
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

void step_connect(const Args &a) {
    need(a, 3, 3, "connect tcp|udp DEST PORT");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[1]), port_of(a[2]));
    if (connect(fd, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) != 0 ||
        (a[0] == "udp" && send(fd, "x", 1, 0) != 1))
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

void step_pktinfo(const Args &a) {
    need(a, 3, 3, "pktinfo SPEC DEST PORT");
    int fd = inet_socket("udp");
    if (fd < 0)
        return say_errno();
    sockaddr_in dest = sin_of(addr_of(a[1]), port_of(a[2]));
    char data = 'x';
    iovec iov{&data, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    msghdr msg{};
    msg.msg_name = &dest;
    msg.msg_namelen = sizeof(dest);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = IPPROTO_IP;
    cm->cmsg_type = IP_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_spec_dst.s_addr = addr_of(a[0]);
    std::memcpy(CMSG_DATA(cm), &info, sizeof(info));
    if (sendmsg(fd, &msg, 0) == 1)
        say_local(fd);
    else
        say_errno();
    close(fd);
}

void step_transparent(const Args &a) {
    need(a, 1, 1, "transparent tcp|udp");
    int fd = inet_socket(a[0]);
    if (fd < 0)
        return say_errno();
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_TRANSPARENT, &one, sizeof(one)) == 0)
        say("ok");
    else
        say_errno();
    close(fd);
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

void step_ping(const Args &a) {
    need(a, 1, 1, "ping DEST");
    int fd = inet_socket("icmp");
    if (fd < 0)
        return say_errno();
    icmphdr req{};
    req.type = ICMP_ECHO;
    req.un.echo.sequence = htons(1);
    sockaddr_in dest = sin_of(addr_of(a[0]), 0);
    if (sendto(fd, &req, sizeof(req), 0, reinterpret_cast<sockaddr *>(&dest), sizeof(dest)) !=
        static_cast<ssize_t>(sizeof(req))) {
        say_errno();
        close(fd);
        return;
    }
    std::string local = text_of(local_of(fd).sin_addr.s_addr);
    char buf[256];
    bool reply = readable(fd) && recv(fd, buf, sizeof(buf), 0) >= static_cast<ssize_t>(sizeof(req)) &&
                 reinterpret_cast<icmphdr *>(buf)->type == ICMP_ECHOREPLY;
    say(local + (reply ? " reply" : " noreply"));
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
        else if (name == "ping")
            step_ping(a);
        else
            usage("unknown step '" + name + "'");
    }
    return 0;
}
