// decap_counters.h — what `uvs-rs decap` has seen: packets per tunnel type, deliveries, and
// drops per DecapReason.
//
// Purpose: counters are the decapsulator's log. Nothing is logged per packet; the summary
// (summary()) is printed when the decapsulator stops and whenever it gets SIGUSR1, one
// "name value" pair per line so scripts can grep it:
//     uvs-rs decap: counters
//       rx_ipip 3
//       ...
//       drop_gre_bad_checksum 1   GRE checksum present and wrong
// rx_*, delivered and dropped are always printed; drop_* lines only for reasons that occurred,
// and tun_tx_discarded / socket_errors only when not zero.
//
// Inputs: count_rx(), count_delivered(), count_drop() from the decap loop.
// Errors: none. Owned by: the decap thread (plain integers, no atomics: one thread).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "rs/decap_reason.h"

namespace uvs::rs {

// Which socket a packet came from.
enum class TunnelKind : std::uint8_t { kIpip, kGre, kGue };

class DecapCounters {
 public:
  void count_rx(TunnelKind kind) { ++rx_[static_cast<std::size_t>(kind)]; }
  void count_delivered() { ++delivered_; }
  void count_drop(DecapReason reason) { ++drops_[static_cast<std::size_t>(reason)]; }
  // Packets the kernel routed *into* the TUN device (it should route none there), which the
  // decapsulator reads and discards so they do not pile up in the device queue.
  void count_tun_tx_discarded() { ++tun_tx_discarded_; }
  // Errors a tunnel socket reported instead of a packet (e.g. ENOBUFS); the socket stays in use.
  void count_socket_error() { ++socket_errors_; }

  std::uint64_t rx(TunnelKind kind) const { return rx_[static_cast<std::size_t>(kind)]; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t drops(DecapReason reason) const { return drops_[static_cast<std::size_t>(reason)]; }
  std::uint64_t total_drops() const;
  std::uint64_t tun_tx_discarded() const { return tun_tx_discarded_; }
  std::uint64_t socket_errors() const { return socket_errors_; }

  // The multi-line summary described above, ending with a newline.
  std::string summary() const;

 private:
  std::array<std::uint64_t, 3> rx_{};
  std::uint64_t delivered_ = 0;
  std::array<std::uint64_t, kDecapReasonCount> drops_{};
  std::uint64_t tun_tx_discarded_ = 0;
  std::uint64_t socket_errors_ = 0;
};

}  // namespace uvs::rs
