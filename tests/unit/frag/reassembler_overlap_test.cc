// reassembler: RFC 5722 with erratum 3089, as Linux's inet_frag_queue_insert() applies it to
// IPv4: a fragment that overlaps data already received drops the whole set (fragment_bad), and
// so do conflicting ends; an exact duplicate of data already received is dropped alone
// (fragment_duplicate) and the set still completes.
#include <vector>

#include <doctest/doctest.h>

#include "frag/reassembler.h"
#include "unit/frag/frag_support.h"

using namespace uvs;
using namespace uvs::test;
using Outcome = frag::Reassembler::Outcome;

namespace {

void check_set_dropped(Harness& h, const frag::Reassembler::Result& res) {
  CHECK(res.outcome == Outcome::kDropped);
  CHECK(res.reason == base::DropReason::kFragmentBad);
  CHECK(h.r.in_progress() == 0);
  CHECK(h.pool.free_count() == 4 + 8);
}

}  // namespace

TEST_CASE("reassembler: a duplicate fragment is dropped alone and the set completes") {
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(2400 - 8 - 5);
  const auto frags = fragments(spec, body, 800);
  REQUIRE(frags.size() == 3);
  for (std::size_t dup = 0; dup < frags.size(); ++dup) {
    CAPTURE(dup);  // the first, a middle and the last fragment
    Harness h;
    CHECK(h.add(frags[dup]).outcome == Outcome::kStored);
    const auto again = h.add(frags[dup]);
    CHECK(again.outcome == Outcome::kDropped);
    CHECK(again.reason == base::DropReason::kFragmentDuplicate);
    CHECK(h.r.in_progress() == 1);
    std::vector<std::size_t> rest;
    for (std::size_t i = 0; i < frags.size(); ++i) {
      if (i != dup) {
        rest.push_back(i);
      }
    }
    CHECK(h.add(frags[rest[0]]).outcome == Outcome::kStored);
    CHECK(h.take(h.add(frags[rest[1]])) == wire::ipv4_frame(spec, body));
    CHECK(h.pool.free_count() == 4 + 8);
  }
}

TEST_CASE("reassembler: a duplicate inside what arrived is dropped alone") {
  // [800, 1600) again as two halves after the whole of it: each half lies inside.
  Harness h;
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(2400 - 8);
  CHECK(h.add(fragment(spec, body, 800, 800, true)).outcome == Outcome::kStored);
  CHECK(h.add(fragment(spec, body, 800, 400, true)).reason == base::DropReason::kFragmentDuplicate);
  CHECK(h.add(fragment(spec, body, 1200, 400, true)).reason ==
        base::DropReason::kFragmentDuplicate);
  CHECK(h.add(fragment(spec, body, 0, 800, true)).outcome == Outcome::kStored);
  CHECK(h.take(h.add(fragment(spec, body, 1600, 800, false))) == wire::ipv4_frame(spec, body));
}

TEST_CASE("reassembler: a fragment overlapping received data drops the whole set") {
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(2400 - 8);
  SUBCASE("starting inside a received fragment") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 0, 800, true)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 792, 800, true)));
  }
  SUBCASE("ending inside a received fragment") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 800, 800, true)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 0, 808, true)));
  }
  SUBCASE("covering a hole and a received fragment") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 800, 800, true)).outcome == Outcome::kStored);
    CHECK(h.add(fragment(spec, body, 2392, 8, false)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 0, 1600, true)));
  }
  SUBCASE("the fragments after the drop start a new set") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 0, 800, true)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 400, 800, true)));
    CHECK(h.add(fragment(spec, body, 800, 800, true)).outcome == Outcome::kStored);
    CHECK(h.add(fragment(spec, body, 1600, 800, false)).outcome == Outcome::kStored);
    CHECK(h.r.in_progress() == 1);  // the first 800 bytes went with the dropped set
  }
}

TEST_CASE("reassembler: conflicting ends drop the whole set") {
  const wire::Ipv4Spec spec = frag_spec();
  const wire::Bytes body = udp_body(2400);
  SUBCASE("a second last fragment with another end") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 1600, 800, false)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 1600, 803, false)));
  }
  SUBCASE("a second last fragment ending earlier, not overlapping") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 1600, 800, false)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 800, 800, false)));
  }
  SUBCASE("data past the end") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 800, 800, false)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 1600, 800, true)));
  }
  SUBCASE("a last fragment ending before data already received") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 1600, 800, true)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 800, 800, false)));
  }
  SUBCASE("a last fragment ending inside a received one") {
    Harness h;
    CHECK(h.add(fragment(spec, body, 800, 800, false)).outcome == Outcome::kStored);
    check_set_dropped(h, h.add(fragment(spec, body, 800, 400, false)));
  }
}
