// replay_bench — how fast `uvsd replay` runs a large capture, end to end. Prints figures;
// asserts nothing.
//
//   (a) a busy capture: FRAMES frames (default 2,000,000) of NAT TCP flows of 10 frames each
//       (handshake, request, four 1448-byte data segments and their ACKs, spread over both
//       interfaces as a real exchange is), 1,000 flows open at a time, one frame per microsecond
//       of capture time; `uvsd replay` (the real program, started as a process, with its
//       configuration loading, capture reading and writing) is timed from start to exit and the
//       figures are input packets/s and input MB/s;
//   (b) the same with --trace (one JSON line per frame);
//   (c) an idle hour: two frames an hour apart, which measures the timer grid (replayer.h: 256
//       ticks per second of capture time, frames or not).
// From (a) and (c) it estimates how long a day of traffic at a few rates would take.
// The capture files are generated in a temporary directory first (not timed) and removed at the
// end. uvsd is looked up next to this program's directory (build*/uvsd).
//
// Run: tests/setup.sh release && build-release/bench/bench_replay [frames]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "io/pcap_file.h"
#include "net/byte_order.h"
#include "net/checksum.h"

using namespace uvs;

namespace {

constexpr std::int64_t kT0 = 1700000000LL * 1000000000LL;
constexpr std::int64_t kUs = 1000;
constexpr int kFramesPerFlow = 10;
constexpr int kOpenFlows = 1000;
constexpr std::uint16_t kMss = 1448;

const char* const kConfig = R"([daemon]
interfaces = ["eth0", "eth1"]

[[service]]
protocol = "tcp"
address = "10.0.1.100:80"
scheduler = "rr"
  [[service.real]]
  address = "10.0.2.11:80"
  forward = "nat"
  [[service.real]]
  address = "10.0.2.12:80"
  forward = "nat"

[replay]
  [[replay.interface]]
  name = "eth0"
  mac = "02:00:00:00:01:01"
  addresses = ["10.0.1.1/24"]
  [[replay.interface]]
  name = "eth1"
  mac = "02:00:00:00:02:01"
  addresses = ["10.0.2.1/24"]
  [[replay.route]]
  prefix = "default"
  via = "10.0.1.254"
  # Clients are behind the front gateway; everyone's MAC is known from the start, so the
  # capture holds only the flows.
  [[replay.neighbor]]
  interface = "eth0"
  address = "10.0.1.254"
  mac = "02:00:00:00:01:fe"
  [[replay.neighbor]]
  interface = "eth1"
  address = "10.0.2.11"
  mac = "02:00:00:00:02:11"
  [[replay.neighbor]]
  interface = "eth1"
  address = "10.0.2.12"
  mac = "02:00:00:00:02:12"
)";

const std::uint8_t kEth0Mac[6] = {2, 0, 0, 0, 1, 1};
const std::uint8_t kEth1Mac[6] = {2, 0, 0, 0, 2, 1};
const std::uint8_t kGwMac[6] = {2, 0, 0, 0, 1, 0xfe};
const std::uint8_t kRsMac[2][6] = {{2, 0, 0, 0, 2, 0x12}, {2, 0, 0, 0, 2, 0x11}};
constexpr std::uint32_t kVip = 0x0a000164;                    // 10.0.1.100
constexpr std::uint32_t kRsIp[2] = {0x0a00020c, 0x0a00020b};  // rs2, rs1: rr's order

// One Ethernet + IPv4 + TCP frame with valid checksums.
std::vector<std::uint8_t> tcp_frame(const std::uint8_t* dst_mac,
                                    const std::uint8_t* src_mac,
                                    std::uint32_t saddr,
                                    std::uint16_t sport,
                                    std::uint32_t daddr,
                                    std::uint16_t dport,
                                    std::uint8_t flags,
                                    std::uint32_t seq,
                                    std::uint32_t ack,
                                    std::uint16_t payload) {
  const std::uint16_t ip_len = static_cast<std::uint16_t>(20 + 20 + payload);
  std::vector<std::uint8_t> f(14 + ip_len, 0);
  std::memcpy(f.data(), dst_mac, 6);
  std::memcpy(f.data() + 6, src_mac, 6);
  net::store_be16(f.data() + 12, 0x0800);
  std::uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  net::store_be16(ip + 2, ip_len);
  net::store_be16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = 6;
  net::store_be32(ip + 12, saddr);
  net::store_be32(ip + 16, daddr);
  net::store_be16(ip + 10, net::csum_finish(net::csum_add_bytes(0, ip, 20)));
  std::uint8_t* tcp = ip + 20;
  net::store_be16(tcp, sport);
  net::store_be16(tcp + 2, dport);
  net::store_be32(tcp + 4, seq);
  net::store_be32(tcp + 8, ack);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  net::store_be16(tcp + 14, 64240);
  for (std::uint16_t i = 0; i < payload; ++i) {
    tcp[20 + i] = static_cast<std::uint8_t>('a' + i % 26);
  }
  std::uint32_t sum =
      net::pseudo_header_sum_v4(ip + 12, ip + 16, 6, static_cast<std::uint16_t>(20 + payload));
  net::store_be16(tcp + 16, net::csum_finish(net::csum_add_bytes(sum, tcp, 20 + payload)));
  return f;
}

struct Generated {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
};

bool fail(const base::Error& e) {
  std::fprintf(stderr, "bench_replay: %s\n", e.to_string().c_str());
  return false;
}

// Flows of kFramesPerFlow frames, kOpenFlows interleaved at a time, one frame per microsecond.
// Flow i is scheduled by rr to rs2 (even i) or rs1 (odd i), whose replies the eth1 capture holds.
bool generate(const std::string& dir, std::uint64_t frames, Generated& g) {
  auto front = io::PcapWriter::create(dir + "/in-eth0.pcap");
  auto back = io::PcapWriter::create(dir + "/in-eth1.pcap");
  if (!front) {
    return fail(front.error());
  }
  if (!back) {
    return fail(back.error());
  }
  const std::uint64_t flows = (frames + kFramesPerFlow - 1) / kFramesPerFlow;
  std::int64_t t = kT0;
  for (std::uint64_t base = 0; base < flows; base += kOpenFlows) {
    const std::uint64_t end = std::min<std::uint64_t>(flows, base + kOpenFlows);
    for (int step = 0; step < kFramesPerFlow; ++step) {
      for (std::uint64_t i = base; i < end && g.frames < frames; ++i) {
        // Client 198.18.0.0/15 + i, port 1024 + i % 60000.
        const std::uint32_t client = 0xc6120000u + static_cast<std::uint32_t>(i / 60000) * 256 +
                                     static_cast<std::uint32_t>(i % 251) + 1;
        const auto cport = static_cast<std::uint16_t>(1024 + i % 60000);
        const int rs = static_cast<int>(i % 2);
        const std::uint32_t c0 = 1000, s0 = 5000;
        const std::uint32_t req = 100;
        std::vector<std::uint8_t> f;
        bool to_front = true;
        switch (step) {
          case 0:
            f = tcp_frame(kEth0Mac, kGwMac, client, cport, kVip, 80, 0x02, c0, 0, 0);
            break;
          case 1:
            to_front = false;
            f = tcp_frame(kEth1Mac, kRsMac[rs], kRsIp[rs], 80, client, cport, 0x12, s0, c0 + 1, 0);
            break;
          case 2:
            f = tcp_frame(kEth0Mac, kGwMac, client, cport, kVip, 80, 0x10, c0 + 1, s0 + 1, 0);
            break;
          case 3:
            f = tcp_frame(kEth0Mac, kGwMac, client, cport, kVip, 80, 0x18, c0 + 1, s0 + 1, req);
            break;
          case 4:
          case 5:
          case 6:
          case 7: {
            to_front = false;
            const std::uint32_t seq = s0 + 1 + static_cast<std::uint32_t>(step - 4) * kMss;
            f = tcp_frame(
                kEth1Mac, kRsMac[rs], kRsIp[rs], 80, client, cport, 0x10, seq, c0 + 1 + req, kMss);
            break;
          }
          case 8:
            f = tcp_frame(kEth0Mac,
                          kGwMac,
                          client,
                          cport,
                          kVip,
                          80,
                          0x10,
                          c0 + 1 + req,
                          s0 + 1 + 4 * kMss,
                          0);
            break;
          default:
            f = tcp_frame(kEth0Mac,
                          kGwMac,
                          client,
                          cport,
                          kVip,
                          80,
                          0x14,
                          c0 + 1 + req,
                          s0 + 1 + 4 * kMss,
                          0);  // RST|ACK: the client closes
            break;
        }
        auto st = (to_front ? *front : *back).write(t, f);
        if (!st) {
          return fail(st.error());
        }
        t += kUs;
        ++g.frames;
        g.bytes += f.size();
      }
    }
  }
  if (auto st = front->close(); !st) {
    return fail(st.error());
  }
  if (auto st = back->close(); !st) {
    return fail(st.error());
  }
  return true;
}

struct Timing {
  double wall = 0;
  double cpu = 0;
  int status = -1;
  std::string summary;
};

// Runs `uvsd replay` on DIR's inputs into DIR/out, stderr into DIR/replay.log.
Timing run_replay(const std::string& uvsd, const std::string& dir, bool trace) {
  Timing t;
  std::vector<std::string> args = {uvsd,
                                   "replay",
                                   "--config",
                                   dir + "/config.toml",
                                   "--in",
                                   "eth0=" + dir + "/in-eth0.pcap",
                                   "--in",
                                   "eth1=" + dir + "/in-eth1.pcap",
                                   "--out-dir",
                                   dir + "/out"};
  if (trace) {
    args.push_back("--trace");
    args.push_back(dir + "/trace.jsonl");
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string log = dir + "/replay.log";
    if (std::freopen(log.c_str(), "w", stderr) == nullptr) {
      ::_exit(126);
    }
    std::vector<char*> argv;
    for (std::string& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage ru{};
  if (pid < 0 || ::wait4(pid, &status, 0, &ru) != pid) {
    return t;
  }
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  t.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream log(dir + "/replay.log");
  std::getline(log, t.summary);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t frames = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
  const std::filesystem::path self = std::filesystem::canonical("/proc/self/exe");
  const std::string uvsd = (self.parent_path().parent_path() / "uvsd").string();
  if (!std::filesystem::exists(uvsd)) {
    std::fprintf(stderr, "bench_replay: %s is not built (build the uvsd target)\n", uvsd.c_str());
    return 1;
  }
  std::string templ = (std::filesystem::temp_directory_path() / "uvs-bench-replay.XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    std::perror("bench_replay: mkdtemp");
    return 1;
  }
  const std::string dir = templ;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};

  std::ofstream(dir + "/config.toml") << kConfig;
  Generated g;
  const auto gen_start = std::chrono::steady_clock::now();
  if (!generate(dir, frames, g)) {
    return 1;
  }
  const double gen_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - gen_start).count();
  std::printf("capture: %llu frames, %.1f MB, %.2f s of capture time (generated in %.1f s)\n",
              static_cast<unsigned long long>(g.frames),
              static_cast<double>(g.bytes) / 1e6,
              static_cast<double>(g.frames) * kUs / 1e9,
              gen_s);

  const auto report = [&](const char* what, const Timing& t) {
    if (t.status != 0) {
      std::printf("%-22s FAILED (exit %d): %s\n", what, t.status, t.summary.c_str());
      return false;
    }
    std::printf("%-22s %7.2f s wall, %7.2f s cpu: %9.0f packets/s, %6.1f MB/s\n",
                what,
                t.wall,
                t.cpu,
                static_cast<double>(g.frames) / t.wall,
                static_cast<double>(g.bytes) / 1e6 / t.wall);
    std::printf("%-22s %s\n", "", t.summary.c_str());
    return true;
  };
  const Timing plain = run_replay(uvsd, dir, false);
  if (!report("replay", plain)) {
    return 1;
  }
  const Timing traced = run_replay(uvsd, dir, true);
  if (!report("replay --trace", traced)) {
    return 1;
  }

  // An idle hour: the cost of the timer grid alone.
  const std::string idle = dir + "/idle";
  std::filesystem::create_directories(idle);
  std::ofstream(idle + "/config.toml") << kConfig;
  {
    auto front = io::PcapWriter::create(idle + "/in-eth0.pcap");
    auto back = io::PcapWriter::create(idle + "/in-eth1.pcap");
    if (!front || !back) {
      return 1;
    }
    const auto f = tcp_frame(kEth0Mac, kGwMac, 0xc6120001, 1024, kVip, 80, 0x02, 1, 0, 0);
    if (!front->write(kT0, f) || !front->write(kT0 + 3600LL * 1000000000LL, f) || !front->close() ||
        !back->close()) {
      return 1;
    }
  }
  const Timing hour = run_replay(uvsd, idle, false);
  if (hour.status != 0) {
    std::printf("idle hour: FAILED (exit %d): %s\n", hour.status, hour.summary.c_str());
    return 1;
  }
  std::printf(
      "%-22s %7.2f s wall, %7.2f s cpu (921,600 timer ticks)\n", "idle hour", hour.wall, hour.cpu);

  const double per_frame = plain.wall / static_cast<double>(g.frames);
  std::printf("a day of capture takes about:");
  for (const double pps : {1000.0, 10000.0, 100000.0}) {
    const double s = 24 * hour.wall + 86400.0 * pps * per_frame;
    std::printf("  %.0f min at %.0f packets/s;", s / 60, pps);
  }
  std::printf("\n");
  return 0;
}
