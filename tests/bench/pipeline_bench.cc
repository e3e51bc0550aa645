// pipeline_bench — the data path's speed, in memory, on one core. Prints figures; asserts nothing.
//
//   (a) packets of established NAT connections with 1,000,000 connections in the table, every
//       connection once per pass in a shuffled order (so the whole table is the working set);
//   (b) new connections (TCP SYNs, each creating an entry and scheduling with wlc);
//   plus the connection table's memory per connection.
// Frames come from a port that hands out prebuilt frames (restoring the bytes NAT rewrote, like a
// NIC writing a fresh frame into the ring) and a port that counts what is sent, so the figures
// are the pipeline's own cost.
//
// Run: tests/setup.sh release && build-release/bench/bench_pipeline [connections] [packets]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "control/control_plane.h"
#include "control/direct_worker_link.h"
#include "dataplane/pipeline.h"
#include "net/byte_order.h"
#include "net/checksum.h"
#include "packet/headers.h"
#include "route/route_table.h"

using namespace uvs;

namespace {

constexpr std::uint32_t kBatch = 64;
constexpr std::uint32_t kFrameLen = 64;

// A port that serves frames from a template array: frame i of a burst is template (cursor + i).
class SourcePort final : public io::PacketPort {
 public:
  SourcePort(io::PortInfo info, std::vector<std::uint8_t> templates, std::uint32_t count)
      : templates_(std::move(templates)), count_(count), buf_(kBatch * 256) {
    info_ = std::move(info);
  }
  std::uint32_t rx_burst(io::Frame* out, std::uint32_t max) override {
    const std::uint32_t n = max < kBatch ? max : kBatch;
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto idx = static_cast<std::uint32_t>((cursor_ + i) % count_);
      std::uint8_t* slot = buf_.data() + i * 256 + 128;
      std::memcpy(slot, templates_.data() + static_cast<std::size_t>(idx) * kFrameLen, kFrameLen);
      io::Frame& f = out[i];
      f = io::Frame{};
      f.data = slot;
      f.len = kFrameLen;
      f.headroom = 128;
      f.tailroom = 64;
      f.port = id_;
    }
    cursor_ += n;
    return n;
  }
  void release_rx() override {}
  std::uint32_t tx_burst(const io::Frame* const*, std::uint32_t n) override { return n; }

 private:
  std::vector<std::uint8_t> templates_;
  std::uint32_t count_;
  std::vector<std::uint8_t> buf_;
  std::uint64_t cursor_ = 0;
};

class SinkPort final : public io::PacketPort {
 public:
  explicit SinkPort(io::PortInfo info) { info_ = std::move(info); }
  std::uint32_t rx_burst(io::Frame*, std::uint32_t) override { return 0; }
  void release_rx() override {}
  std::uint32_t tx_burst(const io::Frame* const*, std::uint32_t n) override {
    sent += n;
    return n;
  }
  std::uint64_t sent = 0;
};

const std::uint8_t kDirFront[6] = {2, 0, 0, 0, 1, 1};
const std::uint8_t kClientMac[6] = {2, 0, 0, 0, 1, 2};

// Client i: 10.(64 + i/65536 % 64).x.y : port 1024 + i % 60000 ... distinct (addr, port) tuples.
void write_frame(std::uint8_t* f, std::uint32_t i, std::uint8_t flags) {
  std::memset(f, 0, kFrameLen);
  std::memcpy(f + 0, kDirFront, 6);
  std::memcpy(f + 6, kClientMac, 6);
  net::store_be16(f + 12, packet::kEtherTypeIpv4);
  std::uint8_t* ip = f + 14;
  ip[0] = 0x45;
  net::store_be16(ip + 2, 40);
  net::store_be16(ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = packet::kProtoTcp;
  net::store_be32(ip + 12, 0x0b000000u + (i / 50000) * 256 + 1);  // 11.x.y.1
  net::store_be32(ip + 16, 0x0a000164u);                          // 10.0.1.100
  net::store_be16(ip + 10, net::csum_finish(net::csum_add_bytes(0, ip, 20)));
  std::uint8_t* tcp = ip + 20;
  net::store_be16(tcp + 0, static_cast<std::uint16_t>(1024 + i % 50000));
  net::store_be16(tcp + 2, 80);
  net::store_be32(tcp + 4, 1000);
  tcp[12] = 0x50;
  tcp[13] = flags;
  net::store_be16(tcp + 14, 64240);
  std::uint32_t sum = net::pseudo_header_sum_v4(ip + 12, ip + 16, packet::kProtoTcp, 20);
  net::store_be16(tcp + 16, net::csum_finish(net::csum_add_bytes(sum, tcp, 20)));
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t conns = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 1'000'000;
  const std::uint64_t packets = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20'000'000;

  // SYNs: one per connection, in order. ACKs: one per connection too, in a random order (a
  // shuffled permutation), replayed pass after pass: every connection of the table is touched
  // once per pass, so at 1 M connections the working set is the whole table (about 93 MB), not
  // a cache-resident sample. The frames themselves are read sequentially, like an RX ring, so
  // they are not the cache misses being measured; the connection table is.
  std::vector<std::uint8_t> syns(static_cast<std::size_t>(conns) * kFrameLen);
  std::vector<std::uint8_t> acks(static_cast<std::size_t>(conns) * kFrameLen);
  std::vector<std::uint32_t> order(conns);
  for (std::uint32_t i = 0; i < conns; ++i) {
    write_frame(syns.data() + static_cast<std::size_t>(i) * kFrameLen, i, packet::kTcpSyn);
    order[i] = i;
  }
  std::mt19937 rng(1);
  std::shuffle(order.begin(), order.end(), rng);
  for (std::uint32_t i = 0; i < conns; ++i) {
    write_frame(
        acks.data() + static_cast<std::size_t>(i) * kFrameLen, order[i], packet::kTcpAckFlag);
  }
  io::PortInfo front_info{"eth0", 2, net::MacAddr(kDirFront), 1500, false};
  io::PortInfo back_info{"eth1", 3, *net::MacAddr::parse("02:00:00:00:02:01"), 1500, false};
  SourcePort syn_port(front_info, std::move(syns), conns);
  SourcePort ack_port(front_info, std::move(acks), conns);
  SinkPort back(back_info);

  lb::LbState lb(16, 256);
  dataplane::PipelineConfig cfg;
  cfg.conn_max = conns + 1024;
  io::PacketPort* ports[] = {&syn_port, &back};
  dataplane::Pipeline pipeline(cfg, lb, ports);
  base::ManualClock clock(1000 * base::kNanosPerSecond);
  control::DirectWorkerLink link(pipeline, clock);
  control::ControlPlane control(lb, link);

  route::KernelState ks;
  ks.links.push_back({2, "eth0", front_info.mac, 1500, true, true, false});
  ks.links.push_back({3, "eth1", back_info.mac, 1500, true, true, false});
  ks.addrs.push_back({2, *net::IpAddr::parse("10.0.1.1"), 24});
  ks.addrs.push_back({3, *net::IpAddr::parse("10.0.2.1"), 24});
  route::RouteInfo r1, r2;
  r1.dst = *net::IpPrefix::parse("0.0.0.0/0");
  r1.gateway = *net::IpAddr::parse("10.0.1.254");
  r1.oif = 2;
  r1.type = 1;
  r1.table = 254;
  r2.dst = *net::IpPrefix::parse("10.0.2.0/24");
  r2.oif = 3;
  r2.type = 1;
  r2.table = 254;
  ks.routes = {r1, r2};
  const route::PortBinding bindings[] = {{0, 2}, {1, 3}};
  pipeline.set_routes(
      std::make_shared<route::RouteTable>(route::RouteTable::build(ks, bindings, 1)));

  lb::ServiceSpec svc;
  svc.key.protocol = 6;
  svc.key.addr = *net::IpAddr::parse("10.0.1.100");
  svc.key.port = 80;
  svc.scheduler = "wlc";
  if (!control.add_service(svc)) {
    std::fprintf(stderr, "bench: add_service failed\n");
    return 1;
  }
  for (int i = 0; i < 4; ++i) {
    lb::DestSpec d;
    d.addr = net::IpAddr::v4(0x0a00020bu + i);
    d.port = 8080;
    d.fwd = lb::ForwardMethod::kMasq;
    if (!control.add_dest(svc.key, d)) {
      std::fprintf(stderr, "bench: add_dest failed\n");
      return 1;
    }
  }
  std::vector<io::Frame> ready;
  for (int i = 0; i < 4; ++i) {
    pipeline.neighbors().learn(1,
                               net::IpAddr::v4(0x0a00020bu + i),
                               *net::MacAddr::parse("02:00:00:00:02:11"),
                               clock.now(),
                               ready);
  }
  pipeline.neighbors().learn(0,
                             *net::IpAddr::parse("10.0.1.254"),
                             *net::MacAddr::parse("02:00:00:00:01:fe"),
                             clock.now(),
                             ready);

  std::printf("uvs pipeline benchmark (one core, memory ports, NAT, 4 real servers, wlc)\n");
  std::printf("connection entry: %zu bytes; table at capacity: %zu bytes per connection\n",
              sizeof(conn::Connection),
              pipeline.conns().bytes_per_connection());

  // (b) new connections: every SYN creates an entry.
  io::Frame frames[kBatch];
  auto t0 = std::chrono::steady_clock::now();
  std::uint32_t done = 0;
  while (done < conns) {
    const std::uint32_t want = conns - done < kBatch ? conns - done : kBatch;
    const std::uint32_t n = syn_port.rx_burst(frames, want);
    pipeline.process(frames, n, clock.now());
    pipeline.flush();
    done += n;
  }
  double secs = seconds_since(t0);
  std::printf("new connections: %u in %.3f s: %.2f M conn/s, %.0f ns/conn (table now %u)\n",
              conns,
              secs,
              conns / secs / 1e6,
              secs * 1e9 / conns,
              pipeline.conns().size());

  // (a) established: every connection once per pass, in a shuffled order.
  ack_port.set_id(0);
  // Warm up, then measure.
  for (int i = 0; i < 1000; ++i) {
    const std::uint32_t n = ack_port.rx_burst(frames, kBatch);
    pipeline.process(frames, n, clock.now());
    pipeline.flush();
  }
  const std::uint64_t sent_before = back.sent;
  t0 = std::chrono::steady_clock::now();
  std::uint64_t processed = 0;
  while (processed < packets) {
    const std::uint32_t n = ack_port.rx_burst(frames, kBatch);
    pipeline.process(frames, n, clock.now());
    pipeline.flush();
    processed += n;
  }
  secs = seconds_since(t0);
  std::printf(
      "established: %llu packets in %.3f s: %.2f Mpps, %.1f ns/packet "
      "(%u connections, %llu forwarded)\n",
      static_cast<unsigned long long>(processed),
      secs,
      processed / secs / 1e6,
      secs * 1e9 / processed,
      pipeline.conns().size(),
      static_cast<unsigned long long>(back.sent - sent_before));
  return 0;
}
