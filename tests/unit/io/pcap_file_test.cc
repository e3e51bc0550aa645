#include "io/pcap_file.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdlib.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

using uvs::base::ErrorCode;
using uvs::io::PcapReader;
using uvs::io::PcapRecord;
using uvs::io::PcapWriter;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/uvs-pcap-test-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_all(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) {
    v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));  // little-endian file
  }
}
void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x));
  v.push_back(static_cast<std::uint8_t>(x >> 8));
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<std::uint8_t>(seed + i * 31);
  }
  return v;
}

struct Rec {
  uvs::base::Nanos ts;
  std::vector<std::uint8_t> bytes;
  std::uint32_t orig_len;
};

std::vector<Rec> sample_records() {
  return {
      {1'700'000'000'123'456'789LL, pattern(60, 1), 60},
      {1'700'000'000'123'456'790LL, pattern(1514, 2), 1514},
      {1'700'000'001'000'000'001LL, pattern(64, 3), 9000},  // cut capture: orig_len > caplen
      {5, pattern(65549, 4), 65549},                        // a GSO-sized frame, tiny timestamp
  };
}

void write_records(const std::string& path, const std::vector<Rec>& recs) {
  auto w = PcapWriter::create(path);
  REQUIRE_MESSAGE(w.ok(), (w.ok() ? "" : w.error().to_string()));
  for (const auto& r : recs) {
    const std::uint32_t orig = r.orig_len == r.bytes.size() ? 0 : r.orig_len;
    auto st = w->write(r.ts, r.bytes, orig);
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.error().to_string()));
  }
  REQUIRE(w->records_written() == recs.size());
  REQUIRE(w->close().ok());
}

std::vector<PcapRecord> read_records(const std::string& path) {
  auto r = PcapReader::open(path);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  std::vector<PcapRecord> out;
  for (;;) {
    auto rec = r->next();
    REQUIRE_MESSAGE(rec.ok(), (rec.ok() ? "" : rec.error().to_string()));
    if (!rec.value()) {
      break;
    }
    out.push_back(std::move(*rec.value()));
  }
  return out;
}

}  // namespace

TEST_CASE("PcapFile: records written are read back with nanosecond timestamps") {
  TempDir dir;
  const auto recs = sample_records();
  write_records(dir.file("a.pcap"), recs);

  auto reader = PcapReader::open(dir.file("a.pcap"));
  REQUIRE(reader.ok());
  CHECK(reader->link_type() == 1);  // DLT_EN10MB
  for (const auto& want : recs) {
    auto got = reader->next();
    REQUIRE(got.ok());
    REQUIRE(got.value().has_value());
    CHECK(got.value()->ts == want.ts);
    CHECK(got.value()->bytes == want.bytes);
    CHECK(got.value()->orig_len == want.orig_len);
  }
  auto end = reader->next();
  REQUIRE(end.ok());
  CHECK_FALSE(end.value().has_value());
  auto again = reader->next();  // stays at the end
  REQUIRE(again.ok());
  CHECK_FALSE(again.value().has_value());
  CHECK(reader->records_read() == recs.size());

  // Classic pcap, nanosecond magic, host (little-endian) order, our snap length and Ethernet.
  const auto bytes = read_all(dir.file("a.pcap"));
  REQUIRE(bytes.size() > 24);
  CHECK(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 4) ==
        std::vector<std::uint8_t>{0x4d, 0x3c, 0xb2, 0xa1});
  CHECK(bytes[16] == 0x00);  // snaplen 262144 = 0x00040000
  CHECK(bytes[18] == 0x04);
  CHECK(bytes[20] == 1);
}

TEST_CASE("PcapFile: output is deterministic and a rewrite is byte-identical") {
  TempDir dir;
  const auto recs = sample_records();
  write_records(dir.file("a.pcap"), recs);
  write_records(dir.file("b.pcap"), recs);
  const auto a = read_all(dir.file("a.pcap"));
  CHECK(a == read_all(dir.file("b.pcap")));
  // 24-byte header, 16 bytes per record header.
  std::size_t expect = 24;
  for (const auto& r : recs) {
    expect += 16 + r.bytes.size();
  }
  CHECK(a.size() == expect);

  // Read and write again: the same file.
  const auto back = read_records(dir.file("a.pcap"));
  std::vector<Rec> again;
  for (const auto& r : back) {
    again.push_back(Rec{r.ts, r.bytes, r.orig_len});
  }
  write_records(dir.file("c.pcap"), again);
  CHECK(read_all(dir.file("c.pcap")) == a);

  // A different timestamp gives a different file (the check above can fail).
  again[0].ts += 1;
  write_records(dir.file("d.pcap"), again);
  CHECK(read_all(dir.file("d.pcap")) != a);
}

TEST_CASE("PcapFile: a microsecond pcap is read with timestamps scaled to nanoseconds") {
  TempDir dir;
  std::vector<std::uint8_t> f;
  put32(f, 0xa1b2c3d4);  // microsecond magic
  put16(f, 2);
  put16(f, 4);
  put32(f, 0);
  put32(f, 0);
  put32(f, 65535);
  put32(f, 1);
  put32(f, 1'700'000'000);
  put32(f, 123'456);
  put32(f, 4);
  put32(f, 60);
  for (std::uint8_t b : {0xde, 0xad, 0xbe, 0xef}) {
    f.push_back(b);
  }
  write_all(dir.file("us.pcap"), f);
  const auto recs = read_records(dir.file("us.pcap"));
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].ts == 1'700'000'000'123'456'000LL);
  CHECK(recs[0].bytes == std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef});
  CHECK(recs[0].orig_len == 60);
}

TEST_CASE("PcapFile: a pcapng file with nanosecond resolution is read") {
  TempDir dir;
  std::vector<std::uint8_t> f;
  // Section header block.
  put32(f, 0x0a0d0d0a);
  put32(f, 28);
  put32(f, 0x1a2b3c4d);
  put16(f, 1);
  put16(f, 0);
  put32(f, 0xffffffff);
  put32(f, 0xffffffff);
  put32(f, 28);
  // Interface description block: Ethernet, if_tsresol = 9 (nanoseconds).
  put32(f, 1);
  put32(f, 32);
  put16(f, 1);
  put16(f, 0);
  put32(f, 0);
  put16(f, 9);
  put16(f, 1);
  f.insert(f.end(), {9, 0, 0, 0});
  put32(f, 0);  // opt_endofopt
  put32(f, 32);
  // Enhanced packet block with 6 bytes of data (padded to 8).
  const std::uint64_t ts = 1'700'000'000'987'654'321ULL;
  put32(f, 6);
  put32(f, 40);
  put32(f, 0);
  put32(f, static_cast<std::uint32_t>(ts >> 32));
  put32(f, static_cast<std::uint32_t>(ts));
  put32(f, 6);
  put32(f, 6);
  f.insert(f.end(), {1, 2, 3, 4, 5, 6, 0, 0});
  put32(f, 40);
  write_all(dir.file("a.pcapng"), f);

  auto r = PcapReader::open(dir.file("a.pcapng"));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  CHECK(r->link_type() == 1);
  const auto recs = read_records(dir.file("a.pcapng"));
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].ts == static_cast<uvs::base::Nanos>(ts));
  CHECK(recs[0].bytes == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("PcapFile: errors name the file") {
  TempDir dir;
  SUBCASE("missing file") {
    auto r = PcapReader::open(dir.file("missing.pcap"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kNotFound);
    CHECK(r.error().where == dir.file("missing.pcap"));
  }
  SUBCASE("garbage") {
    write_all(dir.file("junk.pcap"), std::vector<std::uint8_t>(100, 0x41));
    auto r = PcapReader::open(dir.file("junk.pcap"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().where == dir.file("junk.pcap"));
  }
  SUBCASE("a record cut off at the end of the file") {
    write_records(dir.file("cut.pcap"),
                  {{1000, pattern(100, 1), 100}, {2000, pattern(100, 2), 100}});
    auto bytes = read_all(dir.file("cut.pcap"));
    bytes.resize(bytes.size() - 10);
    write_all(dir.file("cut.pcap"), bytes);
    auto r = PcapReader::open(dir.file("cut.pcap"));
    REQUIRE(r.ok());
    auto first = r->next();
    REQUIRE(first.ok());
    CHECK(first.value().has_value());
    auto second = r->next();
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().where == dir.file("cut.pcap"));
    CHECK(second.error().message.find("record 2") != std::string::npos);
  }
  SUBCASE("writer: no such directory") {
    auto w = PcapWriter::create(dir.file("no/such/dir.pcap"));
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().where == dir.file("no/such/dir.pcap"));
  }
  SUBCASE("writer: bad records are refused, nothing is written for them") {
    auto w = PcapWriter::create(dir.file("w.pcap"));
    REQUIRE(w.ok());
    const auto small = pattern(10, 1);
    CHECK(w->write(-1, small).error().code == ErrorCode::kInvalidArgument);
    CHECK(w->write(0x80000000LL * 1'000'000'000LL, small).error().code ==
          ErrorCode::kInvalidArgument);
    CHECK(w->write(0, small, 5).error().code == ErrorCode::kInvalidArgument);
    CHECK(w->write(0, pattern(PcapWriter::kSnapLen + 1, 0)).error().code ==
          ErrorCode::kInvalidArgument);
    CHECK(w->write(7, small).ok());
    REQUIRE(w->close().ok());
    CHECK(w->write(8, small).error().code == ErrorCode::kInvalidOperation);
    CHECK(w->close().error().code == ErrorCode::kInvalidOperation);
    const auto recs = read_records(dir.file("w.pcap"));
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].ts == 7);
  }
}

TEST_CASE("PcapFile: flush makes records visible to a reader before close") {
  TempDir dir;
  auto w = PcapWriter::create(dir.file("f.pcap"));
  REQUIRE(w.ok());
  REQUIRE(w->write(42, pattern(70, 9)).ok());
  REQUIRE(w->flush().ok());
  const auto recs = read_records(dir.file("f.pcap"));
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].ts == 42);
  CHECK(recs[0].bytes == pattern(70, 9));
  CHECK(w->close().ok());
}
