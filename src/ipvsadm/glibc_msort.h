// glibc_msort.h — glibc qsort()'s merge sort, with its exact order of comparisons.
//
// ipvsadm sorts with qsort() and a comparator that is not a strict weak order (its IPv4
// address difference wraps at 2^31, reference §6.2), so the printed order depends on the
// algorithm, not only on the comparator. glibc's qsort() is msort_with_tmp(): top-down, the
// first half is the smaller one (n1 = n / 2), and the merge takes from the first half while
// cmp(a, b) <= 0. This template reproduces that order for any element type.
// Input: the elements, and cmp(a, b) returning <0, 0 or >0 as a C comparator does.
// Pure function; any thread; allocates one scratch buffer.
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace uvs::ipvsadm {

namespace detail {

template <typename T, typename Cmp>
void msort_with_tmp(std::span<T> b, std::vector<T>& tmp, Cmp& cmp) {
  const std::size_t n = b.size();
  if (n <= 1) {
    return;
  }
  const std::size_t n1 = n / 2;
  std::span<T> b1 = b.first(n1);
  std::span<T> b2 = b.subspan(n1);
  msort_with_tmp(b1, tmp, cmp);
  msort_with_tmp(b2, tmp, cmp);

  tmp.clear();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < b1.size() && j < b2.size()) {
    if (cmp(b1[i], b2[j]) <= 0) {
      tmp.push_back(std::move(b1[i++]));
    } else {
      tmp.push_back(std::move(b2[j++]));
    }
  }
  while (i < b1.size()) {
    tmp.push_back(std::move(b1[i++]));
  }
  // The rest of b2 is already in place, as in glibc (which copies only n - n2 elements back).
  for (std::size_t k = 0; k < tmp.size(); ++k) {
    b[k] = std::move(tmp[k]);
  }
}

}  // namespace detail

template <typename T, typename Cmp>
void glibc_msort(std::span<T> items, Cmp cmp) {
  std::vector<T> tmp;
  tmp.reserve(items.size());
  detail::msort_with_tmp(items, tmp, cmp);
}

}  // namespace uvs::ipvsadm
