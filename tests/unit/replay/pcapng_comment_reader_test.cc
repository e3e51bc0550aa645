// Reading the comments of pcapng packet blocks: in step with libpcap, both byte orders, blocks
// that are skipped, and every kind of damaged block refused with its offset.
#include "replay/pcapng_comment_reader.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "replay_test_util.h"
#include "support/pcapng_writer.h"

using uvs::replay::PcapngCommentReader;
using uvs::test::PcapngWriter;
using namespace uvs::replay::test;

namespace {

std::vector<std::string> comments_of(PcapngCommentReader& r, std::uint32_t expect_caplen) {
  auto c = r.next();
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().to_string()));
  REQUIRE(c->caplen.has_value());
  CHECK(*c->caplen == expect_caplen);
  return std::vector<std::string>(c->comments.begin(), c->comments.end());
}

PcapngCommentReader open_ok(const std::string& path) {
  auto r = PcapngCommentReader::open(path);
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  return std::move(**r);
}

std::string next_error(const std::string& path) {
  PcapngCommentReader r = open_ok(path);
  auto c = r.next();
  REQUIRE(!c.ok());
  CHECK(c.error().where == path);
  return c.error().message;
}

}  // namespace

TEST_CASE("pcapng comments: per packet, in order, other blocks skipped, NULs dropped") {
  TempDir dir;
  PcapngWriter w;
  w.add(kT0, Bytes(61, 1), {"first", "uvs-vnet gso=tcpv4 gso_size=100"});
  // A Name Resolution Block (type 4) between the packets: skipped.
  w.block(4, Bytes(8, 0));
  w.add(kT0 + 1, Bytes(60, 2));
  w.add(kT0 + 2, Bytes(62, 3), {std::string("nul\0\0", 5)});
  REQUIRE(w.write(dir.file("a.pcapng")));

  PcapngCommentReader r = open_ok(dir.file("a.pcapng"));
  CHECK(comments_of(r, 61) == std::vector<std::string>{"first", "uvs-vnet gso=tcpv4 gso_size=100"});
  CHECK(comments_of(r, 60).empty());
  CHECK(comments_of(r, 62) == std::vector<std::string>{"nul"});
  auto end = r.next();
  REQUIRE(!end.ok());
  CHECK(end.error().message.find("end of file") != std::string::npos);

  // libpcap reads the same file: the records the comments belong to.
  auto pr = uvs::io::PcapReader::open(dir.file("a.pcapng"));
  REQUIRE(pr.ok());
  for (std::size_t n : {61u, 60u, 62u}) {
    auto rec = pr->next();
    REQUIRE(rec.ok());
    REQUIRE(rec->has_value());
    CHECK((*rec)->bytes.size() == n);
  }
}

TEST_CASE("pcapng comments: a big-endian section is read in its own byte order") {
  // SHB, IDB and one EPB with a comment, written big-endian by hand.
  const Bytes file = {0x0a,
                      0x0d,
                      0x0d,
                      0x0a,
                      0,
                      0,
                      0,
                      28,
                      0x1a,
                      0x2b,
                      0x3c,
                      0x4d,
                      0,
                      1,
                      0,
                      0,
                      0xff,
                      0xff,
                      0xff,
                      0xff,
                      0xff,
                      0xff,
                      0xff,
                      0xff,
                      0,
                      0,
                      0,
                      28,  //
                      0,
                      0,
                      0,
                      1,
                      0,
                      0,
                      0,
                      20,
                      0,
                      1,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      20,  //
                      0,
                      0,
                      0,
                      6,
                      0,
                      0,
                      0,
                      52,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,  //
                      0,
                      0,
                      0,
                      4,
                      0,
                      0,
                      0,
                      4,
                      1,
                      2,
                      3,
                      4,  // caplen 4, data
                      0,
                      1,
                      0,
                      5,
                      'h',
                      'e',
                      'l',
                      'l',
                      'o',
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,
                      0,  // comment,
                          // end
                      0,
                      0,
                      0,
                      52};
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file("be.pcapng").c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fwrite(file.data(), 1, file.size(), f);
    std::fclose(f);
  }
  PcapngCommentReader r = open_ok(dir.file("be.pcapng"));
  CHECK(comments_of(r, 4) == std::vector<std::string>{"hello"});
}

TEST_CASE("pcapng comments: a classic pcap file is not pcapng") {
  TempDir dir;
  write_pcap(dir.file("a.pcap"), {{kT0, Bytes(60, 0)}});
  auto r = PcapngCommentReader::open(dir.file("a.pcap"));
  REQUIRE(r.ok());
  CHECK(!r->has_value());
  auto missing = PcapngCommentReader::open(dir.file("none.pcapng"));
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == uvs::base::ErrorCode::kNotFound);
}

TEST_CASE("pcapng comments: damaged blocks are refused with their offset") {
  TempDir dir;
  const std::string path = dir.file("bad.pcapng");
  const std::size_t header_len = PcapngWriter().bytes().size();  // SHB + IDB
  const std::string at = "pcapng block at offset " + std::to_string(header_len) + ": ";

  SUBCASE("trailing length differs") {
    PcapngWriter w;
    w.add(kT0, Bytes(60, 0));
    w.bytes()[w.bytes().size() - 4] ^= 4;  // the low byte (host order is little-endian)
    REQUIRE(w.write(path));
    CHECK(next_error(path) == at + "trailing block length " +
                                  std::to_string((w.bytes().size() - header_len) ^ 4) +
                                  " differs from the leading one (" +
                                  std::to_string(w.bytes().size() - header_len) + ")");
  }
  SUBCASE("length not a multiple of 4, too short, too long") {
    for (std::uint32_t len : {13u, 8u, PcapngCommentReader::kMaxBlock + 4}) {
      PcapngWriter w;
      PcapngWriter::put32(w.bytes(), 6);
      PcapngWriter::put32(w.bytes(), len);
      w.bytes().resize(w.bytes().size() + 64, 0);
      REQUIRE(w.write(path));
      CHECK(next_error(path).find(at + "block length " + std::to_string(len)) == 0);
    }
  }
  SUBCASE("file ends inside a block") {
    PcapngWriter w;
    w.add(kT0, Bytes(60, 0));
    w.bytes().resize(w.bytes().size() - 10);
    REQUIRE(w.write(path));
    CHECK(next_error(path).find(at + "the file ends inside a block") == 0);
  }
  SUBCASE("captured length beyond the block") {
    PcapngWriter w;
    w.add(kT0, Bytes(60, 0));
    Bytes& b = w.bytes();
    const std::uint32_t big = 4000;
    std::memcpy(b.data() + header_len + 20, &big, 4);
    REQUIRE(w.write(path));
    CHECK(next_error(path) == at + "captured length 4000 does not fit in the block");
  }
  SUBCASE("packet block too short for its fixed fields") {
    PcapngWriter w;
    w.block(6, Bytes(8, 0));
    REQUIRE(w.write(path));
    CHECK(next_error(path) == at + "packet block of 20 bytes is too short");
  }
  SUBCASE("an option runs past the block") {
    PcapngWriter w;
    w.add(kT0, Bytes(60, 0), {"abcd"});
    Bytes& b = w.bytes();
    const std::uint16_t long_len = 200;
    std::memcpy(b.data() + header_len + 28 + 60 + 2, &long_len, 2);
    REQUIRE(w.write(path));
    CHECK(next_error(path) == at + "option 1 of 200 bytes runs past the end of the block");
  }
  SUBCASE("bad byte-order magic") {
    PcapngWriter w;
    w.bytes()[8] = 0x00;
    REQUIRE(w.write(path));
    CHECK(next_error(path) ==
          "pcapng block at offset 0: section header with a bad byte-order magic");
  }
}
