// The payload is assembled at a fixed offset in the buffer (room for the largest link and IP
// header in front), so fragments can arrive in any order; the first fragment's headers are copied
// just in front of the payload when it arrives, and the frame is trimmed to start there at the end.
#include "frag/reassembler.h"

#include <cstring>

#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"

namespace uvs::frag {

using base::DropReason;
using namespace packet;

Reassembler::Reassembler(io::FramePool& pool, const ReassemblerConfig& cfg)
    : pool_(pool), cfg_(cfg), slots_(cfg.max_datagrams) {}

Reassembler::~Reassembler() {
  for (Datagram& d : slots_) {
    if (d.used) {
      release(d);
    }
  }
}

std::uint32_t Reassembler::in_progress() const {
  std::uint32_t n = 0;
  for (const Datagram& d : slots_) {
    n += d.used ? 1 : 0;
  }
  return n;
}

void Reassembler::release(Datagram& d) {
  pool_.free(d.buf);
  d = Datagram{};
}

Reassembler::Result Reassembler::add(const io::Frame& f, const ParsedPacket& p, base::Nanos now) {
  Result r;
  const std::uint8_t* ip = f.data + p.l3_off;
  const std::uint16_t id = net::load_be16(ip + kIpId);
  const std::uint32_t offset = (p.frag_field & kIpOffsetMask) * 8u;
  const bool more = (p.frag_field & kIpFlagMf) != 0;
  std::uint32_t len = p.ip_total_len - p.ip_hlen;
  if (more) {
    // A fragment other than the last carries whole 8-byte blocks; the extra bytes of a ragged
    // one are ignored, as ip_frag_queue() trims them (and, like it, an empty result drops the
    // set below).
    len &= ~7u;
  }
  const std::uint8_t* payload = ip + p.ip_hlen;

  Datagram* d = nullptr;
  Datagram* free_slot = nullptr;
  for (Datagram& s : slots_) {
    if (s.used && s.id == id && s.proto == p.tuple.proto && s.src == p.tuple.saddr &&
        s.dst == p.tuple.daddr) {
      d = &s;
      break;
    }
    if (!s.used && free_slot == nullptr) {
      free_slot = &s;
    }
  }
  auto drop = [&](DropReason why) {
    if (d != nullptr) {
      release(*d);
    }
    r.outcome = Outcome::kDropped;
    r.reason = why;
    return r;
  };
  if (offset + len > 65535 - kIpv4MinLen || len == 0) {
    return drop(DropReason::kFragmentBad);
  }
  if (d == nullptr) {
    if (free_slot == nullptr) {
      r.outcome = Outcome::kDropped;
      r.reason = DropReason::kFragmentBad;
      return r;
    }
    auto buf = pool_.alloc(kPayloadOffset + 65535);
    if (!buf) {
      r.outcome = Outcome::kDropped;
      r.reason = DropReason::kFramePoolEmpty;
      return r;
    }
    d = free_slot;
    *d = Datagram{};
    d->used = true;
    d->src = p.tuple.saddr;
    d->dst = p.tuple.daddr;
    d->id = id;
    d->proto = p.tuple.proto;
    d->buf = *buf;
    d->started = now;
  }
  // Data already received: a duplicate (wholly inside it, same end) is dropped alone, as Linux's
  // inet_frag_queue_insert() does (IPFRAG_DUP); any other overlap drops the set.
  const std::uint32_t first_block = offset / 8;
  const std::uint32_t last_block = (offset + len + 7) / 8;  // exclusive
  std::uint32_t present = 0;
  for (std::uint32_t b = first_block; b < last_block; ++b) {
    present += d->blocks.test(b) ? 1 : 0;
  }
  if (present != 0) {
    const bool same_end = more ? d->end == 0 || offset + len <= d->end : d->end == offset + len;
    if (present != last_block - first_block || !same_end) {
      return drop(DropReason::kFragmentBad);
    }
    r.outcome = Outcome::kDropped;
    r.reason = DropReason::kFragmentDuplicate;
    return r;
  }
  if (!more) {
    if (d->end != 0 || offset + len < d->max_seen) {
      return drop(DropReason::kFragmentBad);
    }
    d->end = offset + len;
  } else if (d->end != 0 && offset + len > d->end) {
    return drop(DropReason::kFragmentBad);
  }
  for (std::uint32_t b = first_block; b < last_block; ++b) {
    d->blocks.set(b);
  }
  if (offset + len > d->max_seen) {
    d->max_seen = offset + len;
  }
  std::memcpy(d->buf.data + kPayloadOffset + offset, payload, len);
  if (offset == 0) {
    d->l3_off = p.l3_off;
    d->hlen = p.ip_hlen;
    std::memcpy(d->buf.data + kPayloadOffset - p.ip_hlen - p.l3_off, f.data, p.l3_off + p.ip_hlen);
  }
  if (d->end == 0 || d->hlen == 0) {
    return r;  // stored, waiting for more
  }
  for (std::uint32_t b = 0; b < (d->end + 7) / 8; ++b) {
    if (!d->blocks.test(b)) {
      return r;
    }
  }
  // Linux's ip_frag_reasm(): the first fragment's header and the payload must fit 65535 bytes.
  if (d->hlen + d->end > 65535) {
    return drop(DropReason::kFragmentBad);
  }
  // Complete: present it as one frame starting at the first fragment's link header.
  io::Frame out = d->buf;
  const std::uint32_t start = kPayloadOffset - d->hlen - d->l3_off;
  out.data = d->buf.data + start;
  out.headroom = d->buf.headroom + start;
  out.len = d->l3_off + d->hlen + d->end;
  out.tailroom = 0;
  out.port = f.port;
  out.ts = f.ts;
  out.off = io::Offload{};
  std::uint8_t* oip = out.data + d->l3_off;
  net::store_be16(oip + kIpTotLen, static_cast<std::uint16_t>(d->hlen + d->end));
  net::store_be16(oip + kIpFragOff, net::load_be16(oip + kIpFragOff) & kIpFlagDf);
  net::store_be16(oip + kIpCsum, 0);
  net::store_be16(oip + kIpCsum, net::csum_finish(net::csum_add_bytes(0, oip, d->hlen)));
  *d = Datagram{};  // the buffer now belongs to the caller
  r.outcome = Outcome::kComplete;
  r.frame = out;
  return r;
}

void Reassembler::expire(base::Nanos now, std::vector<Expired>& out) {
  for (Datagram& d : slots_) {
    if (!d.used || now - d.started < cfg_.timeout) {
      continue;
    }
    Expired e;
    e.first.len = 0;
    if (d.hlen != 0) {
      // Hand back the first fragment's headers and first 8 payload bytes: enough to quote.
      const std::uint32_t start = kPayloadOffset - d.hlen - d.l3_off;
      const std::uint32_t quote = d.l3_off + d.hlen + (d.max_seen < 8 ? d.max_seen : 8u);
      auto f = pool_.alloc(quote);
      if (f) {
        std::memcpy(f->data, d.buf.data + start, quote);
        std::uint8_t* fip = f->data + d.l3_off;
        // The quote is a short frame of its own: its total length says so, and its header
        // checksum follows, so the quoted header stays valid for whoever reads the ICMP error.
        const std::uint16_t old_len = net::load_be16(fip + kIpTotLen);
        const auto new_len = static_cast<std::uint16_t>(quote - d.l3_off);
        net::store_be16(fip + kIpTotLen, new_len);
        net::csum_replace16(fip + kIpCsum, old_len, new_len);
        e.first = *f;
      }
    }
    release(d);
    out.push_back(e);
  }
}

}  // namespace uvs::frag
