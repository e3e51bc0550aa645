// frag_support.h — IPv4 fragments of one datagram, placed byte by byte by the wire builder, and a
// Reassembler with its own pool and clock (TEST ONLY).
//
// A datagram is described by its IPv4 header spec and its transport bytes (`body`); fragment()
// cuts [offset, offset + len) out of the body and gives it that header with MF and the offset
// set, so the frame expected after reassembly is simply the unfragmented ipv4_frame() of the same
// spec and body. Harness::add() parses a fragment the way the pipeline does before handing it
// over; Harness::take() gives a completed datagram's bytes and returns its buffer to the pool.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <doctest/doctest.h>

#include "base/clock.h"
#include "base/time.h"
#include "frag/reassembler.h"
#include "io/frame_pool.h"
#include "packet/parsed_packet.h"
#include "packet/parser.h"
#include "unit/packet/wire_builder.h"

namespace uvs::test {

// The transport bytes of a datagram: a UDP header and `n` payload bytes of a counting pattern
// (the checksum field is not checked by reassembly and stays zero).
inline wire::Bytes udp_body(std::size_t n) {
  wire::Bytes b(8 + n);
  wire::put16(&b[0], 40000);
  wire::put16(&b[2], 53);
  wire::put16(&b[4], static_cast<std::uint16_t>((8 + n) & 0xffff));
  for (std::size_t i = 0; i < n; ++i) {
    b[8 + i] = static_cast<std::uint8_t>(i % 251);
  }
  return b;
}

// The spec of a datagram that may be fragmented: DF clear.
inline wire::Ipv4Spec frag_spec(std::uint16_t id = 0x4242) {
  wire::Ipv4Spec s;
  s.proto = 17;
  s.id = id;
  s.frag = 0;
  return s;
}

inline wire::Bytes fragment(const wire::Ipv4Spec& spec,
                            const wire::Bytes& body,
                            std::uint32_t offset,
                            std::uint32_t len,
                            bool more,
                            const std::uint8_t* src_mac = wire::kMacA,
                            std::optional<std::uint16_t> vlan = std::nullopt) {
  wire::Ipv4Spec s = spec;
  s.frag = static_cast<std::uint16_t>((spec.frag & 0x4000) | (more ? 0x2000 : 0) | (offset / 8));
  const wire::Bytes part(body.begin() + offset, body.begin() + offset + len);
  return wire::ethernet(0x0800, wire::ipv4_packet(s, part), vlan, wire::kMacB, src_mac);
}

// The whole datagram cut into pieces of `chunk` bytes (a multiple of 8), first to last.
inline std::vector<wire::Bytes> fragments(const wire::Ipv4Spec& spec,
                                          const wire::Bytes& body,
                                          std::uint32_t chunk) {
  std::vector<wire::Bytes> out;
  const auto n = static_cast<std::uint32_t>(body.size());
  for (std::uint32_t off = 0; off < n; off += chunk) {
    const std::uint32_t len = off + chunk < n ? chunk : n - off;
    out.push_back(fragment(spec, body, off, len, off + len < n));
  }
  return out;
}

struct Harness {
  explicit Harness(frag::ReassemblerConfig cfg = {}, std::uint32_t large_buffers = 8)
      : pool(4, large_buffers), r(pool, cfg) {}

  frag::Reassembler::Result add(const wire::Bytes& frame) {
    packet::ParsedPacket p;
    REQUIRE(packet::parse_frame(frame.data(), static_cast<std::uint32_t>(frame.size()), p) ==
            base::DropReason::kNone);
    REQUIRE(p.is_fragment());
    io::Frame f;
    f.data = const_cast<std::uint8_t*>(frame.data());  // add() only reads it
    f.len = static_cast<std::uint32_t>(frame.size());
    f.port = 1;
    return r.add(f, p, clock.now());
  }

  // The bytes of a completed datagram; its buffer goes back to the pool.
  wire::Bytes take(const frag::Reassembler::Result& res) {
    REQUIRE(res.outcome == frag::Reassembler::Outcome::kComplete);
    wire::Bytes b(res.frame.data, res.frame.data + res.frame.len);
    pool.free(res.frame);
    return b;
  }

  std::vector<frag::Reassembler::Expired> expire() {
    std::vector<frag::Reassembler::Expired> out;
    r.expire(clock.now(), out);
    return out;
  }

  io::FramePool pool;
  frag::Reassembler r;
  base::ManualClock clock{1'000 * base::kNanosPerSecond};
};

}  // namespace uvs::test
