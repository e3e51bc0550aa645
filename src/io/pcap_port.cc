// The libpcap backend. libpcap owns its capture ring and reuses a frame's memory as soon as the
// callback returns, so every accepted frame is copied into one of our slots; slots are handed out
// in order and all come back at release_rx(), which is when the worker is done with the batch.
// Everything is sized at open(): the slots hold MTU-sized frames (oversized ones are refused
// anyway), and rx_burst() itself neither allocates nor logs.
#include "io/pcap_port.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>

#include <pcap/pcap.h>

#include "base/clock.h"
#include "base/log.h"
#include "io/netdev_info.h"

namespace uvs::io {

namespace {

constexpr std::uint32_t kSlotAlign = 64;

base::Error pcap_error(pcap_t* p, int status, const std::string& what, const std::string& ifname) {
  base::ErrorCode code = base::ErrorCode::kSystem;
  if (status == PCAP_ERROR_NO_SUCH_DEVICE) {
    code = base::ErrorCode::kNotFound;
  } else if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED) {
    code = base::ErrorCode::kPermission;
  }
  std::string detail = p != nullptr ? pcap_geterr(p) : "";
  if (detail.empty()) {
    detail = pcap_statustostr(status);
  }
  return base::make_error(code, what + ": " + detail, ifname);
}

}  // namespace

base::Result<std::unique_ptr<PcapPort>> PcapPort::open(const std::string& ifname,
                                                       const PcapOptions& opts) {
  if (opts.rx_slots == 0 || opts.rx_slots > (1u << 16)) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument, "rx_slots must be 1 to 65536", ifname);
  }
  if (opts.buffer_bytes == 0 || opts.buffer_bytes > (1u << 30)) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument, "capture buffer must be 1 byte to 1 GiB", ifname);
  }
  auto info = query_netdev(ifname);
  if (!info) {
    return info.error();
  }

  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(ifname.c_str(), errbuf);
  if (p == nullptr) {
    return base::make_error(
        base::ErrorCode::kSystem, std::string("pcap_create: ") + errbuf, ifname);
  }
  auto fail = [p](base::Error e) -> base::Result<std::unique_ptr<PcapPort>> {
    pcap_close(p);
    return e;
  };
  // Settings before activation; none of these fail on a fresh handle except for a bad value.
  pcap_set_snaplen(p, static_cast<int>(kSnapLen));
  pcap_set_promisc(p, 0);
  pcap_set_immediate_mode(p, 1);
  pcap_set_buffer_size(p, static_cast<int>(opts.buffer_bytes));
  const int st = pcap_activate(p);
  if (st < 0) {
    return fail(pcap_error(p, st, "pcap_activate", ifname));
  }
  if (st > 0) {
    base::log_warn(ifname + ": pcap_activate: " + pcap_statustostr(st) + " " + pcap_geterr(p));
  }
  if (pcap_datalink(p) != DLT_EN10MB) {
    return fail(base::make_error(
        base::ErrorCode::kInvalidArgument,
        "libpcap link type is not Ethernet (DLT " + std::to_string(pcap_datalink(p)) + ")",
        ifname));
  }
  if (pcap_setdirection(p, PCAP_D_IN) < 0) {
    return fail(pcap_error(p, PCAP_ERROR, "pcap_setdirection(PCAP_D_IN)", ifname));
  }
  if (pcap_setnonblock(p, 1, errbuf) < 0) {
    return fail(base::make_error(
        base::ErrorCode::kSystem, std::string("pcap_setnonblock: ") + errbuf, ifname));
  }
  const int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    return fail(base::make_error(
        base::ErrorCode::kUnsupported, "libpcap gives no selectable descriptor", ifname));
  }
  // pcap_setnonblock() only changes how libpcap waits for its ring; pcap_inject() is a plain
  // send() on the same descriptor and would block on a full queue without O_NONBLOCK.
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
    return fail(base::make_error(base::ErrorCode::kSystem,
                                 std::string("fcntl(O_NONBLOCK): ") + std::strerror(errno),
                                 ifname));
  }
  info->offload = false;
  return std::unique_ptr<PcapPort>(new PcapPort(p, fd, std::move(info.value()), opts));
}

PcapPort::PcapPort(pcap* p, int fd, PortInfo info, const PcapOptions& opts)
    : pcap_(p), fd_(fd), slot_count_(opts.rx_slots) {
  info_ = std::move(info);
  const std::uint32_t raw = kHeadroom + max_frame_len() + kTailroom;
  slot_size_ = (raw + kSlotAlign - 1) / kSlotAlign * kSlotAlign;
  slots_.reset(new std::uint8_t[static_cast<std::size_t>(slot_size_) * slot_count_]);
}

PcapPort::~PcapPort() {
  pcap_close(pcap_);
}

void PcapPort::on_packet(unsigned char* user, const pcap_pkthdr* h, const unsigned char* bytes) {
  reinterpret_cast<PcapPort*>(user)->take(h, bytes);
}

void PcapPort::take(const pcap_pkthdr* h, const unsigned char* bytes) {
  if (h->caplen < h->len) {
    counters_.rx_truncated.add(1);
    return;
  }
  if (h->len > max_frame_len()) {
    counters_.rx_oversized.add(1);
    return;
  }
  // Unicast to someone else (bit 0 of the first byte clear means unicast).
  if (h->len >= 6 && (bytes[0] & 1) == 0 && std::memcmp(bytes, info_.mac.data(), 6) != 0) {
    counters_.rx_not_for_host.add(1);
    return;
  }
  std::uint8_t* slot = slots_.get() + static_cast<std::size_t>(slots_used_) * slot_size_;
  ++slots_used_;
  Frame& f = burst_out_[burst_n_++];
  f = Frame{};
  f.data = slot + kHeadroom;
  std::memcpy(f.data, bytes, h->len);
  f.len = h->len;
  f.headroom = kHeadroom;
  f.tailroom = slot_size_ - kHeadroom - h->len;
  f.buf = kRingBuffer;
  f.port = id_;
  f.ts = burst_ts_;
}

std::uint32_t PcapPort::rx_burst(Frame* out, std::uint32_t max) {
  burst_out_ = out;
  burst_n_ = 0;
  burst_ts_ = base::MonotonicClock{}.now();
  // pcap_dispatch() counts skipped frames too, and may stop at a ring block boundary: go on
  // until the burst is full, the slots run out, or libpcap has nothing more.
  while (burst_n_ < max && slots_used_ < slot_count_) {
    const std::uint32_t room = std::min(max - burst_n_, slot_count_ - slots_used_);
    const int r = pcap_dispatch(pcap_,
                                static_cast<int>(room),
                                &PcapPort::on_packet,
                                reinterpret_cast<unsigned char*>(this));
    if (r < 0) {
      counters_.rx_errors.add(1);
      break;
    }
    if (r == 0) {
      break;
    }
  }
  const std::uint32_t n = burst_n_;
  burst_out_ = nullptr;
  counters_.rx_frames.add(n);
  return n;
}

void PcapPort::release_rx() {
  slots_used_ = 0;
}

std::uint32_t PcapPort::tx_burst(const Frame* const* frames, std::uint32_t n) {
  std::uint32_t accepted = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const Frame& f = *frames[i];
    // Offload metadata cannot travel through libpcap: such a frame would leave with a wrong
    // checksum or as one oversized packet. Refuse it rather than send it broken.
    if (f.off.is_gso() || f.off.needs_csum() || f.len > max_frame_len()) {
      continue;
    }
    if (pcap_inject(pcap_, f.data, f.len) < 0) {
      break;  // queue full or link gone: the rest of the batch would fail the same way
    }
    ++accepted;
  }
  counters_.tx_frames.add(accepted);
  counters_.tx_errors.add(n - accepted);
  return accepted;
}

base::Status PcapPort::refresh_kernel_drops() {
  pcap_stat st{};
  if (pcap_stats(pcap_, &st) < 0) {
    return base::make_error(
        base::ErrorCode::kSystem, std::string("pcap_stats: ") + pcap_geterr(pcap_), info_.name);
  }
  counters_.rx_kernel_drops.store(st.ps_drop);
  return {};
}

}  // namespace uvs::io
