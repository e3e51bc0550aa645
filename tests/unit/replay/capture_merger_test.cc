// Merging the captures of several interfaces: timestamp order, ties in --in order, and every
// capture the merger refuses (with the file and the record number).
#include "replay/capture_merger.h"

#include <cstdio>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "replay_test_util.h"
#include "support/pcapng_writer.h"

using uvs::replay::CaptureMerger;
using uvs::replay::MergedFrame;
using uvs::replay::ReplayInput;
using namespace uvs::replay::test;

namespace {

Bytes frame(std::uint8_t tag, std::size_t len = 60) {
  Bytes b(len, 0);
  b[12] = 0x08;  // IPv4 ethertype; the merger does not look inside anyway
  b[len - 1] = tag;
  return b;
}

// (input, record, tag) of every merged frame.
std::vector<std::string> drain(CaptureMerger& m) {
  std::vector<std::string> out;
  for (;;) {
    auto r = m.next();
    REQUIRE(r.ok());
    if (!*r) {
      return out;
    }
    const MergedFrame& f = **r;
    out.push_back(std::to_string(f.input) + "/" + std::to_string(f.record) + "/" +
                  std::to_string(f.rec.bytes.back()));
  }
}

// A classic pcap file header with the given link type, then nothing.
void write_header(const std::string& path, std::uint32_t linktype) {
  const std::uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, linktype};
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fwrite(hdr, sizeof hdr, 1, f);
  std::fclose(f);
}

}  // namespace

TEST_CASE("capture merger: frames come in timestamp order, ties in input order") {
  TempDir dir;
  write_pcap(dir.file("a.pcap"),
             {{kT0 + 10, frame(1)}, {kT0 + 30, frame(2)}, {kT0 + 30, frame(3)}});
  write_pcap(dir.file("b.pcap"), {{kT0 + 5, frame(4)}, {kT0 + 30, frame(5)}, {kT0 + 40, frame(6)}});
  write_pcap(dir.file("empty.pcap"), {});
  const std::vector<ReplayInput> ins = {
      {"eth0", dir.file("a.pcap")}, {"eth1", dir.file("b.pcap")}, {"eth2", dir.file("empty.pcap")}};
  auto m = CaptureMerger::open(ins);
  REQUIRE(m.ok());
  CHECK(m->peek_ts() == kT0 + 5);
  CHECK(drain(*m) ==
        std::vector<std::string>{"1/1/4", "0/1/1", "0/2/2", "0/3/3", "1/2/5", "1/3/6"});
  CHECK(m->records(0) == 3);
  CHECK(m->records(1) == 3);
  CHECK(m->records(2) == 0);
  CHECK_FALSE(m->peek_ts().has_value());

  // The other --in order puts b's frame at 30 first.
  const std::vector<ReplayInput> swapped = {{"eth1", dir.file("b.pcap")},
                                            {"eth0", dir.file("a.pcap")}};
  auto m2 = CaptureMerger::open(swapped);
  REQUIRE(m2.ok());
  CHECK(drain(*m2) ==
        std::vector<std::string>{"0/1/4", "1/1/1", "0/2/5", "1/2/2", "1/3/3", "0/3/6"});
}

TEST_CASE("capture merger: a capture out of recorded order is refused at its record") {
  TempDir dir;
  write_pcap(dir.file("a.pcap"),
             {{kT0 + 10, frame(1)}, {kT0 + 20, frame(2)}, {kT0 + 15, frame(3)}});
  const std::vector<ReplayInput> ins = {{"eth0", dir.file("a.pcap")}};
  auto m = CaptureMerger::open(ins);
  REQUIRE(m.ok());
  REQUIRE(m->next().ok());
  auto r = m->next();  // returns record 2, reads record 3 ahead: refused
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().to_string() ==
        dir.file("a.pcap") +
            ": record 3: timestamp 1700000000000000015 ns is earlier than the previous record's "
            "(1700000000000000020 ns): the capture is not in recorded order (reordercap fixes "
            "that if it is only out of order)");
  // Found while opening when it is the second record.
  write_pcap(dir.file("b.pcap"), {{kT0 + 10, frame(1)}, {kT0 + 9, frame(2)}});
  const std::vector<ReplayInput> b = {{"eth0", dir.file("b.pcap")}};
  auto mb = CaptureMerger::open(b);
  REQUIRE(mb.ok());
  CHECK_FALSE(mb->next().ok());
}

TEST_CASE("capture merger: a frame cut by the snap length is refused") {
  TempDir dir;
  {
    auto w = uvs::io::PcapWriter::create(dir.file("cut.pcap"));
    REQUIRE(w.ok());
    REQUIRE(w->write(kT0, frame(1), 1514).ok());
    REQUIRE(w->close().ok());
  }
  const std::vector<ReplayInput> ins = {{"eth0", dir.file("cut.pcap")}};
  auto m = CaptureMerger::open(ins);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().to_string() ==
        dir.file("cut.pcap") +
            ": record 1: only 60 of 1514 bytes were captured (snap length): capture with -s 0 so "
            "replay sees the frames that arrived");
}

TEST_CASE("capture merger: unreadable files and other link types are refused") {
  TempDir dir;
  const std::vector<ReplayInput> missing = {{"eth0", dir.file("nope.pcap")}};
  auto m = CaptureMerger::open(missing);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == uvs::base::ErrorCode::kNotFound);
  CHECK(m.error().to_string() ==
        dir.file("nope.pcap") + ": cannot open: No such file or directory");

  write_text(dir.file("text.pcap"), "this is not a capture file at all\n");
  const std::vector<ReplayInput> text = {{"eth0", dir.file("text.pcap")}};
  auto t = CaptureMerger::open(text);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().to_string().rfind(dir.file("text.pcap") + ": not a readable pcap/pcapng file",
                                    0) == 0);

  write_header(dir.file("raw.pcap"), 113);  // Linux cooked capture: what "-i any" records
  const std::vector<ReplayInput> raw = {{"eth0", dir.file("raw.pcap")}};
  auto r = CaptureMerger::open(raw);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().to_string() ==
        dir.file("raw.pcap") +
            ": link type 113 is not Ethernet (1): uvsd replays Ethernet frames only (capture on "
            "the interface itself, not on \"any\")");
}

TEST_CASE("capture merger: uvs-vnet annotations of a pcapng input become the frame's offload") {
  TempDir dir;
  uvs::test::PcapngWriter w;
  w.add(kT0 + 1,
        frame(1, 200),
        {"made by a test",
         "uvs-vnet gso=tcpv4 gso_size=100 hdr_len=54 needs_csum csum_start=34 csum_offset=16"});
  w.add(kT0 + 2, frame(2), {"not an annotation"});
  w.add(kT0 + 3, frame(3), {"uvs-vnet data_valid"});
  REQUIRE(w.write(dir.file("a.pcapng")));
  write_pcap(dir.file("b.pcap"), {{kT0, frame(4)}});
  const std::vector<ReplayInput> ins = {{"eth0", dir.file("a.pcapng")},
                                        {"eth1", dir.file("b.pcap")}};
  auto m = CaptureMerger::open(ins);
  REQUIRE(m.ok());
  std::vector<uvs::io::Offload> offs;
  for (;;) {
    auto r = m->next();
    REQUIRE(r.ok());
    if (!*r) {
      break;
    }
    offs.push_back((*r)->off);
  }
  REQUIRE(offs.size() == 4);
  CHECK(offs[0].gso_type == 0);  // the classic pcap frame
  CHECK(offs[0].flags == 0);
  CHECK(offs[1].gso_type == uvs::io::Offload::kGsoTcpv4);
  CHECK(offs[1].gso_size == 100);
  CHECK(offs[1].hdr_len == 54);
  CHECK(offs[1].needs_csum());
  CHECK(offs[1].csum_start == 34);
  CHECK(offs[1].csum_offset == 16);
  CHECK(offs[2].flags == 0);
  CHECK(offs[2].gso_type == 0);
  CHECK(offs[3].flags == uvs::io::Offload::kDataValid);
}

TEST_CASE("capture merger: a malformed annotation is refused with the file, record and field") {
  TempDir dir;
  const std::string path = dir.file("a.pcapng");
  SUBCASE("bad field") {
    uvs::test::PcapngWriter w;
    w.add(kT0 + 1, frame(1), {"uvs-vnet gso=tcpv4"});
    w.add(kT0 + 2, frame(2), {"uvs-vnet gso=tcpv4 gso_size=0"});
    REQUIRE(w.write(path));
    auto m = CaptureMerger::open(std::vector<ReplayInput>{{"eth0", path}});
    REQUIRE(!m.ok());  // the first record is read ahead by open()
    CHECK(m.error().where == path);
    CHECK(m.error().message.rfind("record 1: uvs-vnet annotation: gso=tcpv4: ", 0) == 0);
  }
  SUBCASE("bad field on a later record, beyond the frame") {
    uvs::test::PcapngWriter w;
    w.add(kT0 + 1, frame(1));
    w.add(kT0 + 2, frame(2), {"uvs-vnet hdr_len=61"});
    REQUIRE(w.write(path));
    auto m = CaptureMerger::open(std::vector<ReplayInput>{{"eth0", path}});
    REQUIRE(m.ok());
    auto r = m->next();
    REQUIRE(!r.ok());
    CHECK(r.error().to_string() ==
          path + ": record 2: uvs-vnet annotation: hdr_len=61: beyond the frame (60 bytes)");
  }
  SUBCASE("two annotations") {
    uvs::test::PcapngWriter w;
    w.add(kT0 + 1, frame(1), {"uvs-vnet", "uvs-vnet data_valid"});
    REQUIRE(w.write(path));
    auto m = CaptureMerger::open(std::vector<ReplayInput>{{"eth0", path}});
    REQUIRE(!m.ok());
    CHECK(m.error().to_string() == path + ": record 1: more than one uvs-vnet annotation");
  }
}
