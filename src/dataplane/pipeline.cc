// The top of the data path. process_one() reads like the algorithm of reference §5 and design.md
// "One packet": parse, answer ARP, leave the kernel's own traffic alone, then either the inbound
// path (to a VIP or a firewall-marked destination: connection lookup, IPVS's reuse and dead-server
// rules, scheduling) or the outbound path (NAT replies), and finally the transmitter bound to the
// connection. Helpers live in pipeline_schedule.cc (new connections), pipeline_xmit.cc
// (forwarding, ICMP errors, next-hop resolution, transmission) and pipeline_adopt.cc (snapshots).
#include "dataplane/pipeline.h"

#include <cstring>
#include <utility>

#include "arp/arp_packet.h"
#include "base/compiler.h"
#include "net/checksum.h"
#include "packet/headers.h"
#include "packet/parser.h"
#include "xmit/ip_rewrite.h"
#include "xmit/tcp_reset.h"
#include "xmit/tunnel.h"

namespace uvs::dataplane {

using base::DropReason;
using base::PassReason;
using packet::L3Kind;
using packet::ParsedPacket;

Pipeline::Pipeline(const PipelineConfig& cfg,
                   lb::LbState& lb,
                   std::span<io::PacketPort* const> ports)
    : cfg_(cfg),
      lb_(lb),
      ports_(ports.begin(), ports.end()),
      table_(std::make_shared<lb::ServiceTable>()),
      routes_(std::make_shared<route::RouteTable>()),
      conns_(cfg.conn_max, lb),
      pool_(cfg.pool_small, cfg.pool_large),
      neighbors_(cfg.neighbors),
      reassembler_(pool_),
      ahead_(kBatch),
      tx_(ports_.size()) {
  for (std::size_t i = 0; i < ports_.size(); ++i) {
    ports_[i]->set_id(static_cast<std::uint16_t>(i));
    tx_[i].reserve(cfg_.tx_queue);
  }
  tx_ptrs_.reserve(cfg_.tx_queue);
  segs_.resize(256);
  frags_.resize(256);
  tx_segs_.resize(256);
  arp_ready_.reserve(cfg_.neighbors.max_pending * 4);
  arp_expired_.reserve(cfg_.neighbors.max_pending * 4);
  arp_requests_.reserve(64);
  table_->index();
}

void Pipeline::set_routes(std::shared_ptr<const route::RouteTable> routes) {
  routes_ = std::move(routes);
}

// A lookup in a large table costs two dependent cache misses (index slot, then entry). Done one
// frame at a time they add up; so each batch is first parsed and hashed, then processed with
// the index slot of frame i+2D and the entry of frame i+D being prefetched while frame i is
// handled, which keeps a bounded number of misses in flight (the CPU's fill buffers are few).
void Pipeline::process(io::Frame* frames, std::uint32_t n, base::Nanos now) {
  constexpr std::uint32_t kDistance = 6;
  now_ = now;
  now_ticks_ = base::nanos_to_ticks(now);
  counters_.rx_frames.add(n);
  for (std::uint32_t base = 0; base < n; base += kBatch) {
    const std::uint32_t m = n - base < kBatch ? n - base : kBatch;
    for (std::uint32_t i = 0; i < m; ++i) {
      look_ahead(frames[base + i], ahead_[i]);
    }
    for (std::uint32_t i = 0; i < m && i < 2 * kDistance; ++i) {
      if (ahead_[i].path != Lookahead::Path::kNone) {
        conns_.prefetch(ahead_[i].hash);
      }
    }
    for (std::uint32_t i = 0; i < m && i < kDistance; ++i) {
      if (ahead_[i].path != Lookahead::Path::kNone) {
        conns_.prefetch_entry(ahead_[i].hash);
      }
    }
    for (std::uint32_t i = 0; i < m; ++i) {
      if (i + 2 * kDistance < m && ahead_[i + 2 * kDistance].path != Lookahead::Path::kNone) {
        conns_.prefetch(ahead_[i + 2 * kDistance].hash);
      }
      if (i + kDistance < m && ahead_[i + kDistance].path != Lookahead::Path::kNone) {
        conns_.prefetch_entry(ahead_[i + kDistance].hash);
      }
      FrameTrace tr;
      const Verdict v = process_one(frames[base + i], ahead_[i], tr);
      tr.verdict = v;
      counters_.verdict(v);
      if (v == Verdict::kDropped) {
        counters_.drop(tr.drop);
      } else if (v == Verdict::kToHost) {
        counters_.pass(tr.pass);
      }
      if (UVS_UNLIKELY(trace_ != nullptr)) {
        trace_->record(frames[base + i], tr, now);
      }
    }
  }
}

void Pipeline::look_ahead(io::Frame& f, Lookahead& a) {
  a.bad = packet::parse_frame(f.data, f.len, a.p);
  a.path = Lookahead::Path::kNone;
  a.mark = 0;
  const ParsedPacket& p = a.p;
  if (a.bad != DropReason::kNone || p.kind != L3Kind::kIpv4 || p.is_fragment() ||
      (p.tuple.proto != packet::kProtoTcp && p.tuple.proto != packet::kProtoUdp)) {
    return;
  }
  const net::IpAddr& dst = p.tuple.daddr;
  a.mark = table_->has_marks() ? table_->classify_mark(p.tuple.proto, dst, p.tuple.dport) : 0;
  if (a.mark != 0 || table_->owns_address(dst)) {
    a.path = Lookahead::Path::kInbound;
    a.hash = conn::ConnTable::hash_in(
        p.tuple.proto, p.tuple.saddr, p.tuple.sport, dst, p.tuple.dport, false);
  } else {
    a.path = Lookahead::Path::kOutbound;
    a.hash =
        conn::ConnTable::hash_out(p.tuple.proto, p.tuple.saddr, p.tuple.sport, dst, p.tuple.dport);
  }
}

namespace {

inline Verdict dropped(FrameTrace& tr, DropReason r) {
  tr.drop = r;
  return Verdict::kDropped;
}

inline Verdict to_host(FrameTrace& tr, PassReason r) {
  tr.pass = r;
  return Verdict::kToHost;
}

}  // namespace

Verdict Pipeline::process_one(io::Frame& f, Lookahead& a, FrameTrace& tr) {
  if (UVS_UNLIKELY(a.bad != DropReason::kNone)) {
    return dropped(tr, a.bad);
  }
  ParsedPacket& p = a.p;
  // Only frames for this interface's MAC, or broadcast/multicast (ARP), are ours to consider.
  const net::MacAddr& own = ports_[f.port]->info().mac;
  if (!(f.data[packet::kEthDst] & 1) && net::MacAddr(f.data + packet::kEthDst) != own) {
    return to_host(tr, PassReason::kNotOurMac);
  }
  switch (p.kind) {
    case L3Kind::kArp:
      return handle_arp(f, p, tr);
    case L3Kind::kIpv4:
      return handle_ipv4(f, a, tr);
    case L3Kind::kOther:
      break;
  }
  return to_host(tr, PassReason::kNotIpv4);
}

Verdict Pipeline::handle_arp(io::Frame& f, ParsedPacket& p, FrameTrace& tr) {
  const arp::ArpFields a = arp::read_arp(f, p);
  const bool about_vip = table_->owns_address(a.tpa);
  const std::optional<net::IpAddr> own_ip = routes_->interface_address(f.port);
  const bool for_us = about_vip || (own_ip && *own_ip == a.tpa);
  const net::MacAddr& own_mac = ports_[f.port]->info().mac;

  // Another host claiming one of our VIPs: the classic real server without ARP suppression.
  if (!a.spa.is_unspecified() && table_->owns_address(a.spa) && a.sha != own_mac) {
    counters_.vip_conflicts.add(1);
    counters_.last_conflict_vip.store(a.spa.v4_host());
    std::uint64_t mac = 0;
    for (int i = 0; i < 6; ++i) {
      mac = (mac << 8) | a.sha.data()[i];
    }
    counters_.last_conflict_mac.store(mac);
    counters_.last_conflict_port.store(f.port);
  }
  // RFC 826 merge: refresh what we know; learn senders that talk to us.
  if (!a.spa.is_unspecified() && !table_->owns_address(a.spa) &&
      (for_us || neighbors_.state_of(f.port, a.spa) != arp::NeighborTable::State::kFree)) {
    arp_ready_.clear();
    neighbors_.learn(f.port, a.spa, a.sha, now_, arp_ready_);
    for (io::Frame& w : arp_ready_) {
      a.sha.copy_to(w.data + packet::kEthDst);
      own_mac.copy_to(w.data + packet::kEthSrc);
      queue_tx(f.port, w);
    }
  }
  if (a.oper == packet::kArpRequest && about_vip && a.spa != a.tpa) {
    arp::make_reply_in_place(f, p, own_mac);
    queue_tx(f.port, f);
    counters_.arp_replies_sent.add(1);
    return Verdict::kReplied;
  }
  return to_host(tr, PassReason::kArpNotForVip);
}

Verdict Pipeline::handle_ipv4(io::Frame& f, Lookahead& a, FrameTrace& tr) {
  ParsedPacket& p = a.p;
  tr.proto = p.tuple.proto;
  const net::IpAddr& dst = p.tuple.daddr;
  // A VIP is never a kernel address (checked at start), so only other traffic needs the test.
  if (a.path != Lookahead::Path::kInbound && routes_->is_local_address(dst)) {
    Verdict v;
    if (p.tuple.proto == packet::kProtoIcmp && p.icmp_is_error && tunnel_icmp(f, p, tr, v)) {
      return v;
    }
    return to_host(tr, PassReason::kOwnAddress);
  }
  if (UVS_UNLIKELY(p.is_fragment())) {
    return handle_fragment(f, p, tr);
  }
  if (p.tuple.proto == packet::kProtoIcmp) {
    if (p.icmp_type == packet::kIcmpEchoRequest && table_->owns_address(dst)) {
      return echo_reply(f, p, tr);
    }
    if (!p.icmp_is_error) {
      return to_host(tr, PassReason::kIcmpNotRelated);
    }
    return table_->owns_address(dst) ? icmp_related_inbound(f, p, tr)
                                     : icmp_related_outbound(f, p, tr);
  }
  if (a.path == Lookahead::Path::kInbound) {
    return inbound(f, p, a.mark, a.hash, tr);
  }
  if (a.path == Lookahead::Path::kOutbound) {
    return outbound(f, p, a.hash, tr);
  }
  return to_host(tr, PassReason::kProtocol);
}

// ip_vs_in(): existing connection (with the port-reuse and dead-server rules), else schedule.
Verdict Pipeline::inbound(
    io::Frame& f, ParsedPacket& p, std::uint32_t mark, std::uint32_t hash, FrameTrace& tr) {
  const lb::IpvsSysctls& sys = table_->sysctls;
  const bool is_tcp = p.tuple.proto == packet::kProtoTcp;
  const bool syn = is_tcp && (p.tcp_flags & packet::kTcpSyn) != 0;
  conn::Connection* c = conns_.find_in(
      hash, p.tuple.proto, p.tuple.saddr, p.tuple.sport, p.tuple.daddr, p.tuple.dport, now_ticks_);
  if (c != nullptr) {
    tr.state_before = c->state;
    lb::RealServer& rs = lb_.real(c->real);
    if (syn) {
      bool resched = false;
      if (sys.expire_nodest_conn && rs.weight == 0) {
        resched = true;
      } else if (sys.conn_reuse_mode != 0 && c->control == conn::kNoConn) {
        const auto st = static_cast<conn::TcpState>(c->state);
        resched = st == conn::TcpState::kTimeWait || st == conn::TcpState::kClose ||
                  ((sys.conn_reuse_mode & 2) != 0 && st == conn::TcpState::kFinWait &&
                   c->has(conn::kNoOutput));
      }
      if (resched) {
        if (c->n_controlled == 0) {
          conns_.expire_now(*c, now_ticks_);
        }
        c = nullptr;
        tr.state_before = -1;
      }
    }
    if (c != nullptr && !rs.available) {
      if (!sys.expire_nodest_conn) {
        return dropped(tr, DropReason::kRealUnavailable);
      }
      conns_.expire_now(*c, now_ticks_);
      c = nullptr;
      tr.state_before = -1;
      if (!syn && is_tcp) {
        return closed_port(f, p, PassReason::kNodestExpired, tr);
      }
    }
  }
  if (c == nullptr) {
    // A mark rule can cover addresses that are not VIPs (a wide prefix): a NAT reply to a client
    // inside it is still a reply. IPVS tells the two apart by routing (LOCAL_IN vs FORWARD);
    // uvs asks the table.
    if (mark != 0 && !table_->owns_address(p.tuple.daddr)) {
      const std::uint32_t out_hash = conn::ConnTable::hash_out(
          p.tuple.proto, p.tuple.saddr, p.tuple.sport, p.tuple.daddr, p.tuple.dport);
      if (conns_.find_out(out_hash,
                          p.tuple.proto,
                          p.tuple.saddr,
                          p.tuple.sport,
                          p.tuple.daddr,
                          p.tuple.dport,
                          now_ticks_) != nullptr) {
        return outbound(f, p, out_hash, tr);
      }
    }
    if (is_tcp && (sys.sloppy_tcp ? (p.tcp_flags & packet::kTcpRst) != 0
                                  : (!syn || (p.tcp_flags & packet::kTcpRst) != 0))) {
      return closed_port(f, p, PassReason::kNotSyn, tr);
    }
    lb::Service* svc = table_->find(p.tuple.proto, p.tuple.daddr, p.tuple.dport, mark);
    if (svc == nullptr) {
      return closed_port(f, p, PassReason::kNoService, tr);
    }
    tr.service = svc;
    const Scheduled s = schedule(*svc, p, tr);
    if (s.conn == nullptr) {
      if (s.unreachable) {
        // ip_vs_leave(): port unreachable, from the VIP, for TCP as well as UDP.
        send_icmp_error(
            f, p, packet::kIcmpDestUnreach, packet::kIcmpPortUnreach, 0, &p.tuple.daddr);
      }
      return dropped(tr, s.drop);
    }
    c = s.conn;
    tr.new_connection = true;
  }
  lb::RealServer& rs = lb_.real(c->real);
  tr.real = c->real;
  if (rs.available) {
    // ip_vs_in_stats(): counted before the transmitter runs, so MTU drops are counted too.
    const std::uint32_t bytes = p.ip_total_len;
    rs.stats.count_in(bytes);
    lb_.service(rs.service_slot).stats.count_in(bytes);
    lb_.totals().count_in(bytes);
  }
  conns_.packet_update(*c, conn::Direction::kInbound, p.tcp_flags, table_->timeouts, now_ticks_);
  tr.state_after = c->state;
  const Verdict v = xmit_inbound(f, p, *c, tr);
  if (c->has(conn::kOnePacket)) {
    conns_.expire_now(*c, now_ticks_);
  }
  return v;
}

// ip_vs_out() / handle_response(): NAT replies get the VIP back as their source.
Verdict Pipeline::outbound(io::Frame& f, ParsedPacket& p, std::uint32_t hash, FrameTrace& tr) {
  conn::Connection* c = conns_.find_out(
      hash, p.tuple.proto, p.tuple.saddr, p.tuple.sport, p.tuple.daddr, p.tuple.dport, now_ticks_);
  if (c == nullptr) {
    return to_host(tr, PassReason::kNotVip);
  }
  tr.state_before = c->state;
  tr.real = c->real;
  lb::RealServer& rs = lb_.real(c->real);
  if (rs.available) {
    const std::uint32_t bytes = p.ip_total_len;
    rs.stats.count_out(bytes);
    lb_.service(rs.service_slot).stats.count_out(bytes);
    lb_.totals().count_out(bytes);
  }
  conns_.packet_update(*c, conn::Direction::kOutbound, p.tcp_flags, table_->timeouts, now_ticks_);
  tr.state_after = c->state;
  return xmit_reply(f, p, *c, tr);
}

// ip_vs_in_icmp(): an error from the client side about a packet we sent it (VIP -> client).
Verdict Pipeline::icmp_related_inbound(io::Frame& f, ParsedPacket& p, FrameTrace& tr) {
  const packet::L4Tuple& in = p.inner;
  if (in.proto != packet::kProtoTcp && in.proto != packet::kProtoUdp) {
    return to_host(tr, PassReason::kIcmpNotRelated);
  }
  conn::Connection* c =
      conns_.find_in(in.proto, in.daddr, in.dport, in.saddr, in.sport, now_ticks_);
  if (c == nullptr) {
    return to_host(tr, PassReason::kIcmpNotRelated);
  }
  lb::RealServer& rs = lb_.real(c->real);
  tr.real = c->real;
  tr.state_before = tr.state_after = c->state;
  if (!rs.available) {
    return dropped(tr, DropReason::kRealUnavailable);
  }
  rs.stats.count_in(p.ip_total_len);
  lb_.service(rs.service_slot).stats.count_in(p.ip_total_len);
  lb_.totals().count_in(p.ip_total_len);
  if (c->fwd() == lb::ForwardMethod::kMasq) {
    xmit::nat_icmp(f, p, lb_.real(c->real).addr, c->dport, /*to_real=*/true);
  }
  return xmit_inbound(f, p, *c, tr);
}

// ip_vs_out_icmp(): an error from a NAT real server about a packet of the client.
Verdict Pipeline::icmp_related_outbound(io::Frame& f, ParsedPacket& p, FrameTrace& tr) {
  const packet::L4Tuple& in = p.inner;
  if (in.proto != packet::kProtoTcp && in.proto != packet::kProtoUdp) {
    return to_host(tr, PassReason::kIcmpNotRelated);
  }
  conn::Connection* c =
      conns_.find_out(in.proto, in.daddr, in.dport, in.saddr, in.sport, now_ticks_);
  if (c == nullptr) {
    return to_host(tr, PassReason::kIcmpNotRelated);
  }
  lb::RealServer& rs = lb_.real(c->real);
  tr.real = c->real;
  tr.state_before = tr.state_after = c->state;
  if (rs.available) {
    rs.stats.count_out(p.ip_total_len);
    lb_.service(rs.service_slot).stats.count_out(p.ip_total_len);
    lb_.totals().count_out(p.ip_total_len);
  }
  return xmit_reply(f, p, *c, tr);
}

// Fragments are reassembled before anything else looks at them (IPVS sees whole datagrams);
// the datagram that completes a set continues as if it had arrived whole. It lives in a pool
// buffer, so whatever does not queue it must give it back.
Verdict Pipeline::handle_fragment(io::Frame& f, ParsedPacket& p, FrameTrace& tr) {
  const frag::Reassembler::Result r = reassembler_.add(f, p, now_);
  if (r.outcome == frag::Reassembler::Outcome::kStored) {
    return Verdict::kQueued;
  }
  if (r.outcome == frag::Reassembler::Outcome::kDropped) {
    return dropped(tr, r.reason);
  }
  counters_.datagrams_reassembled.add(1);
  io::Frame whole = r.frame;
  Lookahead la;
  look_ahead(whole, la);
  const Verdict v = process_one(whole, la, tr);
  if (v == Verdict::kDropped || v == Verdict::kToHost) {
    pool_.free(whole);
  }
  return v;
}

// What IPVS lets through to the director's stack for a VIP (`why`) meets no socket there: TCP
// gets an RST, UDP a port unreachable. The VIP is on no kernel interface under uvs, so uvsd
// answers in the stack's place; an address it does not own (outside every VIP and mark prefix)
// stays the kernel's business.
Verdict Pipeline::closed_port(io::Frame& f, ParsedPacket& p, PassReason why, FrameTrace& tr) {
  tr.pass = why;
  if (!table_->owns_address(p.tuple.daddr)) {
    return Verdict::kToHost;
  }
  bool sent = false;
  if (p.tuple.proto == packet::kProtoTcp) {
    if (xmit::may_send_tcp_reset(f, p)) {
      const net::NextHop nh = routes_->lookup(p.tuple.saddr);
      if (auto rst = nh.valid ? xmit::build_tcp_reset(pool_, f, p) : std::nullopt) {
        counters_.tcp_resets_sent.add(1);
        send_built(*rst, nh);
        sent = true;
      }
    }
  } else if (p.tuple.proto == packet::kProtoUdp) {
    sent = send_icmp_error(
               f, p, packet::kIcmpDestUnreach, packet::kIcmpPortUnreach, 0, &p.tuple.daddr) != 0;
  }
  if (!sent) {
    return Verdict::kToHost;
  }
  pool_.free(f);  // answered (a no-op for ring frames; a reassembled one is ours)
  return Verdict::kReplied;
}

// uvsd owns the VIP, so it answers pings to it (the kernel no longer can).
Verdict Pipeline::echo_reply(io::Frame& f, ParsedPacket& p, FrameTrace& tr) {
  const net::NextHop nh = routes_->lookup(p.tuple.saddr);
  if (!nh.valid) {
    return dropped(tr, DropReason::kNoRoute);
  }
  std::uint8_t* ip = f.data + p.l3_off;
  std::uint8_t tmp[4];
  std::memcpy(tmp, ip + packet::kIpSrc, 4);
  std::memcpy(ip + packet::kIpSrc, ip + packet::kIpDst, 4);
  std::memcpy(ip + packet::kIpDst, tmp, 4);  // a swap leaves the header checksum unchanged
  const std::uint16_t old_ttl = net::load_be16(ip + packet::kIpTtl);
  ip[packet::kIpTtl] = 64;
  net::csum_replace16(ip + packet::kIpCsum, old_ttl, net::load_be16(ip + packet::kIpTtl));
  std::uint8_t* icmp = f.data + p.l4_off;
  const std::uint16_t old_type = net::load_be16(icmp);
  icmp[packet::kIcmpType] = packet::kIcmpEchoReply;
  net::csum_replace16(icmp + packet::kIcmpCsum, old_type, net::load_be16(icmp));
  std::swap(p.tuple.saddr, p.tuple.daddr);
  counters_.echo_replies_sent.add(1);
  const Verdict v = emit_sized(f, p, nh, tr);
  return v == Verdict::kDropped ? v : Verdict::kReplied;
}

// ICMP errors about our own tunnel packets (reference §5.5, last bullet; ip_vs_in_icmp() with
// ipvs_udp_decap() / ipvs_gre_decap()): the embedded packet is outer IPv4 (director -> real
// server) + tunnel header + the client's packet. Ours only if the tunnel header is one uvsd
// writes and matches the connection's real server: IPIP; GUE version 0 with C = 0, protocol
// IPIP, to the real server's tunnel port (its hlen, e.g. the remcsum option, is skipped); GRE
// with no flag but C, protocol IPv4; never a non-first fragment. Anything else is the host's.
// Frag-needed becomes a new frag-needed to the client (only if the client's packet had DF) with
// the quoted outer IP and tunnel headers taken off the MTU, after lowering the route's MTU
// towards the real server as the kernel's PMTU cache would; other errors are re-sent to the
// client with the same type, code and rest-of-header. Each error sent counts as OutPkts, with
// the length of the client's packet as quoted (ip_vs_out_stats() on the pulled skb), whether or
// not it could be sent.
bool Pipeline::tunnel_icmp(io::Frame& f, ParsedPacket& p, FrameTrace& tr, Verdict& v) {
  const packet::L4Tuple& tun = p.inner;
  if (tun.proto != packet::kProtoIpip && tun.proto != packet::kProtoGre &&
      tun.proto != packet::kProtoUdp) {
    return false;
  }
  if ((net::load_be16(f.data + p.inner_l3_off + packet::kIpFragOff) & packet::kIpOffsetMask) != 0) {
    return false;  // a non-first fragment has no tunnel header
  }
  const std::uint32_t end = p.l4_off + p.l4_len;  // bytes of the ICMP message present
  std::uint32_t off = p.inner_l4_off;             // after the embedded outer IPv4 header
  lb::TunnelType type = lb::TunnelType::kIpip;
  if (tun.proto == packet::kProtoUdp) {
    const std::uint8_t* gue = f.data + off + packet::kUdpLen;
    if (end < off + packet::kUdpLen + packet::kGueHdrLen ||
        (gue[packet::kGueVerCHlen] & packet::kGueVerCMask) != 0 ||
        gue[packet::kGueProto] != packet::kProtoIpip) {
      return false;
    }
    type = lb::TunnelType::kGue;
    off += packet::kUdpLen + packet::kGueHdrLen +
           (gue[packet::kGueVerCHlen] & packet::kGueHlenMask) * 4u;
  } else if (tun.proto == packet::kProtoGre) {
    const std::uint8_t* gre = f.data + off;
    if (end < off + packet::kGreHdrLen ||
        (net::load_be16(gre + packet::kGreFlagsVer) & ~packet::kGreFlagCsum) != 0 ||
        net::load_be16(gre + packet::kGreProto) != packet::kEtherTypeIpv4) {
      return false;
    }
    type = lb::TunnelType::kGre;
    off += (net::load_be16(gre) & packet::kGreFlagCsum) != 0 ? packet::kGreCsumHdrLen
                                                             : packet::kGreHdrLen;
  }
  if (end < off + packet::kIpv4MinLen || (f.data[off] >> 4) != 4) {
    return false;
  }
  const std::uint8_t* cip = f.data + off;
  const unsigned chlen = (cip[packet::kIpVerIhl] & 0x0f) * 4u;
  if (chlen < packet::kIpv4MinLen || end < off + chlen + 4) {
    return false;
  }
  ParsedPacket client;  // the client's packet as quoted, for the error we send about it
  client.kind = packet::L3Kind::kIpv4;
  client.l3_off = static_cast<std::uint16_t>(off);
  client.ip_hlen = static_cast<std::uint8_t>(chlen);
  client.tos = cip[packet::kIpTos];
  client.frag_field = net::load_be16(cip + packet::kIpFragOff);
  client.tuple.proto = cip[packet::kIpProto];
  client.tuple.saddr = net::IpAddr::v4_bytes(cip + packet::kIpSrc);
  client.tuple.daddr = net::IpAddr::v4_bytes(cip + packet::kIpDst);
  client.tuple.sport = net::load_be16(cip + chlen);
  client.tuple.dport = net::load_be16(cip + chlen + 2);
  const std::uint32_t quoted = end - off;
  const std::uint32_t declared = net::load_be16(cip + packet::kIpTotLen);
  client.ip_total_len = static_cast<std::uint16_t>(declared < quoted ? declared : quoted);
  conn::Connection* c = conns_.find_in(client.tuple.proto,
                                       client.tuple.saddr,
                                       client.tuple.sport,
                                       client.tuple.daddr,
                                       client.tuple.dport,
                                       now_ticks_);
  if (c == nullptr || c->fwd() != lb::ForwardMethod::kTunnel) {
    return false;
  }
  lb::RealServer& rs = lb_.real(c->real);
  if (rs.addr != tun.daddr || rs.tunnel.type != type ||
      (type == lb::TunnelType::kGue && rs.tunnel.port != tun.dport)) {
    return false;
  }
  tr.real = c->real;
  tr.state_before = tr.state_after = c->state;
  std::uint32_t info = net::load_be32(f.data + p.l4_off + 4);  // the rest of the ICMP header
  bool send = true;
  if (p.icmp_type == packet::kIcmpDestUnreach && p.icmp_code == packet::kIcmpFragNeeded) {
    const std::uint32_t reported = net::load_be16(f.data + p.l4_off + packet::kIcmpMtu);
    net::NextHop& nh = const_cast<net::NextHop&>(real_next_hop(rs));
    if (reported >= 68 && reported < nh.mtu) {
      nh.mtu = reported;  // remembered until the routes change
    }
    const std::uint32_t overhead = off - p.inner_l3_off;  // outer IP + tunnel header, as quoted
    const std::uint32_t base_mtu = nh.valid ? nh.mtu : reported;
    info = base_mtu > overhead + 68 ? base_mtu - overhead : base_mtu;
    send = client.dont_fragment();  // a client without PMTU discovery is told nothing
  }
  if (send) {
    send_icmp_error(f, client, p.icmp_type, p.icmp_code, info, &client.tuple.daddr);
    if (rs.available) {
      rs.stats.count_out(quoted);
      lb_.service(rs.service_slot).stats.count_out(quoted);
      lb_.totals().count_out(quoted);
    }
  }
  pool_.free(f);  // consumed here (a no-op for ring frames; a reassembled one is ours)
  v = Verdict::kReplied;
  return true;
}

}  // namespace uvs::dataplane
