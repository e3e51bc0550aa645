// reassembler: fragments in any order give back exactly the unfragmented frame (the first
// fragment's link and IPv4 headers, total length and checksum recomputed, no fragment flags);
// only the first fragment's headers count; the datagram may reach 65535 bytes of IPv4 and no
// more, with the first fragment's header length counted; empty fragments drop their set, and a
// fragment other than the last whose length is not a multiple of 8 is trimmed (Linux's
// ip_frag_queue()), or drops its set when nothing is left.
#include "frag/reassembler.h"

#include <algorithm>
#include <numeric>

#include <doctest/doctest.h>

#include "unit/frag/frag_support.h"

using namespace uvs;
using namespace uvs::test;
using Outcome = frag::Reassembler::Outcome;

TEST_CASE("reassembler: fragments in order give back the unfragmented frame") {
  Harness h;
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(2392);  // 2400 bytes: three fragments of 800
  const auto frags = fragments(spec, body, 800);
  REQUIRE(frags.size() == 3);
  CHECK(h.add(frags[0]).outcome == Outcome::kStored);
  CHECK(h.add(frags[1]).outcome == Outcome::kStored);
  CHECK(h.r.in_progress() == 1);
  const auto res = h.add(frags[2]);
  CHECK(res.frame.port == 1);
  CHECK_FALSE(res.frame.off.needs_csum());
  CHECK(h.take(res) == wire::ipv4_frame(spec, body));
  CHECK(h.r.in_progress() == 0);
  CHECK(h.pool.free_count() == 4 + 8);  // every buffer back
}

TEST_CASE("reassembler: fragments in every order give back the same frame") {
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(3000 - 8 - 3);  // the last fragment is not a multiple of 8
  const auto frags = fragments(spec, body, 800);
  REQUIRE(frags.size() == 4);
  const wire::Bytes whole = wire::ipv4_frame(spec, body);
  std::vector<int> order(frags.size());
  std::iota(order.begin(), order.end(), 0);
  int orders = 0;
  do {
    CAPTURE(order);
    Harness h;
    for (std::size_t i = 0; i + 1 < order.size(); ++i) {
      REQUIRE(h.add(frags[order[i]]).outcome == Outcome::kStored);
    }
    CHECK(h.take(h.add(frags[order.back()])) == whole);
    CHECK(h.pool.free_count() == 4 + 8);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(orders == 24);
}

TEST_CASE("reassembler: datagrams are told apart by source, destination, protocol and ID") {
  Harness h;
  wire::Ipv4Spec a = frag_spec(7);
  wire::Ipv4Spec b = frag_spec(7);
  b.src = wire::ip4(10, 0, 0, 3);
  wire::Ipv4Spec c = frag_spec(8);
  wire::Ipv4Spec d = frag_spec(7);
  d.proto = 6;
  const wire::Bytes body = udp_body(800);
  for (const auto* s : {&a, &b, &c, &d}) {
    CHECK(h.add(fragment(*s, body, 0, 800, true)).outcome == Outcome::kStored);
  }
  CHECK(h.r.in_progress() == 4);
  CHECK(h.take(h.add(fragment(c, body, 800, 8, false))) == wire::ipv4_frame(c, body));
  CHECK(h.take(h.add(fragment(d, body, 800, 8, false))) == wire::ipv4_frame(d, body));
  CHECK(h.r.in_progress() == 2);
}

TEST_CASE("reassembler: only the first fragment's link and IPv4 headers are kept") {
  // The first fragment: 802.1Q tag and 40 bytes of IP options (the largest headers there are),
  // TOS 0x10, TTL 17, DF. The others: no tag, no options, another TTL, TOS and source MAC.
  wire::Ipv4Spec first = frag_spec();
  first.tos = 0x10;
  first.ttl = 17;
  first.frag = 0x4000;
  first.options = wire::Bytes(40, 0x01);  // NOPs
  wire::Ipv4Spec later = frag_spec();
  later.tos = 0x28;
  later.ttl = 99;
  const std::uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x0c};
  const wire::Bytes body = udp_body(1600 - 8 + 5);
  const std::uint16_t tci = 0x0123;
  for (bool first_last : {false, true}) {
    CAPTURE(first_last);
    Harness h;
    const wire::Bytes f0 = fragment(first, body, 0, 800, true, wire::kMacA, tci);
    const wire::Bytes f1 = fragment(later, body, 800, 800, true, other_mac);
    const wire::Bytes f2 = fragment(later, body, 1600, 5, false, other_mac);
    frag::Reassembler::Result res;
    if (first_last) {
      CHECK(h.add(f2).outcome == Outcome::kStored);
      CHECK(h.add(f1).outcome == Outcome::kStored);
      res = h.add(f0);
    } else {
      CHECK(h.add(f0).outcome == Outcome::kStored);
      CHECK(h.add(f2).outcome == Outcome::kStored);
      res = h.add(f1);
    }
    // DF survives; MF and the offset do not.
    CHECK(h.take(res) == wire::ipv4_frame(first, body, tci));
  }
}

TEST_CASE("reassembler: the datagram may reach 65535 bytes, counting the first header") {
  const std::uint32_t max_body = 65535 - 20;
  SUBCASE("exactly 65535 bytes of IPv4 with a 20-byte header: complete") {
    Harness h;
    const wire::Ipv4Spec spec = frag_spec();
    const wire::Bytes body = udp_body(max_body - 8);
    const auto frags = fragments(spec, body, 1480);
    for (std::size_t i = 0; i + 1 < frags.size(); ++i) {
      REQUIRE(h.add(frags[i]).outcome == Outcome::kStored);
    }
    const wire::Bytes out = h.take(h.add(frags.back()));
    CHECK(out.size() == 14 + 65535);
    CHECK(out == wire::ipv4_frame(spec, body));
  }
  SUBCASE("a last fragment ending one byte further: the set is dropped") {
    Harness h;
    const wire::Ipv4Spec spec = frag_spec();
    const wire::Bytes body = udp_body(max_body + 1 - 8);
    CHECK(h.add(fragment(spec, body, 0, 1480, true)).outcome == Outcome::kStored);
    const auto res = h.add(fragment(spec, body, 65512, max_body + 1 - 65512, false));
    CHECK(res.outcome == Outcome::kDropped);
    CHECK(res.reason == base::DropReason::kFragmentBad);
    CHECK(h.r.in_progress() == 0);
  }
  SUBCASE("65535 bytes of payload behind a first header with options: dropped, either order") {
    // 24 + 65515 = 65539 bytes: more than the total length field can say.
    wire::Ipv4Spec first = frag_spec();
    first.options = wire::Bytes(4, 0x01);
    const wire::Ipv4Spec rest = frag_spec();
    const wire::Bytes body = udp_body(max_body - 8);
    for (bool first_last : {false, true}) {
      CAPTURE(first_last);
      Harness h;
      const wire::Bytes head0 = fragment(first, body, 0, 32768, true);
      const wire::Bytes head1 = fragment(rest, body, 32768, 65512 - 32768, true);
      const wire::Bytes tail = fragment(rest, body, 65512, max_body - 65512, false);
      frag::Reassembler::Result res;
      if (first_last) {
        CHECK(h.add(tail).outcome == Outcome::kStored);
        CHECK(h.add(head1).outcome == Outcome::kStored);
        res = h.add(head0);
      } else {
        CHECK(h.add(head0).outcome == Outcome::kStored);
        CHECK(h.add(head1).outcome == Outcome::kStored);
        res = h.add(tail);
      }
      CHECK(res.outcome == Outcome::kDropped);
      CHECK(res.reason == base::DropReason::kFragmentBad);
      CHECK(h.r.in_progress() == 0);
      CHECK(h.pool.free_count() == 4 + 8);
    }
  }
}

TEST_CASE("reassembler: a ragged middle fragment is trimmed to whole 8-byte blocks") {
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(2000);
  Harness h;
  CHECK(h.add(fragment(spec, body, 0, 800, true)).outcome == Outcome::kStored);
  // 804 bytes, MF set: the last 4 are ignored, so the next fragment may start at 800.
  CHECK(h.add(fragment(spec, body, 800, 804, true)).outcome == Outcome::kStored);
  const auto last = static_cast<std::uint32_t>(body.size() - 1600);
  CHECK(h.take(h.add(fragment(spec, body, 1600, last, false))) == wire::ipv4_frame(spec, body));
}

TEST_CASE("reassembler: empty fragments, and middle ones that trimming empties, drop their set") {
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(1600);
  for (std::uint32_t bad_len : {0u, 5u}) {
    CAPTURE(bad_len);
    Harness h;
    CHECK(h.add(fragment(spec, body, 0, 800, true)).outcome == Outcome::kStored);
    const auto res = h.add(fragment(spec, body, 800, bad_len, true));
    CHECK(res.outcome == Outcome::kDropped);
    CHECK(res.reason == base::DropReason::kFragmentBad);
    CHECK(h.r.in_progress() == 0);
    CHECK(h.pool.free_count() == 4 + 8);
  }
}
