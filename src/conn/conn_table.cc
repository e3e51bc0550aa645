// Connection table internals. The index stores a 32-bit hash beside each reference so probes
// rarely touch an entry that does not match, and so backward-shift deletion can find an
// occupant's home slot without reading the entry. Entry memory and the index come from mmap with
// MAP_NORESERVE: a million-entry table costs nothing until used, and the free list grows from a
// bump pointer instead of being threaded through every entry up front.
#include "conn/conn_table.h"

#include <cstdlib>
#include <new>
#include <sys/mman.h>

#include "base/compiler.h"
#include "lb/overload.h"
#include "net/hash.h"
#include "packet/headers.h"

namespace uvs::conn {

namespace {

template <typename T>
T* map_zeroed(std::size_t count) {
  void* p = ::mmap(nullptr,
                   count * sizeof(T),
                   PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1,
                   0);
  if (p == MAP_FAILED) {
    throw std::bad_alloc();
  }
  // Lookups land anywhere in these arrays: with 4 KiB pages nearly every one is also a TLB miss.
  // Transparent huge pages (where the kernel offers them) remove most of those.
  ::madvise(p, count * sizeof(T), MADV_HUGEPAGE);
  return static_cast<T*>(p);
}

std::uint64_t rotl(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

std::uint32_t fold(std::uint64_t h) {
  return static_cast<std::uint32_t>(h >> 32) ^ static_cast<std::uint32_t>(h);
}

}  // namespace

ConnTable::ConnTable(std::uint32_t capacity, lb::LbState& lb)
    : lb_(lb), capacity_(capacity), wheel_(kWheelSize, 0) {
  if (capacity_ == 0 || capacity_ >= kOutBit - 1) {
    capacity_ = capacity_ == 0 ? 1 : kOutBit - 2;
  }
  entries_ = map_zeroed<Connection>(capacity_);
  links_ = map_zeroed<WheelLink>(capacity_);
  // Two keys per connection at most (NAT), at most 3/4 full.
  const std::uint64_t slots = (static_cast<std::uint64_t>(capacity_) * 2 * 4) / 3 + 16;
  index_size_ = static_cast<std::uint32_t>(slots);
  index_ = map_zeroed<Slot>(index_size_);
}

ConnTable::~ConnTable() {
  ::munmap(entries_, static_cast<std::size_t>(capacity_) * sizeof(Connection));
  ::munmap(links_, static_cast<std::size_t>(capacity_) * sizeof(WheelLink));
  ::munmap(index_, static_cast<std::size_t>(index_size_) * sizeof(Slot));
}

std::size_t ConnTable::bytes_per_connection() const {
  const std::size_t total = static_cast<std::size_t>(capacity_) * sizeof(Connection) +
                            static_cast<std::size_t>(capacity_) * sizeof(WheelLink) +
                            static_cast<std::size_t>(index_size_) * sizeof(Slot) +
                            wheel_.size() * sizeof(std::uint32_t);
  return total / capacity_;
}

std::uint32_t ConnTable::hash_in(std::uint8_t proto,
                                 const net::IpAddr& caddr,
                                 std::uint16_t cport,
                                 const net::IpAddr& vaddr,
                                 std::uint16_t vport,
                                 bool tmpl) {
  const std::uint64_t ports = (static_cast<std::uint64_t>(cport) << 48) |
                              (static_cast<std::uint64_t>(vport) << 32) |
                              (static_cast<std::uint64_t>(proto) << 8) | (tmpl ? 1u : 0u);
  std::uint64_t h = net::mix64(caddr.lo64() ^ rotl(vaddr.lo64(), 23) ^ ports);
  if (UVS_UNLIKELY((caddr.hi64() | vaddr.hi64()) != 0)) {
    h = net::hash_combine(h, caddr.hi64() ^ rotl(vaddr.hi64(), 29));
  }
  return fold(h);
}

std::uint32_t ConnTable::hash_out(std::uint8_t proto,
                                  const net::IpAddr& daddr,
                                  std::uint16_t dport,
                                  const net::IpAddr& caddr,
                                  std::uint16_t cport) {
  // A different constant keeps the two key spaces apart in the shared index.
  const std::uint64_t ports = (static_cast<std::uint64_t>(dport) << 48) |
                              (static_cast<std::uint64_t>(cport) << 32) |
                              (static_cast<std::uint64_t>(proto) << 8) | 0x5a5a0000u;
  std::uint64_t h = net::mix64(daddr.lo64() ^ rotl(caddr.lo64(), 41) ^ ports);
  if (UVS_UNLIKELY((caddr.hi64() | daddr.hi64()) != 0)) {
    h = net::hash_combine(h, daddr.hi64() ^ rotl(caddr.hi64(), 13));
  }
  return fold(h);
}

void ConnTable::index_insert(std::uint32_t h, std::uint32_t ref) {
  std::uint32_t pos = home(h);
  while (index_[pos].ref != 0) {
    pos = pos + 1 == index_size_ ? 0 : pos + 1;
  }
  index_[pos] = Slot{h, ref};
}

void ConnTable::index_erase(std::uint32_t h, std::uint32_t ref) {
  std::uint32_t i = home(h);
  while (index_[i].ref != ref) {
    UVS_DCHECK(index_[i].ref != 0);
    i = i + 1 == index_size_ ? 0 : i + 1;
  }
  // Backward-shift deletion: pull later members of the cluster into the hole unless their
  // home lies cyclically in (hole, their position].
  std::uint32_t j = i;
  for (;;) {
    j = j + 1 == index_size_ ? 0 : j + 1;
    if (index_[j].ref == 0) {
      break;
    }
    const std::uint32_t k = home(index_[j].hash);
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) {
      continue;
    }
    index_[i] = index_[j];
    i = j;
  }
  index_[i] = Slot{0, 0};
}

Connection* ConnTable::find_in(std::uint8_t proto,
                               const net::IpAddr& caddr,
                               std::uint16_t cport,
                               const net::IpAddr& vaddr,
                               std::uint16_t vport,
                               base::Ticks now) {
  return find_in(
      hash_in(proto, caddr, cport, vaddr, vport, false), proto, caddr, cport, vaddr, vport, now);
}

Connection* ConnTable::find_in(std::uint32_t h,
                               std::uint8_t proto,
                               const net::IpAddr& caddr,
                               std::uint16_t cport,
                               const net::IpAddr& vaddr,
                               std::uint16_t vport,
                               base::Ticks now) {
  std::uint32_t pos = home(h);
  for (;;) {
    const Slot s = index_[pos];
    if (s.ref == 0) {
      return nullptr;
    }
    if (s.hash == h && (s.ref & kOutBit) == 0) {
      Connection& c = entries_[s.ref - 1];
      if (c.cport == cport && c.vport == vport && c.proto == proto && !c.is_template() &&
          c.caddr_is(caddr) && c.vaddr_is(vaddr)) {
        if (UVS_UNLIKELY(base::ticks_reached(now, c.expires)) && expire(c, now)) {
          return nullptr;
        }
        return &c;
      }
    }
    pos = pos + 1 == index_size_ ? 0 : pos + 1;
  }
}

Connection* ConnTable::find_out(std::uint8_t proto,
                                const net::IpAddr& saddr,
                                std::uint16_t sport,
                                const net::IpAddr& daddr,
                                std::uint16_t dport,
                                base::Ticks now) {
  return find_out(
      hash_out(proto, saddr, sport, daddr, dport), proto, saddr, sport, daddr, dport, now);
}

Connection* ConnTable::find_out(std::uint32_t h,
                                std::uint8_t proto,
                                const net::IpAddr& saddr,
                                std::uint16_t sport,
                                const net::IpAddr& daddr,
                                std::uint16_t dport,
                                base::Ticks now) {
  std::uint32_t pos = home(h);
  for (;;) {
    const Slot s = index_[pos];
    if (s.ref == 0) {
      return nullptr;
    }
    if (s.hash == h && (s.ref & kOutBit) != 0) {
      Connection& c = entries_[(s.ref & ~kOutBit) - 1];
      if (c.dport == sport && c.cport == dport && c.proto == proto && c.caddr_is(daddr) &&
          lb_.real(c.real).addr == saddr) {
        if (UVS_UNLIKELY(base::ticks_reached(now, c.expires)) && expire(c, now)) {
          return nullptr;
        }
        return &c;
      }
    }
    pos = pos + 1 == index_size_ ? 0 : pos + 1;
  }
}

Connection* ConnTable::find_template(std::uint8_t proto,
                                     const net::IpAddr& caddr,
                                     const net::IpAddr& vaddr,
                                     std::uint16_t vport,
                                     base::Ticks now) {
  const std::uint32_t h = hash_in(proto, caddr, 0, vaddr, vport, true);
  std::uint32_t pos = home(h);
  for (;;) {
    const Slot s = index_[pos];
    if (s.ref == 0) {
      return nullptr;
    }
    if (s.hash == h && (s.ref & kOutBit) == 0) {
      Connection& c = entries_[s.ref - 1];
      if (c.is_template() && c.cport == 0 && c.vport == vport && c.proto == proto &&
          c.caddr_is(caddr) && c.vaddr_is(vaddr)) {
        if (UVS_UNLIKELY(base::ticks_reached(now, c.expires)) && expire(c, now)) {
          return nullptr;
        }
        return &c;
      }
    }
    pos = pos + 1 == index_size_ ? 0 : pos + 1;
  }
}

void ConnTable::wheel_link(std::uint32_t idx, base::Ticks when) {
  if (!wheel_started_) {
    wheel_cursor_ = when;
    wheel_started_ = true;
  }
  // Never link behind the cursor: that slot would only come round again after a full turn.
  if (!base::ticks_reached(when, wheel_cursor_)) {
    when = wheel_cursor_;
  }
  const std::uint32_t slot = when & (kWheelSize - 1);
  const std::uint32_t head = wheel_[slot];
  entries_[idx].wheel_slot = static_cast<std::uint16_t>(slot);
  links_[idx].prev = 0;
  links_[idx].next = head;
  if (head != 0) {
    links_[head - 1].prev = idx + 1;
  }
  wheel_[slot] = idx + 1;
}

void ConnTable::wheel_unlink(std::uint32_t idx) {
  WheelLink& l = links_[idx];
  if (l.prev != 0) {
    links_[l.prev - 1].next = l.next;
  } else {
    wheel_[entries_[idx].wheel_slot] = l.next;
  }
  if (l.next != 0) {
    links_[l.next - 1].prev = l.prev;
  }
  l.next = l.prev = 0;
}

void ConnTable::bind_real(Connection& c) {
  lb::RealServer& rs = lb_.real(c.real);
  rs.refcnt.add(1);
  if (c.is_template()) {
    rs.persistconns.add(1);
    c.flags |= kCountedPersist;
  } else if (c.has(kInactive)) {
    rs.inactconns.add(1);
  } else {
    rs.activeconns.add(1);
  }
  lb::overload_on_bind(rs);
}

void ConnTable::unbind_real(Connection& c) {
  lb::RealServer& rs = lb_.real(c.real);
  if (c.is_template()) {
    if (c.has(kCountedPersist)) {
      rs.persistconns.sub(1);
    }
  } else if (c.has(kInactive)) {
    rs.inactconns.sub(1);
  } else {
    rs.activeconns.sub(1);
  }
  rs.refcnt.sub(1);
  lb::overload_on_unbind(rs);
}

Connection* ConnTable::create(const NewConn& nc, base::Ticks now) {
  if (UVS_UNLIKELY(live_ >= capacity_)) {
    return nullptr;
  }
  std::uint32_t idx;
  if (free_head_ != 0) {
    idx = free_head_ - 1;
    free_head_ = links_[idx].next;
  } else {
    idx = bump_++;
  }
  Connection& c = entries_[idx];
  c = Connection{};
  c.proto = nc.proto;
  c.set_caddr(nc.caddr);
  c.set_vaddr(nc.vaddr);
  c.cport = nc.cport;
  c.vport = nc.vport;
  c.dport = nc.dport;
  c.real = nc.real;
  c.flags = static_cast<std::uint16_t>(static_cast<std::uint16_t>(nc.fwd) | kLive);
  if (nc.caddr.is_v6()) {
    c.flags |= kV6;
  }
  if (nc.is_template) {
    c.flags |= kTemplate;
  } else {
    // New connections start inactive; the first transition fixes that (ip_vs_conn_new).
    c.flags |= kInactive;
    if (nc.fwd != lb::ForwardMethod::kMasq) {
      c.flags |= kNoOutput;
    }
  }
  if (nc.one_packet) {
    c.flags |= kOnePacket;
  }
  c.timeout = nc.timeout;
  c.expires = now + nc.timeout;

  index_insert(hash_in(c.proto, nc.caddr, c.cport, nc.vaddr, c.vport, nc.is_template), idx + 1);
  if (!nc.is_template && nc.fwd == lb::ForwardMethod::kMasq) {
    index_insert(hash_out(c.proto, lb_.real(nc.real).addr, c.dport, nc.caddr, c.cport),
                 (idx + 1) | kOutBit);
    c.flags |= kHashedOut;
  }
  wheel_link(idx, c.expires);
  bind_real(c);
  if (nc.control != kNoConn) {
    c.control = nc.control;
    entries_[nc.control].n_controlled += 1;
  }
  ++live_;
  if (nc.is_template) {
    ++templates_;
  }
  return &c;
}

void ConnTable::rearm(Connection& c, base::Ticks now, base::Ticks timeout) {
  const base::Ticks when = now + timeout;
  c.timeout = timeout;
  if (!base::ticks_reached(when, c.expires)) {
    // Deadline moved earlier: the entry may sit in a later slot, re-slot it.
    c.expires = when;
    const std::uint32_t idx = index_of(c);
    wheel_unlink(idx);
    wheel_link(idx, when);
    return;
  }
  c.expires = when;
}

bool ConnTable::tcp_transition(Connection& c, Direction dir, std::uint8_t tcp_flags) {
  bool input_only = false;
  if (c.has(kNoOutput)) {
    if (dir == Direction::kOutbound) {
      c.flags &= static_cast<std::uint16_t>(~kNoOutput);
    } else {
      input_only = true;
    }
  }
  const auto old_state = static_cast<TcpState>(c.state);
  const TcpState next = tcp_next_state(old_state, dir, input_only, tcp_flags);
  if (next == old_state) {
    return false;
  }
  lb::RealServer& rs = lb_.real(c.real);
  const bool active = tcp_state_active(next);
  if (!c.has(kInactive) && !active) {
    rs.activeconns.sub(1);
    rs.inactconns.add(1);
    c.flags |= kInactive;
  } else if (c.has(kInactive) && active) {
    rs.activeconns.add(1);
    rs.inactconns.sub(1);
    c.flags &= static_cast<std::uint16_t>(~kInactive);
  }
  c.state = static_cast<std::uint8_t>(next);
  return next == TcpState::kEstablished;
}

void ConnTable::packet_update(Connection& c,
                              Direction dir,
                              std::uint8_t tcp_flags,
                              const lb::TimeoutSpec& timeouts,
                              base::Ticks now) {
  bool assure = false;
  std::uint32_t seconds;
  if (c.proto == packet::kProtoTcp) {
    assure = tcp_transition(c, dir, tcp_flags);
    seconds = tcp_timeout_seconds(static_cast<TcpState>(c.state), timeouts);
  } else {
    // UDP (and anything else uvs schedules): one state, refreshed by every packet.
    if (dir == Direction::kOutbound) {
      c.flags &= static_cast<std::uint16_t>(~kNoOutput);
      assure = true;
    }
    seconds = timeouts.udp;
  }
  if (assure && c.control != kNoConn) {
    entries_[c.control].state = kTemplateAssured;
  }
  rearm(c, now, base::seconds_to_ticks(seconds));
}

void ConnTable::unhash(Connection& c) {
  const std::uint32_t idx = index_of(c);
  index_erase(hash_in(c.proto, c.caddr(), c.cport, c.vaddr(), c.vport, c.is_template()), idx + 1);
  if (c.has(kHashedOut)) {
    index_erase(hash_out(c.proto, lb_.real(c.real).addr, c.dport, c.caddr(), c.cport),
                (idx + 1) | kOutBit);
  }
}

void ConnTable::release(Connection& c) {
  const std::uint32_t idx = index_of(c);
  c.flags = 0;
  links_[idx].next = free_head_;
  free_head_ = idx + 1;
  --live_;
}

bool ConnTable::expire(Connection& c, base::Ticks now) {
  const std::uint32_t idx = index_of(c);
  if (c.n_controlled != 0) {
    // ip_vs_conn_expire(): a template that still controls connections lives 60 s longer,
    // and 60 s becomes its timeout.
    const base::Ticks t = base::seconds_to_ticks(kTemplateRearmSeconds);
    c.timeout = t;
    c.expires = now + t;
    wheel_unlink(idx);
    wheel_link(idx, c.expires);
    return false;
  }
  unhash(c);
  wheel_unlink(idx);
  if (c.control != kNoConn) {
    Connection& t = entries_[c.control];
    UVS_DCHECK(t.n_controlled > 0);
    t.n_controlled -= 1;
    c.control = kNoConn;
  }
  unbind_real(c);
  if (c.is_template()) {
    --templates_;
  }
  release(c);
  return true;
}

void ConnTable::expire_now(Connection& c, base::Ticks now) {
  expire(c, now);
}

void ConnTable::disable_template(Connection& t) {
  // IPVS sets the template's ports to 65535 so it never matches again; the entry must be
  // re-indexed under its new key to stay findable for removal.
  const std::uint32_t idx = index_of(t);
  index_erase(hash_in(t.proto, t.caddr(), t.cport, t.vaddr(), t.vport, true), idx + 1);
  t.vport = 0xffff;
  t.dport = 0xffff;
  index_insert(hash_in(t.proto, t.caddr(), t.cport, t.vaddr(), t.vport, true), idx + 1);
}

void ConnTable::start_dead_flush() {
  if (flush_active_) {
    flush_again_ = true;
    return;
  }
  flush_active_ = true;
  flush_cursor_ = 0;
}

std::uint32_t ConnTable::flush_dead(std::uint32_t budget) {
  if (!flush_active_) {
    return 0;
  }
  std::uint32_t removed = 0;
  const std::uint64_t end = static_cast<std::uint64_t>(flush_cursor_) + budget;
  while (flush_cursor_ < bump_ && flush_cursor_ < end) {
    Connection& c = entries_[flush_cursor_++];
    if (!c.has(kLive) || c.n_controlled != 0 || lb_.real(c.real).available) {
      continue;
    }
    // ip_vs_conn_del() of the entry, then of its controller if that now controls nothing.
    const std::uint32_t ctl = c.control;
    expire(c, 0);
    ++removed;
    if (ctl != kNoConn && entries_[ctl].n_controlled == 0) {
      expire(entries_[ctl], 0);
      ++removed;
    }
  }
  if (flush_cursor_ >= bump_) {
    flush_cursor_ = 0;
    flush_active_ = flush_again_;
    flush_again_ = false;
  }
  return removed;
}

std::uint32_t ConnTable::run_timers(base::Ticks now, std::uint32_t budget) {
  if (flush_active_) {
    flush_dead(budget);
  }
  if (!wheel_started_) {
    return 0;
  }
  std::uint32_t visited = 0;
  std::uint32_t slots_walked = 0;
  while (base::ticks_reached(now, wheel_cursor_) && slots_walked < kWheelSize) {
    const std::uint32_t slot = wheel_cursor_ & (kWheelSize - 1);
    std::uint32_t ref = wheel_[slot];
    while (ref != 0) {
      if (visited >= budget) {
        return visited;  // resume this slot on the next call
      }
      const std::uint32_t idx = ref - 1;
      Connection& c = entries_[idx];
      ref = links_[idx].next;
      ++visited;
      if (base::ticks_reached(now, c.expires)) {
        expire(c, now);
      } else if ((c.expires & (kWheelSize - 1)) != slot) {
        wheel_unlink(idx);
        wheel_link(idx, c.expires);
      }
      // else: due a whole wheel turn later; stays in this slot.
    }
    ++wheel_cursor_;
    ++slots_walked;
  }
  return visited;
}

}  // namespace uvs::conn
