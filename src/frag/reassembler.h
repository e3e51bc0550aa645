// reassembler.h — IPv4 fragment reassembly before scheduling (reference §5.1: IPVS only sees
// reassembled packets, because LOCAL_IN comes after defragmentation).
//
// Fragments are copied into one large pool buffer per datagram (keyed by source, destination,
// protocol and IP ID), at their offset; a bitmap of 8-byte blocks records what arrived. When the
// last fragment has been seen and every block is present, the datagram is returned as one frame
// (Ethernet and IPv4 header of the first fragment, total length and checksum recomputed, no
// fragment flags). A fragment wholly inside data already received, with the same end, is a
// duplicate: dropped alone (fragment_duplicate), the datagram goes on (RFC 5722 erratum 3089, as
// Linux does). A fragment other than the last whose length is not a multiple of 8 is trimmed to
// whole 8-byte blocks, as Linux's ip_frag_queue() does. Dropped, with the whole datagram, and
// counted:
//   - a fragment that otherwise overlaps what already arrived (RFC 5722's rule, which Linux
//     applies to IPv4 since FragmentSmack), conflicting ends, an empty fragment (also one that
//     trimming leaves empty), or a datagram whose first header and payload exceed 65535 bytes —
//     fragment_bad;
//   - datagrams not complete within `timeout` (30 s, Linux's ipfrag_time) — fragment_bad; the
//     caller may answer with ICMP time exceeded (fragment reassembly) when the first fragment
//     had arrived;
//   - new datagrams while `max_datagrams` are in progress (fragment_bad), or when the pool has
//     no large buffer left (frame_pool_empty).
// Owned by: the worker thread. No allocation after construction (buffers come from the pool).
#pragma once

#include <bitset>
#include <cstdint>
#include <vector>

#include "base/drop_reason.h"
#include "base/time.h"
#include "io/frame.h"
#include "io/frame_pool.h"
#include "packet/parsed_packet.h"

namespace uvs::frag {

struct ReassemblerConfig {
  std::uint32_t max_datagrams = 64;
  base::Nanos timeout = 30 * base::kNanosPerSecond;
};

class Reassembler {
 public:
  Reassembler(io::FramePool& pool, const ReassemblerConfig& cfg = {});
  ~Reassembler();

  enum class Outcome : std::uint8_t { kStored, kComplete, kDropped };
  struct Result {
    Outcome outcome = Outcome::kStored;
    base::DropReason reason = base::DropReason::kNone;
    io::Frame frame;  // kComplete: the reassembled datagram (a pool frame owned by the caller)
  };

  // Add one fragment (p.is_fragment()). The frame itself is only read.
  Result add(const io::Frame& f, const packet::ParsedPacket& p, base::Nanos now);

  // Datagrams whose time ran out, one entry each. `first` receives a copy of the first fragment's
  // headers and first 8 payload bytes (for an ICMP time-exceeded) when it had arrived.
  struct Expired {
    io::Frame first;  // pool frame (caller frees), or buf == kRingBuffer with len 0 if none
  };
  void expire(base::Nanos now, std::vector<Expired>& out);

  std::uint32_t in_progress() const;

 private:
  struct Datagram {
    bool used = false;
    net::IpAddr src, dst;
    std::uint16_t id = 0;
    std::uint8_t proto = 0;
    io::Frame buf;               // pool buffer: [link header | IPv4 header | payload...]
    std::uint32_t l3_off = 0;    // where the IPv4 header sits in buf (set by the first fragment)
    std::uint32_t hlen = 0;      // header length of the first fragment (0 until it arrives)
    std::uint32_t end = 0;       // payload length once the last fragment arrived (0 = unknown)
    std::uint32_t max_seen = 0;  // highest payload byte covered so far
    base::Nanos started = 0;
    std::bitset<8192> blocks;  // 8-byte payload blocks received
  };
  static constexpr std::uint32_t kPayloadOffset = 14 + 4 + 60;  // room for link + max IP header

  void release(Datagram& d);

  io::FramePool& pool_;
  ReassemblerConfig cfg_;
  std::vector<Datagram> slots_;
};

}  // namespace uvs::frag
