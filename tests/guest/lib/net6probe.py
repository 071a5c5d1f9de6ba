#!/usr/bin/python3
"""net6probe: one socket operation per step, for the guest tests of IPv6
in an address set (tests/guest/cases/ipv6_sets.sh, private_loopback6.sh).
The family of each socket is that of its address: IPv6 when it has a colon
(IPv4-mapped ones too), else IPv4.  Each step prints one line: an address, "ok", or the errno
name of the call that failed (EADDRNOTAVAIL ...).

    net6probe.py STEP [ARGS] [+ STEP [ARGS]]...

  socket FAMILY TYPE [PROTO]   socket(): ok | ERRNO.  FAMILY inet|inet6,
                               TYPE stream|dgram|raw, PROTO a number or
                               tcp, udp, udplite, icmpv6, sctp, mptcp
  bind tcp|udp ADDR [PORT] [v6only]
                               bind: the local address | ERRNO
  connect tcp|udp DEST PORT    an unbound socket connects (udp: and sends
                               a datagram): its local address | ERRNO
  sendto DEST PORT             an unbound UDP socket sends a datagram:
                               ok | ERRNO
  pktinfo SRC DEST PORT        an unbound UDP socket of DEST's family sends
                               a datagram with an IPV6_PKTINFO naming SRC:
                               ok | ERRNO
  setopt NAME                  an IPv6 TCP socket, setsockopt(NAME, 1):
                               ok | ERRNO (IPV6_TRANSPARENT, IPV6_FREEBIND,
                               IP_TRANSPARENT; IPV6_HDRINCL: of a raw ICMPv6
                               socket)
  ping dgram|raw DEST          an ICMPv6 echo request from an unbound ping
                               (dgram) or raw ICMPv6 socket, 3 s for the
                               reply: "reply from SOURCE" | noreply | ERRNO
  pingbound dgram|raw ADDR DEST
                               the same after bind(ADDR): the bound address,
                               then the reply (or ERRNO for the bind)
  icmp TYPE DEST               a raw ICMPv6 socket (ICMP for an IPv4 DEST)
                               sends a message of TYPE (128: echo request,
                               136: neighbour advertisement...; IPv4: 8,
                               5 redirect, 3 unreachable...): ok | ERRNO
  watch DEST                   a raw ICMPv6 (ICMP) socket (the host's),
                               print "ready", then "TYPE from SOURCE" for
                               the first message to DEST other than an
                               echo reply (10 s at most) | "none"
  answer tcp|udp ADDR PORT NAME [v6only]
                               bind, listen, print "ready" (or ERRNO and
                               exit), then answer each connection (each
                               datagram) with NAME until killed
  ask tcp|udp DEST PORT        connect (udp: and send) and print the answer
                               (5 s at most): NAME | noanswer | ERRNO
  peer tcp|udp ADDR PORT       bind, listen, print "ready", then the
                               address of the first peer to connect or send
                               (30 s at most): "peer ADDRESS" | "peer none"
  inject DEV PEER SRC DEST PORT
                               an IPv6 UDP datagram "?" from SRC to
                               DEST:PORT, as an Ethernet frame to PEER's
                               address written to DEV (a packet socket:
                               what a neighbour on the link could send;
                               DEV and PEER: the two ends of a veth pair):
                               ok | ERRNO
"""

import errno
import socket
import struct
import sys

IPV6_TRANSPARENT = 75
IPV6_FREEBIND = 78
IP_TRANSPARENT = 19
IPV6_HDRINCL = 36
ICMPV6_ECHO_REQUEST = 128
ICMPV6_ECHO_REPLY = 129
ICMP_ECHO_REPLY = 0
PROTOCOLS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP,
             "udplite": 136, "icmpv6": socket.IPPROTO_ICMPV6, "sctp": 132,
             "mptcp": 262}


def say(text):
    print(text, flush=True)


def errname(err):
    return errno.errorcode.get(err.errno, str(err.errno))


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def kind_of(proto):
    if proto == "tcp":
        return socket.SOCK_STREAM
    if proto == "udp":
        return socket.SOCK_DGRAM
    sys.exit(f"net6probe: expected tcp or udp, not {proto!r}")


def new_socket(proto, addr, v6only=False):
    sock = socket.socket(family_of(addr), kind_of(proto))
    if v6only:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    if kind_of(proto) == socket.SOCK_STREAM:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def step_socket(args):
    families = {"inet": socket.AF_INET, "inet6": socket.AF_INET6}
    types = {"stream": socket.SOCK_STREAM, "dgram": socket.SOCK_DGRAM,
             "raw": socket.SOCK_RAW}
    proto = 0
    if len(args) > 2:
        proto = PROTOCOLS.get(args[2]) or int(args[2])
    try:
        socket.socket(families[args[0]], types[args[1]], proto).close()
        say("ok")
    except OSError as err:
        say(errname(err))


def step_bind(args):
    port = int(args[2]) if len(args) > 2 else 0
    try:
        sock = new_socket(args[0], args[1], v6only="v6only" in args[3:])
        sock.bind((args[1], port))
        say(sock.getsockname()[0])
        sock.close()
    except OSError as err:
        say(errname(err))


def step_connect(args):
    try:
        sock = new_socket(args[0], args[1])
        sock.settimeout(2)
        sock.connect((args[1], int(args[2])))
        if args[0] == "udp":
            sock.send(b"x")
        say(sock.getsockname()[0])
        sock.close()
    except OSError as err:
        say(errname(err))


def step_sendto(args):
    try:
        sock = new_socket("udp", args[0])
        sock.sendto(b"x", (args[0], int(args[1])))
        say("ok")
        sock.close()
    except OSError as err:
        say(errname(err))


def step_pktinfo(args):
    src, dest, port = args[0], args[1], int(args[2])
    try:
        sock = socket.socket(family_of(dest), socket.SOCK_DGRAM)
        info = struct.pack("16si", socket.inet_pton(socket.AF_INET6, src), 0)
        sock.sendmsg([b"x"], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, info)],
                     0, (dest, port))
        say("ok")
        sock.close()
    except OSError as err:
        say(errname(err))


def step_setopt(args):
    names = {"IPV6_TRANSPARENT": (socket.IPPROTO_IPV6, IPV6_TRANSPARENT),
             "IPV6_FREEBIND": (socket.IPPROTO_IPV6, IPV6_FREEBIND),
             "IP_TRANSPARENT": (socket.IPPROTO_IP, IP_TRANSPARENT),
             "IPV6_HDRINCL": (socket.IPPROTO_IPV6, IPV6_HDRINCL)}
    try:
        if args[0] == "IPV6_HDRINCL":
            sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                                 socket.IPPROTO_ICMPV6)
        else:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.setsockopt(*names[args[0]], 1)
        say("ok")
        sock.close()
    except OSError as err:
        say(errname(err))


def bound(proto, addr, port, v6only=False):
    sock = new_socket(proto, addr, v6only)
    sock.bind((addr, port))
    if proto == "tcp":
        sock.listen(16)
    return sock


def step_answer(args):
    proto, addr, port, name = args[0], args[1], int(args[2]), args[3]
    try:
        sock = bound(proto, addr, port, v6only="v6only" in args[4:])
    except OSError as err:
        say(errname(err))
        sys.exit(1)
    say("ready")
    while True:
        if proto == "tcp":
            conn, _ = sock.accept()
            conn.sendall(name.encode())
            conn.close()
        else:
            _, peer = sock.recvfrom(512)
            sock.sendto(name.encode(), peer)


def step_ask(args):
    proto, dest, port = args[0], args[1], int(args[2])
    try:
        sock = socket.socket(family_of(dest), kind_of(proto))
        sock.settimeout(5)
        # (UDP connected too, so that a port unreachable is ECONNREFUSED)
        sock.connect((dest, port))
        if proto == "udp":
            sock.send(b"?")
        say(sock.recv(512).decode() or "noanswer")
    except socket.timeout:
        say("noanswer")
    except OSError as err:
        say(errname(err))


def step_peer(args):
    proto, addr, port = args[0], args[1], int(args[2])
    sock = bound(proto, addr, port)
    sock.settimeout(30)
    say("ready")
    try:
        if proto == "tcp":
            conn, peer = sock.accept()
            conn.close()
        else:
            _, peer = sock.recvfrom(512)
        say(f"peer {peer[0]}")
    except socket.timeout:
        say("peer none")


def icmp_socket(kind):
    kinds = {"dgram": socket.SOCK_DGRAM, "raw": socket.SOCK_RAW}
    return socket.socket(socket.AF_INET6, kinds[kind], socket.IPPROTO_ICMPV6)


def echo_reply(sock):
    """The source of the echo reply to our request, or "noreply"."""
    sock.settimeout(3)
    try:
        while True:
            data, peer = sock.recvfrom(1500)
            if data and data[0] == ICMPV6_ECHO_REPLY:
                return f"reply from {peer[0]}"
    except socket.timeout:
        return "noreply"


def ping(sock, dest):
    """One echo request to DEST: prints the reply's source, or ERRNO."""
    try:
        # (the kernel fills in the checksum, and the id of ping sockets)
        sock.sendto(struct.pack("!BBHHH", ICMPV6_ECHO_REQUEST, 0, 0, 7, 1),
                    (dest, 0))
        say(echo_reply(sock))
    except OSError as err:
        say(errname(err))


def step_ping(args):
    try:
        sock = icmp_socket(args[0])
    except OSError as err:
        say(errname(err))
        return
    with sock:
        ping(sock, args[1])


def step_pingbound(args):
    try:
        sock = icmp_socket(args[0])
        sock.bind((args[1], 0))
    except OSError as err:
        say(errname(err))
        return
    with sock:
        say(sock.getsockname()[0])
        ping(sock, args[2])


def step_icmp(args):
    icmp_type, dest = int(args[0]), args[1]
    try:
        if family_of(dest) == socket.AF_INET6:
            # A neighbour advertisement's shape: flags, then a target
            # address (the kernel fills in the checksum).
            body = struct.pack("!BBHI", icmp_type, 0, 0, 0x20000000) + \
                socket.inet_pton(socket.AF_INET6, dest)
            with icmp_socket("raw") as sock:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
                sock.sendto(body, (dest, 0))
        else:
            # A redirect's shape: a gateway address (DEST's), then the
            # header of the packet it is about.
            body = socket.inet_aton(dest) + bytes(28)
            head = struct.pack("!BBH", icmp_type, 0, 0)
            head = struct.pack("!BBH", icmp_type, 0, checksum(head + body))
            with socket.socket(socket.AF_INET, socket.SOCK_RAW,
                               socket.IPPROTO_ICMP) as sock:
                sock.sendto(head + body, (dest, 0))
        say("ok")
    except OSError as err:
        say(errname(err))


def step_watch(args):
    if family_of(args[0]) == socket.AF_INET:
        watch4(args[0])
        return
    dest = socket.inet_pton(socket.AF_INET6, args[0])
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    sock.settimeout(10)
    say("ready")
    try:
        while True:
            data, ancillary, _, peer = sock.recvmsg(1500, 256)
            to = [c[2][:16] for c in ancillary
                  if c[0] == socket.IPPROTO_IPV6 and c[1] == socket.IPV6_PKTINFO]
            if data and data[0] != ICMPV6_ECHO_REPLY and to == [dest]:
                say(f"{data[0]} from {peer[0]}")
                return
    except socket.timeout:
        say("none")


def watch4(dest):
    """step_watch for IPv4: a raw ICMP socket reads whole packets."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.settimeout(10)
    say("ready")
    try:
        while True:
            packet, peer = sock.recvfrom(1500)
            header = (packet[0] & 0x0f) * 4
            to = socket.inet_ntoa(packet[16:20])
            if len(packet) > header and packet[header] != ICMP_ECHO_REPLY and to == dest:
                say(f"{packet[header]} from {peer[0]}")
                return
    except socket.timeout:
        say("none")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def step_inject(args):
    dev, peer, port = args[0], args[1], int(args[4])
    src = socket.inet_pton(socket.AF_INET6, args[2])
    dest = socket.inet_pton(socket.AF_INET6, args[3])
    payload = b"?"
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    pseudo = src + dest + struct.pack("!IxxxB", len(udp), socket.IPPROTO_UDP)
    udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xffff) + udp[8:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(udp), socket.IPPROTO_UDP, 64)
    with open(f"/sys/class/net/{peer}/address") as f:
        peer_mac = bytes.fromhex(f.read().strip().replace(":", ""))
    with open(f"/sys/class/net/{dev}/address") as f:
        own_mac = bytes.fromhex(f.read().strip().replace(":", ""))
    frame = peer_mac + own_mac + struct.pack("!H", 0x86dd) + ip6 + src + dest + udp
    try:
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
            sock.bind((dev, 0))
            sock.send(frame)
        say("ok")
    except OSError as err:
        say(errname(err))


STEPS = {"socket": step_socket, "bind": step_bind, "connect": step_connect,
         "sendto": step_sendto, "pktinfo": step_pktinfo, "setopt": step_setopt,
         "answer": step_answer, "ask": step_ask, "peer": step_peer,
         "inject": step_inject, "ping": step_ping, "pingbound": step_pingbound,
         "icmp": step_icmp, "watch": step_watch}


def main(argv):
    step = []
    for word in argv + ["+"]:
        if word != "+":
            step.append(word)
            continue
        if not step or step[0] not in STEPS:
            sys.exit(f"net6probe: unknown step {step[:1]}")
        STEPS[step[0]](step[1:])
        step = []


if __name__ == "__main__":
    main(sys.argv[1:])
