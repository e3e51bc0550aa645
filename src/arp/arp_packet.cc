#include "arp/arp_packet.h"

#include <cstring>

#include "net/byte_order.h"
#include "packet/headers.h"

namespace uvs::arp {

using namespace packet;

ArpFields read_arp(const io::Frame& f, const packet::ParsedPacket& p) {
  const std::uint8_t* a = f.data + p.l3_off;
  ArpFields r;
  r.oper = net::load_be16(a + kArpOper);
  r.sha = net::MacAddr(a + kArpSha);
  r.tha = net::MacAddr(a + kArpTha);
  r.spa = net::IpAddr::v4_bytes(a + kArpSpa);
  r.tpa = net::IpAddr::v4_bytes(a + kArpTpa);
  return r;
}

void make_reply_in_place(io::Frame& f, const packet::ParsedPacket& p, const net::MacAddr& mac) {
  std::uint8_t* a = f.data + p.l3_off;
  std::uint8_t sender_mac[6], sender_ip[4], target_ip[4];
  std::memcpy(sender_mac, a + kArpSha, 6);
  std::memcpy(sender_ip, a + kArpSpa, 4);
  std::memcpy(target_ip, a + kArpTpa, 4);
  net::store_be16(a + kArpOper, kArpReply);
  mac.copy_to(a + kArpSha);
  std::memcpy(a + kArpSpa, target_ip, 4);
  std::memcpy(a + kArpTha, sender_mac, 6);
  std::memcpy(a + kArpTpa, sender_ip, 4);
  std::memcpy(f.data + kEthDst, sender_mac, 6);
  mac.copy_to(f.data + kEthSrc);
  // Anything after the ARP body (Ethernet padding) is left as it was: the length is unchanged.
}

namespace {

std::optional<io::Frame> build(io::FramePool& pool,
                               const net::MacAddr& eth_dst,
                               const net::MacAddr& src_mac,
                               const net::IpAddr& spa,
                               const net::MacAddr& tha,
                               const net::IpAddr& tpa) {
  auto f = pool.alloc(kEthHdrLen + kArpLen);
  if (!f) {
    return std::nullopt;
  }
  std::uint8_t* d = f->data;
  eth_dst.copy_to(d + kEthDst);
  src_mac.copy_to(d + kEthSrc);
  net::store_be16(d + kEthType, kEtherTypeArp);
  std::uint8_t* a = d + kEthHdrLen;
  net::store_be16(a + kArpHtype, 1);
  net::store_be16(a + kArpPtype, kEtherTypeIpv4);
  a[kArpHlen] = 6;
  a[kArpPlen] = 4;
  net::store_be16(a + kArpOper, kArpRequest);
  src_mac.copy_to(a + kArpSha);
  spa.copy_to(a + kArpSpa);
  tha.copy_to(a + kArpTha);
  tpa.copy_to(a + kArpTpa);
  return f;
}

}  // namespace

std::optional<io::Frame> build_request(io::FramePool& pool,
                                       const net::MacAddr& src_mac,
                                       const net::IpAddr& src_ip,
                                       const net::IpAddr& target,
                                       const net::MacAddr& dst) {
  const net::MacAddr eth_dst = dst.is_zero() ? net::MacAddr::broadcast() : dst;
  // Like the kernel's arp_solicit(): a unicast probe goes to the remembered MAC at the Ethernet
  // layer but leaves the ARP target hardware address zero.
  return build(pool, eth_dst, src_mac, src_ip, net::MacAddr(), target);
}

std::optional<io::Frame> build_probe(io::FramePool& pool,
                                     const net::MacAddr& mac,
                                     const net::IpAddr& vip) {
  return build(pool, net::MacAddr::broadcast(), mac, net::IpAddr::v4(0), net::MacAddr(), vip);
}

std::optional<io::Frame> build_gratuitous(io::FramePool& pool,
                                          const net::MacAddr& mac,
                                          const net::IpAddr& vip) {
  return build(pool, net::MacAddr::broadcast(), mac, vip, net::MacAddr(), vip);
}

}  // namespace uvs::arp
