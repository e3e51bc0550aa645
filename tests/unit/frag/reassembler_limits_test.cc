// reassembler: sets not complete within the timeout (30 s by default, Linux's ipfrag_time) are
// expired on the clock and handed back with the first fragment's headers and first 8 payload
// bytes, enough to quote in an ICMP time exceeded, when the first fragment had come (and with
// nothing otherwise); at most `max_datagrams` sets are in progress and each takes one large pool
// buffer: a new set beyond either limit is dropped (fragment_bad, frame_pool_empty) while the
// sets in progress go on, and every buffer returns to the pool.
#include <doctest/doctest.h>

#include "frag/reassembler.h"
#include "net/checksum.h"
#include "unit/frag/frag_support.h"

using namespace uvs;
using namespace uvs::test;
using Outcome = frag::Reassembler::Outcome;

TEST_CASE("reassembler: an incomplete set expires after 30 s, quoting its first fragment") {
  Harness h;
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(1600);
  const wire::Bytes first = fragment(spec, body, 0, 800, true);
  CHECK(h.add(first).outcome == Outcome::kStored);
  h.clock.advance(10 * base::kNanosPerSecond);
  CHECK(h.add(fragment(spec, body, 1600, 8, false)).outcome == Outcome::kStored);
  // The timer runs from the first arrival, whichever fragment that was.
  h.clock.advance(20 * base::kNanosPerSecond - 1);
  CHECK(h.expire().empty());
  CHECK(h.r.in_progress() == 1);
  h.clock.advance(1);
  auto expired = h.expire();
  REQUIRE(expired.size() == 1);
  CHECK(h.r.in_progress() == 0);
  const io::Frame& q = expired[0].first;
  REQUIRE(q.len == 14 + 20 + 8);
  // Ethernet and IPv4 header of the first fragment (total length now what is quoted, with the
  // header checksum following it), then the first 8 bytes of its payload: the UDP header.
  CHECK(net::csum_ok(q.data + 14, 20));
  wire::Bytes expect(first.begin(), first.begin() + 14 + 20 + 8);
  wire::Bytes got(q.data, q.data + q.len);
  wire::put16(&expect[14 + 2], 28);
  wire::put16(&expect[14 + 10], 0);
  wire::put16(&got[14 + 10], 0);
  CHECK(got == expect);
  h.pool.free(q);
  CHECK(h.pool.free_count() == 4 + 8);
  CHECK(h.expire().empty());
  // A fragment of the same datagram now starts a new set.
  CHECK(h.add(fragment(spec, body, 800, 800, true)).outcome == Outcome::kStored);
}

TEST_CASE("reassembler: an expired set without its first fragment quotes nothing") {
  Harness h(frag::ReassemblerConfig{64, 5 * base::kNanosPerSecond});
  const wire::Bytes body = udp_body(1600);
  CHECK(h.add(fragment(frag_spec(1), body, 800, 800, true)).outcome == Outcome::kStored);
  h.clock.advance(2 * base::kNanosPerSecond);
  CHECK(h.add(fragment(frag_spec(2), body, 0, 800, true)).outcome == Outcome::kStored);
  h.clock.advance(3 * base::kNanosPerSecond);
  auto expired = h.expire();  // only set 1 is 5 s old
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].first.len == 0);
  CHECK(expired[0].first.buf == io::kRingBuffer);
  CHECK(h.r.in_progress() == 1);
  h.clock.advance(2 * base::kNanosPerSecond);
  expired = h.expire();
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].first.len == 14 + 20 + 8);
  h.pool.free(expired[0].first);
  CHECK(h.pool.free_count() == 4 + 8);
}

TEST_CASE("reassembler: no more than max_datagrams sets at once") {
  Harness h(frag::ReassemblerConfig{2, 30 * base::kNanosPerSecond});
  const wire::Bytes body = udp_body(1600);
  CHECK(h.add(fragment(frag_spec(1), body, 0, 800, true)).outcome == Outcome::kStored);
  CHECK(h.add(fragment(frag_spec(2), body, 0, 800, true)).outcome == Outcome::kStored);
  const auto third = h.add(fragment(frag_spec(3), body, 0, 800, true));
  CHECK(third.outcome == Outcome::kDropped);
  CHECK(third.reason == base::DropReason::kFragmentBad);
  CHECK(h.r.in_progress() == 2);
  // The sets in progress still take their fragments, and once one is done there is room again.
  CHECK(h.add(fragment(frag_spec(1), body, 800, 800, true)).outcome == Outcome::kStored);
  CHECK(h.take(h.add(fragment(frag_spec(1), body, 1600, 8, false))) ==
        wire::ipv4_frame(frag_spec(1), body));
  CHECK(h.add(fragment(frag_spec(3), body, 0, 800, true)).outcome == Outcome::kStored);
  CHECK(h.r.in_progress() == 2);
}

TEST_CASE("reassembler: each set takes a large pool buffer; none left drops a new set") {
  Harness h({}, /*large_buffers=*/2);
  const wire::Bytes body = udp_body(1600);
  CHECK(h.add(fragment(frag_spec(1), body, 0, 800, true)).outcome == Outcome::kStored);
  CHECK(h.add(fragment(frag_spec(2), body, 0, 800, true)).outcome == Outcome::kStored);
  CHECK(h.pool.free_count() == 4);  // small buffers are no use for a 64 KiB datagram
  const auto third = h.add(fragment(frag_spec(3), body, 0, 800, true));
  CHECK(third.outcome == Outcome::kDropped);
  CHECK(third.reason == base::DropReason::kFramePoolEmpty);
  CHECK(h.r.in_progress() == 2);
  // A completed datagram keeps its buffer until the caller frees it.
  const auto done = h.add(fragment(frag_spec(2), body, 800, 808, false));
  REQUIRE(done.outcome == Outcome::kComplete);
  CHECK(h.add(fragment(frag_spec(3), body, 0, 800, true)).reason ==
        base::DropReason::kFramePoolEmpty);
  h.pool.free(done.frame);
  CHECK(h.add(fragment(frag_spec(3), body, 0, 800, true)).outcome == Outcome::kStored);
}

TEST_CASE("reassembler: destroying it returns the buffers of sets in progress") {
  io::FramePool pool(4, 3);
  {
    frag::Reassembler r(pool);
    const wire::Bytes body = udp_body(1600);
    for (std::uint16_t id : {1, 2, 3}) {
      const wire::Bytes f = fragment(frag_spec(id), body, 0, 800, true);
      packet::ParsedPacket p;
      REQUIRE(packet::parse_frame(f.data(), static_cast<std::uint32_t>(f.size()), p) ==
              base::DropReason::kNone);
      io::Frame fr;
      fr.data = const_cast<std::uint8_t*>(f.data());
      fr.len = static_cast<std::uint32_t>(f.size());
      CHECK(r.add(fr, p, 0).outcome == Outcome::kStored);
    }
    CHECK(pool.free_count() == 4);
  }
  CHECK(pool.free_count() == 4 + 3);
}
