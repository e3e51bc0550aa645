// address_editor.cc — two rtnetlink requests and their acknowledgements.
//
// The request is assembled field by field with memcpy into a byte vector (nothing is cast onto
// a buffer), with the attribute lengths and 4-byte alignment netlink demands. The socket is a
// NetlinkSocket for its setup (receive timeout, kernel-only senders); only the send is done
// here because that class sends dump requests only.
#include "rs/address_editor.h"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <system_error>

namespace uvs::rs {
namespace {

constexpr char kWhere[] = "rtnetlink";

// Big enough for any acknowledgement (an NLMSG_ERROR echoes our small request).
constexpr std::size_t kAckBuffer = 8192;

template <typename T>
void append(std::vector<std::uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

void append_attr(std::vector<std::uint8_t>& out,
                 std::uint16_t type,
                 const std::uint8_t* data,
                 std::size_t len) {
  rtattr rta{};
  rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  rta.rta_type = type;
  append(out, rta);
  out.insert(out.end(), data, data + len);
  out.resize(NLMSG_ALIGN(out.size()), 0);
}

std::string place(const std::string& ifname, const net::IpAddr& addr, std::uint8_t len) {
  return addr.to_string() + "/" + std::to_string(len) + " dev " + ifname;
}

}  // namespace

std::vector<std::uint8_t> build_address_request(std::uint16_t type,
                                                std::uint16_t flags,
                                                std::uint32_t seq,
                                                int ifindex,
                                                const net::IpAddr& addr,
                                                std::uint8_t prefix_len) {
  std::vector<std::uint8_t> out;
  nlmsghdr hdr{};
  hdr.nlmsg_type = type;
  hdr.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  hdr.nlmsg_seq = seq;
  append(out, hdr);
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = prefix_len;
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  ifa.ifa_index = static_cast<std::uint32_t>(ifindex);
  append(out, ifa);
  out.resize(NLMSG_ALIGN(out.size()), 0);
  append_attr(out, IFA_LOCAL, addr.bytes(), 4);
  append_attr(out, IFA_ADDRESS, addr.bytes(), 4);
  const auto len = static_cast<std::uint32_t>(out.size());
  std::memcpy(out.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
  return out;
}

base::Result<int> parse_ack(std::span<const std::uint8_t> datagram, std::uint32_t seq) {
  auto malformed = [](const std::string& what) {
    return base::make_error(base::ErrorCode::kInvalidArgument, "acknowledgement " + what, kWhere);
  };
  if (datagram.size() < sizeof(nlmsghdr)) {
    return malformed("of " + std::to_string(datagram.size()) + " bytes is shorter than a header");
  }
  nlmsghdr hdr;
  std::memcpy(&hdr, datagram.data(), sizeof hdr);
  if (hdr.nlmsg_len < sizeof hdr || hdr.nlmsg_len > datagram.size()) {
    return malformed("claims " + std::to_string(hdr.nlmsg_len) + " bytes in a datagram of " +
                     std::to_string(datagram.size()));
  }
  if (hdr.nlmsg_type != NLMSG_ERROR) {
    return malformed("has message type " + std::to_string(hdr.nlmsg_type) +
                     ", expected NLMSG_ERROR");
  }
  if (hdr.nlmsg_seq != seq) {
    return malformed("has sequence number " + std::to_string(hdr.nlmsg_seq) + ", expected " +
                     std::to_string(seq));
  }
  if (hdr.nlmsg_len < sizeof hdr + sizeof(int)) {
    return malformed("is too short for its error code");
  }
  int err = 0;
  std::memcpy(&err, datagram.data() + sizeof hdr, sizeof err);
  if (err > 0) {
    return malformed("carries a positive error code " + std::to_string(err));
  }
  return err;
}

base::Result<AddressEditor> AddressEditor::open() {
  auto sock = route::NetlinkSocket::open(0);
  if (!sock.ok()) {
    return sock.error();
  }
  return AddressEditor(std::move(sock).value());
}

base::Status AddressEditor::request(std::uint16_t type,
                                    std::uint16_t flags,
                                    int ifindex,
                                    const std::string& ifname,
                                    const net::IpAddr& addr,
                                    std::uint8_t prefix_len) {
  const std::string where = place(ifname, addr, prefix_len);
  const std::string verb = type == RTM_NEWADDR ? "add" : "remove";
  if (!addr.is_v4()) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "cannot " + verb + " " + where + ": not an IPv4 address",
                            where);
  }
  const std::uint32_t seq = ++seq_;
  const auto req = build_address_request(type, flags, seq, ifindex, addr, prefix_len);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = ::sendto(socket_.fd(),
                 req.data(),
                 req.size(),
                 0,
                 reinterpret_cast<const sockaddr*>(&kernel),
                 sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(req.size())) {
    const int err = n < 0 ? errno : EMSGSIZE;
    return base::make_error(base::ErrorCode::kSystem,
                            "cannot " + verb + " " + where +
                                ": sending the request: " + std::generic_category().message(err),
                            where);
  }
  std::vector<std::uint8_t> buf(kAckBuffer);
  auto datagram = socket_.receive(buf, /*wait=*/true);
  if (!datagram.ok()) {
    return base::make_error(base::ErrorCode::kSystem,
                            "cannot " + verb + " " + where + ": " + datagram.error().message,
                            where);
  }
  auto ack = parse_ack(*datagram, seq);
  if (!ack.ok()) {
    return base::make_error(base::ErrorCode::kSystem,
                            "cannot " + verb + " " + where + ": " + ack.error().message,
                            where);
  }
  const int err = -*ack;
  if (err == 0) {
    return {};
  }
  base::ErrorCode code = base::ErrorCode::kSystem;
  if (type == RTM_NEWADDR && err == EEXIST) {
    code = base::ErrorCode::kExists;
  } else if (type == RTM_DELADDR && err == EADDRNOTAVAIL) {
    code = base::ErrorCode::kNotFound;
  }
  return base::make_error(
      code, "cannot " + verb + " " + where + ": " + std::generic_category().message(err), where);
}

base::Status AddressEditor::add(int ifindex,
                                const std::string& ifname,
                                const net::IpAddr& addr,
                                std::uint8_t prefix_len) {
  return request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, ifname, addr, prefix_len);
}

base::Status AddressEditor::remove(int ifindex,
                                   const std::string& ifname,
                                   const net::IpAddr& addr,
                                   std::uint8_t prefix_len) {
  return request(RTM_DELADDR, 0, ifindex, ifname, addr, prefix_len);
}

}  // namespace uvs::rs
