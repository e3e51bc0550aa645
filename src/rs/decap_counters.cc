// decap_counters.cc — formatting the counter summary. Names are the stable ones from
// decap_reason.h with a "drop_" prefix, so a script can tell receive, delivery and drop
// counters apart without a table.
#include "rs/decap_counters.h"

#include <numeric>

namespace uvs::rs {

std::uint64_t DecapCounters::total_drops() const {
  return std::accumulate(drops_.begin(), drops_.end(), std::uint64_t{0});
}

std::string DecapCounters::summary() const {
  std::string out = "uvs-rs decap: counters\n";
  auto line = [&out](std::string_view name, std::uint64_t value, std::string_view doc) {
    out.append("  ").append(name).append(" ").append(std::to_string(value));
    if (!doc.empty()) {
      out.append("   ").append(doc);
    }
    out.push_back('\n');
  };
  line("rx_ipip", rx(TunnelKind::kIpip), {});
  line("rx_gre", rx(TunnelKind::kGre), {});
  line("rx_gue", rx(TunnelKind::kGue), {});
  line("delivered", delivered_, {});
  line("dropped", total_drops(), {});
  for (std::size_t i = 1; i < kDecapReasonCount; ++i) {
    if (drops_[i] != 0) {
      const auto reason = static_cast<DecapReason>(i);
      line("drop_" + std::string(name(reason)), drops_[i], description(reason));
    }
  }
  if (tun_tx_discarded_ != 0) {
    line("tun_tx_discarded",
         tun_tx_discarded_,
         "packets the kernel routed into the TUN device, discarded");
  }
  if (socket_errors_ != 0) {
    line("socket_errors", socket_errors_, "errors reported by the tunnel sockets, ignored");
  }
  return out;
}

}  // namespace uvs::rs
