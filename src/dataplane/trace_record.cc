// Capturing is the part that runs beside the data path, so it only copies values: the service
// is the one the pipeline scheduled with, or for frames of an existing connection the service
// whose counters the real server feeds (found by slot in the snapshot: a short scan, paid only
// while tracing). ICMP errors carry the state of the TCP/UDP connection they quote, so their
// connection protocol comes from the quoted header. Formatting builds the line with to_chars,
// never locale-dependent printf, so a trace reads the same on every machine.
#include "dataplane/trace_record.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "conn/tcp_state.h"
#include "lb/service.h"
#include "packet/headers.h"
#include "packet/parsed_packet.h"
#include "packet/parser.h"

namespace uvs::dataplane {

namespace {

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// A JSON string: quotes, backslashes and control characters escaped.
void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
      out += esc;
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_key(std::string& out, std::string_view key) {
  out += ',';
  append_string(out, key);
  out += ':';
}

// IPVS's name of a connection state, as ipvsadm -Lc prints it.
std::string state_name(const TraceRecord& r, std::int16_t state) {
  if (r.is_template_state) {
    return state == conn::kTemplateAssured ? "ASSURED" : "NONE";
  }
  if (r.conn_proto == packet::kProtoTcp) {
    return std::string(conn::tcp_state_name(static_cast<conn::TcpState>(state)));
  }
  if (r.conn_proto == packet::kProtoUdp) {
    return "UDP";
  }
  return "state " + std::to_string(state);
}

void append_state(std::string& out, const TraceRecord& r, std::int16_t state) {
  if (state < 0) {
    out += "null";
  } else {
    append_string(out, state_name(r, state));
  }
}

}  // namespace

TraceRecord capture_trace(const io::Frame& f,
                          const FrameTrace& t,
                          base::Nanos now,
                          const lb::ServiceTable* table,
                          const lb::LbState& lb) {
  TraceRecord r;
  r.ts = now;
  r.port = f.port;
  r.verdict = t.verdict;
  r.drop = t.drop;
  r.pass = t.pass;
  r.new_connection = t.new_connection;
  r.template_used = t.template_used;
  r.template_created = t.template_created;
  r.is_template_state = t.is_template_state;
  r.state_before = t.state_before;
  r.state_after = t.state_after;
  r.conn_proto = t.proto;
  if (t.proto == packet::kProtoIcmp && (t.state_before >= 0 || t.state_after >= 0)) {
    packet::ParsedPacket p;
    r.conn_proto =
        packet::parse_frame(f.data, f.len, p) == base::DropReason::kNone && p.icmp_is_error
            ? p.inner.proto
            : 0;
  }
  const lb::RealServer* rs =
      t.real != lb::kNoSlot && t.real < lb.max_reals() ? &lb.real(t.real) : nullptr;
  if (rs != nullptr) {
    r.has_real = true;
    r.real_addr = rs->addr;
    r.real_port = rs->port;
  }
  const lb::Service* svc = t.service;
  if (svc != nullptr) {
    if (svc->scheduler) {
      const std::string_view name = svc->scheduler->name();
      const std::size_t n =
          name.size() < sizeof r.scheduler - 1 ? name.size() : sizeof r.scheduler - 1;
      std::memcpy(r.scheduler, name.data(), n);
      r.scheduler[n] = '\0';
    }
  } else if (rs != nullptr && table != nullptr) {
    for (const auto& s : table->services) {
      if (s->slot == rs->service_slot) {
        svc = s.get();
        break;
      }
    }
  }
  if (svc != nullptr) {
    r.has_service = true;
    r.service = svc->spec.key;
  }
  return r;
}

void append_json(const TraceRecord& r, std::span<const std::string> port_names, std::string& out) {
  out += "{\"index\":";
  append_uint(out, r.index);
  append_key(out, "ts_ns");
  append_int(out, r.ts);
  append_key(out, "time");
  {
    // Seconds and nanoseconds, floor division so a negative time still reads correctly.
    std::int64_t sec = r.ts / base::kNanosPerSecond;
    std::int64_t ns = r.ts % base::kNanosPerSecond;
    if (ns < 0) {
      ns += base::kNanosPerSecond;
      --sec;
    }
    char buf[40];
    std::snprintf(buf,
                  sizeof buf,
                  "\"%lld.%09lld\"",
                  static_cast<long long>(sec),
                  static_cast<long long>(ns));
    out += buf;
  }
  append_key(out, "interface");
  append_string(out, r.port < port_names.size() ? std::string_view(port_names[r.port]) : "?");
  if (r.input_record != 0) {
    append_key(out, "record");
    append_uint(out, r.input_record);
  }
  append_key(out, "verdict");
  append_string(out, verdict_name(r.verdict));
  append_key(out, "drop");
  if (r.verdict == Verdict::kDropped) {
    append_string(out, base::name(r.drop));
  } else {
    out += "null";
  }
  append_key(out, "pass");
  if (r.verdict == Verdict::kToHost ||
      (r.verdict == Verdict::kReplied && r.pass != base::PassReason::kNone)) {
    append_string(out, base::name(r.pass));
  } else {
    out += "null";
  }
  append_key(out, "service");
  if (r.has_service) {
    append_string(out, r.service.to_string());
  } else {
    out += "null";
  }
  append_key(out, "real");
  if (r.has_real) {
    append_string(
        out, r.real_port != 0 ? net::to_string(r.real_addr, r.real_port) : r.real_addr.to_string());
  } else {
    out += "null";
  }
  append_key(out, "state_before");
  append_state(out, r, r.state_before);
  append_key(out, "state_after");
  append_state(out, r, r.state_after);
  append_key(out, "new_connection");
  out += r.new_connection ? "true" : "false";
  append_key(out, "scheduler");
  if (r.scheduler[0] != '\0') {
    append_string(out, r.scheduler);
  } else {
    out += "null";
  }
  append_key(out, "template");
  out += r.template_used ? "\"used\"" : r.template_created ? "\"created\"" : "null";
  out += "}\n";
}

}  // namespace uvs::dataplane
