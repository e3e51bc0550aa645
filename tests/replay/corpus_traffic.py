#!/usr/bin/env python3
"""corpus_traffic.py — the real programs of the replay corpus captures (tests/replay/capture_case.sh).

Servers run on the real servers, clients on the client; both use the kernel's own sockets, so
what the director captures is what a Linux host really sends. The few frames no socket can
produce (malformed headers, overlapping fragments) are written with an AF_PACKET socket onto
the client's link, as an attacker or a broken NIC would.

Servers (run until killed):
  tcp-server PORT NAME       answers every connection with "NAME\\n", then reads until the client
                             closes and closes too (the client closes first)
  tcp-sink PORT NAME         reads a whole upload, then answers "NAME got N\\n" and closes
  udp-server PORT NAME [--delay S] [--bind ADDR]
                             answers each datagram with "NAME:" + the datagram, after S seconds;
                             a real server of DR or TUN binds the VIP, so that its answers leave
                             from the VIP and not from its own address

Clients (print one word or line per connection/datagram, exit 0 unless told otherwise):
  tcp-hold --dst IP:PORT [--dst ...] [--count N] [--src IP [--src ...]] [--sport P] [--hold S]
                             opens N connections one after the other (each waits for the
                             server's name), keeps them all open S seconds, closes them in order;
                             connection i goes to the i-th --dst and from the i-th --src (the
                             last one repeats); prints the names ("refused" for a connection the
                             path refused)
  tcp-idle --dst IP:PORT --idle S
                             connects, reads the server's name, stays idle S seconds, sends one
                             line, waits 1 s for anything, then resets the connection; prints
                             the name and "answered", "closed", "reset" (an RST came back) or
                             "silent"
  tcp-upload --dst IP:PORT --bytes N [--src IP]
                             sends N bytes, half-closes, prints the server's answer
  udp-send --dst IP:PORT [--src IP] [--sport P] [--count N] [--size S] [--df | --nodf]
           [--ttl T] [--gap S] [--close-early] [--nocsum] [--timeout S]
                             sends datagrams of S bytes and prints each answer, or the ICMP
                             error the kernel reported ("refused", "msgsize", "ttl", "timeout");
                             --close-early closes the socket right after sending (the answer then
                             meets a closed port and the client's kernel answers with ICMP);
                             --nocsum sends UDP checksum 0 (SO_NO_CHECK)
  echo --dst IP [--count N]  ICMP echo requests on a raw socket, prints "reply" or "timeout"
  frames --iface IF --dst-mac MAC --src-mac MAC --src IP --dst IP SET
                             writes a set of hand-made frames onto IF (AF_PACKET), one every
                             50 ms; SET is "malformed" (one frame per parser drop reason that a
                             link can carry) or "overlap" (a UDP datagram whose two fragments
                             overlap, then a well-formed fragmented datagram)
"""

import argparse
import errno
import os
import select
import socket
import struct
import sys
import threading
import time

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
IP_PMTUDISC_DO = 2
IP_RECVERR = 11
MSG_ERRQUEUE = 0x2000
SO_NO_CHECK = 11


def hostport(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


# ---------------------------------------------------------------------------------------------
# servers


def serve_tcp(port, handler):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(64)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def read_to_eof(conn):
    total = 0
    while True:
        data = conn.recv(65536)
        if not data:
            return total
        total += len(data)


def cmd_tcp_server(args):
    def handler(conn):
        with conn:
            conn.sendall(args.name.encode() + b"\n")
            read_to_eof(conn)

    serve_tcp(args.port, handler)


def cmd_tcp_sink(args):
    def handler(conn):
        with conn:
            n = read_to_eof(conn)
            conn.sendall(f"{args.name} got {n}\n".encode())

    serve_tcp(args.port, handler)


def cmd_udp_server(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.bind, args.port))
    while True:
        data, peer = s.recvfrom(65535)
        if args.delay:
            time.sleep(args.delay)
        s.sendto(args.name.encode() + b":" + data, peer)


# ---------------------------------------------------------------------------------------------
# clients


def nth(values, i):
    return values[min(i, len(values) - 1)] if values else None


def cmd_tcp_hold(args):
    socks, names = [], []
    count = args.count or max(len(args.dst), len(args.src or []))
    for i in range(count):
        host, port = hostport(nth(args.dst, i))
        src = nth(args.src, i)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(args.timeout)
        if src or args.sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((src or "0.0.0.0", args.sport + i if args.sport else 0))
        try:
            s.connect((host, port))
            line = b""
            while not line.endswith(b"\n"):
                chunk = s.recv(100)
                if not chunk:
                    break
                line += chunk
            names.append(line.decode().strip() or "closed")
            socks.append(s)
        except ConnectionRefusedError:
            names.append("refused")
            s.close()
        except (socket.timeout, OSError):
            names.append("timeout")
            s.close()
        time.sleep(args.gap)
    time.sleep(args.hold)
    for s in socks:
        s.close()
        time.sleep(args.gap)
    print(" ".join(names))


def cmd_tcp_idle(args):
    host, port = hostport(args.dst)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(args.timeout)
    s.connect((host, port))
    name = s.recv(100).decode().strip()
    time.sleep(args.idle)
    s.send(b"late\n")
    s.settimeout(1)
    try:
        word = "answered" if s.recv(100) else "closed"
    except ConnectionResetError:
        word = "reset"
    except (socket.timeout, OSError):
        word = "silent"
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print(name, word)


def cmd_tcp_upload(args):
    host, port = hostport(args.dst)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(args.timeout)
    if args.src:
        s.bind((args.src, 0))
    s.connect((host, port))
    s.sendall(bytes(i % 251 for i in range(args.bytes)))
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        data = s.recv(4096)
        if not data:
            break
        answer += data
    s.close()
    print(answer.decode().strip())


def udp_error(s):
    """The ICMP error queued on a socket with IP_RECVERR, as a word."""
    try:
        _, anc, _, _ = s.recvmsg(2048, 512, MSG_ERRQUEUE)
    except OSError:
        return None
    for level, kind, data in anc:
        if level == socket.IPPROTO_IP and kind == IP_RECVERR:
            ee_errno, _origin, ee_type, ee_code = struct.unpack_from("=IBBB", data)
            info = struct.unpack_from("=I", data, 8)[0]
            if ee_errno == errno.ECONNREFUSED:
                return "refused"
            if ee_errno == errno.EMSGSIZE:
                return f"msgsize-{info}"
            if ee_type == 11:
                return "ttl"
            return f"icmp-{ee_type}-{ee_code}"
    return None


def cmd_udp_send(args):
    host, port = hostport(args.dst)
    out = []
    s = None
    for i in range(args.count):
        if s is None or args.sport_step:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
            if args.df:
                s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
            elif args.nodf:
                s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
            if args.ttl:
                s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, args.ttl)
            if args.nocsum:
                s.setsockopt(socket.SOL_SOCKET, SO_NO_CHECK, 1)
            sport = args.sport + i * args.sport_step if args.sport else 0
            s.bind((args.src or "0.0.0.0", sport))
            s.connect((host, port))
        payload = (f"{i}:".encode() + b"x" * args.size)[: max(args.size, 1)]
        try:
            s.send(payload)
        except OSError as e:
            out.append("msgsize" if e.errno == errno.EMSGSIZE else f"error-{e.errno}")
            continue
        if args.close_early:
            s.close()
            s = None
            out.append("sent")
            time.sleep(args.gap)
            continue
        word = "timeout"
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            r, _, x = select.select([s], [], [s], deadline - time.time())
            if not r and not x:
                break
            err = udp_error(s)
            if err:
                word = err
                break
            try:
                data = s.recv(65535)
                word = data.split(b":", 1)[0].decode() + f"/{len(data)}"
                break
            except ConnectionRefusedError:
                word = "refused"
                break
            except OSError as e:
                word = "msgsize" if e.errno == errno.EMSGSIZE else f"error-{e.errno}"
                break
        out.append(word)
        time.sleep(args.gap)
    print(" ".join(out))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def cmd_echo(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    out = []
    for seq in range(1, args.count + 1):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"uvs corpus echo"
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        s.sendto(body, (args.dst, 0))
        word = "timeout"
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            r, _, _ = select.select([s], [], [], deadline - time.time())
            if not r:
                break
            pkt, _ = s.recvfrom(2048)
            ihl = (pkt[0] & 0xF) * 4
            t, _c, _ck, rid, rseq = struct.unpack_from("!BBHHH", pkt, ihl)
            if t == 0 and rid == ident and rseq == seq:
                word = "reply"
                break
        out.append(word)
        time.sleep(args.gap)
    print(" ".join(out))


# ---------------------------------------------------------------------------------------------
# hand-made frames


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ip_header(src, dst, proto, payload_len, ident, ttl=64, flags_off=0, ihl=5, version=4,
              total=None, fix_checksum=True):
    total = 20 + payload_len if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, total, ident, flags_off, ttl,
                      proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    if fix_checksum:
        hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr


def udp_datagram(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    csum = checksum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, csum) + payload


def malformed_frames(a):
    """One frame for each parser drop reason a link can deliver, in the parser's order."""
    eth = mac_bytes(a.dst_mac) + mac_bytes(a.src_mac)
    ip4 = eth + b"\x08\x00"
    udp = udp_datagram(a.src, a.dst, 40001, a.dport, b"hello")
    good_ip = ip_header(a.src, a.dst, 17, len(udp), 0x1001)
    frames = []
    # (A frame shorter than an Ethernet header cannot be sent, and one whose 802.1Q tag is cut
    # off is freed by the receiving kernel before any packet socket sees it: the packet tests
    # cover those two reasons.)
    # ARP shorter than 28 bytes, then ARP for another hardware type (6, IEEE 802).
    arp_head = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
    frames.append(eth + b"\x08\x06" + arp_head + mac_bytes(a.src_mac)[:4])
    frames.append(eth + b"\x08\x06" + struct.pack("!HHBBH", 6, 0x0800, 6, 4, 1) +
                  mac_bytes(a.src_mac) + socket.inet_aton(a.src) + b"\0" * 6 +
                  socket.inet_aton(a.dst))
    # IPv4 header cut off, version 6 behind the IPv4 ethertype, IHL 4, total length past the
    # frame, header checksum wrong.
    frames.append(ip4 + good_ip[:12])
    frames.append(ip4 + ip_header(a.src, a.dst, 17, len(udp), 0x1002, version=6) + udp)
    frames.append(ip4 + ip_header(a.src, a.dst, 17, len(udp), 0x1003, ihl=4) + udp)
    frames.append(ip4 + ip_header(a.src, a.dst, 17, len(udp), 0x1004, total=200) + udp)
    bad_sum = bytearray(ip_header(a.src, a.dst, 17, len(udp), 0x1005))
    bad_sum[10] ^= 0x55
    frames.append(ip4 + bytes(bad_sum) + udp)
    # TCP header cut off (10 of 20 bytes), UDP length larger than the datagram, ICMP header cut
    # off (3 bytes), ICMP port unreachable quoting 6 bytes (not even an IPv4 header).
    tcp_part = struct.pack("!HHI", 40002, a.dport, 1) + b"\x50\x02"
    frames.append(ip4 + ip_header(a.src, a.dst, 6, len(tcp_part), 0x1006) + tcp_part)
    lying = bytearray(udp)
    lying[4:6] = struct.pack("!H", 300)
    frames.append(ip4 + ip_header(a.src, a.dst, 17, len(lying), 0x1007) + bytes(lying))
    frames.append(ip4 + ip_header(a.src, a.dst, 1, 3, 0x1008) + b"\x03\x03\x00")
    icmp = bytearray(struct.pack("!BBHI", 3, 3, 0, 0) + b"\x45\x00\x00\x1c\x00\x00")
    icmp[2:4] = struct.pack("!H", checksum(bytes(icmp)))
    frames.append(ip4 + ip_header(a.src, a.dst, 1, len(icmp), 0x1009) + bytes(icmp))
    # Finally one well-formed datagram: the parser's drops above cost nothing else.
    frames.append(ip4 + good_ip + udp)
    return frames


def overlap_frames(a):
    """A datagram whose second fragment overlaps the first, then a well-formed split one."""
    eth = mac_bytes(a.dst_mac) + mac_bytes(a.src_mac) + b"\x08\x00"
    frames = []
    for ident, second_off in ((0x2001, 16), (0x2002, 24)):
        udp = udp_datagram(a.src, a.dst, 40003, a.dport, b"overlap!" * 5)  # 48 bytes
        first, rest = udp[:24], udp[second_off:]
        frames.append(eth + ip_header(a.src, a.dst, 17, len(first), ident,
                                      flags_off=0x2000) + first)
        frames.append(eth + ip_header(a.src, a.dst, 17, len(rest), ident,
                                      flags_off=second_off // 8) + rest)
    return frames


def cmd_frames(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    frames = malformed_frames(args) if args.set == "malformed" else overlap_frames(args)
    for f in frames:
        s.send(f)
        time.sleep(0.05)
    print(f"{len(frames)} frames")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("tcp-server", "tcp-sink", "udp-server"):
        sp = sub.add_parser(name)
        sp.add_argument("port", type=int)
        sp.add_argument("name")
        if name == "udp-server":
            sp.add_argument("--delay", type=float, default=0)
            sp.add_argument("--bind", default="0.0.0.0")
    sp = sub.add_parser("tcp-hold")
    sp.add_argument("--dst", required=True, action="append")
    sp.add_argument("--count", type=int, default=0)
    sp.add_argument("--src", action="append")
    sp.add_argument("--sport", type=int, default=0)
    sp.add_argument("--hold", type=float, default=0.2)
    sp.add_argument("--gap", type=float, default=0.05)
    sp.add_argument("--timeout", type=float, default=3)
    sp = sub.add_parser("tcp-idle")
    sp.add_argument("--dst", required=True)
    sp.add_argument("--idle", type=float, required=True)
    sp.add_argument("--timeout", type=float, default=3)
    sp = sub.add_parser("tcp-upload")
    sp.add_argument("--dst", required=True)
    sp.add_argument("--bytes", type=int, required=True)
    sp.add_argument("--src")
    sp.add_argument("--timeout", type=float, default=10)
    sp = sub.add_parser("udp-send")
    sp.add_argument("--dst", required=True)
    sp.add_argument("--src")
    sp.add_argument("--sport", type=int, default=0)
    sp.add_argument("--sport-step", type=int, default=0)
    sp.add_argument("--count", type=int, default=1)
    sp.add_argument("--size", type=int, default=16)
    sp.add_argument("--df", action="store_true")
    sp.add_argument("--nodf", action="store_true")
    sp.add_argument("--ttl", type=int, default=0)
    sp.add_argument("--gap", type=float, default=0.1)
    sp.add_argument("--close-early", action="store_true")
    sp.add_argument("--nocsum", action="store_true")
    sp.add_argument("--timeout", type=float, default=1.5)
    sp = sub.add_parser("echo")
    sp.add_argument("--dst", required=True)
    sp.add_argument("--count", type=int, default=1)
    sp.add_argument("--gap", type=float, default=0.1)
    sp.add_argument("--timeout", type=float, default=1.5)
    sp = sub.add_parser("frames")
    sp.add_argument("--iface", required=True)
    sp.add_argument("--dst-mac", required=True)
    sp.add_argument("--src-mac", required=True)
    sp.add_argument("--src", required=True)
    sp.add_argument("--dst", required=True)
    sp.add_argument("--dport", type=int, default=53)
    sp.add_argument("set", choices=["malformed", "overlap"])
    args = p.parse_args()
    handlers = {
        "tcp-server": cmd_tcp_server, "tcp-sink": cmd_tcp_sink, "udp-server": cmd_udp_server,
        "tcp-hold": cmd_tcp_hold, "tcp-idle": cmd_tcp_idle, "tcp-upload": cmd_tcp_upload, "udp-send": cmd_udp_send,
        "echo": cmd_echo, "frames": cmd_frames,
    }
    handlers[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
