#include "ipvsadm/glibc_msort.h"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

using uvs::ipvsadm::glibc_msort;

TEST_CASE("glibc_msort: with a consistent comparator it is a stable sort") {
  std::mt19937 rng(12345);
  for (int n = 0; n < 60; ++n) {
    std::vector<std::pair<int, int>> v;  // (key, original position)
    for (int i = 0; i < n; ++i) {
      v.emplace_back(static_cast<int>(rng() % 7), i);
    }
    std::vector<std::pair<int, int>> expected = v;
    std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
      return a.first < b.first;
    });
    glibc_msort(std::span<std::pair<int, int>>(v),
                [](const auto& a, const auto& b) { return a.first - b.first; });
    CHECK(v == expected);
  }
}

TEST_CASE("glibc_msort: the merge order for a comparator with a cycle") {
  // "Rock-paper-scissors": 0 < 1 < 2 < 0. msort splits [x0 | x1 x2] and merges taking the left
  // element while cmp <= 0, so the outcome is fixed by the input order.
  const auto cmp = [](int a, int b) {
    if (a == b) {
      return 0;
    }
    return (b - a + 3) % 3 == 1 ? -1 : 1;  // a < b when b follows a in the cycle
  };
  std::vector<int> v = {2, 1, 0};
  // [1 0] -> cmp(1, 0) > 0 -> [0 1]; merge [2] with [0 1]: cmp(2, 0) < 0 -> 2 0 1.
  glibc_msort(std::span<int>(v), cmp);
  CHECK(v == std::vector<int>{2, 0, 1});
  v = {0, 1, 2};
  glibc_msort(std::span<int>(v), cmp);
  CHECK(v == std::vector<int>{0, 1, 2});
  // Four elements: [1 2 | 0 1]: left [1 2] stays (1 < 2); right: cmp(0, 1) < 0 stays [0 1].
  // Merge: cmp(1, 0) > 0 -> 0; cmp(1, 1) = 0 -> 1 (left first); cmp(2, 1) > 0 -> 1; then 2.
  v = {1, 2, 0, 1};
  glibc_msort(std::span<int>(v), cmp);
  CHECK(v == std::vector<int>{0, 1, 1, 2});
}
