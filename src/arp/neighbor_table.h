// neighbor_table.h — uvsd's own IPv4 neighbour (ARP) cache, with bounded queues of waiting frames.
//
// uvsd resolves its next hops itself (real servers, clients, gateways) by sending ARP requests
// from the interface's kernel address. Entries are keyed by (port, address) and move through
//   incomplete --reply--> reachable --60 s--> stale --probe answered--> reachable
//        |                                      `--3 probes unanswered--> removed
//        `--3 requests, 1 s apart, unanswered--> removed, waiting frames dropped (arp_timeout)
// A stale entry is still used (like the kernel's STALE) while a unicast probe refreshes it.
// Frames that need an incomplete entry are parked in the entry's queue (at most
// `max_pending` each; more → arp_queue_full), copied out of the RX ring by the caller.
// Any ARP packet seen from an address refreshes or creates its entry (RFC 826 merge rule for
// requests aimed at us; replies always).
//
// Fixed capacity, preallocated: when every entry is in use, the oldest non-incomplete entry is
// reused; lookups never allocate.
// Owned by: the worker thread.
#pragma once

#include <cstdint>
#include <vector>

#include "base/time.h"
#include "io/frame.h"
#include "net/ip_addr.h"
#include "net/mac_addr.h"

namespace uvs::arp {

struct NeighborConfig {
  std::uint32_t capacity = 4096;
  std::uint32_t max_pending = 32;  // frames per unresolved neighbour
  base::Nanos retry_interval = base::kNanosPerSecond;
  std::uint32_t max_requests = 3;
  base::Nanos reachable_time = 60 * base::kNanosPerSecond;
};

class NeighborTable {
 public:
  explicit NeighborTable(const NeighborConfig& cfg = {});

  enum class State : std::uint8_t { kFree, kIncomplete, kReachable, kStale };

  // A remembered entry (index and generation), so a caller that resolves the same next hop for
  // every packet (a real server) skips the hash lookup while the entry stays the same.
  struct Ref {
    std::uint32_t index = 0xffffffffu;
    std::uint32_t generation = 0;
  };

  // The MAC for (port, ip) if known (reachable or stale), else nullptr. A stale entry whose
  // probe is due is reported through `probe_due` (the caller sends a unicast request). With
  // `ref`, a still-valid remembered entry is used directly, and a found one is remembered.
  const net::MacAddr* lookup(std::uint16_t port,
                             const net::IpAddr& ip,
                             base::Nanos now,
                             bool* probe_due = nullptr,
                             Ref* ref = nullptr);

  // Park a frame (already in a pool buffer) until (port, ip) resolves. Returns:
  //   kParkedSendRequest — first frame for a new entry: send an ARP request now;
  //   kParked            — queued behind an outstanding request;
  //   kQueueFull         — queue full or no entry available: caller drops (arp_queue_full).
  enum class ParkResult : std::uint8_t { kParkedSendRequest, kParked, kQueueFull };
  ParkResult park(std::uint16_t port,
                  const net::IpAddr& ip,
                  const io::Frame& frame,
                  base::Nanos now);

  // An ARP packet told us ip is at mac on port. Frames waiting for it are appended to `ready`
  // (their Ethernet destination still to be written by the caller).
  void learn(std::uint16_t port,
             const net::IpAddr& ip,
             const net::MacAddr& mac,
             base::Nanos now,
             std::vector<io::Frame>& ready);

  // Periodic work. Appends (port, ip) pairs needing a request to `requests` and frames dropped
  // because their neighbour never answered to `expired`.
  struct Request {
    std::uint16_t port;
    net::IpAddr ip;
    net::MacAddr unicast;  // zero: broadcast request; else a unicast probe to this MAC
  };
  void tick(base::Nanos now, std::vector<Request>& requests, std::vector<io::Frame>& expired);

  // Frames currently parked (for drain at shutdown), and counts for listings/tests.
  void drain(std::vector<io::Frame>& out);
  std::uint32_t entries_in_use() const { return in_use_; }
  State state_of(std::uint16_t port, const net::IpAddr& ip) const;

 private:
  struct Entry {
    net::IpAddr ip;
    net::MacAddr mac;
    std::uint16_t port = 0;
    State state = State::kFree;
    std::uint8_t requests_sent = 0;
    base::Nanos confirmed = 0;                          // last time the mapping was confirmed
    base::Nanos next_action = 0;                        // next request/probe time
    std::uint32_t pending_head = 0, pending_count = 0;  // ring in pending_
    std::uint32_t generation = 0;                       // changes whenever the slot is reused
  };
  const net::MacAddr* resolved(Entry& e, base::Nanos now, bool* probe_due);
  Entry* find(std::uint16_t port, const net::IpAddr& ip);
  const Entry* find(std::uint16_t port, const net::IpAddr& ip) const;
  Entry* allocate(std::uint16_t port, const net::IpAddr& ip);
  void release(Entry& e, std::vector<io::Frame>* frames_out);
  std::uint32_t bucket(std::uint16_t port, const net::IpAddr& ip) const;

  NeighborConfig cfg_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> buckets_;  // open addressing: entry index + 1, 0 empty
  std::vector<io::Frame> pending_;      // capacity * max_pending descriptors
  std::uint32_t in_use_ = 0;
  base::Nanos next_due_ = 0;  // earliest time tick() has anything to do
};

}  // namespace uvs::arp
