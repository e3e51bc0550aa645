// arp_packet: reading ARP fields, turning a request into a reply in place, and the request and
// gratuitous frames uvsd sends, compared byte for byte with frames written out by hand from
// RFC 826's layout.
#include "arp/arp_packet.h"

#include <cstdint>
#include <vector>

#include <doctest/doctest.h>

#include "io/frame_pool.h"
#include "packet/parser.h"

using namespace uvs;

namespace {

using Bytes = std::vector<std::uint8_t>;

const net::MacAddr kClientMac({0x02, 0x00, 0x00, 0x00, 0x00, 0x0a});
const net::MacAddr kOurMac({0x02, 0x00, 0x00, 0x00, 0x00, 0x0c});
const net::MacAddr kRealMac({0x02, 0x00, 0x00, 0x00, 0x00, 0x11});

net::IpAddr ip(const char* text) {
  return net::IpAddr::parse(text).value();
}

// who-has 10.0.1.100 tell 10.0.0.2, from the client, padded to 60 bytes with 0xaa.
Bytes client_request() {
  Bytes b = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // Ethernet destination: broadcast
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // Ethernet source: client
      0x08, 0x06,                          // ARP
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  // Ethernet / IPv4, 6, 4
      0x00, 0x01,                          // request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // sha: client
      10,   0,    0,    2,                 // spa
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tha: unknown
      10,   0,    1,    100,               // tpa: the VIP
  };
  b.resize(60, 0xaa);
  return b;
}

io::Frame frame_of(Bytes& b) {
  io::Frame f;
  f.data = b.data();
  f.len = static_cast<std::uint32_t>(b.size());
  return f;
}

packet::ParsedPacket parsed(const std::uint8_t* data, std::uint32_t len) {
  packet::ParsedPacket p;
  REQUIRE(packet::parse_frame(data, len, p) == base::DropReason::kNone);
  REQUIRE(p.kind == packet::L3Kind::kArp);
  return p;
}

Bytes bytes_of(const io::Frame& f) {
  return Bytes(f.data, f.data + f.len);
}

}  // namespace

TEST_CASE("arp_packet: read_arp returns the fields of a request") {
  Bytes b = client_request();
  const io::Frame f = frame_of(b);
  const arp::ArpFields a = arp::read_arp(f, parsed(b.data(), f.len));
  CHECK(a.oper == 1);
  CHECK(a.sha == kClientMac);
  CHECK(a.tha.is_zero());
  CHECK(a.spa == ip("10.0.0.2"));
  CHECK(a.tpa == ip("10.0.1.100"));

  SUBCASE("behind an 802.1Q tag") {
    Bytes t(b.begin(), b.begin() + 12);
    t.insert(t.end(), {0x81, 0x00, 0x00, 0x64});
    t.insert(t.end(), b.begin() + 12, b.end());
    const io::Frame tf = frame_of(t);
    const arp::ArpFields ta = arp::read_arp(tf, parsed(t.data(), tf.len));
    CHECK(ta.spa == ip("10.0.0.2"));
    CHECK(ta.tpa == ip("10.0.1.100"));
    CHECK(ta.sha == kClientMac);
  }
}

TEST_CASE("arp_packet: make_reply_in_place answers the requester, byte for byte") {
  Bytes b = client_request();
  io::Frame f = frame_of(b);
  const packet::ParsedPacket p = parsed(b.data(), f.len);
  arp::make_reply_in_place(f, p, kOurMac);
  Bytes want = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // to the requester
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  // from us
      0x08, 0x06,                          //
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  //
      0x00, 0x02,                          // reply
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  // sha: our MAC
      10,   0,    1,    100,               // spa: the address asked for
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // tha: requester
      10,   0,    0,    2,                 // tpa: requester
  };
  want.resize(60, 0xaa);  // padding left as it was
  CHECK(b == want);
  CHECK(f.len == 60);
  const arp::ArpFields a = arp::read_arp(f, parsed(b.data(), f.len));
  CHECK(a.oper == 2);
}

TEST_CASE("arp_packet: build_request, broadcast, byte for byte") {
  io::FramePool pool(2, 0);
  auto f = arp::build_request(pool, kOurMac, ip("10.0.2.1"), ip("10.0.2.11"));
  REQUIRE(f.has_value());
  const Bytes want = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // broadcast
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  // from us
      0x08, 0x06,                          //
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  //
      0x00, 0x01,                          // request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  // sha
      10,   0,    2,    1,                 // spa: the interface's kernel address
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tha unknown
      10,   0,    2,    11,                // tpa
  };
  CHECK(bytes_of(*f) == want);
  parsed(f->data, f->len);
  pool.free(*f);
  CHECK(pool.free_count() == 2);
}

TEST_CASE("arp_packet: build_request as a unicast probe of a stale entry") {
  io::FramePool pool(1, 0);
  auto f = arp::build_request(pool, kOurMac, ip("10.0.2.1"), ip("10.0.2.11"), kRealMac);
  REQUIRE(f.has_value());
  const Bytes want = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x11,  // to the remembered MAC
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  //
      0x08, 0x06,                          //
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  //
      0x00, 0x01,                          // request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  //
      10,   0,    2,    1,                 //
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tha: zero, as the kernel's arp_solicit() sends it
      10,   0,    2,    11,                //
  };
  CHECK(bytes_of(*f) == want);
  pool.free(*f);
}

TEST_CASE("arp_packet: build_gratuitous announces the VIP, byte for byte") {
  io::FramePool pool(1, 0);
  auto f = arp::build_gratuitous(pool, kOurMac, ip("10.0.1.100"));
  REQUIRE(f.has_value());
  const Bytes want = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  //
      0x08, 0x06,                          //
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  //
      0x00, 0x01,                          // request
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0c,  //
      10,   0,    1,    100,               // spa = VIP
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
      10,   0,    1,    100,               // tpa = VIP
  };
  CHECK(bytes_of(*f) == want);
  pool.free(*f);
}

TEST_CASE("arp_packet: builders report an exhausted pool") {
  io::FramePool pool(1, 0);
  auto held = pool.alloc(10);
  REQUIRE(held.has_value());
  CHECK_FALSE(arp::build_request(pool, kOurMac, ip("10.0.2.1"), ip("10.0.2.11")).has_value());
  CHECK_FALSE(arp::build_gratuitous(pool, kOurMac, ip("10.0.1.100")).has_value());
  pool.free(*held);
  CHECK(pool.free_count() == 1);
}
