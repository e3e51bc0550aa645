// connection.h — one connection entry (IPVS's ip_vs_conn), 88 bytes.
//
// Holds both tuples (client/virtual on the inbound side, real server address/port for the
// outbound side), the forwarding method bound once at creation, the state, the timer and the
// persistence links. Persistence templates are connections with kTemplate set. Addresses are
// family-generic; kV6 marks IPv6 entries. Real servers are LbState slot numbers, templates and
// timer links are table indices, so the entry stays small and position-independent.
// Owned by: the worker (ConnTable); the control thread only ever sees copies (ConnTable::dump).
#pragma once

#include <cstdint>

#include "base/time.h"
#include "lb/forward.h"
#include "net/ip_addr.h"

namespace uvs::conn {

inline constexpr std::uint32_t kNoConn = 0xffffffffu;

// Connection flags (uvs's own bit layout; meanings follow IP_VS_CONN_F_*).
inline constexpr std::uint16_t kFwdMask = 0x0003;         // lb::ForwardMethod
inline constexpr std::uint16_t kTemplate = 0x0004;        // persistence template
inline constexpr std::uint16_t kNoOutput = 0x0008;        // no reply seen yet (DR/TUN: never)
inline constexpr std::uint16_t kInactive = 0x0010;        // counted in inactconns
inline constexpr std::uint16_t kOnePacket = 0x0020;       // -o: freed after its packet
inline constexpr std::uint16_t kHashedOut = 0x0040;       // in the outbound index (NAT)
inline constexpr std::uint16_t kV6 = 0x0080;              // IPv6 entry
inline constexpr std::uint16_t kLive = 0x0100;            // allocated, in the index
inline constexpr std::uint16_t kCountedPersist = 0x0200;  // template counted in persistconns

struct Connection {
  net::IpAddr caddr;  // client (template: masked client address)
  net::IpAddr vaddr;  // virtual address (fwmark template: 0.0.0.<mark>)
  net::IpAddr daddr;  // real server
  std::uint16_t cport = 0;
  std::uint16_t vport = 0;
  std::uint16_t dport = 0;
  std::uint8_t proto = 0;  // 6, 17; 0 for fwmark templates ("IP")
  std::uint8_t state = 0;  // TcpState, kUdpNormal or kTemplate{None,Assured}
  std::uint16_t flags = 0;
  std::uint16_t wheel_slot = 0;      // timer wheel slot this entry is linked in
  std::uint32_t real = 0xffffffffu;  // lb::LbState real-server slot
  std::uint32_t control = kNoConn;   // controlling template, if any
  std::uint32_t n_controlled = 0;    // templates: connections they control
  base::Ticks expires = 0;           // deadline (ticks)
  base::Ticks timeout = 0;           // current timeout (ticks): templates keep theirs
  std::uint32_t wheel_next = 0;      // timer wheel links (index + 1; 0 = none)
  std::uint32_t wheel_prev = 0;
  std::uint32_t reserved_ = 0;  // pads to 96 bytes: an entry never spans three cache lines

  lb::ForwardMethod fwd() const { return static_cast<lb::ForwardMethod>(flags & kFwdMask); }
  bool is_template() const { return (flags & kTemplate) != 0; }
  bool has(std::uint16_t f) const { return (flags & f) != 0; }
};

static_assert(sizeof(Connection) == 96, "keep connections within IPVS's 128 bytes with index");

}  // namespace uvs::conn
