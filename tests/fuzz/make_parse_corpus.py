#!/usr/bin/env python3
"""Write the seed frames of the parse fuzz target into tests/fuzz/corpus/parse/.

One well-formed Ethernet frame per file, covering every branch of packet::parse_frame() and of
the rewrites the target runs after it: TCP (with and without options, tagged, padded), UDP
(with a checksum, with checksum 0), ICMP echo, ICMP errors quoting TCP, UDP and ICMP, IPv4
options, fragments, another IP protocol, ARP request and reply, and a non-IP ethertype.
Checksums are computed here (RFC 1071), so the seeds get past the checksum check and the fuzzer
starts deep in the parser. Run it from anywhere; it rewrites the directory's *.bin files:

    python3 tests/fuzz/make_parse_corpus.py
"""

import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "parse")

CLIENT_MAC = bytes.fromhex("02000000000a")
DIRECTOR_MAC = bytes.fromhex("02000000000c")
REAL_MAC = bytes.fromhex("020000000011")
CLIENT = bytes([10, 0, 0, 2])
VIP = bytes([10, 0, 1, 100])
REAL = bytes([10, 0, 2, 11])


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64, tos=0, ident=0x1234, frag=0x4000, options=b""):
    hlen = 20 + len(options)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | hlen // 4, tos, hlen + len(payload), ident, frag,
                      ttl, proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def l4_csum(src, dst, proto, seg, at):
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
    c = csum(pseudo + seg)
    if proto == 17 and c == 0:
        c = 0xFFFF
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]


def tcp(src, dst, sport, dport, flags, payload=b"", seq=1000, ack=0, options=b""):
    hlen = 20 + len(options)
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (hlen // 4) << 4, flags, 64240, 0,
                      0) + options + payload
    return l4_csum(src, dst, 6, seg, 16)


def udp(src, dst, sport, dport, payload, zero=False):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return seg if zero else l4_csum(src, dst, 17, seg, 6)


def icmp(typ, code, rest, body):
    msg = struct.pack("!BBHI", typ, code, 0, rest) + body
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def eth(body, ether_type=0x0800, dst=DIRECTOR_MAC, src=CLIENT_MAC, vlan=None):
    tag = b"" if vlan is None else struct.pack("!HH", 0x8100, vlan)
    return dst + src + tag + struct.pack("!H", ether_type) + body


def arp(oper, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, oper, sha, spa, tha, tpa)


def frames():
    yield "tcp_syn", eth(ipv4(CLIENT, VIP, 6, tcp(CLIENT, VIP, 40000, 80, 0x02)))
    ts = bytes([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0])
    yield "tcp_data_options", eth(ipv4(CLIENT, VIP, 6, tcp(
        CLIENT, VIP, 40000, 80, 0x18, b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n", 1001, 5001, ts)))
    yield "tcp_reply_fin", eth(ipv4(REAL, CLIENT, 6, tcp(REAL, CLIENT, 80, 40000, 0x19, b"x" * 40,
                                                           5001, 1030)), src=REAL_MAC)
    yield "tcp_vlan", eth(ipv4(CLIENT, VIP, 6, tcp(CLIENT, VIP, 40001, 443, 0x10)), vlan=0x2064)
    yield "tcp_ip_options", eth(ipv4(CLIENT, VIP, 6, tcp(CLIENT, VIP, 40002, 80, 0x02),
                                     options=bytes([0x94, 4, 0, 0])))
    yield "udp_dns", eth(ipv4(CLIENT, VIP, 17, udp(CLIENT, VIP, 5353, 53, b"\x12\x34" + b"q" * 30),
                              frag=0))
    short = eth(ipv4(CLIENT, VIP, 17, udp(CLIENT, VIP, 5353, 53, b"hi"), frag=0))
    yield "udp_padded", short + b"\0" * (60 - len(short))
    yield "udp_zero_checksum", eth(ipv4(CLIENT, VIP, 17, udp(CLIENT, VIP, 1234, 53, b"z" * 9, True),
                                        frag=0))
    yield "icmp_echo", eth(ipv4(CLIENT, VIP, 1, icmp(8, 0, 0x00420001, bytes(range(56))), frag=0))
    quoted_tcp = ipv4(VIP, CLIENT, 6, tcp(VIP, CLIENT, 80, 40000, 0x12, b"", 5000, 1001))
    yield "icmp_frag_needed_tcp", eth(ipv4(CLIENT, VIP, 1, icmp(3, 4, 1400, quoted_tcp), frag=0))
    quoted_udp = ipv4(CLIENT, REAL, 17, udp(CLIENT, REAL, 5353, 8053, b"q" * 16), frag=0)
    yield "icmp_port_unreach_udp", eth(ipv4(REAL, CLIENT, 1, icmp(3, 3, 0, quoted_udp), frag=0),
                                       src=REAL_MAC)
    quoted_echo = ipv4(CLIENT, REAL, 1, icmp(8, 0, 0x77770001, b""), frag=0)
    yield "icmp_time_exceeded_echo", eth(ipv4(REAL, CLIENT, 1, icmp(11, 0, 0, quoted_echo[:28]),
                                              frag=0), src=REAL_MAC)
    yield "fragment_first", eth(ipv4(CLIENT, VIP, 17, udp(CLIENT, VIP, 5353, 53, b"f" * 40)[:48],
                                     frag=0x2000))
    yield "fragment_later", eth(ipv4(CLIENT, VIP, 17, b"g" * 24, frag=0x0006))
    yield "gre", eth(ipv4(CLIENT, VIP, 47, struct.pack("!HH", 0, 0x0800) + b"\0" * 20))
    yield "arp_request", eth(arp(1, CLIENT_MAC, CLIENT, bytes(6), VIP), 0x0806,
                             dst=b"\xff" * 6)
    yield "arp_reply_vlan", eth(arp(2, REAL_MAC, REAL, DIRECTOR_MAC, bytes([10, 0, 2, 1])),
                                0x0806, src=REAL_MAC, vlan=5)
    yield "ipv6_ethertype", eth(bytes([0x60]) + bytes(39), 0x86DD)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".bin"):
            os.remove(os.path.join(OUT, name))
    for name, data in frames():
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
