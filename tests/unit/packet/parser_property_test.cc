// Property tests of the parser: every prefix of a set of valid frames, and 100,000 random and
// mutated frames, parsed from exactly-sized heap blocks (ASan catches a read past the end in the
// Debug build). Beyond "no crash", each parse must be consistent: the same bytes give the same
// answer whatever follows them in memory, whatever the output held before, and with or without
// header-checksum verification (which may only add ip_bad_checksum); an accepted frame's offsets
// lie inside the frame and agree with the header bytes; and over the whole run every drop reason
// the parser documents is produced at least once, so the generator demonstrably reaches every
// check.
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "net/ip_addr.h"
#include "unit/packet/parse_support.h"
#include "unit/packet/wire_builder.h"

using namespace uvs;
using namespace uvs::test;
using namespace uvs::test::wire;
using base::DropReason;
using packet::L3Kind;
using packet::ParsedPacket;

namespace {

struct Sample {
  const char* name;
  Bytes frame;
};

// Valid frames covering every branch of the parser.
std::vector<Sample> valid_frames() {
  std::vector<Sample> v;
  Ipv4Spec c2v;
  c2v.src = ip4(10, 0, 0, 2);
  c2v.dst = ip4(10, 0, 1, 100);
  TcpSpec syn;
  TcpSpec data;
  data.flags = 0x18;
  data.options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  v.push_back({"tcp syn", tcp_frame(c2v, syn)});
  v.push_back({"tcp data with options", tcp_frame(c2v, data, pattern(300))});
  v.push_back({"tcp tagged", tcp_frame(c2v, syn, pattern(3), 0x0064)});
  v.push_back({"udp", udp_frame(c2v, 5353, 53, pattern(40))});
  Bytes padded = udp_frame(c2v, 5353, 53, pattern(1));
  padded.resize(60, 0);
  v.push_back({"udp padded", padded});
  v.push_back({"udp checksum 0", udp_frame(c2v, 1, 2, pattern(9), true)});
  v.push_back({"icmp echo", icmp_frame(c2v, 8, 0, 0x00420001, pattern(56))});
  Ipv4Spec q;
  q.src = ip4(10, 0, 0, 2);
  q.dst = ip4(10, 0, 2, 11);
  const Bytes quoted_tcp = ipv4_packet(q, tcp_segment(q, syn));
  Ipv4Spec r;
  r.src = ip4(10, 0, 2, 11);
  r.dst = ip4(10, 0, 0, 2);
  v.push_back({"icmp port unreachable", icmp_frame(r, 3, 3, 0, quoted_tcp)});
  v.push_back({"icmp frag needed, 8-byte quote",
               icmp_frame(r, 3, 4, 1400, Bytes(quoted_tcp.begin(), quoted_tcp.begin() + 28))});
  Ipv4Spec opts = c2v;
  opts.options = {0x94, 0x04, 0, 0, 1, 1, 1, 0};
  v.push_back({"ip options", tcp_frame(opts, syn)});
  Ipv4Spec frag = c2v;
  frag.proto = 6;
  frag.frag = 0x20b9;
  v.push_back({"non-first fragment", ipv4_frame(frag, pattern(24))});
  Ipv4Spec gre = c2v;
  gre.proto = 47;
  v.push_back({"gre", ipv4_frame(gre, pattern(28))});
  v.push_back({"arp request", ethernet(0x0806, arp_body(ArpSpec{}))});
  v.push_back({"arp tagged", ethernet(0x0806, arp_body(ArpSpec{}), 0x0003)});
  v.push_back({"ipv6 ethertype", ethernet(0x86dd, pattern(40))});
  return v;
}

// Every reason parse_frame() documents (parser.h).
constexpr std::array<DropReason, 14> kParserReasons = {
    DropReason::kNone,
    DropReason::kEthTruncated,
    DropReason::kVlanTruncated,
    DropReason::kArpTruncated,
    DropReason::kArpMalformed,
    DropReason::kIpTruncated,
    DropReason::kIpBadVersion,
    DropReason::kIpBadIhl,
    DropReason::kIpBadTotalLength,
    DropReason::kIpBadChecksum,
    DropReason::kTcpTruncated,
    DropReason::kUdpTruncated,
    DropReason::kIcmpTruncated,
    DropReason::kIcmpBadInner,
};

bool documented(DropReason r) {
  for (DropReason d : kParserReasons) {
    if (d == r) {
      return true;
    }
  }
  return false;
}

// What an accepted frame promises later stages, checked against the bytes themselves. Returns
// an empty string or what is wrong.
std::string accepted_invariants(const Bytes& f, const ParsedPacket& p) {
  const std::size_t n = f.size();
  if (n < 14) {
    return "accepted a frame shorter than Ethernet";
  }
  const std::size_t l3 = p.l3_off;
  if (l3 != (p.has_vlan ? 18u : 14u) || n < l3) {
    return "l3_off does not follow the tag";
  }
  if (p.ether_type != get16(&f[l3 - 2])) {
    return "ether_type differs from the frame";
  }
  if (p.kind == L3Kind::kArp) {
    return l3 + 28 <= n ? "" : "ARP body past the frame";
  }
  if (p.kind == L3Kind::kOther) {
    return p.ether_type != 0x0800 && p.ether_type != 0x0806 ? "" : "IPv4/ARP reported as other";
  }
  const std::uint8_t* ip = &f[l3];
  if (p.ip_hlen < 20 || p.ip_hlen % 4 != 0 || p.ip_hlen != (ip[0] & 0x0f) * 4u) {
    return "bad ip_hlen";
  }
  if ((ip[0] >> 4) != 4 || p.ip_total_len != get16(ip + 2) || p.ip_total_len < p.ip_hlen ||
      l3 + p.ip_total_len > n) {
    return "total length outside the frame";
  }
  if (p.l4_off != l3 + p.ip_hlen || p.l4_len != p.ip_total_len - p.ip_hlen) {
    return "l4_off/l4_len inconsistent";
  }
  if (p.tuple.proto != ip[9] || p.tuple.saddr != net::IpAddr::v4(get32(ip + 12)) ||
      p.tuple.daddr != net::IpAddr::v4(get32(ip + 16)) || p.ttl != ip[8] ||
      p.frag_field != get16(ip + 6)) {
    return "header fields differ from the frame";
  }
  if (p.is_fragment()) {
    return p.tuple.sport == 0 && p.tuple.dport == 0 && !p.icmp_is_error ? ""
                                                                        : "fragment with ports";
  }
  const std::uint8_t* l4 = &f[p.l4_off];
  const std::size_t end = l3 + p.ip_total_len;
  switch (p.tuple.proto) {
    case 6:
      if (p.l4_len < 20 || (l4[12] >> 4) * 4u < 20 || (l4[12] >> 4) * 4u > p.l4_len ||
          p.tuple.sport != get16(l4) || p.tuple.dport != get16(l4 + 2)) {
        return "TCP header not inside the packet";
      }
      return "";
    case 17:
      if (p.l4_len < 8 || get16(l4 + 4) < 8 || get16(l4 + 4) > p.l4_len ||
          p.tuple.sport != get16(l4)) {
        return "UDP header not inside the packet";
      }
      return "";
    case 1:
      if (p.l4_len < 8 || p.icmp_type != l4[0]) {
        return "ICMP header not inside the packet";
      }
      if (p.icmp_is_error && (p.inner_l3_off != p.l4_off + 8 || p.inner_hlen < 20 ||
                              p.inner_l4_off != p.inner_l3_off + p.inner_hlen ||
                              p.inner_l4_off + 8u > end || (f[p.inner_l3_off] >> 4) != 4)) {
        return "embedded header not inside the packet";
      }
      return "";
    default:
      return p.tuple.sport == 0 && p.tuple.dport == 0 ? "" : "ports for a portless protocol";
  }
}

// Parse `f` every way the properties compare and check them; returns the verifying result.
DropReason check_all_ways(const Bytes& f, std::mt19937& rng) {
  ParsedPacket p;
  const DropReason r = parse_exact(f, p);
  CHECK(documented(r));

  // The same bytes followed by random garbage in memory (len unchanged): the same answer.
  Bytes big = f;
  const std::size_t extra = 1 + rng() % 64;
  for (std::size_t i = 0; i < extra; ++i) {
    big.push_back(static_cast<std::uint8_t>(rng()));
  }
  ParsedPacket pb;
  // Pre-fill the output with the previous frame's result: parse must not depend on it.
  pb = p;
  pb.icmp_is_error = !pb.icmp_is_error;
  pb.l4_off = 0xffff;
  const DropReason rb = packet::parse_frame(big.data(), static_cast<std::uint32_t>(f.size()), pb);
  CHECK(rb == r);
  if (r == DropReason::kNone) {
    CHECK(same_parse(p, pb));
    const std::string why = accepted_invariants(f, p);
    INFO(why);
    CHECK(why.empty());
  }

  // Without checksum verification: identical unless the checksum was the reason.
  ParsedPacket pn;
  const DropReason rn = parse_exact(f, pn, false);
  CHECK(rn != DropReason::kIpBadChecksum);
  CHECK(documented(rn));
  if (r != DropReason::kIpBadChecksum) {
    CHECK(rn == r);
    if (r == DropReason::kNone) {
      CHECK(same_parse(p, pn));
    }
  } else {
    // The checksum is the last IPv4 header check: what follows it can only be a transport one.
    CHECK((rn == DropReason::kNone || rn == DropReason::kTcpTruncated ||
           rn == DropReason::kUdpTruncated || rn == DropReason::kIcmpTruncated ||
           rn == DropReason::kIcmpBadInner));
  }
  return r;
}

// The outcome a prefix of a valid frame must have, from the frame's own headers.
DropReason expected_for_prefix(const Bytes& full, std::size_t n) {
  if (n < 14) {
    return DropReason::kEthTruncated;
  }
  std::size_t l3 = 14;
  std::uint16_t type = get16(&full[12]);
  if (type == 0x8100) {
    if (n < 18) {
      return DropReason::kVlanTruncated;
    }
    l3 = 18;
    type = get16(&full[16]);
  }
  if (type == 0x0806) {
    return n < l3 + 28 ? DropReason::kArpTruncated : DropReason::kNone;
  }
  if (type != 0x0800) {
    return DropReason::kNone;
  }
  if (n < l3 + 20) {
    return DropReason::kIpTruncated;
  }
  if (n < l3 + (full[l3] & 0x0f) * 4u) {
    return DropReason::kIpBadIhl;
  }
  if (n < l3 + get16(&full[l3 + 2])) {
    return DropReason::kIpBadTotalLength;
  }
  return DropReason::kNone;
}

// Offsets the mutator likes: length, version/IHL, data-offset and type fields of an untagged
// IPv4 frame (and of the embedded header of an ICMP error), where single-byte changes matter.
constexpr std::array<std::size_t, 14> kHotOffsets = {
    12, 13, 14, 16, 17, 20, 23, 38, 39, 46, 34, 42, 44, 45};

Bytes mutate(const std::vector<Sample>& seeds, std::mt19937& rng) {
  if (rng() % 8 == 0) {
    Bytes r(rng() % 96);
    for (auto& b : r) {
      b = static_cast<std::uint8_t>(rng());
    }
    if (r.size() >= 14 && rng() % 2 == 0) {
      r[12] = 0x08;
      r[13] = static_cast<std::uint8_t>(rng() % 2 == 0 ? 0x00 : 0x06);
      if (r.size() >= 42 && rng() % 2 == 0) {
        r[14] = static_cast<std::uint8_t>(0x45 + rng() % 3);  // a header that fits the frame
        put16(&r[16], static_cast<std::uint16_t>(r.size() - 14 - rng() % 4));
        fix_ip_checksum(r);
      }
    }
    return r;
  }
  Bytes f = seeds[rng() % seeds.size()].frame;
  const unsigned edits = 1 + rng() % 4;
  static constexpr std::uint8_t kInteresting[] = {0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0x08,
                                                  0x0f, 0x10, 0x3f, 0x40, 0x44, 0x45, 0x46,
                                                  0x4f, 0x50, 0x60, 0x7f, 0x80, 0xf0, 0xff};
  for (unsigned e = 0; e < edits && !f.empty(); ++e) {
    switch (rng() % 7) {
      case 0:
        f[rng() % f.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        f[rng() % f.size()] = static_cast<std::uint8_t>(rng());
        break;
      case 2: {
        const std::size_t at = kHotOffsets[rng() % kHotOffsets.size()];
        if (at < f.size()) {
          f[at] = kInteresting[rng() % sizeof(kInteresting)];
        }
        break;
      }
      case 3:
        f.resize(rng() % (f.size() + 1));
        break;
      case 4:
        f.resize(f.size() + 1 + rng() % 16, static_cast<std::uint8_t>(rng()));
        break;
      case 5: {
        // A 16-bit length field (IP total, UDP length) set to something near its true value.
        const std::size_t at = rng() % 2 == 0 ? 16 : 38;
        if (at + 1 < f.size()) {
          const int delta = static_cast<int>(rng() % 9) - 4;
          put16(&f[at], static_cast<std::uint16_t>(get16(&f[at]) + delta));
        }
        break;
      }
      default:
        if (f.size() >= 34 && f[12] == 0x08 && f[13] == 0x00 && (f[14] & 0x0f) >= 5 &&
            f.size() >= 14 + (f[14] & 0x0f) * 4u) {
          fix_ip_checksum(f);  // get past the checksum so the later checks are reached
        }
        break;
    }
  }
  if (rng() % 2 == 0 && f.size() >= 14 + 20 && f[12] == 0x08 && f[13] == 0x00 &&
      (f[14] & 0x0f) >= 5 && f.size() >= 14 + (f[14] & 0x0f) * 4u) {
    fix_ip_checksum(f);
  }
  return f;
}

}  // namespace

TEST_CASE("parser property: every prefix of a valid frame gives the reason its headers predict") {
  std::mt19937 rng(1);
  for (const Sample& s : valid_frames()) {
    INFO(s.name);
    ParsedPacket whole;
    REQUIRE(parse_exact(s.frame, whole) == DropReason::kNone);
    for (std::size_t n = 0; n <= s.frame.size(); ++n) {
      INFO("prefix of " << n << " bytes");
      const Bytes prefix(s.frame.begin(), s.frame.begin() + static_cast<std::ptrdiff_t>(n));
      const DropReason want = expected_for_prefix(s.frame, n);
      CHECK(base::name(check_all_ways(prefix, rng)) == base::name(want));
      if (want == DropReason::kNone) {
        // Only padding was cut: the result is that of the whole frame.
        ParsedPacket p;
        REQUIRE(parse_exact(prefix, p) == DropReason::kNone);
        CHECK(same_parse(p, whole));
      }
    }
  }
}

TEST_CASE("parser property: 100,000 random and mutated frames are handled consistently") {
  const std::vector<Sample> seeds = valid_frames();
  std::mt19937 rng(20240601);
  std::map<DropReason, unsigned> seen;
  for (int i = 0; i < 100000; ++i) {
    const Bytes f = mutate(seeds, rng);
    const DropReason r = check_all_ways(f, rng);
    ++seen[r];
    if (r == DropReason::kNone) {
      // An accepted frame stays accepted when only bytes past its IP packet are cut.
      ParsedPacket p;
      REQUIRE(parse_exact(f, p) == DropReason::kNone);
      if (p.kind == L3Kind::kIpv4 && p.l3_off + p.ip_total_len < f.size()) {
        ParsedPacket q;
        CHECK(parse_exact(f, q, true, p.l3_off + p.ip_total_len) == DropReason::kNone);
        CHECK(same_parse(p, q));
      }
    }
  }
  for (DropReason d : kParserReasons) {
    INFO("reason " << base::name(d) << " never produced");
    CHECK(seen[d] > 0);
  }
  MESSAGE("reasons over 100,000 frames: " << [&] {
    std::string s;
    for (const auto& [reason, count] : seen) {
      s += std::string(base::name(reason)) + "=" + std::to_string(count) + " ";
    }
    return s;
  }());
}
