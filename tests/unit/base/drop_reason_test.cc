// The drop and pass reason lists: the stable names are what counters, traces and uvsadm print
// and what tests and scripts match on, so they must be unique, snake_case and documented.
#include "base/drop_reason.h"

#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

using namespace uvs::base;

namespace {

bool snake_case(std::string_view s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s.front())) || s.back() == '_') {
    return false;
  }
  for (char c : s) {
    if (!std::islower(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return s.find("__") == std::string_view::npos;
}

template <typename Reason>
void check_list(std::size_t count) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < count; ++i) {
    const auto r = static_cast<Reason>(i);
    INFO("reason #" << i << " \"" << std::string(name(r)) << "\"");
    CHECK(snake_case(name(r)));
    CHECK_FALSE(description(r).empty());
    CHECK(names.insert(name(r)).second);
  }
  CHECK(name(static_cast<Reason>(0)) == "none");
}

}  // namespace

TEST_CASE("drop_reason: every drop reason has a unique snake_case name and a description") {
  check_list<DropReason>(kDropReasonCount);
  CHECK(name(DropReason::kIpBadChecksum) == "ip_bad_checksum");
  CHECK(name(DropReason::kArpQueueFull) == "arp_queue_full");
  CHECK(name(DropReason::kTooBig) == "too_big");
}

TEST_CASE("drop_reason: every pass reason has a unique snake_case name and a description") {
  check_list<PassReason>(kPassReasonCount);
  CHECK(name(PassReason::kNotVip) == "not_vip");
}
