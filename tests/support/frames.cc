// libtins computes checksums when serializing; the independent checker below recomputes them
// with the RFC 1071 definition so a bug shared by uvs and libtins cannot hide.
#include "support/frames.h"

#include <cstring>

namespace uvs::test {

namespace {

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t s = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    s += (p[i] << 8) | p[i + 1];
  }
  if (n % 2) {
    s += p[n - 1] << 8;
  }
  return s;
}

std::uint16_t fold(std::uint32_t s) {
  while (s >> 16) {
    s = (s & 0xffff) + (s >> 16);
  }
  return static_cast<std::uint16_t>(s);
}

}  // namespace

Bytes tcp_frame(const Endpoint& src,
                const Endpoint& dst,
                std::uint8_t flags,
                const std::string& payload,
                std::uint8_t ttl,
                bool df,
                std::uint32_t seq,
                std::uint32_t ack) {
  Tins::TCP tcp(dst.port, src.port);
  tcp.flags(flags);
  tcp.seq(seq);
  tcp.ack_seq(ack);
  tcp.window(64240);
  Tins::IP ip(dst.ip, src.ip);
  ip.ttl(ttl);
  ip.id(0x1234);
  if (df) {
    ip.flags(Tins::IP::DONT_FRAGMENT);
  }
  Tins::EthernetII eth(dst.mac, src.mac);
  auto pkt = eth / ip / tcp;
  if (!payload.empty()) {
    pkt /= Tins::RawPDU(payload);
  }
  return pkt.serialize();
}

Bytes udp_frame(const Endpoint& src,
                const Endpoint& dst,
                const std::string& payload,
                std::uint8_t ttl,
                bool zero_checksum) {
  Tins::UDP udp(dst.port, src.port);
  Tins::IP ip(dst.ip, src.ip);
  ip.ttl(ttl);
  ip.id(0x4321);
  Tins::EthernetII eth(dst.mac, src.mac);
  auto pkt = eth / ip / udp / Tins::RawPDU(payload);
  Bytes b = pkt.serialize();
  if (zero_checksum) {
    b[14 + 20 + 6] = 0;
    b[14 + 20 + 7] = 0;
  }
  return b;
}

Bytes arp_request(const std::string& sender_mac,
                  const std::string& sender_ip,
                  const std::string& target_ip) {
  return Tins::ARP::make_arp_request(target_ip, sender_ip, sender_mac).serialize();
}

Bytes arp_reply(const std::string& sender_mac,
                const std::string& sender_ip,
                const std::string& target_mac,
                const std::string& target_ip) {
  return Tins::ARP::make_arp_reply(target_ip, sender_ip, target_mac, sender_mac).serialize();
}

Bytes icmp_error_frame(const Endpoint& src,
                       const Endpoint& dst,
                       std::uint8_t type,
                       std::uint8_t code,
                       const Bytes& quoted_ip,
                       std::uint32_t rest) {
  Bytes b(14 + 20 + 8 + quoted_ip.size());
  Tins::EthernetII eth(dst.mac, src.mac);
  Bytes l2 = eth.serialize();
  std::memcpy(b.data(), l2.data(), 12);
  b[12] = 0x08;
  b[13] = 0x00;
  std::uint8_t* ip = b.data() + 14;
  ip[0] = 0x45;
  const auto total = static_cast<std::uint16_t>(20 + 8 + quoted_ip.size());
  ip[2] = total >> 8;
  ip[3] = total & 0xff;
  ip[8] = 64;
  ip[9] = 1;
  Tins::IPv4Address s(src.ip), d(dst.ip);
  const std::uint32_t sv = s, dv = d;  // network order in memory
  std::memcpy(ip + 12, &sv, 4);
  std::memcpy(ip + 16, &dv, 4);
  const std::uint16_t hc = static_cast<std::uint16_t>(~fold(sum16(ip, 20)));
  ip[10] = hc >> 8;
  ip[11] = hc & 0xff;
  std::uint8_t* icmp = ip + 20;
  icmp[0] = type;
  icmp[1] = code;
  for (int i = 0; i < 4; ++i) {
    icmp[4 + i] = static_cast<std::uint8_t>(rest >> (24 - 8 * i));
  }
  std::memcpy(icmp + 8, quoted_ip.data(), quoted_ip.size());
  const std::uint16_t ic = static_cast<std::uint16_t>(~fold(sum16(icmp, 8 + quoted_ip.size())));
  icmp[2] = ic >> 8;
  icmp[3] = ic & 0xff;
  return b;
}

Tins::EthernetII dissect(const Bytes& frame) {
  return Tins::EthernetII(frame.data(), static_cast<std::uint32_t>(frame.size()));
}

Bytes ip_part(const Bytes& frame) {
  const std::uint8_t* ip = frame.data() + 14;
  const std::size_t total = (ip[2] << 8) | ip[3];
  return Bytes(ip, ip + total);
}

bool checksums_ok(const Bytes& frame) {
  if (frame.size() < 34 || frame[12] != 0x08 || frame[13] != 0x00) {
    return false;
  }
  const std::uint8_t* ip = frame.data() + 14;
  const unsigned hlen = (ip[0] & 0x0f) * 4u;
  const unsigned total = (ip[2] << 8) | ip[3];
  if (fold(sum16(ip, hlen)) != 0xffff) {
    return false;
  }
  const std::uint8_t proto = ip[9];
  const std::uint8_t* l4 = ip + hlen;
  const unsigned l4_len = total - hlen;
  if ((((ip[6] << 8) | ip[7]) & 0x3fff) != 0) {
    return true;  // fragments carry no complete transport checksum
  }
  if (proto == 1) {
    return fold(sum16(l4, l4_len)) == 0xffff;
  }
  if (proto == 6 || proto == 17) {
    if (proto == 17 && l4[6] == 0 && l4[7] == 0) {
      return true;  // no checksum
    }
    std::uint32_t s = sum16(ip + 12, 8);
    s += proto + l4_len;
    return fold(sum16(l4, l4_len, s)) == 0xffff;
  }
  return true;
}

}  // namespace uvs::test
