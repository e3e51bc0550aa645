// xmit_support.h — a test frame that owns its bytes and its parse (TEST ONLY).
//
// The rewrite functions take an io::Frame and the ParsedPacket the parser produced for it;
// TestFrame bundles the bytes, a Frame descriptor pointing at them and that parse, so a test
// reads `rewrite_destination(t.f, t.p, ...)` and then compares `t.bytes` with the frame the
// wire builder makes for the expected result.
#pragma once

#include <cstdint>
#include <utility>

#include <doctest/doctest.h>

#include "io/frame.h"
#include "packet/parsed_packet.h"
#include "packet/parser.h"
#include "unit/packet/wire_builder.h"

namespace uvs::test {

struct TestFrame {
  wire::Bytes bytes;
  io::Frame f;
  packet::ParsedPacket p;

  explicit TestFrame(wire::Bytes b) : bytes(std::move(b)) {
    f.data = bytes.data();
    f.len = static_cast<std::uint32_t>(bytes.size());
    REQUIRE(packet::parse_frame(f.data, f.len, p) == base::DropReason::kNone);
  }
  TestFrame(const TestFrame&) = delete;
  TestFrame& operator=(const TestFrame&) = delete;
};

}  // namespace uvs::test
