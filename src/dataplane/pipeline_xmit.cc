// Forwarding and transmission. The order of checks for forwarded packets follows the kernel:
// IPVS's __ip_vs_get_out_rt() decrements the TTL before the MTU check (so a frag-needed quotes
// the decremented header), with errors about VIP-bound packets sourced from the VIP; replies
// forwarded like a router does (ip_forward(): TTL check, MTU check, decrement, then IPVS's SNAT),
// with errors sourced from our interface address towards the sender.
#include "arp/arp_packet.h"
#include "base/compiler.h"
#include "dataplane/pipeline.h"
#include "packet/headers.h"
#include "packet/parser.h"
#include "xmit/fragment.h"
#include "xmit/gso.h"
#include "xmit/icmp_error.h"
#include "xmit/ip_rewrite.h"
#include "xmit/tunnel.h"

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
  lb::RealServer& rs = lb_.real(c.real);
  const net::IpAddr vip = c.vaddr();
  const net::NextHop& route = real_next_hop(rs);
  if (UVS_UNLIKELY(!route.valid)) {
    return dropped(tr, DropReason::kNoRoute);
  }
  // __ip_vs_get_out_rt(): TTL first (errors about VIP-bound packets come from the VIP), then
  // the MTU of the route, less the tunnel's own headers for TUN.
  if (UVS_UNLIKELY(p.ttl <= 1)) {
    send_icmp_error(f, p, packet::kIcmpTimeExceeded, 0, 0, &vip);
    return dropped(tr, DropReason::kTtlExceeded);
  }
  xmit::decrement_ttl(f, p);
  arp::NeighborTable::Ref ref{rs.neighbor_index, rs.neighbor_generation};
  Verdict v;
  switch (c.fwd()) {
    case lb::ForwardMethod::kMasq:
      if (UVS_UNLIKELY(over_mtu(f, p, route.mtu))) {
        send_icmp_error(f, p, packet::kIcmpDestUnreach, packet::kIcmpFragNeeded, route.mtu, &vip);
        return dropped(tr, DropReason::kFragNeeded);
      }
      if (!p.icmp_is_error) {
        xmit::rewrite_destination(f, p, rs.addr, c.dport);
      }
      v = emit_sized(f, p, route, tr, &ref);
      break;
    case lb::ForwardMethod::kRoute: {
      // Direct routing: the IP packet is unchanged (but for the TTL); it goes to the real
      // server's own MAC, so the real server must be on a directly connected segment.
      if (UVS_UNLIKELY(over_mtu(f, p, route.mtu))) {
        send_icmp_error(f, p, packet::kIcmpDestUnreach, packet::kIcmpFragNeeded, route.mtu, &vip);
        return dropped(tr, DropReason::kFragNeeded);
      }
      net::NextHop nh = route;
      nh.via = rs.addr;
      v = emit_sized(f, p, nh, tr, &ref);
      break;
    }
    case lb::ForwardMethod::kTunnel:
      v = xmit_tunnel(f, p, rs, route, vip, tr, &ref);
      break;
    case lb::ForwardMethod::kLocal:
    default:
      return dropped(tr, DropReason::kForwardUnsupported);
  }
  rs.neighbor_index = ref.index;
  rs.neighbor_generation = ref.generation;
  return v;
}

Verdict Pipeline::xmit_tunnel(io::Frame& f,
                              ParsedPacket& p,
                              lb::RealServer& rs,
                              const net::NextHop& route,
                              const net::IpAddr& vip,
                              FrameTrace& tr,
                              arp::NeighborTable::Ref* ref) {
  const bool pmtu_disc = table_->sysctls.pmtu_disc;
  const bool remcsum = !f.off.is_gso() && xmit::uses_remcsum_option(rs.tunnel, f);
  const std::uint32_t overhead = xmit::tunnel_overhead(rs.tunnel, remcsum);
  if (route.mtu < overhead + 68) {
    return dropped(tr, DropReason::kTooBig);
  }
  const std::uint32_t eff_mtu = route.mtu - overhead;
  xmit::TunnelParams tp{rs.tunnel, route.src, rs.addr, pmtu_disc, 0};

  if (f.off.is_gso()) {
    // A super-packet cannot travel through the tunnel whole (vnet headers describe no
    // encapsulation), so it is cut here and each segment is encapsulated on its own.
    const std::uint32_t l3 = p.l3_off;
    const std::uint32_t n =
        xmit::gso_segment(f, l3, pool_, segs_.data(), static_cast<std::uint32_t>(segs_.size()));
    if (n == 0) {
      return dropped(tr, DropReason::kGsoBad);
    }
    Verdict v = Verdict::kForwarded;
    bool too_big = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      io::Frame seg = segs_[i];
      const std::uint32_t seg_len = seg.len - l3;
      if (!too_big && pmtu_disc && p.dont_fragment() && seg_len > eff_mtu) {
        too_big = true;
      }
      if (too_big) {
        pool_.free(seg);
        continue;
      }
      ParsedPacket sp = p;
      sp.ip_total_len = static_cast<std::uint16_t>(seg_len);
      tp.ip_id = ip_id_++;
      if (!xmit::encapsulate(seg, sp, tp)) {
        pool_.free(seg);
        v = dropped(tr, DropReason::kTooBig);
        continue;
      }
      // Without DF (pmtu_disc off, or the client's own choice) an outer packet larger than the
      // path is fragmented, as the kernel's ip_finish_output_gso() does after segmenting.
      ParsedPacket outer = sp;
      outer.ip_total_len = static_cast<std::uint16_t>(seg_len + overhead);
      FrameTrace ignored;
      if (emit_sized(seg, outer, route, ignored, ref) == Verdict::kDropped) {
        counters_.drop(ignored.drop);
      }
    }
    if (too_big) {
      send_icmp_error(f, p, packet::kIcmpDestUnreach, packet::kIcmpFragNeeded, eff_mtu, &vip);
      v = dropped(tr, DropReason::kFragNeeded);
    }
    if (f.buf != io::kRingBuffer) {
      pool_.free(f);
    }
    return v;
  }

  if (pmtu_disc && p.dont_fragment() && p.ip_total_len > eff_mtu && !p.icmp_is_error) {
    send_icmp_error(f, p, packet::kIcmpDestUnreach, packet::kIcmpFragNeeded, eff_mtu, &vip);
    return dropped(tr, DropReason::kFragNeeded);
  }
  if (!remcsum && f.off.needs_csum()) {
    xmit::complete_checksum(f);  // the kernel cannot finish it once it is inside a tunnel
  }
  tp.ip_id = ip_id_++;
  if (!xmit::encapsulate(f, p, tp)) {
    return dropped(tr, DropReason::kTooBig);
  }
  ParsedPacket outer = p;  // emit_sized() only needs where the IP header is and its length
  outer.ip_total_len = static_cast<std::uint16_t>(p.ip_total_len + overhead);
  return emit_sized(f, outer, route, tr, ref);
}

Verdict Pipeline::emit_sized(io::Frame& f,
                             const ParsedPacket& p,
                             const net::NextHop& nh,
                             FrameTrace& tr,
                             arp::NeighborTable::Ref* ref) {
  if (UVS_LIKELY(f.off.is_gso() || p.ip_total_len <= nh.mtu)) {
    return emit(f, nh, tr, ref);
  }
  // Larger than the path and allowed to be fragmented (DF was checked by the caller).
  const std::uint32_t n = xmit::fragment_ipv4(
      f, p.l3_off, nh.mtu, pool_, frags_.data(), static_cast<std::uint32_t>(frags_.size()));
  if (n == 0) {
    return dropped(tr, DropReason::kFramePoolEmpty);
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    FrameTrace ignored;
    if (emit(frags_[i], nh, ignored, ref) == Verdict::kDropped) {
      counters_.drop(ignored.drop);
    }
  }
  if (f.buf != io::kRingBuffer) {
    pool_.free(f);
  }
  return Verdict::kForwarded;
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
    xmit::nat_icmp(f, p, c.vaddr(), c.vport, /*to_real=*/false);
  } else {
    xmit::rewrite_source(f, p, c.vaddr(), c.vport);
  }
  return emit_sized(f, p, nh, tr);
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

std::uint32_t Pipeline::send_icmp_error(const io::Frame& orig,
                                        const ParsedPacket& p,
                                        std::uint8_t type,
                                        std::uint8_t code,
                                        std::uint32_t info,
                                        const net::IpAddr* src) {
  if (!xmit::may_send_icmp_error(orig, p)) {
    return 0;
  }
  if (!icmp_limit_.allow(type, code, now_)) {
    counters_.icmp_errors_limited.add(1);
    return 0;
  }
  const net::NextHop nh = routes_->lookup(p.tuple.saddr);
  if (!nh.valid) {
    return 0;
  }
  auto f = xmit::build_icmp_error(pool_, orig, p, type, code, info, src ? *src : nh.src, ip_id_++);
  if (!f) {
    return 0;
  }
  const std::uint32_t len = f->len - packet::kEthHdrLen;
  counters_.icmp_errors_sent.add(1);
  send_built(*f, nh);
  return len;
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
      const std::uint32_t room = static_cast<std::uint32_t>(tx_segs_.size()) - nseg;
      const std::uint32_t n = xmit::gso_segment(f, l3_offset(f), pool_, &tx_segs_[nseg], room);
      if (n == 0) {
        counters_.drop(DropReason::kGsoBad);
      }
      for (std::uint32_t i = 0; i < n; ++i) {
        tx_segs_[nseg + i].ts = f.ts;
        tx_ptrs_.push_back(&tx_segs_[nseg + i]);
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
    pool_.free(tx_segs_[i]);
  }
  q.clear();
}

void Pipeline::flush() {
  for (std::size_t p = 0; p < ports_.size(); ++p) {
    flush_port(static_cast<std::uint16_t>(p));  // port ids are 16-bit (Pipeline::Pipeline)
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
  frag_expired_.clear();
  reassembler_.expire(now_, frag_expired_);
  for (const frag::Reassembler::Expired& e : frag_expired_) {
    counters_.drop(DropReason::kFragmentBad);
    if (e.first.len == 0) {
      continue;
    }
    // RFC 792 time exceeded, fragment reassembly (code 1), when the first fragment had come.
    ParsedPacket fp;
    if (packet::parse_frame(e.first.data, e.first.len, fp, false) == DropReason::kNone) {
      const bool vip = table_->owns_address(fp.tuple.daddr);
      send_icmp_error(
          e.first, fp, packet::kIcmpTimeExceeded, 1, 0, vip ? &fp.tuple.daddr : nullptr);
    }
    pool_.free(e.first);
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
  arp_for_each_vip(now, &arp::build_gratuitous, counters_.gratuitous_arp_sent);
}

void Pipeline::probe_vips(base::Nanos now) {
  arp_for_each_vip(now, &arp::build_probe, counters_.vip_probes_sent);
}

void Pipeline::arp_for_each_vip(base::Nanos now,
                                ArpBuilder build,
                                base::Relaxed<std::uint64_t>& sent) {
  now_ = now;
  for (std::size_t port = 0; port < ports_.size(); ++port) {
    for (const net::IpAddr& vip : table_->vips()) {
      if (!vip.is_v4()) {
        continue;
      }
      auto f = build(pool_, ports_[port]->info().mac, vip);
      if (!f) {
        return;
      }
      queue_tx(static_cast<std::uint16_t>(port), *f);
      sent.add(1);
    }
  }
}

}  // namespace uvs::dataplane
