// pcapng_writer.h — a minimal pcapng writer for tests and replay_traffic (never the daemon).
//
// One section (host byte order), one Ethernet interface with if_tsresol = 9 (nanosecond
// timestamps), then one Enhanced Packet Block per add(), each with the given opt_comment
// options (none for an empty list). The bytes are a pure function of the calls, so generated
// corpus inputs are reproducible. block() exposes the raw block builder so tests can also write
// damaged files.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace uvs::test {

class PcapngWriter {
 public:
  using Bytes = std::vector<std::uint8_t>;

  PcapngWriter() {
    // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
    Bytes shb;
    put32(shb, 0x1A2B3C4D);
    put16(shb, 1);
    put16(shb, 0);
    put32(shb, 0xffffffff);
    put32(shb, 0xffffffff);
    block(0x0A0D0D0A, shb);
    // Interface Description Block: Ethernet, no snap length, if_tsresol (code 9) = 9.
    Bytes idb;
    put16(idb, 1);
    put16(idb, 0);
    put32(idb, 0);
    put16(idb, 9);
    put16(idb, 1);
    idb.push_back(9);
    pad(idb);
    put16(idb, 0);  // opt_endofopt
    put16(idb, 0);
    block(1, idb);
  }

  void add(std::int64_t ts_ns, const Bytes& frame, const std::vector<std::string>& comments = {}) {
    Bytes epb;
    const auto ts = static_cast<std::uint64_t>(ts_ns);
    put32(epb, 0);  // interface 0
    put32(epb, static_cast<std::uint32_t>(ts >> 32));
    put32(epb, static_cast<std::uint32_t>(ts));
    put32(epb, static_cast<std::uint32_t>(frame.size()));
    put32(epb, static_cast<std::uint32_t>(frame.size()));
    epb.insert(epb.end(), frame.begin(), frame.end());
    pad(epb);
    if (!comments.empty()) {
      for (const std::string& c : comments) {
        put16(epb, 1);  // opt_comment
        put16(epb, static_cast<std::uint16_t>(c.size()));
        epb.insert(epb.end(), c.begin(), c.end());
        pad(epb);
      }
      put16(epb, 0);
      put16(epb, 0);
    }
    block(6, epb);
  }

  // Appends a block of `type` around `body` (body padded to 4 bytes by the caller).
  void block(std::uint32_t type, const Bytes& body) {
    const auto len = static_cast<std::uint32_t>(12 + body.size());
    put32(out_, type);
    put32(out_, len);
    out_.insert(out_.end(), body.begin(), body.end());
    put32(out_, len);
  }

  Bytes& bytes() { return out_; }

  bool write(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      return false;
    }
    const bool ok = std::fwrite(out_.data(), 1, out_.size(), f) == out_.size();
    return std::fclose(f) == 0 && ok;
  }

  static void put16(Bytes& b, std::uint16_t v) {
    std::uint8_t x[2];
    std::memcpy(x, &v, 2);
    b.insert(b.end(), x, x + 2);
  }
  static void put32(Bytes& b, std::uint32_t v) {
    std::uint8_t x[4];
    std::memcpy(x, &v, 4);
    b.insert(b.end(), x, x + 4);
  }
  static void pad(Bytes& b) {
    while (b.size() % 4 != 0) {
      b.push_back(0);
    }
  }

 private:
  Bytes out_;
};

}  // namespace uvs::test
