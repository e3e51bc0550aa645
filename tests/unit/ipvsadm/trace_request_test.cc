#include "ipvsadm/trace_request.h"

#include <doctest/doctest.h>

using namespace uvs::ipvsadm;
using Args = std::vector<std::string>;

TEST_CASE("trace request: recognised by its first word only") {
  CHECK(is_trace_request(Args{"--trace", "/tmp/t"}));
  CHECK(is_trace_request(Args{"--trace-stop"}));
  CHECK_FALSE(is_trace_request(Args{}));
  CHECK_FALSE(is_trace_request(Args{"-Ln"}));
  CHECK_FALSE(is_trace_request(Args{"-Ln", "--trace"}));
  CHECK_FALSE(is_trace_request(Args{"--tracex"}));
}

TEST_CASE("trace request: --trace FILE [N]") {
  auto r = parse_trace_request(Args{"--trace", "/tmp/t.jsonl"});
  REQUIRE(r);
  CHECK(r->kind == TraceRequest::Kind::kStart);
  CHECK(r->path == "/tmp/t.jsonl");
  CHECK(r->frames == 0);  // the daemon's trace_packets
  r = parse_trace_request(Args{"--trace", "/tmp/t.jsonl", "20"});
  REQUIRE(r);
  CHECK(r->frames == 20);
  r = parse_trace_request(Args{"--trace", "/t", "1000000"});
  REQUIRE(r);
  CHECK(r->frames == kMaxTraceFrames);
}

TEST_CASE("trace request: --trace-stop") {
  auto r = parse_trace_request(Args{"--trace-stop"});
  REQUIRE(r);
  CHECK(r->kind == TraceRequest::Kind::kStop);
  CHECK_FALSE(parse_trace_request(Args{"--trace-stop", "x"}));
}

TEST_CASE("trace request: refusals say why") {
  auto r = parse_trace_request(Args{"--trace", "t.jsonl", "5"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "--trace needs an absolute path (uvsd opens the file itself, in its own working "
        "directory): t.jsonl");
  CHECK_FALSE(parse_trace_request(Args{"--trace", "-"}));
  CHECK_FALSE(parse_trace_request(Args{"--trace", ""}));
  CHECK_FALSE(parse_trace_request(Args{"--trace"}));
  CHECK_FALSE(parse_trace_request(Args{"--trace", "/t", "5", "6"}));
  for (const char* n : {"0", "-1", "1000001", "12x", "", "+3", "99999999999", "1e3"}) {
    CAPTURE(n);
    r = parse_trace_request(Args{"--trace", "/t", n});
    REQUIRE_FALSE(r);
    CHECK(r.error().message == std::string("--trace: the number of frames must be an integer "
                                           "from 1 to 1000000, not \"") +
                                   n + "\"");
  }
}
