// Snapshot adoption on the worker. The control thread built the new table; here, at a batch
// boundary, each service created for it lets its scheduler take over the dynamic state of the
// one it replaces (following the snapshot's IPVS changes one by one, so the phase of rr/wrr
// matches IPVS's), real-server slots take their new configuration, and deleted ones stop being
// available. With expire_nodest_conn=1, deleting real servers also starts IPVS's background
// flush of their connections; the connection table works through it a budget at a time from
// tick()'s reaper call, so even a million entries never stall the packets of a batch.
#include <algorithm>

#include "arp/arp_packet.h"
#include "dataplane/pipeline.h"

namespace uvs::dataplane {

std::shared_ptr<lb::ServiceTable> Pipeline::adopt(std::shared_ptr<lb::ServiceTable> t,
                                                  base::Nanos now) {
  for (lb::Service* s : t->changed) {
    if (s->previous && s->previous->scheduler && s->scheduler && !s->change.fresh() &&
        s->previous->scheduler->name() == s->scheduler->name()) {
      s->scheduler->inherit(*s->previous->scheduler, s->change);
    }
    s->previous.reset();
    for (const lb::RealConfig& cfg : s->configs) {
      lb::RealServer& rs = lb_.real(cfg.slot);
      // ip_vs_edit_dest(): a raised (or removed) upper threshold clears OVERLOAD.
      if (cfg.spec.u_threshold == 0 || cfg.spec.u_threshold > rs.u_threshold) {
        rs.overload.store(false);
      }
      rs.service_slot = cfg.service_slot;
      rs.fwd = cfg.spec.fwd;
      rs.tunnel = cfg.spec.tunnel;
      rs.weight = cfg.spec.weight;
      rs.last_weight = cfg.last_weight;
      rs.u_threshold = cfg.spec.u_threshold;
      rs.l_threshold = cfg.spec.l_threshold;
      rs.available = true;
    }
  }
  for (std::uint32_t slot : t->removed_reals) {
    lb_.real(slot).available = false;
  }
  // __ip_vs_del_dest() queues ip_vs_expire_nodest_conn_flush() when the sysctl is on.
  if (t->sysctls.expire_nodest_conn && !t->removed_reals.empty()) {
    conns_.start_dead_flush();
  }
  std::shared_ptr<lb::ServiceTable> old = std::move(table_);
  table_ = std::move(t);
  // Announce VIPs that were not served before.
  for (const net::IpAddr& vip : table_->vips()) {
    const auto& before = old->vips();
    if (std::find(before.begin(), before.end(), vip) == before.end() && vip.is_v4()) {
      for (std::uint16_t port = 0; port < ports_.size(); ++port) {
        auto f = arp::build_gratuitous(pool_, ports_[port]->info().mac, vip);
        if (f) {
          now_ = now;
          queue_tx(port, *f);
          counters_.gratuitous_arp_sent.add(1);
        }
      }
    }
  }
  return old;
}

}  // namespace uvs::dataplane
