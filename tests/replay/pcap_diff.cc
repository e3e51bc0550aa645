// pcap_diff — compares two capture files frame by frame and explains the first differences
// (test-only tool of the replay golden test; links libtins for the dissection).
//
//   pcap_diff [--max N] [--ignore-time] EXPECTED ACTUAL
//
// Exit status: 0 the files hold the same frames (same count, timestamps and bytes; the file
// headers may differ, e.g. pcap vs pcapng), 1 they differ, 2 a file cannot be read or bad usage.
// --ignore-time compares the frames' bytes and order only: what a live capture of a replay is
// compared with (tests/netns/replay_live_equals_offline_test.sh), where the clock is the wall's.
// On a difference it prints the frame counts and how many frames differ, then for each of the
// first N differing frames (default 3): its number (1-based, as Wireshark numbers frames), the
// timestamps, the lengths, then layer by layer (Ethernet, 802.1Q, ARP, IPv4, TCP, UDP, ICMP and
// the packet quoted inside an ICMP error) every field whose value differs, and finally the first
// differing byte with its offset and a few bytes of context either way. A frame present in only
// one file is shown as a one-line summary of its layers. Frames libtins cannot dissect are
// compared as bytes.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <tins/tins.h>

#include "io/pcap_file.h"

namespace {

using Record = uvs::io::PcapRecord;

struct Field {
  std::string name;
  std::string value;
};

struct Layer {
  std::string name;
  std::vector<Field> fields;
};

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string tcp_flags(std::uint8_t f) {
  static const std::pair<std::uint8_t, const char*> kNames[] = {{Tins::TCP::SYN, "SYN"},
                                                                {Tins::TCP::ACK, "ACK"},
                                                                {Tins::TCP::FIN, "FIN"},
                                                                {Tins::TCP::RST, "RST"},
                                                                {Tins::TCP::PSH, "PSH"},
                                                                {Tins::TCP::URG, "URG"},
                                                                {Tins::TCP::ECE, "ECE"},
                                                                {Tins::TCP::CWR, "CWR"}};
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((f & bit) != 0) {
      out += (out.empty() ? "" : "|") + std::string(name);
    }
  }
  return out.empty() ? "none" : out;
}

std::string time_text(std::int64_t ts) {
  char buf[40];
  std::snprintf(buf,
                sizeof buf,
                "%lld.%09lld",
                static_cast<long long>(ts / 1000000000),
                static_cast<long long>(ts % 1000000000));
  return buf;
}

std::string payload_text(const std::vector<std::uint8_t>& p) {
  std::string s = std::to_string(p.size()) + " bytes";
  if (!p.empty()) {
    s += " \"";
    for (std::size_t i = 0; i < p.size() && i < 24; ++i) {
      const char c = static_cast<char>(p[i]);
      s += (c >= 0x20 && c < 0x7f) ? c : '.';
    }
    s += p.size() > 24 ? "...\"" : "\"";
  }
  return s;
}

// Appends the layers of `pdu` and everything inside it; `prefix` names quoted packets.
void dissect_pdu(const Tins::PDU* pdu, const std::string& prefix, std::vector<Layer>& out);

void dissect_quoted(const Tins::RawPDU& raw, std::vector<Layer>& out) {
  try {
    const Tins::IP inner(raw.payload().data(), static_cast<std::uint32_t>(raw.payload().size()));
    dissect_pdu(&inner, "quoted ", out);
  } catch (const std::exception&) {
    out.push_back(Layer{"quoted data", {{"payload", payload_text(raw.payload())}}});
  }
}

void dissect_pdu(const Tins::PDU* pdu, const std::string& prefix, std::vector<Layer>& out) {
  bool quoted_next = false;
  for (; pdu != nullptr; pdu = pdu->inner_pdu()) {
    Layer l;
    switch (pdu->pdu_type()) {
      case Tins::PDU::ETHERNET_II: {
        const auto& e = static_cast<const Tins::EthernetII&>(*pdu);
        l.name = "Ethernet";
        l.fields = {{"dst", e.dst_addr().to_string()},
                    {"src", e.src_addr().to_string()},
                    {"type", hex(e.payload_type())}};
        break;
      }
      case Tins::PDU::DOT1Q: {
        const auto& d = static_cast<const Tins::Dot1Q&>(*pdu);
        l.name = "802.1Q";
        l.fields = {{"vlan", std::to_string(d.id())},
                    {"priority", std::to_string(d.priority())},
                    {"type", hex(d.payload_type())}};
        break;
      }
      case Tins::PDU::ARP: {
        const auto& a = static_cast<const Tins::ARP&>(*pdu);
        l.name = "ARP";
        l.fields = {{"opcode",
                     a.opcode() == Tins::ARP::REQUEST ? "request"
                     : a.opcode() == Tins::ARP::REPLY ? "reply"
                                                      : std::to_string(a.opcode())},
                    {"sender_mac", a.sender_hw_addr().to_string()},
                    {"sender_ip", a.sender_ip_addr().to_string()},
                    {"target_mac", a.target_hw_addr().to_string()},
                    {"target_ip", a.target_ip_addr().to_string()}};
        break;
      }
      case Tins::PDU::IP: {
        const auto& ip = static_cast<const Tins::IP&>(*pdu);
        l.name = prefix + "IPv4";
        std::string flags;
        if ((ip.flags() & Tins::IP::DONT_FRAGMENT) != 0) {
          flags += "DF";
        }
        if ((ip.flags() & Tins::IP::MORE_FRAGMENTS) != 0) {
          flags += flags.empty() ? "MF" : "|MF";
        }
        l.fields = {{"src", ip.src_addr().to_string()},
                    {"dst", ip.dst_addr().to_string()},
                    {"header_length", std::to_string(ip.head_len() * 4)},
                    {"tos", hex(ip.tos())},
                    {"total_length", std::to_string(ip.tot_len())},
                    {"id", hex(ip.id())},
                    {"flags", flags.empty() ? "none" : flags},
                    {"fragment_offset", std::to_string(ip.fragment_offset() * 8)},
                    {"ttl", std::to_string(ip.ttl())},
                    {"protocol", std::to_string(ip.protocol())},
                    {"checksum", hex(ip.checksum())},
                    {"options", std::to_string(ip.options().size())}};
        break;
      }
      case Tins::PDU::TCP: {
        const auto& t = static_cast<const Tins::TCP&>(*pdu);
        l.name = prefix + "TCP";
        l.fields = {{"sport", std::to_string(t.sport())},
                    {"dport", std::to_string(t.dport())},
                    {"seq", std::to_string(t.seq())},
                    {"ack", std::to_string(t.ack_seq())},
                    {"flags", tcp_flags(t.flags())},
                    {"header_length", std::to_string(t.data_offset() * 4)},
                    {"window", std::to_string(t.window())},
                    {"checksum", hex(t.checksum())},
                    {"urgent", std::to_string(t.urg_ptr())},
                    {"options", std::to_string(t.options().size())}};
        break;
      }
      case Tins::PDU::UDP: {
        const auto& u = static_cast<const Tins::UDP&>(*pdu);
        l.name = prefix + "UDP";
        l.fields = {{"sport", std::to_string(u.sport())},
                    {"dport", std::to_string(u.dport())},
                    {"length", std::to_string(u.length())},
                    {"checksum", hex(u.checksum())}};
        break;
      }
      case Tins::PDU::ICMP: {
        const auto& c = static_cast<const Tins::ICMP&>(*pdu);
        l.name = prefix + "ICMP";
        l.fields = {{"type", std::to_string(c.type())},
                    {"code", std::to_string(c.code())},
                    {"checksum", hex(c.checksum())}};
        if (c.type() == Tins::ICMP::ECHO_REQUEST || c.type() == Tins::ICMP::ECHO_REPLY) {
          l.fields.push_back({"id", std::to_string(c.id())});
          l.fields.push_back({"sequence", std::to_string(c.sequence())});
        } else if (c.type() == Tins::ICMP::DEST_UNREACHABLE && c.code() == 4) {
          l.fields.push_back({"mtu", std::to_string(c.mtu())});
        }
        quoted_next = c.type() == Tins::ICMP::DEST_UNREACHABLE ||
                      c.type() == Tins::ICMP::TIME_EXCEEDED ||
                      c.type() == Tins::ICMP::PARAM_PROBLEM;
        break;
      }
      case Tins::PDU::RAW: {
        const auto& r = static_cast<const Tins::RawPDU&>(*pdu);
        if (quoted_next) {
          dissect_quoted(r, out);
          return;
        }
        l.name = prefix + "payload";
        l.fields = {{"data", payload_text(r.payload())}};
        break;
      }
      default: {
        l.name = prefix + "layer type " + std::to_string(static_cast<int>(pdu->pdu_type()));
        l.fields = {{"size", std::to_string(pdu->size())}};
        break;
      }
    }
    out.push_back(std::move(l));
  }
}

// The layers of a frame; empty if libtins cannot dissect it.
std::vector<Layer> dissect(const std::vector<std::uint8_t>& bytes) {
  std::vector<Layer> out;
  try {
    const Tins::EthernetII eth(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
    dissect_pdu(&eth, "", out);
  } catch (const std::exception&) {
    out.clear();
  }
  return out;
}

std::string summary(const Record& r) {
  const std::vector<Layer> layers = dissect(r.bytes);
  std::string s = time_text(r.ts) + ", " + std::to_string(r.bytes.size()) + " bytes:";
  if (layers.empty()) {
    return s + " (not dissectable)";
  }
  for (const Layer& l : layers) {
    s += " " + l.name;
    for (const Field& f : l.fields) {
      if (f.name == "src" || f.name == "dst" || f.name == "sport" || f.name == "dport" ||
          (l.name.find("TCP") != std::string::npos && f.name == "flags") || f.name == "opcode" ||
          f.name == "target_ip") {
        s += " " + f.name + "=" + f.value;
      }
    }
  }
  return s;
}

std::string bytes_around(const std::vector<std::uint8_t>& b, std::size_t at) {
  std::string s;
  const std::size_t from = at >= 4 ? at - 4 : 0;
  for (std::size_t i = from; i < b.size() && i < at + 8; ++i) {
    char buf[8];
    std::snprintf(buf, sizeof buf, i == at ? "[%02x]" : "%02x", b[i]);
    s += (s.empty() ? "" : " ") + std::string(buf);
  }
  return s.empty() ? "(end of frame)" : s;
}

void explain(std::size_t index, const Record& e, const Record& a, bool ignore_time) {
  std::printf("frame #%zu differs\n", index + 1);
  if (!ignore_time && e.ts != a.ts) {
    std::printf("  time: expected %s, actual %s (%+lld ns)\n",
                time_text(e.ts).c_str(),
                time_text(a.ts).c_str(),
                static_cast<long long>(a.ts - e.ts));
  }
  if (e.bytes.size() != a.bytes.size()) {
    std::printf("  length: expected %zu, actual %zu\n", e.bytes.size(), a.bytes.size());
  }
  const std::vector<Layer> le = dissect(e.bytes);
  const std::vector<Layer> la = dissect(a.bytes);
  const std::size_t n = std::max(le.size(), la.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i >= le.size() || i >= la.size() || le[i].name != la[i].name) {
      std::printf("  layer %zu: expected %s, actual %s\n",
                  i + 1,
                  i < le.size() ? le[i].name.c_str() : "(none)",
                  i < la.size() ? la[i].name.c_str() : "(none)");
      break;
    }
    for (std::size_t f = 0; f < le[i].fields.size() && f < la[i].fields.size(); ++f) {
      if (le[i].fields[f].value != la[i].fields[f].value) {
        std::printf("  %s %s: expected %s, actual %s\n",
                    le[i].name.c_str(),
                    le[i].fields[f].name.c_str(),
                    le[i].fields[f].value.c_str(),
                    la[i].fields[f].value.c_str());
      }
    }
  }
  const std::size_t common = std::min(e.bytes.size(), a.bytes.size());
  std::size_t at = 0;
  while (at < common && e.bytes[at] == a.bytes[at]) {
    ++at;
  }
  if (at < common || e.bytes.size() != a.bytes.size()) {
    std::printf("  first differing byte at offset %zu:\n    expected %s\n    actual   %s\n",
                at,
                bytes_around(e.bytes, at).c_str(),
                bytes_around(a.bytes, at).c_str());
  }
}

bool read_all(const char* path, std::vector<Record>& out) {
  auto r = uvs::io::PcapReader::open(path);
  if (!r) {
    std::fprintf(stderr, "pcap_diff: %s\n", r.error().to_string().c_str());
    return false;
  }
  for (;;) {
    auto rec = r->next();
    if (!rec) {
      std::fprintf(stderr, "pcap_diff: %s\n", rec.error().to_string().c_str());
      return false;
    }
    if (!*rec) {
      return true;
    }
    out.push_back(std::move(**rec));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t max = 3;
  bool ignore_time = false;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string opt = argv[i];
    if (opt == "--max" && i + 1 < argc) {
      max = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (opt == "--ignore-time") {
      ignore_time = true;
    } else {
      break;
    }
  }
  if (argc - i != 2) {
    std::fprintf(stderr, "usage: pcap_diff [--max N] [--ignore-time] EXPECTED ACTUAL\n");
    return 2;
  }
  const char* expected_path = argv[i];
  const char* actual_path = argv[i + 1];
  std::vector<Record> expected, actual;
  if (!read_all(expected_path, expected) || !read_all(actual_path, actual)) {
    return 2;
  }
  std::vector<std::size_t> differing;
  const std::size_t common = std::min(expected.size(), actual.size());
  for (std::size_t k = 0; k < common; ++k) {
    if ((!ignore_time && expected[k].ts != actual[k].ts) || expected[k].bytes != actual[k].bytes) {
      differing.push_back(k);
    }
  }
  if (differing.empty() && expected.size() == actual.size()) {
    return 0;
  }
  std::printf("%s: %zu frames expected\n%s: %zu frames\n%zu of the %zu common frames differ",
              expected_path,
              expected.size(),
              actual_path,
              actual.size(),
              differing.size(),
              common);
  if (!differing.empty()) {
    std::printf(", the first at #%zu", differing.front() + 1);
  }
  std::printf("\n");
  for (std::size_t k = 0; k < differing.size() && k < max; ++k) {
    explain(differing[k], expected[differing[k]], actual[differing[k]], ignore_time);
  }
  const auto extra = [&](const std::vector<Record>& v, const char* which) {
    for (std::size_t k = common; k < v.size() && k < common + max; ++k) {
      std::printf("frame #%zu only in the %s file: %s\n", k + 1, which, summary(v[k]).c_str());
    }
    if (v.size() > common + max) {
      std::printf("... and %zu more only in the %s file\n", v.size() - common - max, which);
    }
  };
  extra(expected, "expected");
  extra(actual, "actual");
  return 1;
}
