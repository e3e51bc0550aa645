// The uvs-vnet packet comment: every field of the grammar, the canonical form, and each kind of
// malformed annotation refused with the offending token named.
#include "replay/vnet_annotation.h"

#include <cstring>
#include <string>

#include <doctest/doctest.h>

using uvs::io::Offload;
using uvs::io::VnetHdr;
using uvs::replay::format_vnet_annotation;
using uvs::replay::parse_vnet_annotation;

namespace {

VnetHdr parse_ok(const std::string& s, std::uint32_t len = 2000) {
  auto r = parse_vnet_annotation(s, len);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->has_value());
  return **r;
}

// The error message of a refused annotation.
std::string parse_bad(const std::string& s, std::uint32_t len = 2000) {
  auto r = parse_vnet_annotation(s, len);
  REQUIRE(!r.ok());
  CHECK(r.error().code == uvs::base::ErrorCode::kInvalidArgument);
  CHECK(r.error().where.empty());
  return r.error().message;
}

}  // namespace

TEST_CASE("vnet annotation: a TCP GSO super-packet with a partial checksum") {
  const VnetHdr v = parse_ok(
      "uvs-vnet gso=tcpv4 gso_size=1448 hdr_len=66 needs_csum csum_start=34 csum_offset=16");
  CHECK(v.flags == Offload::kNeedsCsum);
  CHECK(v.gso_type == Offload::kGsoTcpv4);
  CHECK(v.gso_size == 1448);
  CHECK(v.hdr_len == 66);
  CHECK(v.csum_start == 34);
  CHECK(v.csum_offset == 16);
  const Offload o = uvs::io::to_offload(v);
  CHECK(o.is_gso());
  CHECK(o.needs_csum());
  CHECK(o.csum_start == 34);
}

TEST_CASE("vnet annotation: every gso type, ecn, data_valid, any order, extra spaces") {
  CHECK(parse_ok("uvs-vnet gso=udp gso_size=1000").gso_type == Offload::kGsoUdp);
  CHECK(parse_ok("uvs-vnet gso=tcpv6 gso_size=1000").gso_type == Offload::kGsoTcpv6);
  CHECK(parse_ok("uvs-vnet gso=udp_l4 gso_size=1000").gso_type == Offload::kGsoUdpL4);
  CHECK(parse_ok("uvs-vnet gso=none").gso_type == Offload::kGsoNone);
  CHECK(parse_ok("uvs-vnet  gso_size=9\tecn  gso=tcpv4 ").gso_type ==
        (Offload::kGsoTcpv4 | Offload::kGsoEcn));
  CHECK(parse_ok("uvs-vnet data_valid").flags == Offload::kDataValid);
  const VnetHdr empty = parse_ok("uvs-vnet");
  CHECK(empty.flags == 0);
  CHECK(empty.gso_type == 0);
  CHECK(parse_ok("uvs-vnet needs_csum csum_start=34 csum_offset=6", 42).csum_offset == 6);
  CHECK(parse_ok("uvs-vnet hdr_len=65535", 65535).hdr_len == 65535);
}

TEST_CASE("vnet annotation: other comments are not annotations") {
  for (const char* c : {"", "hello", "uvs", "UVS-VNET gso=tcpv4", " uvs-vnet gso=tcpv4"}) {
    auto r = parse_vnet_annotation(c, 100);
    REQUIRE(r.ok());
    CHECK(!r->has_value());
  }
}

TEST_CASE("vnet annotation: the canonical form parses back to the same header") {
  for (const char* c :
       {"uvs-vnet",
        "uvs-vnet gso=tcpv4 gso_size=1448 hdr_len=66 needs_csum csum_start=34 csum_offset=16",
        "uvs-vnet gso=udp_l4 ecn gso_size=1 needs_csum csum_start=0 csum_offset=0 data_valid"}) {
    const VnetHdr v = parse_ok(c);
    CHECK(format_vnet_annotation(v) == c);
    const VnetHdr again = parse_ok(format_vnet_annotation(v));
    CHECK(std::memcmp(&again, &v, sizeof v) == 0);
  }
}

TEST_CASE("vnet annotation: malformed annotations name the bad token") {
  struct Bad {
    const char* text;
    const char* names;  // must appear in the message
  };
  const Bad cases[] = {
      {"uvs-vnetgso=tcpv4", "uvs-vnetgso=tcpv4: expected a space"},
      {"uvs-vnet gso=tcp", "gso=tcp: unknown gso type"},
      {"uvs-vnet gso", "gso: needs a value"},
      {"uvs-vnet gso= gso_size=1", "gso=: unknown gso type"},
      {"uvs-vnet mss=1448", "mss=1448: unknown field"},
      {"uvs-vnet gso=tcpv4 gso_size=1448 gso_size=1448", "gso_size=1448: given twice"},
      {"uvs-vnet needs_csum=1 csum_start=34 csum_offset=16", "needs_csum=1: a flag takes no value"},
      {"uvs-vnet gso=tcpv4 gso_size=65536", "gso_size=65536: not a decimal number"},
      {"uvs-vnet gso=tcpv4 gso_size=-1", "gso_size=-1: not a decimal number"},
      {"uvs-vnet gso=tcpv4 gso_size=0x10", "gso_size=0x10: not a decimal number"},
      {"uvs-vnet gso=tcpv4 gso_size=", "gso_size=: not a decimal number"},
      {"uvs-vnet gso=tcpv4 gso_size=000001", "gso_size=000001: not a decimal number"},
      {"uvs-vnet gso=tcpv4", "gso=tcpv4: a gso type other than none needs gso_size"},
      {"uvs-vnet gso=tcpv4 gso_size=0", "gso_size=0: a gso type other than none needs gso_size"},
      {"uvs-vnet gso_size=1448", "gso_size=1448: gso_size without a gso type"},
      {"uvs-vnet gso=none gso_size=1448", "gso_size=1448: gso_size without a gso type"},
      {"uvs-vnet ecn", "ecn: ecn needs a gso type"},
      {"uvs-vnet needs_csum csum_start=34", "needs_csum: needs_csum needs csum_start and"},
      {"uvs-vnet csum_start=34 csum_offset=16", "csum_start=34: only meaningful with needs_csum"},
      {"uvs-vnet hdr_len=2001", "hdr_len=2001: beyond the frame (2000 bytes)"},
      {"uvs-vnet needs_csum csum_start=1990 csum_offset=9", "csum_offset=9: the checksum field"},
  };
  for (const Bad& b : cases) {
    INFO(b.text);
    const std::string msg = parse_bad(b.text);
    CHECK(msg.rfind("uvs-vnet annotation: ", 0) == 0);
    CHECK_MESSAGE(msg.find(b.names) != std::string::npos, msg);
  }
}
