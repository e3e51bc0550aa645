// locality_overloaded.h — lblc/lblcr's own notion of "overloaded" (is_overloaded() in
// ip_vs_lblc.c and ip_vs_lblcr.c, reference §2.13).
//
// A cached server counts as overloaded when it has more active connections than its weight AND
// some server of the service (any, in list order, whatever its flags) has fewer than half its
// weight in active connections. It does not look at the OVERLOAD threshold flag: IPVS's lblc
// uses a cached server even when that flag is set. Worker thread; no allocation.
#pragma once

#include <cstdint>
#include <span>

#include "lb/real_server.h"

namespace uvs::sched {

inline bool locality_overloaded(const lb::RealServer& dest,
                                std::span<lb::RealServer* const> reals) {
  if (static_cast<std::int64_t>(dest.activeconns.load()) <= dest.weight) {
    return false;
  }
  for (const lb::RealServer* d : reals) {
    if (static_cast<std::int64_t>(d->activeconns.load()) * 2 < d->weight) {
      return true;
    }
  }
  return false;
}

}  // namespace uvs::sched
