// The AF_PACKET backend: set-up of the TPACKET_V3 ring, the per-batch walk over retired blocks,
// and batched transmission. Ring layout (include/uapi/linux/if_packet.h, net/packet/af_packet.c):
// the ring is block_count blocks of block_size bytes; each block starts with a tpacket_block_desc
// whose block_status says who owns it (TP_STATUS_KERNEL / TP_STATUS_USER) and whose num_pkts
// frames follow, chained by tp_next_offset. In each frame the kernel lays out, in order: the
// tpacket3_hdr, the sockaddr_ll, our PACKET_RESERVE bytes, the 10-byte virtio_net_hdr, and the
// Ethernet frame at tp_mac. Everything between the sockaddr_ll and the Ethernet header belongs to
// that frame alone and becomes its headroom once the vnet header has been copied out.
#include "io/af_packet_port.h"

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/compiler.h"
#include "io/netdev_info.h"

namespace uvs::io {

namespace {

// Kernel-side sizes, as af_packet.c computes them.
constexpr std::uint32_t kTpacketAlign = TPACKET_ALIGNMENT;
constexpr std::uint32_t tpacket_align(std::uint32_t x) {
  return (x + kTpacketAlign - 1) & ~(kTpacketAlign - 1);
}
constexpr std::uint32_t kSllOffset = tpacket_align(sizeof(tpacket3_hdr));
constexpr std::uint32_t kTpacket3HdrLen = kSllOffset + sizeof(sockaddr_ll);
constexpr std::uint32_t kBlockHdrLen = (sizeof(tpacket_block_desc) + 7) & ~7u;  // BLK_HDR_LEN
constexpr std::uint32_t kVnetLen = kVnetHdrLen;                                 // virtio_net_hdr
// Reserve so that, after a 4-byte VLAN tag is restored, kMinHeadroom bytes remain: the kernel
// puts at least reserve + vnet (10) bytes between the sockaddr_ll and tp_mac.
constexpr std::uint32_t kReserve = AfPacketPort::kMinHeadroom;
// Upper bound of tp_mac for an Ethernet frame: TPACKET_ALIGN(hdrlen + 16) + reserve + vnet.
constexpr std::uint32_t kMacOffsetMax = tpacket_align(kTpacket3HdrLen + 16) + kReserve + kVnetLen;
constexpr std::uint32_t kFrameSize = 2048;  // tp_frame_size: V3 only needs it self-consistent
constexpr std::uint16_t kVlanTpid = 0x8100;

std::uint32_t page_size() {
  const long p = ::sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<std::uint32_t>(p) : 4096u;
}

base::Error sys_error(const std::string& ifname, const std::string& what, int err) {
  base::ErrorCode code = base::ErrorCode::kSystem;
  std::string msg = what + " failed: " + std::strerror(err);
  if (err == EPERM || err == EACCES) {
    code = base::ErrorCode::kPermission;
    msg += " (AF_PACKET needs CAP_NET_RAW)";
  } else if (err == ENOPROTOOPT) {
    code = base::ErrorCode::kUnsupported;
    msg += " (kernel too old for this option)";
  }
  return base::make_error(code, msg, ifname);
}

base::Status set_int_opt(
    int fd, int level, int opt, int value, const char* name, const std::string& ifname) {
  if (::setsockopt(fd, level, opt, &value, sizeof(value)) < 0) {
    return sys_error(ifname, std::string("setsockopt(") + name + ")", errno);
  }
  return {};
}

// block_status is shared with the kernel: acquire so the frames it covers are read after it,
// release so our reads of a block finish before the kernel may refill it.
std::uint32_t load_status(std::uint32_t& status) {
  return std::atomic_ref<std::uint32_t>(status).load(std::memory_order_acquire);
}

void store_status(std::uint32_t& status, std::uint32_t value) {
  std::atomic_ref<std::uint32_t>(status).store(value, std::memory_order_release);
}

}  // namespace

std::uint32_t AfPacketPort::min_block_size() {
  const std::uint32_t page = page_size();
  const std::uint32_t need = kBlockHdrLen + kMacOffsetMax + kMaxFrameLen;
  return (need + page - 1) / page * page;
}

base::Result<std::unique_ptr<AfPacketPort>> AfPacketPort::open(const std::string& ifname,
                                                               const AfPacketOptions& opts) {
  const std::uint32_t page = page_size();
  if (opts.block_size < min_block_size() || opts.block_size % page != 0) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "ring block size " + std::to_string(opts.block_size) +
                                " must be a multiple of the page size and at least " +
                                std::to_string(min_block_size()) +
                                " (a 64 KiB GSO super-packet must fit whole)",
                            ifname);
  }
  if (opts.block_count < 2) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "ring needs at least 2 blocks (one filling while one is read)",
                            ifname);
  }
  if (opts.sndbuf_bytes == 0 || opts.sndbuf_bytes > (1u << 30)) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument, "send buffer must be 1 byte to 1 GiB", ifname);
  }
  if (opts.retire_timeout_ms == 0) {
    return base::make_error(
        base::ErrorCode::kInvalidArgument, "block retire timeout must be at least 1 ms", ifname);
  }
  const std::size_t ring_bytes = static_cast<std::size_t>(opts.block_size) * opts.block_count;

  auto info = query_netdev(ifname);
  if (!info) {
    return info.error();
  }

  // Protocol 0: nothing is queued until bind(), after the ring exists.
  const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return sys_error(ifname, "socket(AF_PACKET, SOCK_RAW)", errno);
  }
  auto fail = [fd](base::Error e) -> base::Result<std::unique_ptr<AfPacketPort>> {
    ::close(fd);
    return e;
  };

  // Order matters: the version, vnet header size and reserve are frozen once the ring exists.
  const struct {
    int opt;
    int value;
    const char* name;
  } ring_opts[] = {
      {PACKET_VERSION, TPACKET_V3, "PACKET_VERSION=TPACKET_V3"},
      {PACKET_VNET_HDR, 1, "PACKET_VNET_HDR"},
      {PACKET_RESERVE, static_cast<int>(kReserve), "PACKET_RESERVE"},
      {PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING"},
  };
  for (const auto& o : ring_opts) {
    if (auto st = set_int_opt(fd, SOL_PACKET, o.opt, o.value, o.name, ifname); !st) {
      return fail(st.error());
    }
  }
  // A big send buffer lets a batch of super-packets go in one sendmmsg(); SO_SNDBUFFORCE
  // passes the wmem_max cap when we have CAP_NET_ADMIN, SO_SNDBUF is the capped fallback.
  const int sndbuf = static_cast<int>(opts.sndbuf_bytes);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0) {
    if (auto st = set_int_opt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf, "SO_SNDBUF", ifname); !st) {
      return fail(st.error());
    }
  }

  tpacket_req3 req{};
  req.tp_block_size = opts.block_size;
  req.tp_block_nr = opts.block_count;
  req.tp_frame_size = kFrameSize;
  req.tp_frame_nr = (opts.block_size / kFrameSize) * opts.block_count;
  req.tp_retire_blk_tov = opts.retire_timeout_ms;
  req.tp_sizeof_priv = 0;
  req.tp_feature_req_word = 0;
  if (::setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0) {
    return fail(sys_error(ifname, "setsockopt(PACKET_RX_RING)", errno));
  }
  void* ring =
      ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (ring == MAP_FAILED) {
    return fail(sys_error(ifname, "mmap of the RX ring", errno));
  }

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = info->ifindex;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0) {
    const int err = errno;
    ::munmap(ring, ring_bytes);
    return fail(sys_error(ifname, "bind", err));
  }

  info->offload = true;
  return std::unique_ptr<AfPacketPort>(
      new AfPacketPort(fd, std::move(info.value()), opts, static_cast<std::uint8_t*>(ring)));
}

AfPacketPort::AfPacketPort(int fd, PortInfo info, const AfPacketOptions& opts, std::uint8_t* ring)
    : fd_(fd), ring_(ring), block_size_(opts.block_size), block_count_(opts.block_count) {
  info_ = std::move(info);
  // Every message sends two iovecs; only their targets change per batch.
  for (std::uint32_t i = 0; i < kTxBatch; ++i) {
    tx_msgs_[i].msg_hdr.msg_iov = &tx_iov_[2 * i];
    tx_msgs_[i].msg_hdr.msg_iovlen = 2;
    tx_iov_[2 * i].iov_base = &tx_vnet_[i];
    tx_iov_[2 * i].iov_len = sizeof(VnetHdr);
  }
}

AfPacketPort::~AfPacketPort() {
  ::munmap(ring_, static_cast<std::size_t>(block_size_) * block_count_);
  ::close(fd_);
}

void AfPacketPort::finish_block() {
  cur_pkt_ = nullptr;
  pkts_left_ = 0;
  ++consumed_;
  cur_block_ = cur_block_ + 1 == block_count_ ? 0 : cur_block_ + 1;
}

bool AfPacketPort::take_frame(std::uint8_t* hdr, std::uint8_t* limit, base::Nanos now, Frame& f) {
  const auto* h = reinterpret_cast<const tpacket3_hdr*>(hdr);
  const auto* sll = reinterpret_cast<const sockaddr_ll*>(hdr + kSllOffset);
  if (UVS_UNLIKELY(sll->sll_pkttype == PACKET_OTHERHOST || sll->sll_pkttype == PACKET_OUTGOING)) {
    counters_.rx_not_for_host.add(1);
    return false;
  }
  if (UVS_UNLIKELY(h->tp_snaplen < h->tp_len)) {
    counters_.rx_truncated.add(1);
    return false;
  }
  std::uint8_t* mac = hdr + h->tp_mac;
  UVS_DCHECK(h->tp_mac >= kTpacket3HdrLen + kVnetLen && mac + h->tp_snaplen <= limit);

  VnetHdr vnet;
  std::memcpy(&vnet, mac - kVnetLen, kVnetLen);
  f = Frame{};
  f.data = mac;
  f.len = h->tp_snaplen;
  f.headroom = h->tp_mac - kTpacket3HdrLen;
  f.tailroom = static_cast<std::uint32_t>(limit - (mac + h->tp_snaplen));
  f.buf = kRingBuffer;
  f.port = id_;
  f.ts = now;
  f.off = to_offload(vnet);
  // The vnet header already says NEEDS_CSUM for a CHECKSUM_PARTIAL skb; the ring status is the
  // kernel's own statement of the same fact, so honour either.
  if (h->tp_status & TP_STATUS_CSUMNOTREADY) {
    f.off.flags |= Offload::kNeedsCsum;
  }
  if (h->tp_status & TP_STATUS_CSUM_VALID) {
    f.off.flags |= Offload::kDataValid;
  }
  // The kernel strips an 802.1Q/802.1ad tag before taps see the frame and reports it in the
  // header instead. Put it back (12 MAC bytes move 4 to the front) so the frame is the one on
  // the wire; push() keeps csum_start/hdr_len pointing at the same bytes.
  if (h->tp_status & TP_STATUS_VLAN_VALID) {
    const std::uint16_t tpid =
        (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : kVlanTpid;
    const std::uint16_t tci = h->hv1.tp_vlan_tci;
    std::uint8_t* p = f.push(4);
    std::memmove(p, p + 4, 12);
    p[12] = static_cast<std::uint8_t>(tpid >> 8);
    p[13] = static_cast<std::uint8_t>(tpid);
    p[14] = static_cast<std::uint8_t>(tci >> 8);
    p[15] = static_cast<std::uint8_t>(tci);
  }
  UVS_DCHECK(f.headroom >= kMinHeadroom);
  return true;
}

std::uint32_t AfPacketPort::rx_burst(Frame* out, std::uint32_t max) {
  std::uint32_t n = 0;
  base::Nanos now = -1;
  while (n < max) {
    if (cur_pkt_ == nullptr) {
      // Every block is either consumed or being walked: wait for release_rx().
      if (consumed_ == block_count_) {
        break;
      }
      auto* bd = reinterpret_cast<tpacket_block_desc*>(block(cur_block_));
      if ((load_status(bd->hdr.bh1.block_status) & TP_STATUS_USER) == 0) {
        break;
      }
      pkts_left_ = bd->hdr.bh1.num_pkts;
      if (pkts_left_ == 0) {
        finish_block();
        continue;
      }
      cur_pkt_ = block(cur_block_) + bd->hdr.bh1.offset_to_first_pkt;
    }
    if (now < 0) {
      now = base::MonotonicClock{}.now();
    }
    std::uint8_t* hdr = cur_pkt_;
    const std::uint32_t next_off = reinterpret_cast<const tpacket3_hdr*>(hdr)->tp_next_offset;
    // A frame may use the bytes up to the next frame's header, or to the end of its block.
    std::uint8_t* limit = pkts_left_ > 1 ? hdr + next_off : block(cur_block_) + block_size_;
    if (take_frame(hdr, limit, now, out[n])) {
      ++n;
    }
    if (--pkts_left_ == 0) {
      finish_block();
    } else {
      cur_pkt_ = hdr + next_off;
    }
  }
  counters_.rx_frames.add(n);
  return n;
}

void AfPacketPort::release_rx() {
  // Blocks go back in ring order, which is the order the kernel fills them in.
  for (; consumed_ > 0; --consumed_) {
    auto* bd = reinterpret_cast<tpacket_block_desc*>(block(release_from_));
    store_status(bd->hdr.bh1.block_status, TP_STATUS_KERNEL);
    release_from_ = release_from_ + 1 == block_count_ ? 0 : release_from_ + 1;
  }
}

std::uint32_t AfPacketPort::tx_burst(const Frame* const* frames, std::uint32_t n) {
  std::uint32_t accepted = 0;
  std::uint32_t base = 0;
  bool stalled = false;
  while (base < n && !stalled) {
    const std::uint32_t chunk = n - base < kTxBatch ? n - base : kTxBatch;
    for (std::uint32_t i = 0; i < chunk; ++i) {
      const Frame& f = *frames[base + i];
      tx_vnet_[i] = to_vnet_hdr(f.off);
      tx_iov_[2 * i + 1].iov_base = f.data;
      tx_iov_[2 * i + 1].iov_len = f.len;
    }
    std::uint32_t done = 0;
    while (done < chunk) {
      const int r = ::sendmmsg(fd_, &tx_msgs_[done], chunk - done, MSG_DONTWAIT);
      if (r > 0) {
        done += static_cast<std::uint32_t>(r);
        accepted += static_cast<std::uint32_t>(r);
        continue;
      }
      // r < 0: message `done` failed (a partial sendmmsg() does not report why, so the retry
      // above lands here with the failing message first).
      const int err = errno;
      if (err == EINTR) {
        continue;
      }
      if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == ENETDOWN ||
          err == ENXIO) {
        stalled = true;  // nothing more will go now (queue full, link gone): the caller counts
                         // the rest
        break;
      }
      ++done;  // this frame is unacceptable (EINVAL, EMSGSIZE, ...): skip it, send the others
    }
    base += chunk;
  }
  counters_.tx_frames.add(accepted);
  counters_.tx_errors.add(n - accepted);
  return accepted;
}

base::Status AfPacketPort::refresh_ring_drops() {
  tpacket_stats_v3 st{};
  socklen_t len = sizeof(st);
  if (::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) {
    return sys_error(info_.name, "getsockopt(PACKET_STATISTICS)", errno);
  }
  counters_.rx_ring_drops.add(st.tp_drops);
  return {};
}

}  // namespace uvs::io
