// overload.h — IPVS's OVERLOAD flag rules for upper/lower connection thresholds (reference §1.2).
//
// Called by the connection table when a connection (not a template) is bound to or unbound from
// a real server, after activeconns/inactconns have been updated. total = active + inactive.
// Worker thread only.
#pragma once

#include "lb/real_server.h"

namespace uvs::lb {

// ip_vs_bind_dest: set OVERLOAD once the upper threshold is reached.
inline void overload_on_bind(RealServer& rs) {
  const std::uint32_t total = rs.activeconns.load() + rs.inactconns.load();
  if (rs.u_threshold != 0 && total >= rs.u_threshold) {
    rs.overload.store(true);
  }
}

// ip_vs_unbind_dest: clear below the lower threshold, or below 3/4 of the upper one when no lower
// threshold is set, or at once when neither is.
inline void overload_on_unbind(RealServer& rs) {
  const std::uint32_t total = rs.activeconns.load() + rs.inactconns.load();
  if (rs.l_threshold != 0) {
    if (total < rs.l_threshold) {
      rs.overload.store(false);
    }
  } else if (rs.u_threshold != 0) {
    if (total * 4 < rs.u_threshold * 3) {
      rs.overload.store(false);
    }
  } else {
    rs.overload.store(false);
  }
}

}  // namespace uvs::lb
