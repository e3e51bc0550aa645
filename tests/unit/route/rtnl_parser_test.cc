// rtnetlink decoding from raw bytes: well-formed messages decode to the right values; truncated,
// lying or random bytes give an Error, never a crash (ASan/UBSan watch every access).
#include "route/rtnl_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <random>
#include <span>
#include <string>
#include <sys/socket.h>
#include <vector>

#include <doctest/doctest.h>

namespace {

using uvs::base::ErrorCode;
using uvs::net::IpAddr;
using uvs::route::DumpProgress;
using uvs::route::KernelState;
using uvs::route::RouteInfo;

constexpr std::uint32_t kIffLowerUp = 1u << 16;

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

// Writes netlink messages the way the kernel lays them out: 4-byte aligned headers and
// attributes, lengths patched in when a message or nest is closed.
class Builder {
 public:
  void begin(std::uint16_t type, std::uint32_t seq, std::uint16_t flags = NLM_F_MULTI) {
    align();
    msg_start_ = bytes_.size();
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    put(&h, sizeof h);
  }
  template <typename T>
  void header(const T& t) {
    put(&t, sizeof t);
    align();
  }
  void attr(std::uint16_t type, const void* data, std::size_t len) {
    align();
    rtattr a{};
    a.rta_len = static_cast<std::uint16_t>(sizeof a + len);
    a.rta_type = type;
    put(&a, sizeof a);
    put(data, len);
  }
  void attr_u32(std::uint16_t type, std::uint32_t v) { attr(type, &v, 4); }
  void attr_addr(std::uint16_t type, const IpAddr& a) { attr(type, a.bytes(), a.size()); }
  void attr_str(std::uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  std::size_t begin_nest(std::uint16_t type) {
    align();
    const std::size_t at = bytes_.size();
    attr(type, nullptr, 0);
    return at;
  }
  void end_nest(std::size_t at) { patch16(at, bytes_.size() - at); }
  // A struct rtnexthop; its attributes follow, then end_nexthop().
  std::size_t begin_nexthop(int ifindex) {
    align();
    const std::size_t at = bytes_.size();
    rtnexthop nh{};
    nh.rtnh_ifindex = ifindex;
    put(&nh, sizeof nh);
    return at;
  }
  void end_nexthop(std::size_t at) { patch16(at, bytes_.size() - at); }
  void end() {
    const auto len = static_cast<std::uint32_t>(bytes_.size() - msg_start_);
    std::memcpy(bytes_.data() + msg_start_, &len, 4);
    boundaries_.push_back(bytes_.size());
  }
  void done(std::uint32_t seq, int error = 0) {
    begin(NLMSG_DONE, seq);
    put(&error, sizeof error);
    end();
  }
  void error(std::uint32_t seq, int error) {
    begin(NLMSG_ERROR, seq, 0);
    nlmsgerr e{};
    e.error = error;
    put(&e, sizeof e);
    end();
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::vector<std::uint8_t>& mutable_bytes() { return bytes_; }
  // Offsets just past each message, before its padding: a datagram may end there or anywhere
  // in the padding that follows.
  const std::vector<std::size_t>& boundaries() const { return boundaries_; }
  // The body of the only message built so far.
  std::span<const std::uint8_t> body() const {
    return std::span<const std::uint8_t>(bytes_).subspan(sizeof(nlmsghdr));
  }

 private:
  void put(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  void align() {
    while (bytes_.size() % 4 != 0) {
      bytes_.push_back(0);
    }
  }
  void patch16(std::size_t at, std::size_t v) {
    const auto v16 = static_cast<std::uint16_t>(v);
    std::memcpy(bytes_.data() + at, &v16, 2);
  }

  std::vector<std::uint8_t> bytes_;
  std::vector<std::size_t> boundaries_;
  std::size_t msg_start_ = 0;
};

void add_link(Builder& b,
              std::uint32_t seq,
              int ifindex,
              const std::string& name,
              unsigned flags,
              std::uint32_t mtu) {
  b.begin(RTM_NEWLINK, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = flags;
  b.header(ifi);
  b.attr_str(IFLA_IFNAME, name);
  const std::uint8_t mac[6] = {0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(ifindex)};
  b.attr(IFLA_ADDRESS, mac, 6);
  b.attr_u32(IFLA_MTU, mtu);
  b.attr_u32(IFLA_TXQLEN, 1000);  // not decoded: must be skipped
  b.end();
}

void add_addr(Builder& b,
              std::uint32_t seq,
              int ifindex,
              const char* local,
              std::uint8_t len,
              const char* peer = nullptr) {
  b.begin(RTM_NEWADDR, seq);
  ifaddrmsg ifa{};
  const IpAddr l = ip(local);
  ifa.ifa_family = l.is_v4() ? AF_INET : AF_INET6;
  ifa.ifa_prefixlen = len;
  ifa.ifa_index = static_cast<std::uint32_t>(ifindex);
  b.header(ifa);
  if (l.is_v4()) {
    b.attr_addr(IFA_ADDRESS, peer != nullptr ? ip(peer) : l);
    b.attr_addr(IFA_LOCAL, l);
  } else {
    b.attr_addr(IFA_ADDRESS, l);
  }
  b.attr_str(IFA_LABEL, "x");
  b.end();
}

struct RouteSpec {
  const char* dst = nullptr;  // nullptr: default route
  std::uint8_t len = 0;
  const char* gateway = nullptr;
  int oif = 0;
  const char* prefsrc = nullptr;
  std::uint32_t priority = 0;
  std::uint32_t mtu = 0;
  std::uint8_t table = RT_TABLE_MAIN;
  std::uint8_t type = RTN_UNICAST;
  std::uint32_t flags = 0;
};

void add_route(Builder& b,
               std::uint32_t seq,
               const RouteSpec& r,
               std::uint16_t type = RTM_NEWROUTE) {
  b.begin(type, seq);
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = r.len;
  rtm.rtm_table = r.table;
  rtm.rtm_type = r.type;
  rtm.rtm_flags = r.flags;
  b.header(rtm);
  b.attr_u32(RTA_TABLE, r.table);
  if (r.dst != nullptr) {
    b.attr_addr(RTA_DST, ip(r.dst));
  }
  if (r.priority != 0) {
    b.attr_u32(RTA_PRIORITY, r.priority);
  }
  if (r.prefsrc != nullptr) {
    b.attr_addr(RTA_PREFSRC, ip(r.prefsrc));
  }
  if (r.gateway != nullptr) {
    b.attr_addr(RTA_GATEWAY, ip(r.gateway));
  }
  if (r.oif != 0) {
    b.attr_u32(RTA_OIF, static_cast<std::uint32_t>(r.oif));
  }
  if (r.mtu != 0) {
    const std::size_t nest = b.begin_nest(RTA_METRICS);
    b.attr_u32(RTAX_ADVMSS, 1360);
    b.attr_u32(RTAX_MTU, r.mtu);
    b.end_nest(nest);
  }
  b.end();
}

// A complete link dump: two links, in two "datagrams" worth of messages, then NLMSG_DONE.
Builder sample_dump(std::uint32_t seq) {
  Builder b;
  add_link(b, seq, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING | kIffLowerUp, 65536);
  add_link(b, seq, 2, "eth0", IFF_UP | IFF_BROADCAST | kIffLowerUp, 1500);
  add_addr(b, seq, 2, "10.0.0.1", 24);
  add_addr(b, seq, 2, "2001:db8::1", 64);
  add_route(b, seq, RouteSpec{"10.0.0.0", 24, nullptr, 2, "10.0.0.1"});
  add_route(b, seq, RouteSpec{nullptr, 0, "10.0.0.254", 2, nullptr, 100, 1400});
  b.done(seq);
  return b;
}

}  // namespace

TEST_CASE("rtnl parser: a link message decodes name, MAC, MTU and flags") {
  Builder b;
  add_link(b, 1, 7, "eth3", IFF_UP | IFF_BROADCAST | kIffLowerUp, 9000);
  auto link = uvs::route::parse_link(b.body());
  REQUIRE(link.ok());
  CHECK(link->ifindex == 7);
  CHECK(link->name == "eth3");
  CHECK(link->mac.to_string() == "02:00:00:00:00:07");
  CHECK(link->mtu == 9000);
  CHECK(link->admin_up);
  CHECK(link->lower_up);
  CHECK_FALSE(link->loopback);

  Builder down;
  add_link(down, 1, 8, "eth4", IFF_BROADCAST, 1500);
  auto d = uvs::route::parse_link(down.body());
  REQUIRE(d.ok());
  CHECK_FALSE(d->admin_up);
  CHECK_FALSE(d->lower_up);

  Builder lo;
  add_link(lo, 1, 1, "lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING, 65536);
  auto l = uvs::route::parse_link(lo.body());
  REQUIRE(l.ok());
  CHECK(l->loopback);
  CHECK(l->lower_up);  // IFF_RUNNING alone also means the link carries frames
}

TEST_CASE("rtnl parser: a tunnel's 4-byte hardware address is not a MAC") {
  Builder b;
  b.begin(RTM_NEWLINK, 1);
  ifinfomsg ifi{};
  ifi.ifi_index = 9;
  b.header(ifi);
  b.attr_str(IFLA_IFNAME, "tunl0");
  const std::uint8_t v4[4] = {10, 0, 0, 1};
  b.attr(IFLA_ADDRESS, v4, 4);
  b.end();
  auto link = uvs::route::parse_link(b.body());
  REQUIRE(link.ok());
  CHECK(link->mac.is_zero());
}

TEST_CASE("rtnl parser: addresses take IFA_LOCAL over IFA_ADDRESS, IPv6 uses IFA_ADDRESS") {
  Builder ptp;
  add_addr(ptp, 1, 3, "10.9.0.1", 32, "10.9.0.2");
  auto a = uvs::route::parse_addr(ptp.body());
  REQUIRE(a.ok());
  CHECK(a->ifindex == 3);
  CHECK(a->addr == ip("10.9.0.1"));
  CHECK(a->prefix_len == 32);

  Builder v6;
  add_addr(v6, 1, 4, "2001:db8::7", 64);
  auto b = uvs::route::parse_addr(v6.body());
  REQUIRE(b.ok());
  CHECK(b->addr == ip("2001:db8::7"));
  CHECK(b->addr.is_v6());
  CHECK(b->prefix_len == 64);
}

TEST_CASE("rtnl parser: a route decodes prefix, gateway, oif, prefsrc, metric, MTU and table") {
  Builder b;
  add_route(b, 1, RouteSpec{"192.168.50.0", 24, "10.0.0.254", 2, "10.0.0.1", 300, 1400});
  auto routes = uvs::route::parse_route(b.body());
  REQUIRE(routes.ok());
  REQUIRE(routes->size() == 1);
  const RouteInfo& r = routes->front();
  CHECK(r.dst.addr == ip("192.168.50.0"));
  CHECK(r.dst.len == 24);
  CHECK(r.gateway == ip("10.0.0.254"));
  CHECK(r.oif == 2);
  CHECK(r.prefsrc == ip("10.0.0.1"));
  CHECK(r.priority == 300);
  CHECK(r.mtu == 1400);
  CHECK(r.table == RT_TABLE_MAIN);
  CHECK(r.type == RTN_UNICAST);
  CHECK(uvs::route::is_followed_route(r));
}

TEST_CASE("rtnl parser: a default route has no RTA_DST and an on-link route no gateway") {
  Builder b;
  add_route(b, 1, RouteSpec{nullptr, 0, nullptr, 5});
  auto routes = uvs::route::parse_route(b.body());
  REQUIRE(routes.ok());
  REQUIRE(routes->size() == 1);
  CHECK(routes->front().dst.addr == ip("0.0.0.0"));
  CHECK(routes->front().dst.len == 0);
  CHECK(routes->front().gateway.is_unspecified());
  CHECK(routes->front().mtu == 0);
}

TEST_CASE("rtnl parser: RTA_TABLE overrides the 8-bit rtm_table") {
  Builder b;
  b.begin(RTM_NEWROUTE, 1);
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_table = RT_TABLE_COMPAT;
  rtm.rtm_type = RTN_UNICAST;
  b.header(rtm);
  b.attr_u32(RTA_TABLE, 1000);
  b.end();
  auto routes = uvs::route::parse_route(b.body());
  REQUIRE(routes.ok());
  CHECK(routes->front().table == 1000);
  CHECK_FALSE(uvs::route::is_followed_route(routes->front()));
}

TEST_CASE("rtnl parser: a multipath route becomes one route per next hop") {
  Builder b;
  b.begin(RTM_NEWROUTE, 1);
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = 16;
  rtm.rtm_table = RT_TABLE_MAIN;
  rtm.rtm_type = RTN_UNICAST;
  b.header(rtm);
  b.attr_addr(RTA_DST, ip("172.16.0.0"));
  b.attr_u32(RTA_PRIORITY, 20);
  const std::size_t mp = b.begin_nest(RTA_MULTIPATH);
  std::size_t nh = b.begin_nexthop(2);
  b.attr_addr(RTA_GATEWAY, ip("10.0.0.254"));
  b.end_nexthop(nh);
  nh = b.begin_nexthop(3);
  const std::uint8_t via[2 + 16] = {
      AF_INET6, 0, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  b.attr(RTA_VIA, via, sizeof via);
  b.end_nexthop(nh);
  b.end_nest(mp);
  b.end();

  auto routes = uvs::route::parse_route(b.body());
  REQUIRE(routes.ok());
  REQUIRE(routes->size() == 2);
  CHECK((*routes)[0].oif == 2);
  CHECK((*routes)[0].gateway == ip("10.0.0.254"));
  CHECK((*routes)[0].priority == 20);
  CHECK((*routes)[0].dst.len == 16);
  CHECK((*routes)[1].oif == 3);
  CHECK((*routes)[1].gateway == ip("fe80::1"));
}

TEST_CASE("rtnl parser: route-cache entries are not routes") {
  Builder b;
  add_route(
      b,
      1,
      RouteSpec{
          "10.1.1.1", 32, nullptr, 2, nullptr, 0, 0, RT_TABLE_MAIN, RTN_UNICAST, RTM_F_CLONED});
  auto routes = uvs::route::parse_route(b.body());
  REQUIRE(routes.ok());
  CHECK(routes->empty());
}

TEST_CASE("rtnl parser: which routes are followed") {
  RouteInfo r;
  r.dst = *uvs::net::IpPrefix::parse("10.0.0.0/8");
  r.table = RT_TABLE_MAIN;
  r.type = RTN_UNICAST;
  CHECK(uvs::route::is_followed_route(r));
  for (std::uint8_t t : {RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW}) {
    r.type = t;
    CHECK(uvs::route::is_followed_route(r));
    CHECK(uvs::route::is_reject_route_type(t));
  }
  r.type = RTN_LOCAL;
  CHECK_FALSE(uvs::route::is_followed_route(r));
  r.type = RTN_BROADCAST;
  CHECK_FALSE(uvs::route::is_followed_route(r));
  r.type = RTN_UNICAST;
  r.table = RT_TABLE_LOCAL;
  CHECK_FALSE(uvs::route::is_followed_route(r));
  r.table = RT_TABLE_MAIN;
  r.dst = *uvs::net::IpPrefix::parse("2001:db8::/32");
  CHECK_FALSE(uvs::route::is_followed_route(r));
}

TEST_CASE("rtnl parser: a whole dump decodes and ends at NLMSG_DONE") {
  const Builder b = sample_dump(42);
  KernelState s;
  DumpProgress p;
  REQUIRE(uvs::route::parse_dump_datagram(b.bytes(), 42, s, p).ok());
  CHECK(p.done);
  CHECK_FALSE(p.interrupted);
  REQUIRE(s.links.size() == 2);
  CHECK(s.links[1].name == "eth0");
  REQUIRE(s.addrs.size() == 2);
  CHECK(s.addrs[1].addr == ip("2001:db8::1"));
  REQUIRE(s.routes.size() == 2);
  CHECK(s.routes[1].gateway == ip("10.0.0.254"));
  CHECK(s.routes[1].mtu == 1400);
}

TEST_CASE("rtnl parser: a dump split over datagrams continues until NLMSG_DONE") {
  Builder first;
  add_link(first, 5, 1, "lo", IFF_UP | IFF_LOOPBACK, 65536);
  Builder second;
  add_link(second, 5, 2, "eth0", IFF_UP, 1500);
  second.done(5);
  KernelState s;
  DumpProgress p;
  REQUIRE(uvs::route::parse_dump_datagram(first.bytes(), 5, s, p).ok());
  CHECK_FALSE(p.done);
  REQUIRE(uvs::route::parse_dump_datagram(second.bytes(), 5, s, p).ok());
  CHECK(p.done);
  CHECK(s.links.size() == 2);
}

TEST_CASE("rtnl parser: routes of other tables and other types are left out of the dump") {
  Builder b;
  add_route(b, 1, RouteSpec{"10.0.0.0", 24, nullptr, 2});
  add_route(b, 1, RouteSpec{"10.0.0.1", 32, nullptr, 2, nullptr, 0, 0, RT_TABLE_LOCAL, RTN_LOCAL});
  add_route(b, 1, RouteSpec{nullptr, 0, "10.0.0.9", 2, nullptr, 0, 0, 100});
  add_route(
      b, 1, RouteSpec{"192.0.2.0", 24, nullptr, 0, nullptr, 0, 0, RT_TABLE_MAIN, RTN_UNREACHABLE});
  b.done(1);
  KernelState s;
  DumpProgress p;
  REQUIRE(uvs::route::parse_dump_datagram(b.bytes(), 1, s, p).ok());
  REQUIRE(s.routes.size() == 2);
  CHECK(s.routes[0].dst.len == 24);
  CHECK(s.routes[1].type == RTN_UNREACHABLE);
}

TEST_CASE("rtnl parser: sequence numbers are checked") {
  const Builder b = sample_dump(7);
  KernelState s;
  DumpProgress p;
  auto st = uvs::route::parse_dump_datagram(b.bytes(), 8, s, p);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ErrorCode::kInvalidArgument);
  CHECK(st.error().where == "rtnetlink");
  CHECK(st.error().message == "answer with sequence number 7, expected 8");
}

TEST_CASE("rtnl parser: NLMSG_ERROR and a failed NLMSG_DONE become errors with errno text") {
  SUBCASE("NLMSG_ERROR") {
    Builder b;
    b.error(3, -EPERM);
    KernelState s;
    DumpProgress p;
    auto st = uvs::route::parse_dump_datagram(b.bytes(), 3, s, p);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kSystem);
    CHECK(st.error().message == "the kernel failed the dump: Operation not permitted");
  }
  SUBCASE("NLMSG_DONE with an error") {
    Builder b;
    b.done(3, -EINTR);
    KernelState s;
    DumpProgress p;
    auto st = uvs::route::parse_dump_datagram(b.bytes(), 3, s, p);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == ErrorCode::kSystem);
    CHECK_FALSE(p.done);
  }
  SUBCASE("an acknowledgement is not an error") {
    Builder b;
    b.error(3, 0);
    b.done(3);
    KernelState s;
    DumpProgress p;
    CHECK(uvs::route::parse_dump_datagram(b.bytes(), 3, s, p).ok());
    CHECK(p.done);
  }
}

TEST_CASE("rtnl parser: NLM_F_DUMP_INTR marks the dump as interrupted") {
  Builder b;
  b.begin(RTM_NEWLINK, 4, NLM_F_MULTI | NLM_F_DUMP_INTR);
  ifinfomsg ifi{};
  ifi.ifi_index = 2;
  b.header(ifi);
  b.attr_str(IFLA_IFNAME, "eth0");
  b.end();
  b.done(4);
  KernelState s;
  DumpProgress p;
  REQUIRE(uvs::route::parse_dump_datagram(b.bytes(), 4, s, p).ok());
  CHECK(p.done);
  CHECK(p.interrupted);
}

TEST_CASE("rtnl parser: a message after NLMSG_DONE is an error") {
  Builder b;
  b.done(1);
  add_link(b, 1, 2, "eth0", IFF_UP, 1500);
  KernelState s;
  DumpProgress p;
  CHECK_FALSE(uvs::route::parse_dump_datagram(b.bytes(), 1, s, p).ok());
}

TEST_CASE("rtnl parser: unknown message types are skipped") {
  Builder b;
  b.begin(RTM_NEWNEIGH, 1);
  const std::uint8_t junk[12] = {};
  b.attr(1, junk, sizeof junk);
  b.end();
  b.begin(NLMSG_NOOP, 1);
  b.end();
  b.done(1);
  KernelState s;
  DumpProgress p;
  REQUIRE(uvs::route::parse_dump_datagram(b.bytes(), 1, s, p).ok());
  CHECK(p.done);
  CHECK(s.links.empty());
}

TEST_CASE("rtnl parser: malformed objects are errors that say what is wrong") {
  SUBCASE("body shorter than ifinfomsg") {
    const std::uint8_t body[10] = {};
    auto r = uvs::route::parse_link(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("shorter than struct ifinfomsg") != std::string::npos);
  }
  SUBCASE("link without a name") {
    Builder b;
    b.begin(RTM_NEWLINK, 1);
    ifinfomsg ifi{};
    ifi.ifi_index = 2;
    b.header(ifi);
    b.attr_u32(IFLA_MTU, 1500);
    b.end();
    auto r = uvs::route::parse_link(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "RTM_NEWLINK ifindex 2: no IFLA_IFNAME");
  }
  SUBCASE("empty and over-long names") {
    for (const std::string& name : {std::string(), std::string(IFNAMSIZ, 'x')}) {
      Builder b;
      b.begin(RTM_NEWLINK, 1);
      ifinfomsg ifi{};
      ifi.ifi_index = 2;
      b.header(ifi);
      b.attr_str(IFLA_IFNAME, name);
      b.end();
      CHECK_FALSE(uvs::route::parse_link(b.body()).ok());
    }
  }
  SUBCASE("a 2-byte MTU") {
    Builder b;
    b.begin(RTM_NEWLINK, 1);
    ifinfomsg ifi{};
    ifi.ifi_index = 2;
    b.header(ifi);
    b.attr_str(IFLA_IFNAME, "eth0");
    const std::uint16_t mtu = 1500;
    b.attr(IFLA_MTU, &mtu, 2);
    b.end();
    auto r = uvs::route::parse_link(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "RTM_NEWLINK ifindex 2: IFLA_MTU has 2 bytes, expected 4");
  }
  SUBCASE("an attribute shorter than its header") {
    Builder b;
    add_link(b, 1, 2, "eth0", IFF_UP, 1500);
    auto& bytes = b.mutable_bytes();
    const std::size_t first_attr = sizeof(nlmsghdr) + sizeof(ifinfomsg);
    bytes[first_attr] = 2;
    bytes[first_attr + 1] = 0;
    auto r = uvs::route::parse_link(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("shorter than its own header") != std::string::npos);
  }
  SUBCASE("an attribute longer than the message") {
    Builder b;
    add_link(b, 1, 2, "eth0", IFF_UP, 1500);
    auto& bytes = b.mutable_bytes();
    const std::size_t first_attr = sizeof(nlmsghdr) + sizeof(ifinfomsg);
    bytes[first_attr] = 0xff;
    bytes[first_attr + 1] = 0x0f;
    auto r = uvs::route::parse_link(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("claims 4095 bytes") != std::string::npos);
  }
  SUBCASE("an address of the wrong size") {
    Builder b;
    b.begin(RTM_NEWADDR, 1);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_index = 2;
    ifa.ifa_prefixlen = 24;
    b.header(ifa);
    const std::uint8_t three[3] = {10, 0, 0};
    b.attr(IFA_LOCAL, three, 3);
    b.end();
    auto r = uvs::route::parse_addr(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "RTM_NEWADDR ifindex 2: IFA_LOCAL has 3 bytes, expected 4");
  }
  SUBCASE("an address message with no address") {
    Builder b;
    b.begin(RTM_NEWADDR, 1);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_index = 2;
    b.header(ifa);
    b.end();
    CHECK_FALSE(uvs::route::parse_addr(b.body()).ok());
  }
  SUBCASE("an impossible prefix length") {
    Builder b;
    add_addr(b, 1, 2, "10.0.0.1", 33);
    CHECK_FALSE(uvs::route::parse_addr(b.body()).ok());
    Builder r;
    add_route(r, 1, RouteSpec{"10.0.0.0", 33, nullptr, 2});
    CHECK_FALSE(uvs::route::parse_route(r.body()).ok());
  }
  SUBCASE("an unsupported family") {
    Builder b;
    b.begin(RTM_NEWROUTE, 1);
    rtmsg rtm{};
    rtm.rtm_family = AF_BRIDGE;
    b.header(rtm);
    b.end();
    auto r = uvs::route::parse_route(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("unsupported address family") != std::string::npos);
  }
  SUBCASE("a truncated metrics nest") {
    Builder b;
    b.begin(RTM_NEWROUTE, 1);
    rtmsg rtm{};
    rtm.rtm_family = AF_INET;
    b.header(rtm);
    const std::size_t nest = b.begin_nest(RTA_METRICS);
    const std::uint8_t half[2] = {8, 0};  // the start of a header, cut after 2 bytes
    b.attr(RTA_UNSPEC, nullptr, 0);
    b.mutable_bytes().insert(b.mutable_bytes().end(), half, half + 2);
    b.end_nest(nest);
    b.end();
    CHECK_FALSE(uvs::route::parse_route(b.body()).ok());
  }
  SUBCASE("a multipath next hop longer than the nest") {
    Builder b;
    b.begin(RTM_NEWROUTE, 1);
    rtmsg rtm{};
    rtm.rtm_family = AF_INET;
    b.header(rtm);
    const std::size_t mp = b.begin_nest(RTA_MULTIPATH);
    const std::size_t nh = b.begin_nexthop(2);
    b.end_nexthop(nh);
    b.end_nest(mp);
    b.end();
    auto& bytes = b.mutable_bytes();
    bytes[nh] = 200;  // rtnh_len
    auto r = uvs::route::parse_route(b.body());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("RTA_MULTIPATH next hop has length 200") != std::string::npos);
  }
  SUBCASE("a message header claiming more than the datagram") {
    Builder b;
    add_link(b, 1, 2, "eth0", IFF_UP, 1500);
    auto bytes = b.bytes();
    bytes.resize(bytes.size() - 4);
    KernelState s;
    DumpProgress p;
    auto st = uvs::route::parse_dump_datagram(bytes, 1, s, p);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("bytes left in the datagram") != std::string::npos);
  }
  SUBCASE("a message length below the header size") {
    Builder b;
    add_link(b, 1, 2, "eth0", IFF_UP, 1500);
    auto bytes = b.bytes();
    bytes[0] = 4;
    bytes[1] = bytes[2] = bytes[3] = 0;
    KernelState s;
    DumpProgress p;
    CHECK_FALSE(uvs::route::parse_dump_datagram(bytes, 1, s, p).ok());
  }
  SUBCASE("NLMSG_ERROR too short for its code") {
    Builder b;
    b.begin(NLMSG_ERROR, 1, 0);
    b.end();
    KernelState s;
    DumpProgress p;
    CHECK_FALSE(uvs::route::parse_dump_datagram(b.bytes(), 1, s, p).ok());
  }
}

TEST_CASE("rtnl parser: every truncation of a dump is an error unless it ends on a message") {
  const Builder b = sample_dump(9);
  const std::vector<std::uint8_t>& full = b.bytes();
  const auto& boundaries = b.boundaries();
  for (std::size_t len = 0; len < full.size(); ++len) {
    const std::vector<std::uint8_t> cut(full.begin(), full.begin() + static_cast<long>(len));
    KernelState s;
    DumpProgress p;
    auto st = uvs::route::parse_dump_datagram(cut, 9, s, p);
    // A message may end unpadded; the padding before the next one belongs to no message.
    const bool on_boundary =
        len == 0 || std::any_of(boundaries.begin(), boundaries.end(), [&](std::size_t end) {
          const std::size_t padded = (end + 3) & ~std::size_t{3};
          return len >= end && len <= padded;
        });
    CAPTURE(len);
    CHECK(st.ok() == on_boundary);
    CHECK_FALSE(p.done);  // the NLMSG_DONE is the last message, never complete in a cut
    if (!st.ok()) {
      CHECK_FALSE(st.error().message.empty());
    }
  }
}

TEST_CASE("rtnl parser: truncated object bodies never crash and never pass half-decoded") {
  Builder link;
  add_link(link, 1, 2, "eth0", IFF_UP, 1500);
  Builder route;
  add_route(route, 1, RouteSpec{"192.168.50.0", 24, "10.0.0.254", 2, "10.0.0.1", 300, 1400});
  Builder addr;
  add_addr(addr, 1, 2, "10.0.0.1", 24);
  const auto link_body = link.body();
  const auto route_body = route.body();
  const auto addr_body = addr.body();
  for (std::size_t len = 0; len < link_body.size(); ++len) {
    auto r = uvs::route::parse_link(link_body.first(len));
    // Every prefix either fails or, cut exactly between attributes, lacks later attributes.
    if (r.ok()) {
      CHECK(r->name == "eth0");
      CHECK(len > sizeof(ifinfomsg));
    }
  }
  for (std::size_t len = 0; len < route_body.size(); ++len) {
    auto r = uvs::route::parse_route(route_body.first(len));
    if (r.ok()) {
      CHECK(len >= sizeof(rtmsg));
      CHECK(r->size() == 1);
    }
  }
  for (std::size_t len = 0; len < addr_body.size(); ++len) {
    auto r = uvs::route::parse_addr(addr_body.first(len));
    if (r.ok()) {
      CHECK(r->addr == ip("10.0.0.1"));
    }
  }
}

TEST_CASE("rtnl parser: random bytes and mutated dumps never crash") {
  std::mt19937 rng(12345);
  const Builder sample = sample_dump(1);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 300);
      for (auto& byte : bytes) {
        byte = static_cast<std::uint8_t>(rng());
      }
    } else {
      bytes = sample.bytes();
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        bytes[rng() % bytes.size()] = static_cast<std::uint8_t>(rng());
      }
    }
    KernelState s;
    DumpProgress p;
    auto st = uvs::route::parse_dump_datagram(bytes, 1, s, p);
    if (!st.ok()) {
      ++errors;
      REQUIRE_FALSE(st.error().message.empty());
    }
    auto changed = uvs::route::notification_changes_state(bytes);
    if (!changed.ok()) {
      REQUIRE_FALSE(changed.error().message.empty());
    }
    const auto body = std::span<const std::uint8_t>(bytes);
    (void)uvs::route::parse_link(body);
    (void)uvs::route::parse_addr(body);
    (void)uvs::route::parse_route(body);
  }
  CHECK(errors > 10000);  // random bytes are almost never a valid dump
}

TEST_CASE("rtnl parser: which notifications change the state") {
  SUBCASE("a main-table route") {
    Builder b;
    add_route(b, 0, RouteSpec{"10.9.0.0", 16, "10.0.0.254", 2}, RTM_NEWROUTE);
    auto r = uvs::route::notification_changes_state(b.bytes());
    REQUIRE(r.ok());
    CHECK(*r);
  }
  SUBCASE("a route removed from the main table") {
    Builder b;
    add_route(b, 0, RouteSpec{"10.9.0.0", 16, "10.0.0.254", 2}, RTM_DELROUTE);
    auto r = uvs::route::notification_changes_state(b.bytes());
    REQUIRE(r.ok());
    CHECK(*r);
  }
  SUBCASE("a route of another table") {
    Builder b;
    add_route(b, 0, RouteSpec{"10.9.0.0", 16, "10.0.0.254", 2, nullptr, 0, 0, 100});
    auto r = uvs::route::notification_changes_state(b.bytes());
    REQUIRE(r.ok());
    CHECK_FALSE(*r);
  }
  SUBCASE("an address or a link") {
    Builder b;
    add_addr(b, 0, 2, "10.0.0.7", 24);
    auto r = uvs::route::notification_changes_state(b.bytes());
    REQUIRE(r.ok());
    CHECK(*r);
    Builder l;
    add_link(l, 0, 2, "eth0", 0, 1500);
    r = uvs::route::notification_changes_state(l.bytes());
    REQUIRE(r.ok());
    CHECK(*r);
  }
  SUBCASE("a neighbour change") {
    Builder b;
    b.begin(RTM_NEWNEIGH, 0);
    b.end();
    auto r = uvs::route::notification_changes_state(b.bytes());
    REQUIRE(r.ok());
    CHECK_FALSE(*r);
  }
  SUBCASE("a malformed route notification") {
    Builder b;
    b.begin(RTM_NEWROUTE, 0);
    b.end();
    CHECK_FALSE(uvs::route::notification_changes_state(b.bytes()).ok());
  }
}
