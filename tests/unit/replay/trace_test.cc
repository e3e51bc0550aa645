// Decision-trace records: the JSON text of every field (nulls, names, escapes, the optional
// record number), and the TraceBuffer's limit, ring bound and drain order.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "dataplane/trace_buffer.h"
#include "dataplane/trace_record.h"
#include "dataplane/worker.h"
#include "io/memory_port.h"

namespace dp = uvs::dataplane;
using uvs::base::DropReason;
using uvs::base::PassReason;

namespace {

std::string json(const dp::TraceRecord& r, std::vector<std::string> names = {"eth0", "eth1"}) {
  std::string out;
  dp::append_json(r, names, out);
  return out;
}

}  // namespace

TEST_CASE("trace record: a frame that touched nothing is all nulls") {
  dp::TraceRecord r;
  r.index = 1;
  r.ts = 1700000000123456789;
  r.port = 1;
  r.verdict = dp::Verdict::kToHost;
  r.pass = PassReason::kNotOurMac;
  CHECK(json(r) ==
        "{\"index\":1,\"ts_ns\":1700000000123456789,\"time\":\"1700000000.123456789\","
        "\"interface\":\"eth1\",\"verdict\":\"to-host\",\"drop\":null,\"pass\":\"not_our_mac\","
        "\"service\":null,\"real\":null,\"state_before\":null,\"state_after\":null,"
        "\"new_connection\":false,\"scheduler\":null,\"template\":null}\n");
}

TEST_CASE("trace record: a scheduled TCP connection with its template") {
  dp::TraceRecord r;
  r.index = 42;
  r.ts = 5;
  r.input_record = 7;
  r.verdict = dp::Verdict::kForwarded;
  r.has_service = true;
  r.service.protocol = 6;
  r.service.addr = *uvs::net::IpAddr::parse("10.0.1.100");
  r.service.port = 80;
  r.has_real = true;
  r.real_addr = *uvs::net::IpAddr::parse("10.0.2.11");
  r.real_port = 8080;
  r.conn_proto = 6;
  r.state_after = 3;  // SYN_RECV
  r.new_connection = true;
  r.template_created = true;
  std::snprintf(r.scheduler, sizeof r.scheduler, "wlc");
  CHECK(json(r) ==
        "{\"index\":42,\"ts_ns\":5,\"time\":\"0.000000005\",\"interface\":\"eth0\",\"record\":7,"
        "\"verdict\":\"forwarded\",\"drop\":null,\"pass\":null,\"service\":\"TCP "
        "10.0.1.100:80\",\"real\":\"10.0.2.11:8080\",\"state_before\":null,\"state_after\":"
        "\"SYN_RECV\",\"new_connection\":true,\"scheduler\":\"wlc\",\"template\":\"created\"}\n");
  r.template_created = false;
  r.template_used = true;
  CHECK(json(r).find("\"template\":\"used\"") != std::string::npos);
}

TEST_CASE("trace record: UDP and template states, fwmark services, port 0, drops, escapes") {
  dp::TraceRecord r;
  r.verdict = dp::Verdict::kDropped;
  r.drop = DropReason::kArpQueueFull;
  r.pass = PassReason::kNotVip;  // ignored: only the reason of the verdict is shown
  r.has_service = true;
  r.service.fwmark = 10;
  r.service.protocol = 0;
  r.has_real = true;
  r.real_addr = *uvs::net::IpAddr::parse("10.0.2.12");
  r.conn_proto = 17;
  r.state_before = 0;
  r.state_after = 0;
  r.port = 3;  // no name: "?"
  const std::string s = json(r, {"a\"b"});
  CHECK(s.find("\"drop\":\"arp_queue_full\",\"pass\":null") != std::string::npos);
  CHECK(s.find("\"service\":\"FWM 10\",\"real\":\"10.0.2.12\"") != std::string::npos);
  CHECK(s.find("\"state_before\":\"UDP\",\"state_after\":\"UDP\"") != std::string::npos);
  CHECK(s.find("\"interface\":\"?\"") != std::string::npos);
  r.port = 0;
  CHECK(json(r, {"a\"b\\\x01"}).find("\"interface\":\"a\\\"b\\\\\\u0001\"") != std::string::npos);
  r.is_template_state = true;
  r.state_after = 1;
  CHECK(json(r).find("\"state_before\":\"NONE\",\"state_after\":\"ASSURED\"") != std::string::npos);
  r.ts = -1;  // before the clock's epoch: still reads as seconds and nanoseconds
  CHECK(json(r).find("\"time\":\"-1.999999999\"") != std::string::npos);
}

TEST_CASE("trace buffer: the limit, the ring bound and the drain order") {
  uvs::lb::LbState lb(4, 4);
  uvs::io::PortInfo info;
  info.name = "eth0";
  uvs::io::MemoryPort port(info);
  uvs::io::PacketPort* ports[] = {&port};
  dp::PipelineConfig cfg;
  cfg.conn_max = 64;
  cfg.pool_small = 64;
  cfg.pool_large = 2;
  dp::Pipeline pipeline(cfg, lb, ports);

  std::uint8_t bytes[60] = {};
  uvs::io::Frame f;
  f.data = bytes;
  f.len = sizeof bytes;
  dp::FrameTrace t;
  t.verdict = dp::Verdict::kToHost;
  t.pass = PassReason::kNotOurMac;

  SUBCASE("a limit stops recording; the ring holds it all") {
    dp::TraceBuffer buf(pipeline, lb, 5, 5);
    CHECK(buf.capacity() == 8);
    for (int i = 0; i < 9; ++i) {
      buf.record(f, t, 100 + i);
    }
    CHECK(buf.traced() == 5);
    CHECK(buf.dropped() == 0);
    CHECK_FALSE(buf.finished());  // not drained yet
    std::vector<std::uint64_t> seen;
    CHECK(buf.drain([&](const dp::TraceRecord& r) {
      seen.push_back(r.index);
      CHECK(r.ts == 99 + static_cast<std::int64_t>(r.index));
    }) == 5);
    CHECK(seen == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
    CHECK(buf.finished());
    CHECK(buf.drain([](const dp::TraceRecord&) {}) == 0);
  }
  SUBCASE("without a limit, a full ring drops and counts; draining makes room") {
    dp::TraceBuffer buf(pipeline, lb, 4, 0);
    buf.set_input_record(9);
    for (int i = 0; i < 6; ++i) {
      buf.record(f, t, i);
    }
    CHECK(buf.traced() == 6);
    CHECK(buf.dropped() == 2);
    std::vector<std::uint64_t> seen;
    buf.drain([&](const dp::TraceRecord& r) {
      seen.push_back(r.index);
      CHECK(r.input_record == 9);
    });
    CHECK(seen == std::vector<std::uint64_t>{1, 2, 3, 4});
    buf.record(f, t, 7);
    buf.drain([&](const dp::TraceRecord& r) { seen.push_back(r.index); });
    CHECK(seen.back() == 7);
    CHECK_FALSE(buf.finished());  // no limit: never finished
  }
}

TEST_CASE("trace buffer: a live worker records while another thread drains") {
  // The daemon's arrangement: the worker thread runs the pipeline with the buffer as its sink,
  // the control thread drains it. Frames for another MAC are simply passed to the host.
  uvs::lb::LbState lb(4, 4);
  uvs::io::PortInfo info;
  info.name = "eth0";
  info.mac = *uvs::net::MacAddr::parse("02:00:00:00:01:01");
  uvs::io::MemoryPort port(info);
  constexpr int kFrames = 3000;
  constexpr std::uint64_t kLimit = 2500;
  for (int i = 0; i < kFrames; ++i) {
    std::vector<std::uint8_t> b(60, 0);
    b[0] = 0x02;  // unicast to a MAC that is not the port's
    b[5] = 0x77;
    b[12] = 0x88;  // a local experimental ethertype: parses, and is not uvsd's business
    b[13] = 0xb5;
    port.inject(std::move(b), 0);
  }
  uvs::io::PacketPort* ports[] = {&port};
  dp::PipelineConfig cfg;
  cfg.conn_max = 64;
  cfg.pool_small = 64;
  cfg.pool_large = 2;
  dp::Pipeline pipeline(cfg, lb, ports);
  dp::TraceBuffer buf(pipeline, lb, 64, kLimit);  // small ring: the drain must keep up or drop
  pipeline.set_trace(&buf);
  uvs::base::MonotonicClock clock;
  dp::Worker worker(pipeline, ports, clock, 1);
  worker.start();
  std::uint64_t drained = 0, last_index = 0;
  bool ordered = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!buf.finished() && std::chrono::steady_clock::now() < deadline) {
    drained += buf.drain([&](const dp::TraceRecord& r) {
      ordered = ordered && r.index > last_index;
      last_index = r.index;
      CHECK(r.pass == PassReason::kNotOurMac);
    });
  }
  // Forwarding goes on past the trace's limit.
  while (pipeline.counters().rx_frames.load() < kFrames &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  worker.stop();
  drained += buf.drain([](const dp::TraceRecord&) {});
  CHECK(buf.finished());
  CHECK(ordered);
  CHECK(buf.traced() == kLimit);
  CHECK(drained + buf.dropped() == kLimit);
  CHECK(pipeline.counters().rx_frames.load() == kFrames);
}
