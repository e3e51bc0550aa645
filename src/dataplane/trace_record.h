// trace_record.h — one line of a decision trace: what the pipeline decided about one frame, as
// plain values, and its JSON text.
//
// capture_trace() runs on the thread that runs the pipeline, right after the frame was handled
// (TraceSink::record): it copies everything it needs out of the FrameTrace, the service-table
// snapshot and the real-server slots, so the record stays meaningful after they change or are
// freed, and it neither allocates nor locks (a record is a fixed-size value). append_json() may
// run anywhere later (the daemon's control thread, the replay driver) and turns a record into one
// JSON object followed by '\n', keys always in this order:
//
//   {"index":3,"ts_ns":1700000000001000000,"time":"1700000000.001000000","interface":"eth0",
//    "record":3,"verdict":"forwarded","drop":null,"pass":null,"service":"TCP 10.0.1.100:80",
//    "real":"10.0.2.11:80","state_before":null,"state_after":"SYN_RECV","new_connection":true,
//    "scheduler":"rr","template":null}
//
//   index           1-based, in the order frames entered the pipeline
//   ts_ns, time     the pipeline's clock for this frame: capture time in replay (nanoseconds since
//                   the epoch), the monotonic clock live; "time" is the same as text (JSON
//                   numbers past 2^53 lose digits in many readers)
//   interface       the port the frame arrived on
//   record          replay only: the frame's record number (1-based) in its input capture
//   verdict         forwarded | replied | queued | dropped | to-host (verdict.h)
//   drop / pass     the base::DropReason / base::PassReason name, or null
//   service         the service that scheduled this frame or owns its connection, "TCP
//                   10.0.1.100:80" / "FWM 10" as ipvsadm lists it; null if none
//   real            the real server, "ADDR:PORT" (just "ADDR" for port 0), or null
//   state_before    the connection's state when the frame arrived (null: no connection), and
//   state_after     after it (IPVS names: SYN_RECV, ESTABLISHED, ..., UDP; templates NONE or
//                   ASSURED); null when the frame touched no connection
//   new_connection  a connection was created for this frame
//   scheduler       the scheduler's name when a scheduling decision was made for this frame
//                   (new connection or failed attempt), else null
//   template        "used" (an existing persistence template chose the real server), "created"
//                   (a new template was made) or null
// Owned by: values; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/drop_reason.h"
#include "base/time.h"
#include "dataplane/verdict.h"
#include "io/frame.h"
#include "lb/lb_state.h"
#include "lb/service_spec.h"
#include "lb/service_table.h"
#include "net/ip_addr.h"

namespace uvs::dataplane {

struct TraceRecord {
  std::uint64_t index = 0;
  base::Nanos ts = 0;
  std::uint64_t input_record = 0;  // 0: not from a capture file
  std::uint16_t port = 0;
  Verdict verdict = Verdict::kToHost;
  base::DropReason drop = base::DropReason::kNone;
  base::PassReason pass = base::PassReason::kNone;
  bool has_service = false;
  bool has_real = false;
  bool new_connection = false;
  bool template_used = false;
  bool template_created = false;
  bool is_template_state = false;
  std::uint8_t conn_proto = 0;  // protocol of the connection the states belong to
  std::int16_t state_before = -1;
  std::int16_t state_after = -1;
  std::uint16_t real_port = 0;
  lb::ServiceKey service;
  net::IpAddr real_addr;
  char scheduler[16] = {};  // NUL-terminated; empty: no scheduling decision
};

// The record of frame `f` (already handled: its bytes may have been rewritten) with decision
// `t` at time `now`. `table` is the snapshot the frame was handled with, `lb` the slots.
TraceRecord capture_trace(const io::Frame& f,
                          const FrameTrace& t,
                          base::Nanos now,
                          const lb::ServiceTable* table,
                          const lb::LbState& lb);

// Appends the JSON line of `r` (with its trailing '\n') to `out`. `port_names[r.port]` names the
// interface ("?" when out of range).
void append_json(const TraceRecord& r, std::span<const std::string> port_names, std::string& out);

}  // namespace uvs::dataplane
