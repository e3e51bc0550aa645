// verdict.h — how a frame left the pipeline, and the per-frame record traces are made of.
//
// Every frame that enters Pipeline::process() gets exactly one Verdict:
//   kForwarded — rewritten/encapsulated and queued for transmission;
//   kReplied   — answered in place or by a frame uvsd built (ARP reply, ICMP error);
//   kQueued    — parked until its next hop resolves (may later be dropped: arp_timeout);
//   kDropped   — dropped for a base::DropReason;
//   kToHost    — not uvsd's business: left to the kernel, for a base::PassReason.
#pragma once

#include <cstdint>

#include "base/drop_reason.h"
#include "lb/real_server.h"

namespace uvs::lb {
struct Service;
}

namespace uvs::dataplane {

enum class Verdict : std::uint8_t { kForwarded, kReplied, kQueued, kDropped, kToHost, kCount };

const char* verdict_name(Verdict v);

// What happened to one frame, for decision traces (filled as the pipeline goes; cheap stores).
struct FrameTrace {
  Verdict verdict = Verdict::kToHost;
  base::DropReason drop = base::DropReason::kNone;
  base::PassReason pass = base::PassReason::kNone;
  const lb::Service* service = nullptr;
  std::uint32_t real = lb::kNoSlot;
  std::int16_t state_before = -1;  // -1: no connection before this frame
  std::int16_t state_after = -1;
  std::uint8_t proto = 0;
  bool new_connection = false;
  bool template_used = false;  // persistence template reused
  bool template_created = false;
  bool is_template_state = false;
};

}  // namespace uvs::dataplane
