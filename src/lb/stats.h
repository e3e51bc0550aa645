// stats.h — IPVS's per-object counters (reference §7).
//
// Kept for every real server, every service and the global total; the worker adds, the control
// thread reads (listings, the 2-second rate estimator) and keeps its own zero points for -Z, so
// the worker never has to reset anything.
#pragma once

#include <cstdint>

#include "base/relaxed.h"

namespace uvs::lb {

struct StatsValues {
  std::uint64_t conns = 0, inpkts = 0, outpkts = 0, inbytes = 0, outbytes = 0;
  StatsValues operator-(const StatsValues& o) const {
    return {conns - o.conns,
            inpkts - o.inpkts,
            outpkts - o.outpkts,
            inbytes - o.inbytes,
            outbytes - o.outbytes};
  }
};

struct Stats {
  base::Relaxed<std::uint64_t> conns, inpkts, outpkts, inbytes, outbytes;

  void count_in(std::uint32_t bytes) {
    inpkts.add(1);
    inbytes.add(bytes);
  }
  void count_out(std::uint32_t bytes) {
    outpkts.add(1);
    outbytes.add(bytes);
  }
  StatsValues read() const {
    return {conns.load(), inpkts.load(), outpkts.load(), inbytes.load(), outbytes.load()};
  }
};

}  // namespace uvs::lb
