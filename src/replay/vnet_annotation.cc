// A hand-written tokenizer rather than a regex: the grammar is a handful of fixed words, and an
// error must name the exact token that is wrong, which a failed regex match cannot say. Fields
// are first collected as "given or not", then checked together, because the rules that tie
// fields to one another (needs_csum <-> csum_*, gso <-> gso_size) cannot be judged token by token.
#include "replay/vnet_annotation.h"

#include <array>

namespace uvs::replay {

namespace {

struct GsoName {
  std::string_view name;
  std::uint8_t type;
};
constexpr std::array<GsoName, 5> kGsoNames = {{{"none", io::Offload::kGsoNone},
                                               {"tcpv4", io::Offload::kGsoTcpv4},
                                               {"udp", io::Offload::kGsoUdp},
                                               {"tcpv6", io::Offload::kGsoTcpv6},
                                               {"udp_l4", io::Offload::kGsoUdpL4}}};

base::Error bad(std::string_view token, const std::string& why) {
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "uvs-vnet annotation: " + std::string(token) + ": " + why);
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// 1 to 5 decimal digits, value <= 65535.
std::optional<std::uint16_t> parse_u16(std::string_view s) {
  if (s.empty() || s.size() > 5) {
    return std::nullopt;
  }
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v > 0xffff) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(v);
}

}  // namespace

base::Result<std::optional<io::VnetHdr>> parse_vnet_annotation(std::string_view comment,
                                                               std::uint32_t frame_len) {
  if (comment.substr(0, kVnetAnnotationTag.size()) != kVnetAnnotationTag) {
    return std::optional<io::VnetHdr>();
  }
  std::string_view rest = comment.substr(kVnetAnnotationTag.size());
  if (!rest.empty() && !is_space(rest.front())) {
    return bad(comment.substr(0, comment.find_first_of(" \t")),
               "expected a space after \"uvs-vnet\"");
  }

  enum Field { kGso, kEcn, kGsoSize, kHdrLen, kNeedsCsum, kCsumStart, kCsumOffset, kDataValid, kN };
  constexpr std::array<std::string_view, kN> kNames = {
      "gso", "ecn", "gso_size", "hdr_len", "needs_csum", "csum_start", "csum_offset", "data_valid"};
  std::array<bool, kN> given{};
  std::array<std::uint16_t, kN> value{};
  std::array<std::string_view, kN> token{};
  std::uint8_t gso_type = io::Offload::kGsoNone;

  while (!rest.empty()) {
    std::size_t b = 0;
    while (b < rest.size() && is_space(rest[b])) {
      ++b;
    }
    std::size_t e = b;
    while (e < rest.size() && !is_space(rest[e])) {
      ++e;
    }
    const std::string_view tok = rest.substr(b, e - b);
    rest = rest.substr(e);
    if (tok.empty()) {
      break;
    }
    const std::size_t eq = tok.find('=');
    const std::string_view key = tok.substr(0, eq);
    const std::string_view val = eq == std::string_view::npos ? "" : tok.substr(eq + 1);
    int f = -1;
    for (int i = 0; i < kN; ++i) {
      if (kNames[i] == key) {
        f = i;
      }
    }
    if (f < 0) {
      return bad(tok,
                 "unknown field (known: gso, ecn, gso_size, hdr_len, needs_csum, csum_start, "
                 "csum_offset, data_valid)");
    }
    if (given[f]) {
      return bad(tok, "given twice");
    }
    given[f] = true;
    token[f] = tok;
    const bool is_flag = f == kEcn || f == kNeedsCsum || f == kDataValid;
    if (is_flag) {
      if (eq != std::string_view::npos) {
        return bad(tok, "a flag takes no value");
      }
      continue;
    }
    if (eq == std::string_view::npos) {
      return bad(tok, "needs a value (" + std::string(key) + "=...)");
    }
    if (f == kGso) {
      bool found = false;
      for (const GsoName& g : kGsoNames) {
        if (g.name == val) {
          gso_type = g.type;
          found = true;
        }
      }
      if (!found) {
        return bad(tok, "unknown gso type (known: none, tcpv4, udp, tcpv6, udp_l4)");
      }
      continue;
    }
    const auto n = parse_u16(val);
    if (!n) {
      return bad(tok, "not a decimal number in 0..65535");
    }
    value[f] = *n;
  }

  if (given[kEcn] && gso_type == io::Offload::kGsoNone) {
    return bad(token[kEcn], "ecn needs a gso type other than none");
  }
  if (gso_type != io::Offload::kGsoNone && (!given[kGsoSize] || value[kGsoSize] == 0)) {
    return bad(given[kGsoSize] ? token[kGsoSize] : token[kGso],
               "a gso type other than none needs gso_size >= 1");
  }
  if (gso_type == io::Offload::kGsoNone && given[kGsoSize]) {
    return bad(token[kGsoSize], "gso_size without a gso type other than none");
  }
  if (given[kNeedsCsum] && (!given[kCsumStart] || !given[kCsumOffset])) {
    return bad(token[kNeedsCsum], "needs_csum needs csum_start and csum_offset");
  }
  for (const Field f : {kCsumStart, kCsumOffset}) {
    if (given[f] && !given[kNeedsCsum]) {
      return bad(token[f], "only meaningful with needs_csum");
    }
  }
  if (value[kHdrLen] > frame_len) {
    return bad(token[kHdrLen], "beyond the frame (" + std::to_string(frame_len) + " bytes)");
  }
  if (given[kNeedsCsum] && std::uint32_t{value[kCsumStart]} + value[kCsumOffset] + 2 > frame_len) {
    return bad(token[kCsumOffset],
               "the checksum field (csum_start + csum_offset + 2 = " +
                   std::to_string(std::uint32_t{value[kCsumStart]} + value[kCsumOffset] + 2) +
                   ") is beyond the frame (" + std::to_string(frame_len) + " bytes)");
  }

  io::VnetHdr v;
  v.flags = static_cast<std::uint8_t>((given[kNeedsCsum] ? io::Offload::kNeedsCsum : 0) |
                                      (given[kDataValid] ? io::Offload::kDataValid : 0));
  v.gso_type = static_cast<std::uint8_t>(gso_type | (given[kEcn] ? io::Offload::kGsoEcn : 0));
  v.hdr_len = value[kHdrLen];
  v.gso_size = value[kGsoSize];
  v.csum_start = value[kCsumStart];
  v.csum_offset = value[kCsumOffset];
  return std::optional<io::VnetHdr>(v);
}

std::string format_vnet_annotation(const io::VnetHdr& v) {
  std::string s(kVnetAnnotationTag);
  const auto gso = static_cast<std::uint8_t>(v.gso_type & ~io::Offload::kGsoEcn);
  if (gso != io::Offload::kGsoNone) {
    std::string name = std::to_string(gso);  // not a known type: parse refuses it, visibly
    for (const GsoName& g : kGsoNames) {
      if (g.type == gso) {
        name = g.name;
      }
    }
    s += " gso=" + name;
    if (v.gso_type & io::Offload::kGsoEcn) {
      s += " ecn";
    }
    s += " gso_size=" + std::to_string(v.gso_size);
  }
  if (v.hdr_len != 0) {
    s += " hdr_len=" + std::to_string(v.hdr_len);
  }
  if (v.flags & io::Offload::kNeedsCsum) {
    s += " needs_csum csum_start=" + std::to_string(v.csum_start) +
         " csum_offset=" + std::to_string(v.csum_offset);
  }
  if (v.flags & io::Offload::kDataValid) {
    s += " data_valid";
  }
  return s;
}

}  // namespace uvs::replay
