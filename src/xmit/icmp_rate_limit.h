// icmp_rate_limit.h — the kernel's global budget for the ICMP errors it generates
// (icmp_global_allow(): net.ipv4.icmp_msgs_per_sec = 1000, icmp_msgs_burst = 50), applied to
// the errors uvsd sends in the kernel's place (port unreachable for closed VIP ports and for
// services without a real server, time exceeded, relayed tunnel errors), so that a flood of
// such frames is not answered one for one.
//
// As icmpv4_mask_allow() with the default icmp_ratemask: destination unreachable, source quench,
// time exceeded and parameter problem spend a credit, except "fragmentation needed", which PMTU
// discovery depends on and which is never limited; other types are not limited. Credits are
// refilled at most every 20 ms, by 1000 per second of elapsed time (a gap counts at most 1 s),
// up to 50. One credit per error: the kernel spends a random 0..2 since Linux 6.x to hide its
// state, which would make a replay depend on chance.
// Not modelled: the kernel's per-destination limit (icmp_ratelimit, inet_peer).
// Plain data; owned by the worker thread.
#pragma once

#include <algorithm>
#include <cstdint>

#include "base/time.h"

namespace uvs::xmit {

class IcmpRateLimit {
 public:
  static constexpr std::uint32_t kPerSecond = 1000;
  static constexpr std::uint32_t kBurst = 50;

  // True (and a credit spent when the type is limited) if an error of this type may go out now.
  bool allow(std::uint8_t type, std::uint8_t code, base::Nanos now) {
    if (!limited(type, code)) {
      return true;
    }
    const base::Nanos delta = std::min(now - stamp_, base::kNanosPerSecond);
    if (delta >= base::kNanosPerSecond / 50) {
      const auto incr = static_cast<std::uint32_t>(delta * kPerSecond / base::kNanosPerSecond);
      if (incr != 0) {
        stamp_ = now;
        credit_ = std::min(credit_ + incr, kBurst);
      }
    }
    if (credit_ == 0) {
      return false;
    }
    --credit_;
    return true;
  }

  static bool limited(std::uint8_t type, std::uint8_t code) {
    switch (type) {
      case 3:              // destination unreachable
        return code != 4;  // fragmentation needed is never limited
      case 4:              // source quench
      case 11:             // time exceeded
      case 12:             // parameter problem
        return true;
      default:
        return false;
    }
  }

 private:
  std::uint32_t credit_ = kBurst;
  base::Nanos stamp_ = 0;
};

}  // namespace uvs::xmit
