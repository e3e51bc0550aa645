// counters.h — the worker's frame accounting: one counter per verdict, per drop reason and per
// pass reason, plus a few event counters. Written by the worker (Relaxed), read by control for
// uvsadm and the SIGUSR1 dump. Names come from base/drop_reason.h.
#pragma once

#include <array>
#include <cstdint>

#include "base/drop_reason.h"
#include "base/relaxed.h"
#include "dataplane/verdict.h"

namespace uvs::dataplane {

struct Counters {
  std::array<base::Relaxed<std::uint64_t>, static_cast<std::size_t>(Verdict::kCount)> verdicts{};
  std::array<base::Relaxed<std::uint64_t>, base::kDropReasonCount> drops{};
  std::array<base::Relaxed<std::uint64_t>, base::kPassReasonCount> passes{};
  base::Relaxed<std::uint64_t> rx_frames;
  base::Relaxed<std::uint64_t> tx_frames;
  base::Relaxed<std::uint64_t> arp_requests_sent;
  base::Relaxed<std::uint64_t> arp_replies_sent;
  base::Relaxed<std::uint64_t> gratuitous_arp_sent;
  base::Relaxed<std::uint64_t> vip_probes_sent;  // ARP probes asking who else holds a VIP
  base::Relaxed<std::uint64_t> icmp_errors_sent;
  base::Relaxed<std::uint64_t> icmp_errors_limited;  // not sent: over the kernel's global budget
  base::Relaxed<std::uint64_t> echo_replies_sent;
  base::Relaxed<std::uint64_t> tcp_resets_sent;  // for VIP ports nothing serves (closed_port)
  base::Relaxed<std::uint64_t> datagrams_reassembled;
  base::Relaxed<std::uint64_t> fragments_sent;
  base::Relaxed<std::uint64_t> vip_conflicts;  // another host claimed a VIP in ARP
  // The last such claim, for the control thread's log line.
  base::Relaxed<std::uint32_t> last_conflict_vip;   // IPv4, host order
  base::Relaxed<std::uint64_t> last_conflict_mac;   // 48 bits
  base::Relaxed<std::uint32_t> last_conflict_port;  // port id
  base::Relaxed<std::uint64_t> connections;  // entries in the table (incl. templates), per tick
  base::Relaxed<std::uint64_t> templates;

  void drop(base::DropReason r) { drops[static_cast<std::size_t>(r)].add(1); }
  void pass(base::PassReason r) { passes[static_cast<std::size_t>(r)].add(1); }
  void verdict(Verdict v) { verdicts[static_cast<std::size_t>(v)].add(1); }
};

}  // namespace uvs::dataplane
