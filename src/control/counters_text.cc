#include "control/counters_text.h"

namespace uvs::control {

namespace {
void line(std::string& out, std::string_view name, std::uint64_t v) {
  out.append("  ").append(name).append(": ").append(std::to_string(v)).push_back('\n');
}
}  // namespace

std::string counters_text(const dataplane::Counters& c, std::uint64_t conn_capacity) {
  std::string out = "frames:\n";
  line(out, "received", c.rx_frames.load());
  line(out, "transmitted", c.tx_frames.load());
  out += "verdicts:\n";
  for (std::size_t i = 0; i < c.verdicts.size(); ++i) {
    line(out, dataplane::verdict_name(static_cast<dataplane::Verdict>(i)), c.verdicts[i].load());
  }
  out += "drops:\n";
  for (std::size_t i = 1; i < c.drops.size(); ++i) {
    if (c.drops[i].load() != 0) {
      line(out, base::name(static_cast<base::DropReason>(i)), c.drops[i].load());
    }
  }
  out += "passed to the kernel:\n";
  for (std::size_t i = 1; i < c.passes.size(); ++i) {
    if (c.passes[i].load() != 0) {
      line(out, base::name(static_cast<base::PassReason>(i)), c.passes[i].load());
    }
  }
  out += "events:\n";
  line(out, "arp_requests_sent", c.arp_requests_sent.load());
  line(out, "arp_replies_sent", c.arp_replies_sent.load());
  line(out, "gratuitous_arp_sent", c.gratuitous_arp_sent.load());
  line(out, "vip_probes_sent", c.vip_probes_sent.load());
  line(out, "icmp_errors_sent", c.icmp_errors_sent.load());
  line(out, "icmp_errors_limited", c.icmp_errors_limited.load());
  line(out, "tcp_resets_sent", c.tcp_resets_sent.load());
  line(out, "vip_conflicts", c.vip_conflicts.load());
  out += "connections:\n";
  line(out, "entries", c.connections.load());
  line(out, "templates", c.templates.load());
  line(out, "capacity", conn_capacity);
  return out;
}

}  // namespace uvs::control
