// conn_bench — the connection table at IPVS's scale (issue 4 item 5): memory, insert and lookup
// rates with a million connections, and what expiry costs.
//
// Prints, without asserting anything about time:
//   - bytes per connection at 1 M connections: the table's own figure (entries + index + timer
//     wheel at full capacity) and the resident memory actually added by filling it;
//   - inserts per second into an empty table up to 1 M random keys (client address and port
//     random, NAT so both index keys are inserted), and churn (expire one, insert one) at full
//     size;
//   - lookups per second at 1 M entries with random keys: hits inbound, hits outbound (reply
//     direction), misses; both in key order as inserted and shuffled;
//   - the expiry sweep: a million entries due at the same moment reaped with the pipeline's
//     default budget (8192 entries per tick): ticks needed, ns per entry, longest tick;
//   - the expire_nodest_conn flush of a deleted server holding half the table.
// Usage: bench_conn [connections]   (default 1000000). Build in Release for meaningful numbers.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "conn/conn_table.h"
#include "lb/lb_state.h"
#include "packet/headers.h"

namespace {

using Clock = std::chrono::steady_clock;
using uvs::conn::Connection;
using uvs::conn::ConnTable;
using uvs::net::IpAddr;

constexpr std::uint32_t kTicksPerSecond = uvs::base::kTicksPerSecond;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Resident set size in bytes (Linux /proc/self/statm, second field, in pages).
std::size_t resident_bytes() {
  std::ifstream f("/proc/self/statm");
  std::size_t total = 0, resident = 0;
  f >> total >> resident;
  return resident * 4096;
}

struct Key {
  IpAddr caddr;
  std::uint16_t cport;
};

std::vector<Key> random_keys(std::uint32_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Key> keys;
  keys.reserve(n);
  // Distinct by construction: a random permutation of (address, port) pairs would cost too
  // much memory, so a random address with the index folded into the port and address bits.
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t a = (rng() & 0xfff00000u) | (i >> 12);
    keys.push_back({IpAddr::v4(a | 0x01000000u),
                    static_cast<std::uint16_t>(1024 + ((i & 0xfff) ^ (rng() & 0x3000)))});
  }
  return keys;
}

uvs::conn::NewConn new_conn(const Key& k, std::uint32_t real, std::uint32_t timeout_s) {
  uvs::conn::NewConn nc;
  nc.proto = uvs::packet::kProtoTcp;
  nc.caddr = k.caddr;
  nc.cport = k.cport;
  nc.vaddr = IpAddr::v4(0xC0A80164u);  // 192.168.1.100
  nc.vport = 80;
  nc.dport = 8080;
  nc.real = real;
  nc.fwd = uvs::lb::ForwardMethod::kMasq;
  nc.timeout = timeout_s * kTicksPerSecond;
  return nc;
}

struct Table {
  uvs::lb::LbState lb{1, 2};
  ConnTable table;
  explicit Table(std::uint32_t n) : table(n, lb) {
    for (std::uint32_t s = 0; s < 2; ++s) {
      lb.real(s).slot = s;
      lb.real(s).addr = IpAddr::v4(0xAC100002u + s);
      lb.real(s).available = true;
    }
  }
};

void fill(Table& t, const std::vector<Key>& keys, std::uint32_t timeout_s, std::uint32_t now) {
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    if (t.table.create(new_conn(keys[i], i & 1, timeout_s), now) == nullptr) {
      std::fprintf(stderr, "create failed at %u\n", i);
      std::exit(1);
    }
  }
}

void bench_memory_and_inserts(std::uint32_t n, const std::vector<Key>& keys) {
  const std::size_t rss0 = resident_bytes();
  Table t(n);
  const auto t0 = Clock::now();
  fill(t, keys, 900, 1000 * kTicksPerSecond);
  const double secs = seconds_since(t0);
  const std::size_t rss1 = resident_bytes();
  std::printf("table of %u connections (NAT: two index keys each)\n", n);
  std::printf("  bytes/connection (entries + index + wheel): %zu  [sizeof(Connection) = %zu]\n",
              t.table.bytes_per_connection(),
              sizeof(Connection));
  std::printf("  resident memory added by filling it:        %.1f bytes/connection\n",
              static_cast<double>(rss1 - rss0) / n);
  std::printf("  inserts/s, empty to full:                   %.0f (%.0f ns each)\n",
              n / secs,
              secs * 1e9 / n);

  // Churn at full size: expire one, insert one.
  std::vector<Key> fresh = random_keys(n / 4, 99);
  for (Key& k : fresh) {
    k.cport |= 0x8000;  // never equal to a key of the table (their ports stay below 0x4400)
  }
  std::mt19937 rng(5);
  const std::uint32_t rounds = static_cast<std::uint32_t>(fresh.size());
  std::vector<std::uint32_t> victims(rounds);
  for (auto& v : victims) {
    v = rng() % n;
  }
  const auto t1 = Clock::now();
  std::uint32_t done = 0;
  for (std::uint32_t i = 0; i < rounds; ++i) {
    const Key& k = keys[victims[i]];
    const uvs::base::Ticks now = 1000 * kTicksPerSecond;
    Connection* c =
        t.table.find_in(uvs::packet::kProtoTcp, k.caddr, k.cport, IpAddr::v4(0xC0A80164u), 80, now);
    if (c == nullptr) {
      continue;  // already replaced
    }
    t.table.expire_now(*c, now);
    if (t.table.create(new_conn(fresh[i], i & 1, 900), 1000 * kTicksPerSecond) != nullptr) {
      ++done;
    }
  }
  const double churn = seconds_since(t1);
  std::printf(
      "  churn at full size (lookup+expire+insert): %.0f/s (%u rounds)\n", done / churn, done);
}

void bench_lookups(std::uint32_t n, const std::vector<Key>& keys) {
  Table t(n);
  fill(t, keys, 900, 1000 * kTicksPerSecond);
  const uvs::base::Ticks now = 1001 * kTicksPerSecond;
  const IpAddr vip = IpAddr::v4(0xC0A80164u);
  const std::uint32_t lookups = std::max<std::uint32_t>(n, 4'000'000);

  std::vector<std::uint32_t> order(lookups);
  std::mt19937 rng(3);
  for (auto& o : order) {
    o = rng() % n;
  }
  std::printf("lookups at %u connections, %u each\n", n, lookups);

  auto run = [&](const char* what, auto&& fn) {
    std::uint64_t hits = 0;
    const auto t0 = Clock::now();
    for (std::uint32_t i = 0; i < lookups; ++i) {
      hits += fn(i) ? 1 : 0;
    }
    const double secs = seconds_since(t0);
    std::printf("  %-34s %12.0f/s %7.1f ns  (hits %llu)\n",
                what,
                lookups / secs,
                secs * 1e9 / lookups,
                static_cast<unsigned long long>(hits));
  };
  run("inbound, keys in insertion order", [&](std::uint32_t i) {
    const Key& k = keys[i % n];
    return t.table.find_in(uvs::packet::kProtoTcp, k.caddr, k.cport, vip, 80, now) != nullptr;
  });
  run("inbound, random keys", [&](std::uint32_t i) {
    const Key& k = keys[order[i]];
    return t.table.find_in(uvs::packet::kProtoTcp, k.caddr, k.cport, vip, 80, now) != nullptr;
  });
  run("outbound (replies), random keys", [&](std::uint32_t i) {
    const std::uint32_t j = order[i];
    const Key& k = keys[j];
    return t.table.find_out(uvs::packet::kProtoTcp,
                            IpAddr::v4(0xAC100002u + (j & 1)),
                            8080,
                            k.caddr,
                            k.cport,
                            now) != nullptr;
  });
  run("misses, random keys", [&](std::uint32_t i) {
    const Key& k = keys[order[i]];
    return t.table.find_in(uvs::packet::kProtoTcp,
                           k.caddr,
                           static_cast<std::uint16_t>(k.cport ^ 0x8000u),
                           vip,
                           80,
                           now) != nullptr;
  });
  // Batched with prefetch, as the pipeline does: hash 16 ahead, prefetch slot then entry.
  run("inbound, random keys, prefetched", [&](std::uint32_t i) {
    constexpr std::uint32_t kAhead = 8;
    if (i + 2 * kAhead < lookups) {
      const Key& a = keys[order[i + 2 * kAhead]];
      t.table.prefetch(
          ConnTable::hash_in(uvs::packet::kProtoTcp, a.caddr, a.cport, vip, 80, false));
    }
    if (i + kAhead < lookups) {
      const Key& a = keys[order[i + kAhead]];
      t.table.prefetch_entry(
          ConnTable::hash_in(uvs::packet::kProtoTcp, a.caddr, a.cport, vip, 80, false));
    }
    const Key& k = keys[order[i]];
    return t.table.find_in(uvs::packet::kProtoTcp, k.caddr, k.cport, vip, 80, now) != nullptr;
  });
}

void bench_expiry(std::uint32_t n, const std::vector<Key>& keys) {
  constexpr std::uint32_t kBudget = 8192;  // dataplane::PipelineConfig::timer_budget default
  const std::uint32_t t0 = 1000 * kTicksPerSecond;
  {
    Table t(n);
    fill(t, keys, 60, t0);  // all due together: the worst case for the reaper
    const std::uint32_t due = t0 + 60 * kTicksPerSecond;
    std::uint32_t ticks = 0;
    double longest = 0;
    const auto start = Clock::now();
    while (t.table.size() > 0) {
      const auto a = Clock::now();
      t.table.run_timers(due, kBudget);
      longest = std::max(longest, seconds_since(a));
      ++ticks;
    }
    const double secs = seconds_since(start);
    std::printf("expiry of %u connections due at once, budget %u per tick\n", n, kBudget);
    std::printf("  ticks: %u, %.1f ns per expired entry, longest tick %.3f ms\n",
                ticks,
                secs * 1e9 / n,
                longest * 1e3);
  }
  {
    // Spread deadlines (a realistic mix): entries due over 256 s, a tick every 1/64 s.
    Table s(n);
    std::mt19937 rng(11);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (s.table.create(new_conn(keys[i], i & 1, 1 + rng() % 256), t0) == nullptr) {
        std::exit(1);
      }
    }
    double spread_longest = 0;
    std::uint32_t spread_ticks = 0;
    const auto s0 = Clock::now();
    for (std::uint32_t now = t0; s.table.size() > 0 && now < t0 + 300 * kTicksPerSecond;
         now += kTicksPerSecond / 64) {
      const auto a = Clock::now();
      s.table.run_timers(now, kBudget);
      spread_longest = std::max(spread_longest, seconds_since(a));
      ++spread_ticks;
    }
    std::printf(
        "  deadlines spread over 256 s, a tick every 1/64 s: %u ticks, %.1f ns per entry, "
        "longest tick %.3f ms\n",
        spread_ticks,
        seconds_since(s0) * 1e9 / n,
        spread_longest * 1e3);
  }
  // expire_nodest_conn: server 1 (half the entries) deleted, flushed a budget at a time.
  Table f(n);
  fill(f, keys, 900, t0);
  f.lb.real(1).available = false;
  f.table.start_dead_flush();
  std::uint32_t flush_ticks = 0;
  double flush_longest = 0;
  const auto f0 = Clock::now();
  while (f.table.dead_flush_pending()) {
    const auto a = Clock::now();
    f.table.flush_dead(kBudget);
    flush_longest = std::max(flush_longest, seconds_since(a));
    ++flush_ticks;
  }
  std::printf("dead-server flush (expire_nodest_conn) of %u of %u entries, budget %u\n",
              n - f.table.size(),
              n,
              kBudget);
  std::printf("  ticks: %u, %.1f ns per table position, longest tick %.3f ms\n",
              flush_ticks,
              seconds_since(f0) * 1e9 / n,
              flush_longest * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t n =
      argc > 1 ? static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1'000'000;
  if (n == 0) {
    std::fprintf(stderr, "usage: bench_conn [connections]\n");
    return 2;
  }
  const std::vector<Key> keys = random_keys(n, 1);
  bench_memory_and_inserts(n, keys);
  bench_lookups(n, keys);
  bench_expiry(n, keys);
  return 0;
}
