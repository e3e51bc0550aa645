// least_load.h — IPVS's weighted least-load selection, shared by wlc, sed, lblc and lblcr.
//
// Input: real servers in list order and an overhead function. Output: the server with the
// smallest overhead/weight, or nullptr when no server has weight > 0 and no OVERLOAD flag.
// The kernel avoids division by comparing cross products, which is why the tie-break reads the
// way it does (ip_vs_wlc.c): start with the first eligible server, then replace the current best
// only when overhead(best) * weight(rs) > overhead(rs) * weight(best), 64-bit products. A later
// weight-0 server can never win that comparison, so only OVERLOAD needs skipping after the first.
// Worker thread (called from pick()); no allocation.
#pragma once

#include <cstdint>
#include <span>

#include "lb/real_server.h"

namespace uvs::sched {

template <typename Overhead>
lb::RealServer* least_weighted_load(std::span<lb::RealServer* const> reals, Overhead overhead) {
  std::size_t i = 0;
  lb::RealServer* least = nullptr;
  for (; i < reals.size(); ++i) {
    if (reals[i]->usable()) {
      least = reals[i];
      break;
    }
  }
  if (least == nullptr) {
    return nullptr;
  }
  std::int64_t loh = overhead(*least);
  for (++i; i < reals.size(); ++i) {
    lb::RealServer* rs = reals[i];
    if (rs->overload.load()) {
      continue;
    }
    const std::int64_t doh = overhead(*rs);
    if (loh * rs->weight > doh * least->weight) {
      least = rs;
      loh = doh;
    }
  }
  return least;
}

// wlc's rule with ip_vs_dest_conn_overhead(): 256 * active + inactive.
inline lb::RealServer* weighted_least_conn(std::span<lb::RealServer* const> reals) {
  return least_weighted_load(
      reals, [](const lb::RealServer& rs) { return static_cast<std::int64_t>(rs.overhead()); });
}

}  // namespace uvs::sched
