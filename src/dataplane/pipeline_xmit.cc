// Forwarding and transmission. The order of checks for forwarded packets follows the kernel:
// IPVS's __ip_vs_get_out_rt() decrements the TTL before the MTU check (so a frag-needed quotes
// the decremented header), with errors about VIP-bound packets sourced from the VIP; replies
// forwarded like a router does (ip_forward(): TTL check, MTU check, decrement, then IPVS's SNAT),
// with errors sourced from our interface address towards the sender.
#include "arp/arp_packet.h"
#include "base/compiler.h"
#include "dataplane/pipeline.h"
#include "packet/headers.h"
#include "xmit/gso.h"
#include "xmit/icmp_error.h"
#include "xmit/ip_rewrite.h"

namespace uvs::dataplane {

using base::DropReason;
using packet::ParsedPacket;

namespace {

inline Verdict dropped(FrameTrace& tr, DropReason r) {
  tr.drop = r;
  return Verdict::kDropped;
}

inline bool over_mtu(const io::Frame& f, const ParsedPacket& p, std::uint32_t mtu) {
  return p.dont_fragment() && !f.off.is_gso() && p.ip_total_len > mtu && !p.icmp_is_error;
}

std::uint32_t l3_offset(const io::Frame& f) {
  return net::load_be16(f.data + packet::kEthType) == packet::kEtherTypeVlan
             ? packet::kEthHdrLen + packet::kVlanTagLen
             : packet::kEthHdrLen;
}

}  // namespace

const net::NextHop& Pipeline::real_next_hop(lb::RealServer& rs) {
  if (UVS_UNLIKELY(rs.route_epoch != routes_->epoch() || !rs.next_hop.valid)) {
    rs.next_hop = routes_->lookup(rs.addr);
    rs.route_epoch = routes_->epoch();
  }
  return rs.next_hop;
}

Verdict Pipeline::xmit_inbound(io::Frame& f, ParsedPacket& p, conn::Connection& c, FrameTrace& tr) {
  switch (c.fwd()) {
    case lb::ForwardMethod::kMasq: {
      lb::RealServer& rs = lb_.real(c.real);
      const net::NextHop& nh = real_next_hop(rs);
      if (UVS_UNLIKELY(!nh.valid)) {
        return dropped(tr, DropReason::kNoRoute);
      }
      if (UVS_UNLIKELY(p.ttl <= 1)) {
        send_icmp_error(f, p, packet::kIcmpTimeExceeded, 0, 0, &c.vaddr);
        return dropped(tr, DropReason::kTtlExceeded);
      }
      xmit::decrement_ttl(f, p);
      if (UVS_UNLIKELY(over_mtu(f, p, nh.mtu))) {
        send_icmp_error(f, p, packet::kIcmpDestUnreach, packet::kIcmpFragNeeded, nh.mtu, &c.vaddr);
        return dropped(tr, DropReason::kFragNeeded);
      }
      if (!p.icmp_is_error) {
        xmit::rewrite_destination(f, p, c.daddr, c.dport);
      }
      arp::NeighborTable::Ref ref{rs.neighbor_index, rs.neighbor_generation};
      const Verdict v = emit(f, nh, tr, &ref);
      rs.neighbor_index = ref.index;
      rs.neighbor_generation = ref.generation;
      return v;
    }
    case lb::ForwardMethod::kRoute:
    case lb::ForwardMethod::kTunnel:
    case lb::ForwardMethod::kLocal:
      break;
  }
  return dropped(tr, DropReason::kForwardUnsupported);
}

Verdict Pipeline::xmit_reply(io::Frame& f,
                             ParsedPacket& p,
                             const conn::Connection& c,
                             FrameTrace& tr) {
  const net::NextHop nh = routes_->lookup(p.tuple.daddr);
  if (UVS_UNLIKELY(!nh.valid)) {
    return dropped(tr, DropReason::kNoRoute);
  }
  if (UVS_UNLIKELY(p.ttl <= 1)) {
    send_icmp_error(f, p, packet::kIcmpTimeExceeded, 0, 0, nullptr);
    return dropped(tr, DropReason::kTtlExceeded);
  }
  if (UVS_UNLIKELY(over_mtu(f, p, nh.mtu))) {
    send_icmp_error(f, p, packet::kIcmpDestUnreach, packet::kIcmpFragNeeded, nh.mtu, nullptr);
    return dropped(tr, DropReason::kFragNeeded);
  }
  xmit::decrement_ttl(f, p);
  if (p.icmp_is_error) {
    xmit::nat_icmp(f, p, c.vaddr, c.vport, /*to_real=*/false);
  } else {
    xmit::rewrite_source(f, p, c.vaddr, c.vport);
  }
  return emit(f, nh, tr);
}

Verdict Pipeline::emit(io::Frame& f,
                       const net::NextHop& nh,
                       FrameTrace& tr,
                       arp::NeighborTable::Ref* ref) {
  bool probe = false;
  const net::MacAddr* mac = neighbors_.lookup(nh.port, nh.via, now_, &probe, ref);
  if (mac != nullptr) {
    if (UVS_UNLIKELY(probe)) {
      send_arp_request(nh.port, nh.via, *mac);
    }
    mac->copy_to(f.data + packet::kEthDst);
    ports_[nh.port]->info().mac.copy_to(f.data + packet::kEthSrc);
    queue_tx(nh.port, f);
    return Verdict::kForwarded;
  }
  // Unresolved next hop: the frame must outlive its RX ring block, so park a copy.
  std::optional<io::Frame> parked;
  if (f.buf == io::kRingBuffer) {
    parked = pool_.clone(f);
    if (!parked) {
      return dropped(tr, DropReason::kFramePoolEmpty);
    }
  } else {
    parked = f;
  }
  parked->port = nh.port;
  switch (neighbors_.park(nh.port, nh.via, *parked, now_)) {
    case arp::NeighborTable::ParkResult::kParkedSendRequest:
      send_arp_request(nh.port, nh.via, net::MacAddr());
      return Verdict::kQueued;
    case arp::NeighborTable::ParkResult::kParked:
      return Verdict::kQueued;
    case arp::NeighborTable::ParkResult::kQueueFull:
      break;
  }
  pool_.free(*parked);
  return dropped(tr, DropReason::kArpQueueFull);
}

void Pipeline::send_icmp_error(const io::Frame& orig,
                               const ParsedPacket& p,
                               std::uint8_t type,
                               std::uint8_t code,
                               std::uint32_t info,
                               const net::IpAddr* src) {
  if (!xmit::may_send_icmp_error(orig, p)) {
    return;
  }
  const net::NextHop nh = routes_->lookup(p.tuple.saddr);
  if (!nh.valid) {
    return;
  }
  auto f = xmit::build_icmp_error(pool_, orig, p, type, code, info, src ? *src : nh.src, ip_id_++);
  if (!f) {
    return;
  }
  counters_.icmp_errors_sent.add(1);
  send_built(*f, nh);
}

void Pipeline::send_built(io::Frame f, const net::NextHop& nh) {
  // A pool frame is parked as it is, so emit() frees it itself if it cannot be kept.
  FrameTrace tr;
  if (emit(f, nh, tr) == Verdict::kDropped) {
    counters_.drop(tr.drop);
  }
}

void Pipeline::send_arp_request(std::uint16_t port,
                                const net::IpAddr& target,
                                const net::MacAddr& unicast) {
  const std::optional<net::IpAddr> src = routes_->interface_address(port);
  if (!src) {
    return;  // an interface without an IPv4 address cannot resolve anything
  }
  auto f = arp::build_request(pool_, ports_[port]->info().mac, *src, target, unicast);
  if (!f) {
    return;
  }
  queue_tx(port, *f);
  counters_.arp_requests_sent.add(1);
}

void Pipeline::queue_tx(std::uint16_t port, const io::Frame& f) {
  io::Frame& q = tx_[port].emplace_back(f);
  q.port = port;
  q.ts = now_;
  if (tx_[port].size() >= cfg_.tx_queue) {
    flush_port(port);
  }
}

void Pipeline::drop_frame(const io::Frame& f, DropReason r) {
  counters_.drop(r);
  pool_.free(f);
}

void Pipeline::flush_port(std::uint16_t port) {
  std::vector<io::Frame>& q = tx_[port];
  if (q.empty()) {
    return;
  }
  io::PacketPort& pp = *ports_[port];
  const bool offload = pp.info().offload;
  const std::uint32_t max_len = pp.info().mtu + packet::kEthHdrLen + packet::kVlanTagLen;
  tx_ptrs_.clear();
  std::uint32_t nseg = 0;
  for (io::Frame& f : q) {
    if (!offload && f.off.is_gso()) {
      // Cut the super-packet here; the original is not sent.
      const std::uint32_t room = static_cast<std::uint32_t>(segs_.size()) - nseg;
      const std::uint32_t n = xmit::gso_segment(f, l3_offset(f), pool_, &segs_[nseg], room);
      if (n == 0) {
        counters_.drop(DropReason::kGsoBad);
      }
      for (std::uint32_t i = 0; i < n; ++i) {
        segs_[nseg + i].ts = f.ts;
        tx_ptrs_.push_back(&segs_[nseg + i]);
      }
      nseg += n;
      continue;
    }
    if (!offload && f.off.needs_csum()) {
      xmit::complete_checksum(f);
    }
    if (!offload && f.len > max_len) {
      counters_.drop(DropReason::kTooBig);
      continue;
    }
    tx_ptrs_.push_back(&f);
  }
  const auto n = static_cast<std::uint32_t>(tx_ptrs_.size());
  const std::uint32_t sent = n == 0 ? 0 : pp.tx_burst(tx_ptrs_.data(), n);
  counters_.tx_frames.add(sent);
  if (sent < n) {
    counters_.drops[static_cast<std::size_t>(DropReason::kTxError)].add(n - sent);
  }
  for (const io::Frame& f : q) {
    pool_.free(f);
  }
  for (std::uint32_t i = 0; i < nseg; ++i) {
    pool_.free(segs_[i]);
  }
  q.clear();
}

void Pipeline::flush() {
  for (std::uint16_t p = 0; p < ports_.size(); ++p) {
    flush_port(p);
  }
}

void Pipeline::tick(base::Nanos now) {
  now_ = now;
  now_ticks_ = base::nanos_to_ticks(now);
  conns_.run_timers(now_ticks_, cfg_.timer_budget);
  counters_.connections.store(conns_.size());
  counters_.templates.store(conns_.template_count());

  arp_requests_.clear();
  arp_expired_.clear();
  neighbors_.tick(now_, arp_requests_, arp_expired_);
  for (const auto& r : arp_requests_) {
    send_arp_request(r.port, r.ip, r.unicast);
  }
  for (const io::Frame& f : arp_expired_) {
    drop_frame(f, DropReason::kArpTimeout);
  }
  if (now_ - last_sched_tick_ >= base::kNanosPerSecond) {
    last_sched_tick_ = now_;
    for (const auto& s : table_->services) {
      if (s->scheduler) {
        s->scheduler->tick(now_);
      }
    }
  }
}

void Pipeline::announce_vips(base::Nanos now) {
  now_ = now;
  for (std::uint16_t port = 0; port < ports_.size(); ++port) {
    for (const net::IpAddr& vip : table_->vips()) {
      if (!vip.is_v4()) {
        continue;
      }
      auto f = arp::build_gratuitous(pool_, ports_[port]->info().mac, vip);
      if (!f) {
        return;
      }
      queue_tx(port, *f);
      counters_.gratuitous_arp_sent.add(1);
    }
  }
}

}  // namespace uvs::dataplane
