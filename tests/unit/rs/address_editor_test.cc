// The rtnetlink bytes of `uvs-rs up`/`down`: the RTM_NEWADDR/RTM_DELADDR request layout the
// kernel parses, and the acknowledgement parser on good and bad datagrams.
#include "rs/address_editor.h"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <vector>

#include <doctest/doctest.h>

namespace {

uvs::net::IpAddr ip(const char* text) {
  auto a = uvs::net::IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

std::vector<std::uint8_t> ack(std::uint32_t seq, int error, std::uint16_t type = NLMSG_ERROR) {
  std::vector<std::uint8_t> d(NLMSG_LENGTH(sizeof(nlmsgerr)));
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(d.size());
  h.nlmsg_type = type;
  h.nlmsg_seq = seq;
  std::memcpy(d.data(), &h, sizeof h);
  std::memcpy(d.data() + sizeof h, &error, sizeof error);
  return d;
}

}  // namespace

TEST_CASE("address editor: RTM_NEWADDR for VIP/32 on lo, as `ip addr add` sends it") {
  const auto req = uvs::rs::build_address_request(
      RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, 7, 1, ip("10.10.10.10"), 32);
  // header 16 + ifaddrmsg 8 + two 8-byte attributes
  REQUIRE(req.size() == 40);
  nlmsghdr h;
  std::memcpy(&h, req.data(), sizeof h);
  CHECK(h.nlmsg_len == 40);
  CHECK(h.nlmsg_type == RTM_NEWADDR);
  CHECK(h.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
  CHECK(h.nlmsg_seq == 7);
  ifaddrmsg ifa;
  std::memcpy(&ifa, req.data() + 16, sizeof ifa);
  CHECK(ifa.ifa_family == AF_INET);
  CHECK(ifa.ifa_prefixlen == 32);
  CHECK(ifa.ifa_scope == RT_SCOPE_UNIVERSE);
  CHECK(ifa.ifa_index == 1);
  for (std::size_t off : {std::size_t{24}, std::size_t{32}}) {
    rtattr a;
    std::memcpy(&a, req.data() + off, sizeof a);
    CHECK(a.rta_len == 8);
    CHECK(a.rta_type == (off == 24 ? IFA_LOCAL : IFA_ADDRESS));
    CHECK(std::vector<std::uint8_t>(req.begin() + off + 4, req.begin() + off + 8) ==
          std::vector<std::uint8_t>{10, 10, 10, 10});
  }
}

TEST_CASE("address editor: RTM_DELADDR carries no create flags") {
  const auto req = uvs::rs::build_address_request(RTM_DELADDR, 0, 9, 3, ip("192.0.2.1"), 24);
  nlmsghdr h;
  std::memcpy(&h, req.data(), sizeof h);
  CHECK(h.nlmsg_type == RTM_DELADDR);
  CHECK(h.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(req[16 + 1] == 24);
}

TEST_CASE("address editor: acknowledgements") {
  CHECK(*uvs::rs::parse_ack(ack(5, 0), 5) == 0);
  CHECK(*uvs::rs::parse_ack(ack(5, -EEXIST), 5) == -EEXIST);
  auto wrong_seq = uvs::rs::parse_ack(ack(4, 0), 5);
  REQUIRE_FALSE(wrong_seq.ok());
  CHECK(wrong_seq.error().message == "acknowledgement has sequence number 4, expected 5");
  auto wrong_type = uvs::rs::parse_ack(ack(5, 0, RTM_NEWADDR), 5);
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.error().message == "acknowledgement has message type 20, expected NLMSG_ERROR");
  auto positive = uvs::rs::parse_ack(ack(5, 3), 5);
  CHECK_FALSE(positive.ok());
  auto d = ack(5, 0);
  CHECK_FALSE(uvs::rs::parse_ack(std::span<const std::uint8_t>(d.data(), 10), 5).ok());
  d.resize(d.size() - 4);  // nlmsg_len now claims more than there is
  CHECK(uvs::rs::parse_ack(d, 5).error().message.find("acknowledgement claims") == 0);
}
