// The index is open addressing with linear probing over a power-of-two bucket array twice the
// entry capacity, with backward-shift deletion (no tombstones), so lookups stay short however
// long uvsd runs. Each entry owns a fixed slice of the pending-frame array, used as a ring.
#include "arp/neighbor_table.h"

#include <algorithm>
#include <limits>

#include "base/compiler.h"
#include "net/hash.h"

namespace uvs::arp {

namespace {
std::uint32_t round_pow2(std::uint32_t v) {
  std::uint32_t p = 16;
  while (p < v) {
    p <<= 1;
  }
  return p;
}
}  // namespace

NeighborTable::NeighborTable(const NeighborConfig& cfg)
    : cfg_(cfg),
      entries_(cfg.capacity),
      buckets_(round_pow2(cfg.capacity * 2), 0),
      pending_(static_cast<std::size_t>(cfg.capacity) * cfg.max_pending) {}

std::uint32_t NeighborTable::bucket(std::uint16_t port, const net::IpAddr& ip) const {
  const std::uint64_t h = net::hash_combine(net::mix64(ip.lo64() ^ port), ip.hi64());
  return static_cast<std::uint32_t>(h) & static_cast<std::uint32_t>(buckets_.size() - 1);
}

NeighborTable::Entry* NeighborTable::find(std::uint16_t port, const net::IpAddr& ip) {
  const std::uint32_t mask = static_cast<std::uint32_t>(buckets_.size() - 1);
  for (std::uint32_t b = bucket(port, ip);; b = (b + 1) & mask) {
    const std::uint32_t ref = buckets_[b];
    if (ref == 0) {
      return nullptr;
    }
    Entry& e = entries_[ref - 1];
    if (e.port == port && e.ip == ip) {
      return &e;
    }
  }
}

const NeighborTable::Entry* NeighborTable::find(std::uint16_t port, const net::IpAddr& ip) const {
  return const_cast<NeighborTable*>(this)->find(port, ip);
}

NeighborTable::State NeighborTable::state_of(std::uint16_t port, const net::IpAddr& ip) const {
  const Entry* e = find(port, ip);
  return e == nullptr ? State::kFree : e->state;
}

NeighborTable::Entry* NeighborTable::allocate(std::uint16_t port, const net::IpAddr& ip) {
  Entry* slot = nullptr;
  if (in_use_ < entries_.size()) {
    for (Entry& e : entries_) {
      if (e.state == State::kFree) {
        slot = &e;
        break;
      }
    }
  } else {
    // Full: reuse the least recently confirmed resolved entry; never an incomplete one, whose
    // queue holds frames.
    for (Entry& e : entries_) {
      if (e.state != State::kIncomplete && (slot == nullptr || e.confirmed < slot->confirmed)) {
        slot = &e;
      }
    }
    if (slot == nullptr) {
      return nullptr;
    }
    release(*slot, nullptr);
  }
  slot->ip = ip;
  slot->port = port;
  slot->mac = net::MacAddr();
  slot->requests_sent = 0;
  slot->pending_head = slot->pending_count = 0;
  const auto idx = static_cast<std::uint32_t>(slot - entries_.data());
  const std::uint32_t mask = static_cast<std::uint32_t>(buckets_.size() - 1);
  std::uint32_t b = bucket(port, ip);
  while (buckets_[b] != 0) {
    b = (b + 1) & mask;
  }
  buckets_[b] = idx + 1;
  ++in_use_;
  return slot;
}

void NeighborTable::release(Entry& e, std::vector<io::Frame>* frames_out) {
  const auto idx = static_cast<std::uint32_t>(&e - entries_.data());
  const std::uint32_t mask = static_cast<std::uint32_t>(buckets_.size() - 1);
  std::uint32_t i = bucket(e.port, e.ip);
  while (buckets_[i] != idx + 1) {
    i = (i + 1) & mask;
  }
  std::uint32_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (buckets_[j] == 0) {
      break;
    }
    const Entry& o = entries_[buckets_[j] - 1];
    const std::uint32_t k = bucket(o.port, o.ip);
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      buckets_[i] = buckets_[j];
      i = j;
    }
  }
  buckets_[i] = 0;
  if (frames_out != nullptr) {
    const std::uint32_t base = idx * cfg_.max_pending;
    for (std::uint32_t n = 0; n < e.pending_count; ++n) {
      frames_out->push_back(pending_[base + (e.pending_head + n) % cfg_.max_pending]);
    }
  }
  e.pending_count = 0;
  e.state = State::kFree;
  ++e.generation;
  --in_use_;
}

const net::MacAddr* NeighborTable::lookup(
    std::uint16_t port, const net::IpAddr& ip, base::Nanos now, bool* probe_due, Ref* ref) {
  if (ref != nullptr && ref->index < entries_.size()) {
    Entry& e = entries_[ref->index];
    if (e.generation == ref->generation && e.state != State::kFree &&
        e.state != State::kIncomplete && e.port == port && e.ip == ip) {
      return resolved(e, now, probe_due);
    }
  }
  Entry* e = find(port, ip);
  if (e == nullptr || e->state == State::kIncomplete) {
    return nullptr;
  }
  if (ref != nullptr) {
    ref->index = static_cast<std::uint32_t>(e - entries_.data());
    ref->generation = e->generation;
  }
  return resolved(*e, now, probe_due);
}

const net::MacAddr* NeighborTable::resolved(Entry& entry, base::Nanos now, bool* probe_due) {
  Entry* e = &entry;
  if (e->state == State::kReachable && now - e->confirmed >= cfg_.reachable_time) {
    e->state = State::kStale;
    e->requests_sent = 0;
    e->next_action = now;
  }
  if (probe_due != nullptr) {
    *probe_due = e->state == State::kStale && e->requests_sent == 0;
    if (*probe_due) {
      e->requests_sent = 1;
      e->next_action = now + cfg_.retry_interval;
      next_due_ = std::min(next_due_, e->next_action);
    }
  }
  return &e->mac;
}

NeighborTable::ParkResult NeighborTable::park(std::uint16_t port,
                                              const net::IpAddr& ip,
                                              const io::Frame& frame,
                                              base::Nanos now) {
  Entry* e = find(port, ip);
  ParkResult result = ParkResult::kParked;
  if (e == nullptr) {
    e = allocate(port, ip);
    if (e == nullptr) {
      return ParkResult::kQueueFull;
    }
    e->state = State::kIncomplete;
    e->requests_sent = 1;
    e->next_action = now + cfg_.retry_interval;
    next_due_ = std::min(next_due_, e->next_action);
    result = ParkResult::kParkedSendRequest;
  }
  UVS_DCHECK(e->state == State::kIncomplete);
  if (e->pending_count >= cfg_.max_pending) {
    return ParkResult::kQueueFull;
  }
  const auto idx = static_cast<std::uint32_t>(e - entries_.data());
  const std::uint32_t pos = (e->pending_head + e->pending_count) % cfg_.max_pending;
  pending_[idx * cfg_.max_pending + pos] = frame;
  ++e->pending_count;
  return result;
}

void NeighborTable::learn(std::uint16_t port,
                          const net::IpAddr& ip,
                          const net::MacAddr& mac,
                          base::Nanos now,
                          std::vector<io::Frame>& ready) {
  Entry* e = find(port, ip);
  if (e == nullptr) {
    e = allocate(port, ip);
    if (e == nullptr) {
      return;
    }
  }
  const bool was_incomplete = e->state == State::kIncomplete;
  e->mac = mac;
  e->state = State::kReachable;
  e->confirmed = now;
  next_due_ = std::min(next_due_, now + cfg_.reachable_time);
  e->requests_sent = 0;
  if (was_incomplete) {
    const auto idx = static_cast<std::uint32_t>(e - entries_.data());
    const std::uint32_t base = idx * cfg_.max_pending;
    for (std::uint32_t n = 0; n < e->pending_count; ++n) {
      ready.push_back(pending_[base + (e->pending_head + n) % cfg_.max_pending]);
    }
    e->pending_count = 0;
    e->pending_head = 0;
  }
}

void NeighborTable::tick(base::Nanos now,
                         std::vector<Request>& requests,
                         std::vector<io::Frame>& expired) {
  // Nothing is due before next_due_: most ticks cost one comparison, not a scan of the table.
  if (now < next_due_) {
    return;
  }
  base::Nanos next = std::numeric_limits<base::Nanos>::max();
  for (Entry& e : entries_) {
    if (e.state == State::kReachable) {
      if (now - e.confirmed >= cfg_.reachable_time) {
        e.state = State::kStale;
        e.requests_sent = 0;
      } else {
        next = std::min(next, e.confirmed + cfg_.reachable_time);
        continue;
      }
    }
    if ((e.state != State::kIncomplete && e.state != State::kStale) || e.requests_sent == 0) {
      continue;
    }
    if (now < e.next_action) {
      next = std::min(next, e.next_action);
      continue;
    }
    if (e.requests_sent >= cfg_.max_requests) {
      release(e, e.state == State::kIncomplete ? &expired : nullptr);
      continue;
    }
    ++e.requests_sent;
    e.next_action = now + cfg_.retry_interval;
    next = std::min(next, e.next_action);
    requests.push_back(Request{e.port, e.ip, e.state == State::kStale ? e.mac : net::MacAddr()});
  }
  next_due_ = next;
}

void NeighborTable::drain(std::vector<io::Frame>& out) {
  for (Entry& e : entries_) {
    if (e.state != State::kFree) {
      release(e, &out);
    }
  }
}

}  // namespace uvs::arp
