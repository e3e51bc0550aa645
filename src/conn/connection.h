// connection.h — one connection entry (IPVS's ip_vs_conn), 64 bytes.
//
// Holds both tuples (client/virtual on the inbound side, real server slot and port for the
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

// One cache line: a packet of an established connection touches its index slot and this line,
// nothing else of the table. The real server's address is not stored (it is the real-server
// slot's, which outlives the connection), and the timer-wheel links live in a separate array
// because only the reaper and deadline changes need them.
struct alignas(64) Connection {
  std::uint64_t caddr_lo = 0, caddr_hi = 0;  // client (template: masked client address)
  std::uint64_t vaddr_lo = 0, vaddr_hi = 0;  // virtual address (fwmark template: 0.0.0.<mark>)
  std::uint16_t cport = 0;
  std::uint16_t vport = 0;
  std::uint16_t dport = 0;
  std::uint8_t proto = 0;  // 6, 17; 0 for fwmark templates ("IP")
  std::uint8_t state = 0;  // TcpState, kUdpNormal or kTemplate{None,Assured}
  std::uint16_t flags = 0;
  std::uint16_t wheel_slot = 0;      // timer wheel slot this entry is linked in
  std::uint32_t real = 0xffffffffu;  // lb::LbState real-server slot (its addr is the daddr)
  std::uint32_t control = kNoConn;   // controlling template, if any
  std::uint32_t n_controlled = 0;    // templates: connections they control
  base::Ticks expires = 0;           // deadline (ticks)
  base::Ticks timeout = 0;           // current timeout (ticks): templates keep theirs

  lb::ForwardMethod fwd() const { return static_cast<lb::ForwardMethod>(flags & kFwdMask); }
  bool is_template() const { return (flags & kTemplate) != 0; }
  bool has(std::uint16_t f) const { return (flags & f) != 0; }
  net::Family family() const { return has(kV6) ? net::Family::kV6 : net::Family::kV4; }

  net::IpAddr caddr() const { return net::IpAddr::from_halves(caddr_lo, caddr_hi, family()); }
  net::IpAddr vaddr() const { return net::IpAddr::from_halves(vaddr_lo, vaddr_hi, family()); }
  void set_caddr(const net::IpAddr& a) {
    caddr_lo = a.lo64();
    caddr_hi = a.hi64();
  }
  void set_vaddr(const net::IpAddr& a) {
    vaddr_lo = a.lo64();
    vaddr_hi = a.hi64();
  }
  bool caddr_is(const net::IpAddr& a) const {
    return caddr_lo == a.lo64() && caddr_hi == a.hi64() && a.is_v6() == has(kV6);
  }
  bool vaddr_is(const net::IpAddr& a) const {
    return vaddr_lo == a.lo64() && vaddr_hi == a.hi64() && a.is_v6() == has(kV6);
  }
};

static_assert(sizeof(Connection) == 64, "one cache line per connection");

}  // namespace uvs::conn
