// test_frames.h — frames and receive loops shared by the live-port tests.
//
// Test frames use the IEEE local-experimental EtherType 0x88b5 and start with "UVST" + a 32-bit
// sequence number, followed by a pattern derived from that number: any stray kernel frame on the
// link is told apart, and a frame's content can be re-derived from its sequence number alone.
// tcp_super_packet() builds what a local TCP stack hands a veth with TSO on: one IPv4/TCP frame
// far above the MTU whose TCP checksum field holds only the pseudo-header sum (CHECKSUM_PARTIAL),
// plus the matching virtio_net_hdr.
// tcp6_super_packet() is the IPv6 equivalent, and may exceed 64 KiB (BIG TCP).
// collect() polls a port (bounded by a timeout) and copies out the test frames it receives.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <poll.h>
#include <vector>

#include "io/packet_port.h"
#include "net/byte_order.h"
#include "net/checksum.h"
#include "net/mac_addr.h"
#include "raw_socket.h"

namespace uvs::test {

inline constexpr std::uint16_t kTestEtherType = 0x88b5;

inline std::vector<std::uint8_t> test_frame(const net::MacAddr& dst,
                                            const net::MacAddr& src,
                                            std::uint32_t seq,
                                            std::size_t len,
                                            std::optional<std::uint16_t> vlan_tci = {}) {
  std::vector<std::uint8_t> f(len, 0);
  dst.copy_to(f.data());
  src.copy_to(f.data() + 6);
  std::size_t off = 12;
  if (vlan_tci) {
    net::store_be16(f.data() + off, 0x8100);
    net::store_be16(f.data() + off + 2, *vlan_tci);
    off += 4;
  }
  net::store_be16(f.data() + off, kTestEtherType);
  off += 2;
  const std::uint8_t magic[4] = {'U', 'V', 'S', 'T'};
  std::memcpy(f.data() + off, magic, 4);
  net::store_be32(f.data() + off + 4, seq);
  for (std::size_t i = off + 8; i < len; ++i) {
    f[i] = static_cast<std::uint8_t>(seq * 7 + i);
  }
  return f;
}

// The sequence number of a test frame (tagged or not), or nullopt for any other frame.
inline std::optional<std::uint32_t> test_seq(const std::uint8_t* p, std::size_t len) {
  std::size_t off = 12;
  if (len >= 18 && net::load_be16(p + 12) == 0x8100) {
    off = 16;
  }
  if (len < off + 10 || net::load_be16(p + off) != kTestEtherType ||
      std::memcmp(p + off + 2, "UVST", 4) != 0) {
    return std::nullopt;
  }
  return net::load_be32(p + off + 6);
}

struct SuperPacket {
  std::vector<std::uint8_t> frame;
  VnetHeader vnet{};
};

// An IPv4/TCP super-packet of `payload` bytes with a partial TCP checksum. Set `ip_len_zero` for
// frames beyond the 16-bit IPv4 total length (BIG TCP writes 0 there).
inline SuperPacket tcp_super_packet(const net::MacAddr& dst,
                                    const net::MacAddr& src,
                                    std::size_t payload,
                                    std::uint16_t mss = 1448,
                                    bool ip_len_zero = false) {
  SuperPacket sp;
  auto& f = sp.frame;
  f.assign(14 + 20 + 20 + payload, 0);
  dst.copy_to(f.data());
  src.copy_to(f.data() + 6);
  net::store_be16(f.data() + 12, 0x0800);
  std::uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  net::store_be16(ip + 2, ip_len_zero ? 0 : static_cast<std::uint16_t>(20 + 20 + payload));
  net::store_be16(ip + 4, 0x1234);
  net::store_be16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = 6;
  const std::uint8_t saddr[4] = {10, 0, 0, 1};
  const std::uint8_t daddr[4] = {10, 0, 0, 2};
  std::memcpy(ip + 12, saddr, 4);
  std::memcpy(ip + 16, daddr, 4);
  net::store_be16(ip + 10, net::csum_finish(net::csum_add_bytes(0, ip, 20)));
  std::uint8_t* tcp = ip + 20;
  net::store_be16(tcp, 40000);
  net::store_be16(tcp + 2, 80);
  net::store_be32(tcp + 4, 1000);
  net::store_be32(tcp + 8, 2000);
  tcp[12] = 5 << 4;
  tcp[13] = 0x18;  // PSH|ACK
  net::store_be16(tcp + 14, 65535);
  for (std::size_t i = 0; i < payload; ++i) {
    tcp[20 + i] = static_cast<std::uint8_t>(i * 13 + 5);
  }
  // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, not complemented.
  const auto l4_len = static_cast<std::uint16_t>((20 + payload) & 0xffff);
  net::store_be16(tcp + 16, net::csum_fold(net::pseudo_header_sum_v4(saddr, daddr, 6, l4_len)));

  sp.vnet.flags = VnetHeader::kNeedsCsum;
  sp.vnet.gso_type = VnetHeader::kGsoTcpv4;
  sp.vnet.hdr_len = 14 + 20 + 20;
  sp.vnet.gso_size = mss;
  sp.vnet.csum_start = 14 + 20;
  sp.vnet.csum_offset = 16;
  return sp;
}

// An IPv6/TCP super-packet of `payload` bytes, as BIG TCP hands it to a driver: payload length
// 0 when it exceeds 16 bits. The TCP checksum field holds the partial pseudo-header sum.
inline SuperPacket tcp6_super_packet(const net::MacAddr& dst,
                                     const net::MacAddr& src,
                                     std::size_t payload,
                                     std::uint16_t mss = 1428) {
  SuperPacket sp;
  auto& f = sp.frame;
  f.assign(14 + 40 + 20 + payload, 0);
  dst.copy_to(f.data());
  src.copy_to(f.data() + 6);
  net::store_be16(f.data() + 12, 0x86dd);
  std::uint8_t* ip = f.data() + 14;
  ip[0] = 0x60;
  const std::size_t l4_len = 20 + payload;
  net::store_be16(ip + 4, l4_len > 0xffff ? 0 : static_cast<std::uint16_t>(l4_len));
  ip[6] = 6;
  ip[7] = 64;
  ip[8] = 0xfd;  // fd00::1
  ip[23] = 1;
  ip[24] = 0xfd;  // fd00::2
  ip[39] = 2;
  std::uint8_t* tcp = ip + 40;
  net::store_be16(tcp, 40000);
  net::store_be16(tcp + 2, 80);
  tcp[12] = 5 << 4;
  tcp[13] = 0x10;  // ACK
  for (std::size_t i = 0; i < payload; ++i) {
    tcp[20 + i] = static_cast<std::uint8_t>(i * 11 + 3);
  }
  std::uint32_t sum = net::csum_add_bytes(0, ip + 8, 32);
  sum += static_cast<std::uint32_t>(l4_len >> 16) + static_cast<std::uint32_t>(l4_len & 0xffff);
  sum += 6;
  net::store_be16(tcp + 16, net::csum_fold(sum));

  sp.vnet.flags = VnetHeader::kNeedsCsum;
  sp.vnet.gso_type = VnetHeader::kGsoTcpv6;
  sp.vnet.hdr_len = 14 + 40 + 20;
  sp.vnet.gso_size = mss;
  sp.vnet.csum_start = 14 + 40;
  sp.vnet.csum_offset = 16;
  return sp;
}

struct Got {
  std::vector<std::uint8_t> bytes;
  io::Offload off;
  std::uint32_t headroom = 0;
  std::uint32_t tailroom = 0;
  std::uint16_t port = 0;
  base::Nanos ts = 0;
};

// Polls `port` until `want` frames accepted by `keep` arrived or timeout_ms passed; releases
// after every burst. Frames `keep` rejects (stray kernel traffic) are not returned.
template <typename Keep>
std::vector<Got> collect(io::PacketPort& port, std::size_t want, int timeout_ms, Keep keep) {
  std::vector<Got> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  io::Frame burst[64];
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    const std::uint32_t n = port.rx_burst(burst, 64);
    for (std::uint32_t i = 0; i < n; ++i) {
      const io::Frame& f = burst[i];
      if (keep(f)) {
        got.push_back(Got{std::vector<std::uint8_t>(f.data, f.data + f.len),
                          f.off,
                          f.headroom,
                          f.tailroom,
                          f.port,
                          f.ts});
      }
    }
    port.release_rx();
    if (n == 0) {
      pollfd p{port.poll_fd(), POLLIN, 0};
      ::poll(&p, 1, 5);
    }
  }
  return got;
}

inline std::vector<Got> collect_test_frames(io::PacketPort& port,
                                            std::size_t want,
                                            int timeout_ms) {
  return collect(port, want, timeout_ms, [](const io::Frame& f) {
    return test_seq(f.data, f.len).has_value();
  });
}

}  // namespace uvs::test
