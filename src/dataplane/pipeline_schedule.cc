// New connections: ip_vs_schedule() and ip_vs_sched_persist() (reference §1.3, §4.2).
// Non-persistent services ask the scheduler; persistent ones first look for a template keyed by
// the masked client address (per service port, per VIP for port-0 services, per mark for
// firewall-mark services), reuse its real server while it is available (and, with
// expire_quiescent_template, not quiesced), else schedule and create a template. The new
// connection is then created, linked to its template and counted in Conns.
#include "base/compiler.h"
#include "dataplane/pipeline.h"
#include "packet/headers.h"

namespace uvs::dataplane {

using base::DropReason;
using packet::ParsedPacket;

conn::Connection* Pipeline::new_connection(lb::Service& svc,
                                           lb::RealServer& rs,
                                           const ParsedPacket& p,
                                           std::uint16_t dport,
                                           std::uint32_t control) {
  conn::NewConn nc;
  nc.proto = p.tuple.proto;
  nc.caddr = p.tuple.saddr;
  nc.cport = p.tuple.sport;
  nc.vaddr = p.tuple.daddr;
  nc.vport = p.tuple.dport;
  nc.dport = dport;
  nc.real = rs.slot;
  nc.fwd = rs.fwd;
  nc.control = control;
  nc.one_packet = (svc.spec.flags & lb::kSvcOnePacket) != 0 && p.tuple.proto == packet::kProtoUdp;
  nc.timeout = base::seconds_to_ticks(conn::kNewConnTimeoutSeconds);
  conn::Connection* c = conns_.create(nc, now_ticks_);
  if (c != nullptr) {
    // ip_vs_conn_stats(): the real server, its service and the total.
    rs.stats.conns.add(1);
    lb_.service(svc.slot).stats.conns.add(1);
    lb_.totals().conns.add(1);
  }
  return c;
}

Pipeline::Scheduled Pipeline::schedule(lb::Service& svc, const ParsedPacket& p, FrameTrace& tr) {
  if (svc.persistent()) {
    return schedule_persistent(svc, p, tr);
  }
  Scheduled out;
  // A non-persistent service only takes its own port (a port-0 service must be persistent).
  // ip_vs_schedule() returns no server with *ignored = 0 here, so ip_vs_leave() answers.
  if (svc.spec.key.fwmark == 0 && p.tuple.dport != svc.port()) {
    out.drop = DropReason::kNoRealAvailable;
    out.unreachable = true;
    return out;
  }
  sched::PickInput in{&p.tuple.saddr, &p.tuple.daddr, p.tuple.sport, p.tuple.dport, now_};
  lb::RealServer* rs = svc.scheduler ? svc.scheduler->pick(svc.reals, in) : nullptr;
  if (rs == nullptr) {
    out.drop = DropReason::kNoRealAvailable;
    out.unreachable = true;
    return out;
  }
  out.conn = new_connection(svc, *rs, p, rs->port != 0 ? rs->port : p.tuple.dport, conn::kNoConn);
  if (out.conn == nullptr) {
    out.drop = DropReason::kConnTableFull;
  }
  return out;
}

Pipeline::Scheduled Pipeline::schedule_persistent(lb::Service& svc,
                                                  const ParsedPacket& p,
                                                  FrameTrace& tr) {
  Scheduled out;
  const lb::ServiceKey& key = svc.spec.key;
  const net::IpAddr snet = p.tuple.saddr.masked(svc.spec.netmask_prefix());
  // Template key, in ip_vs_sched_persist()'s order: a packet to the service's own port gives
  // <proto, client net, 0, vaddr, vport>; otherwise (port-0 services, and firewall-mark
  // services, whose port is 0) <proto, client net, 0, vaddr, 0>, with protocol IP and the mark
  // as address (0.0.0.<mark>) for firewall-mark services. uvs has no FTP helper, so port 21 is
  // not special.
  std::uint8_t t_proto = p.tuple.proto;
  net::IpAddr t_vaddr = p.tuple.daddr;
  std::uint16_t t_vport = 0;
  const bool own_port = p.tuple.dport == svc.port();
  if (own_port) {
    t_vport = p.tuple.dport;
  } else if (key.fwmark != 0) {
    t_proto = 0;
    t_vaddr = net::IpAddr::v4(key.fwmark);
  }
  conn::Connection* ct = conns_.find_template(t_proto, snet, t_vaddr, t_vport, now_ticks_);
  lb::RealServer* rs = nullptr;
  if (ct != nullptr) {
    lb::RealServer& tr_rs = lb_.real(ct->real);
    if (!tr_rs.available || (table_->sysctls.expire_quiescent_template && tr_rs.weight == 0)) {
      conns_.disable_template(*ct);  // ip_vs_check_template(): never matches again
      ct = nullptr;
    } else {
      rs = &tr_rs;
      tr.template_used = true;
    }
  }
  if (ct == nullptr) {
    sched::PickInput in{&p.tuple.saddr, &p.tuple.daddr, p.tuple.sport, p.tuple.dport, now_};
    rs = svc.scheduler ? svc.scheduler->pick(svc.reals, in) : nullptr;
    if (rs == nullptr) {
      out.drop = DropReason::kNoRealAvailable;
      out.unreachable = true;
      return out;
    }
    conn::NewConn nt;
    nt.proto = t_proto;
    nt.caddr = snet;
    nt.cport = 0;
    nt.vaddr = t_vaddr;
    nt.vport = t_vport;
    nt.dport = own_port ? rs->port : 0;  // PCC and fwmark templates carry dport 0
    nt.real = rs->slot;
    nt.fwd = rs->fwd;
    nt.is_template = true;
    nt.timeout = base::seconds_to_ticks(svc.spec.timeout);
    ct = conns_.create(nt, now_ticks_);
    if (ct == nullptr) {
      out.drop = DropReason::kConnTableFull;
      return out;
    }
    tr.template_created = true;
  }
  // The packet's own port, unless it came to the service port and the server has a port: so
  // PCC and fwmark connections never have their ports remapped.
  const std::uint16_t dport = (own_port && rs->port != 0) ? rs->port : p.tuple.dport;
  out.conn = new_connection(svc, *rs, p, dport, conns_.index_of(*ct));
  // ip_vs_conn_put(ct): the template's timer restarts with its (current) timeout.
  conns_.rearm(*ct, now_ticks_, ct->timeout);
  if (out.conn == nullptr) {
    out.drop = DropReason::kConnTableFull;
  }
  return out;
}

}  // namespace uvs::dataplane
