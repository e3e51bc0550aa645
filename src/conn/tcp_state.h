// tcp_state.h — IPVS's connection states, their timeouts and the TCP state tables.
//
// States and numbering are IPVS's (IP_VS_TCP_S_*), so names and /proc-style listings match.
// The three tables (INPUT, OUTPUT, INPUT-ONLY) are reference §3.2 verbatim; `secure_tcp` is not
// implemented. Timeouts are reference §3.2 defaults, with three slots adjustable by
// [timeouts] / ipvsadm --set: ESTABLISHED (tcp), FIN_WAIT (tcpfin) and UDP (udp).
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/time.h"
#include "lb/service_spec.h"

namespace uvs::conn {

enum class TcpState : std::uint8_t {
  kNone = 0,
  kEstablished,
  kSynSent,
  kSynRecv,
  kFinWait,
  kTimeWait,
  kClose,
  kCloseWait,
  kLastAck,
  kListen,
  kSynAck,
  kCount
};

// Which way a packet travels relative to the connection.
enum class Direction : std::uint8_t {
  kInbound,   // client -> director -> real server (IPVS INPUT)
  kOutbound,  // real server -> director -> client (IPVS OUTPUT, NAT replies only)
};

// Template states (persistence entries): IP_VS_CTPL_S_NONE / ASSURED.
inline constexpr std::uint8_t kTemplateNone = 0;
inline constexpr std::uint8_t kTemplateAssured = 1;
// The single UDP state (IP_VS_UDP_S_NORMAL).
inline constexpr std::uint8_t kUdpNormal = 0;

// SYN_SENT, SYN_RECV, ESTABLISHED and SYNACK count as active (kernel >= 4.8).
bool tcp_state_active(TcpState s);

std::string_view tcp_state_name(TcpState s);  // "ESTABLISHED", "SYN_RECV", ...

// Next state for a TCP segment with `flags` (the raw TCP flags byte). `input_only` selects the
// INPUT-ONLY table for inbound packets of connections that have not seen a reply (DR/TUN).
// A segment with none of SYN/FIN/ACK/RST forces CLOSE.
TcpState tcp_next_state(TcpState current, Direction dir, bool input_only, std::uint8_t flags);

// Seconds a TCP state keeps an idle connection, honouring the adjustable slots.
std::uint32_t tcp_timeout_seconds(TcpState s, const lb::TimeoutSpec& t);

// Timeout of a brand-new entry before its first transition (IPVS: 3 s, state NONE).
inline constexpr std::uint32_t kNewConnTimeoutSeconds = 3;
// Templates that still control connections are re-armed for this long when they fire.
inline constexpr std::uint32_t kTemplateRearmSeconds = 60;

}  // namespace uvs::conn
