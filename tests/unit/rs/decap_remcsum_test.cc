// GUE with remote checksum offload (--tun-remcsum): the director leaves the inner TCP/UDP
// checksum partial (the pseudo-header sum in the field) and says in the GUE option where the
// sum starts and where the field is; uvs-rs decap accepts exactly that option and completes the
// checksum as the kernel's remcsum_adjust() does. The expected checksums come from libtins,
// which computes them on its own.
#include <cstdint>
#include <span>
#include <vector>

#include <doctest/doctest.h>
#include <tins/ip.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>
#include <tins/udp.h>

#include "rs/decap_parser.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
using uvs::rs::DecapReason;

// One's-complement sum of 16-bit words, unfolded.
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i < n; i += 2) {
    sum += (std::uint32_t{p[i]} << 8) | (i + 1 < n ? p[i + 1] : 0u);
  }
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while ((sum >> 16) != 0) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(sum);
}

struct Partial {
  Bytes inner;         // the inner packet with its L4 checksum partial
  std::uint16_t good;  // the L4 checksum libtins computed
  std::uint16_t start;
  std::uint16_t field;
};

// The inner packet as the director's remcsum encapsulation carries it: L4 checksum field =
// folded pseudo-header sum, not complemented (CHECKSUM_PARTIAL).
Partial make_partial(bool tcp) {
  Tins::IP ip("10.10.10.10", "192.0.2.7");
  Tins::IP pkt = tcp ? ip / Tins::TCP(80, 40001) / Tins::RawPDU("GET / HTTP/1.0\r\n\r\n")
                     : ip / Tins::UDP(53, 40002) / Tins::RawPDU("a question");
  Partial p;
  p.inner = pkt.serialize();
  p.start = 20;
  p.field = static_cast<std::uint16_t>(20 + (tcp ? 16 : 6));
  p.good = static_cast<std::uint16_t>((p.inner[p.field] << 8) | p.inner[p.field + 1]);
  const std::uint16_t l4_len = static_cast<std::uint16_t>(p.inner.size() - 20);
  std::uint32_t pseudo = sum16(p.inner.data() + 12, 8);
  pseudo += tcp ? 6 : 17;
  pseudo += l4_len;
  const std::uint16_t partial = fold(pseudo);
  p.inner[p.field] = static_cast<std::uint8_t>(partial >> 8);
  p.inner[p.field + 1] = static_cast<std::uint8_t>(partial & 0xff);
  return p;
}

Bytes gue_remcsum(const Partial& p) {
  Bytes g = {0x02,
             0x04,
             0x00,
             0x01,
             0x80,
             0x00,
             0x00,
             0x00,
             static_cast<std::uint8_t>(p.start >> 8),
             static_cast<std::uint8_t>(p.start & 0xff),
             static_cast<std::uint8_t>(p.field >> 8),
             static_cast<std::uint8_t>(p.field & 0xff)};
  g.insert(g.end(), p.inner.begin(), p.inner.end());
  return g;
}

}  // namespace

TEST_CASE("decap: GUE remcsum is accepted and the inner checksum completed") {
  for (bool tcp : {true, false}) {
    CAPTURE(tcp);
    const Partial p = make_partial(tcp);
    Bytes pkt = gue_remcsum(p);
    const uvs::rs::DecapResult r = uvs::rs::decap_gue(pkt);
    REQUIRE(r.ok());
    REQUIRE(r.inner.size() == p.inner.size());
    CHECK(r.remcsum_start == p.start);
    CHECK(r.remcsum_field == p.field);
    const auto at = static_cast<std::size_t>(r.inner.data() - pkt.data());
    CHECK(at == 12);
    uvs::rs::complete_remote_checksum(
        std::span<std::uint8_t>(pkt).subspan(at, r.inner.size()), r.remcsum_start, r.remcsum_field);
    const std::uint16_t got =
        static_cast<std::uint16_t>((pkt[at + p.field] << 8) | pkt[at + p.field + 1]);
    CHECK(got == p.good);
  }
}

TEST_CASE("decap: plain GUE has nothing to complete") {
  const Partial p = make_partial(true);
  Bytes pkt = {0x00, 0x04, 0x00, 0x00};
  pkt.insert(pkt.end(), p.inner.begin(), p.inner.end());
  const uvs::rs::DecapResult r = uvs::rs::decap_gue(pkt);
  REQUIRE(r.ok());
  CHECK(r.remcsum_field == 0);
}

TEST_CASE("decap: GUE remcsum offsets outside the inner packet are dropped") {
  const Partial p = make_partial(true);
  const auto with = [&](std::uint16_t start, std::uint16_t field) {
    Partial q = p;
    q.start = start;
    q.field = field;
    return uvs::rs::decap_gue(gue_remcsum(q)).reason;
  };
  CHECK(with(20, 36) == DecapReason::kNone);
  CHECK(with(10, 36) == DecapReason::kGueBadRemcsum);  // inside the inner IP header
  CHECK(with(30, 26) == DecapReason::kGueBadRemcsum);  // field before the start
  const auto end = static_cast<std::uint16_t>(p.inner.size());
  CHECK(with(20, static_cast<std::uint16_t>(end - 2)) == DecapReason::kNone);
  CHECK(with(20, static_cast<std::uint16_t>(end - 1)) == DecapReason::kGueBadRemcsum);
}

TEST_CASE("decap: other GUE private options are still refused") {
  const Partial p = make_partial(true);
  Bytes pkt = gue_remcsum(p);
  pkt[4] = 0x40;  // a private flag other than REMCSUM
  CHECK(uvs::rs::decap_gue(pkt).reason == DecapReason::kGueOptions);
  pkt = gue_remcsum(p);
  pkt[3] = 0x03;  // another flag beside the private-flags bit
  CHECK(uvs::rs::decap_gue(pkt).reason == DecapReason::kGueOptions);
  pkt = gue_remcsum(p);
  pkt.resize(10);  // the option cut short
  CHECK(uvs::rs::decap_gue(pkt).reason == DecapReason::kGueOptions);
}
