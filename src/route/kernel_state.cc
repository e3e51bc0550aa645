// kernel_state.cc — one consistent snapshot of the kernel's links, addresses and routes.
//
// Four dumps on one fresh socket, each with its own sequence number: links, IPv4 addresses,
// IPv6 addresses, IPv4 routes. The kernel writes a dump in several datagrams and may notice
// half-way that its tables changed (NLM_F_DUMP_INTR); the snapshot is then thrown away and all
// four dumps start again, a bounded number of times, because mixing an old link list with new
// routes is exactly the inconsistency the caller cannot detect.
#include "route/kernel_state.h"

#include <algorithm>
#include <array>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <vector>

#include "route/netlink_socket.h"
#include "route/rtnl_parser.h"

namespace uvs::route {
namespace {

constexpr int kMaxAttempts = 5;

// The kernel sizes dump datagrams after the reader's buffer, up to 32 KiB; a 64 KiB buffer
// leaves room for a link with many attributes.
constexpr std::size_t kBufferSize = 64 * 1024;

struct DumpRequest {
  std::uint16_t type;
  std::uint8_t family;
};

constexpr std::array<DumpRequest, 4> kDumps = {{
    {RTM_GETLINK, AF_UNSPEC},
    {RTM_GETADDR, AF_INET},
    {RTM_GETADDR, AF_INET6},
    {RTM_GETROUTE, AF_INET},
}};

// Runs one dump to its NLMSG_DONE, appending to `state`; sets `interrupted` if the kernel says
// the answer is inconsistent.
base::Status run_dump(NetlinkSocket& sock,
                      const DumpRequest& req,
                      std::uint32_t seq,
                      std::vector<std::uint8_t>& buf,
                      KernelState& state,
                      bool& interrupted) {
  base::Status s = sock.send_dump_request(req.type, req.family, seq);
  if (!s.ok()) {
    return s;
  }
  DumpProgress progress;
  while (!progress.done) {
    auto datagram = sock.receive(buf, /*wait=*/true);
    if (!datagram.ok()) {
      return datagram.error();
    }
    s = parse_dump_datagram(*datagram, seq, state, progress);
    if (!s.ok()) {
      return s;
    }
  }
  interrupted = interrupted || progress.interrupted;
  return {};
}

}  // namespace

const LinkInfo* KernelState::find_link(std::string_view name) const {
  const auto it =
      std::find_if(links.begin(), links.end(), [&](const LinkInfo& l) { return l.name == name; });
  return it == links.end() ? nullptr : &*it;
}

const LinkInfo* KernelState::find_link(int ifindex) const {
  const auto it = std::find_if(
      links.begin(), links.end(), [&](const LinkInfo& l) { return l.ifindex == ifindex; });
  return it == links.end() ? nullptr : &*it;
}

std::vector<AddrInfo> KernelState::addresses_of(int ifindex) const {
  std::vector<AddrInfo> out;
  for (const AddrInfo& a : addrs) {
    if (a.ifindex == ifindex) {
      out.push_back(a);
    }
  }
  return out;
}

base::Result<KernelState> read_kernel_state() {
  auto sock = NetlinkSocket::open(0);
  if (!sock.ok()) {
    return sock.error();
  }
  std::vector<std::uint8_t> buf(kBufferSize);
  std::uint32_t seq = 0;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    KernelState state;
    bool interrupted = false;
    for (const DumpRequest& req : kDumps) {
      base::Status s = run_dump(*sock, req, ++seq, buf, state, interrupted);
      if (!s.ok()) {
        return s.error();
      }
    }
    if (!interrupted) {
      return state;
    }
  }
  return base::make_error(base::ErrorCode::kSystem,
                          "the kernel's links, addresses or routes kept changing during " +
                              std::to_string(kMaxAttempts) + " attempts to read them",
                          "rtnetlink");
}

}  // namespace uvs::route
