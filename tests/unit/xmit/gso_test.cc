// gso: software segmentation of vnet GSO super-packets. Each segment is compared byte for byte
// with the packet the wire builder makes for it (the kernel's rules: sequence numbers advanced by
// the payload, IP IDs incremented, FIN/PSH on the last segment only, CWR on the first only, full
// checksums), and the segments' payloads must concatenate to the original. Frames that cannot be
// segmented must return 0 and give every pool buffer back.
#include "xmit/gso.h"

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "io/frame.h"
#include "io/frame_pool.h"
#include "unit/packet/wire_builder.h"

using namespace uvs;
using namespace uvs::test::wire;

namespace {

constexpr std::uint8_t kFin = 0x01, kPsh = 0x08, kAck = 0x10, kCwr = 0x80, kEce = 0x40;

Ipv4Spec tcp_spec(std::uint16_t id) {
  Ipv4Spec s;
  s.src = ip4(10, 0, 2, 11);
  s.dst = ip4(10, 0, 0, 2);
  s.proto = 6;
  s.id = id;
  return s;
}

TcpSpec tcp_header(std::uint32_t seq, std::uint8_t flags, const Bytes& options = {}) {
  TcpSpec t;
  t.sport = 80;
  t.dport = 40000;
  t.seq = seq;
  t.ack = 0x11223344;
  t.flags = flags;
  t.options = options;
  return t;
}

// A super-packet as a local TCP stack hands it over: checksum partial, vnet metadata set.
struct SuperPacket {
  Bytes bytes;
  io::Frame f;
  SuperPacket(Bytes b, std::uint8_t gso_type, std::uint16_t gso_size, unsigned csum_offset)
      : bytes(std::move(b)) {
    f.data = bytes.data();
    f.len = static_cast<std::uint32_t>(bytes.size());
    f.port = 3;
    f.ts = 12345;
    f.off.gso_type = gso_type;
    f.off.gso_size = gso_size;
    f.off.flags = io::Offload::kNeedsCsum;
    f.off.csum_start = 34;
    f.off.csum_offset = static_cast<std::uint16_t>(csum_offset);
    const std::uint8_t* ip = bytes.data() + 14;
    const std::size_t l4_len = get16(ip + 2) - 20u;
    put16(bytes.data() + 34 + csum_offset,
          fold(pseudo_sum(get32(ip + 12), get32(ip + 16), ip[9], l4_len)));
  }
  SuperPacket(const SuperPacket&) = delete;
};

Bytes bytes_of(const io::Frame& f) {
  return Bytes(f.data, f.data + f.len);
}

void free_all(io::FramePool& pool, const std::vector<io::Frame>& out, std::uint32_t n) {
  for (std::uint32_t i = 0; i < n; ++i) {
    pool.free(out[i]);
  }
}

}  // namespace

TEST_CASE("gso: a 20 KB TCPv4 super-packet becomes MSS-sized segments like the kernel's") {
  const Bytes payload = pattern(20000, 9);
  const std::uint16_t mss = 1448;
  const std::uint16_t id0 = 0x4000;
  const std::uint32_t seq0 = 0xfffff000;  // wraps during the transfer
  Bytes options;
  std::uint8_t flags = kAck | kPsh | kFin | kCwr;
  SUBCASE("plain header") {}
  SUBCASE("with timestamps, ECE and an IP ID about to wrap") {
    options = {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9};
    flags = static_cast<std::uint8_t>(flags | kEce);
  }
  const std::uint16_t id = options.empty() ? id0 : 0xfffa;
  SuperPacket in(tcp_frame(tcp_spec(id), tcp_header(seq0, flags, options), payload),
                 io::Offload::kGsoTcpv4,
                 mss,
                 16);
  const Bytes before = in.bytes;
  io::FramePool pool(32, 0);
  std::vector<io::Frame> out(32);
  const std::uint32_t n = xmit::gso_segment(in.f, 14, pool, out.data(), 32);
  const std::uint32_t want_n = (20000 + mss - 1) / mss;
  REQUIRE(n == want_n);
  REQUIRE(n == 14);
  Bytes joined;
  for (std::uint32_t i = 0; i < n; ++i) {
    INFO("segment " << i);
    const std::size_t off = static_cast<std::size_t>(i) * mss;
    const std::size_t len = i + 1 < n ? mss : payload.size() - off;
    const Bytes chunk(payload.begin() + static_cast<std::ptrdiff_t>(off),
                      payload.begin() + static_cast<std::ptrdiff_t>(off + len));
    std::uint8_t want_flags = kAck | (flags & kEce);
    if (i == 0) {
      want_flags |= kCwr;
    }
    if (i + 1 == n) {
      want_flags |= kPsh | kFin;
    }
    const Bytes want =
        tcp_frame(tcp_spec(static_cast<std::uint16_t>(id + i)),
                  tcp_header(seq0 + static_cast<std::uint32_t>(off), want_flags, options),
                  chunk);
    CHECK(bytes_of(out[i]) == want);
    CHECK(ip_checksum_ok(bytes_of(out[i])));
    CHECK(l4_checksum_ok(bytes_of(out[i])));
    CHECK(out[i].port == 3);
    CHECK(out[i].ts == 12345);
    CHECK_FALSE(out[i].off.is_gso());
    CHECK_FALSE(out[i].off.needs_csum());
    const std::size_t hdr = 14 + 20 + 20 + options.size();
    joined.insert(joined.end(), out[i].data + hdr, out[i].data + out[i].len);
  }
  CHECK(joined == payload);
  CHECK(in.bytes == before);  // the input is left untouched
  free_all(pool, out, n);
  CHECK(pool.free_count() == 32);
}

TEST_CASE("gso: segment counts at the edges") {
  io::FramePool pool(8, 0);
  std::vector<io::Frame> out(8);
  for (auto [size, want] : {std::pair<std::size_t, std::uint32_t>{0, 1},
                            {1, 1},
                            {1000, 1},
                            {1001, 2},
                            {2000, 2},
                            {2001, 3}}) {
    INFO("payload " << size);
    SuperPacket in(tcp_frame(tcp_spec(1), tcp_header(1, kAck), pattern(size)),
                   io::Offload::kGsoTcpv4,
                   1000,
                   16);
    const std::uint32_t n = xmit::gso_segment(in.f, 14, pool, out.data(), 8);
    CHECK(n == want);
    for (std::uint32_t i = 0; i < n; ++i) {
      CHECK(l4_checksum_ok(bytes_of(out[i])));
    }
    free_all(pool, out, n);
    CHECK(pool.free_count() == 8);
  }
}

TEST_CASE("gso: UDP_L4 super-packets become gso_size datagrams") {
  const Bytes payload = pattern(5000, 1);
  Ipv4Spec s;
  s.src = ip4(10, 0, 2, 11);
  s.dst = ip4(10, 0, 0, 2);
  s.id = 0x0100;
  SuperPacket in(udp_frame(s, 8053, 5353, payload), io::Offload::kGsoUdpL4, 1400, 6);
  io::FramePool pool(8, 0);
  std::vector<io::Frame> out(8);
  const std::uint32_t n = xmit::gso_segment(in.f, 14, pool, out.data(), 8);
  REQUIRE(n == 4);
  Bytes joined;
  for (std::uint32_t i = 0; i < n; ++i) {
    INFO("datagram " << i);
    const std::size_t off = i * 1400u;
    const std::size_t len = i + 1 < n ? 1400 : 800;
    Ipv4Spec si = s;
    si.id = static_cast<std::uint16_t>(0x0100 + i);
    const Bytes chunk(payload.begin() + static_cast<std::ptrdiff_t>(off),
                      payload.begin() + static_cast<std::ptrdiff_t>(off + len));
    CHECK(bytes_of(out[i]) == udp_frame(si, 8053, 5353, chunk));
    joined.insert(joined.end(), out[i].data + 42, out[i].data + out[i].len);
  }
  CHECK(joined == payload);
  free_all(pool, out, n);
  CHECK(pool.free_count() == 8);
}

TEST_CASE("gso: the ECN bit of gso_type does not change the segmentation") {
  io::FramePool pool(8, 0);
  std::vector<io::Frame> out(8);
  SuperPacket in(tcp_frame(tcp_spec(1), tcp_header(1, kAck), pattern(3000)),
                 io::Offload::kGsoTcpv4 | io::Offload::kGsoEcn,
                 1000,
                 16);
  const std::uint32_t n = xmit::gso_segment(in.f, 14, pool, out.data(), 8);
  CHECK(n == 3);
  free_all(pool, out, n);
}

TEST_CASE("gso: what cannot be segmented returns 0 and leaks no buffer") {
  io::FramePool pool(4, 1);
  std::vector<io::Frame> out(64);
  const std::uint32_t free_before = pool.free_count();
  auto none = [&](const io::Frame& f, std::uint32_t max_out = 64) {
    const std::uint32_t n = xmit::gso_segment(f, 14, pool, out.data(), max_out);
    CHECK(pool.free_count() == free_before);
    return n == 0;
  };
  const Bytes tcp = tcp_frame(tcp_spec(1), tcp_header(1, kAck), pattern(3000));

  SUBCASE("unsupported gso types") {
    for (std::uint8_t type : {io::Offload::kGsoNone,
                              io::Offload::kGsoUdp,
                              io::Offload::kGsoTcpv6,
                              std::uint8_t{2},
                              std::uint8_t{6}}) {
      INFO("gso_type " << int(type));
      SuperPacket in(tcp, type, 1000, 16);
      CHECK(none(in.f));
    }
  }
  SUBCASE("gso_size 0") {
    SuperPacket in(tcp, io::Offload::kGsoTcpv4, 0, 16);
    CHECK(none(in.f));
  }
  SUBCASE("type and protocol disagree") {
    SuperPacket in(tcp, io::Offload::kGsoUdpL4, 1000, 16);
    CHECK(none(in.f));
    Ipv4Spec s;
    SuperPacket u(udp_frame(s, 1, 2, pattern(3000)), io::Offload::kGsoTcpv4, 1000, 6);
    CHECK(none(u.f));
  }
  SUBCASE("more segments than the caller has room for") {
    SuperPacket in(tcp, io::Offload::kGsoTcpv4, 1000, 16);
    CHECK(none(in.f, 2));
  }
  SUBCASE("the pool runs out half way") {
    SuperPacket in(tcp_frame(tcp_spec(1), tcp_header(1, kAck), pattern(10000)),
                   io::Offload::kGsoTcpv4,
                   1000,
                   16);
    CHECK(none(in.f));  // 10 segments, 4 small + 1 large buffers
  }
  SUBCASE("headers cut off") {
    SuperPacket in(tcp, io::Offload::kGsoTcpv4, 1000, 16);
    for (std::uint32_t len : {0u, 14u, 33u, 34u, 53u}) {
      INFO("frame of " << len << " bytes");
      io::Frame f = in.f;
      f.len = len;
      CHECK(none(f));
    }
  }
  SUBCASE("IHL below 5") {
    for (std::uint8_t ihl : {0, 1, 4}) {
      INFO("IHL " << int(ihl));
      SuperPacket in(tcp, io::Offload::kGsoTcpv4, 1000, 16);
      in.bytes[14] = static_cast<std::uint8_t>(0x40 | ihl);
      CHECK(none(in.f));
    }
  }
  SUBCASE("not IPv4") {
    SuperPacket in(tcp, io::Offload::kGsoTcpv4, 1000, 16);
    in.bytes[14] = 0x65;
    CHECK(none(in.f));
  }
  SUBCASE("TCP data offset below 5 or past the frame") {
    for (std::uint8_t doff : {0, 4}) {
      INFO("data offset " << int(doff));
      SuperPacket in(tcp, io::Offload::kGsoTcpv4, 1000, 16);
      in.bytes[46] = static_cast<std::uint8_t>(doff << 4);
      CHECK(none(in.f));
    }
    SuperPacket in(tcp_frame(tcp_spec(1), tcp_header(1, kAck)), io::Offload::kGsoTcpv4, 1000, 16);
    in.bytes[46] = 0xf0;  // 60-byte header in a 20-byte segment
    CHECK(none(in.f));
  }
  SUBCASE("segments that would not fit an IPv4 total length") {
    SuperPacket in(tcp_frame(tcp_spec(1), tcp_header(1, kAck), pattern(65000)),
                   io::Offload::kGsoTcpv4,
                   65535,
                   16);
    // 20 + 20 + 65000 fits; a gso_size above what an IPv4 packet can carry with these headers
    // does not describe any real packet.
    in.bytes.resize(in.bytes.size() + 600, 0);
    in.f.data = in.bytes.data();
    in.f.len = static_cast<std::uint32_t>(in.bytes.size());
    CHECK(none(in.f));
  }
}
