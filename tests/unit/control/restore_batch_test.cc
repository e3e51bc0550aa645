// uvsadm -R as one batch (issue 5, control responsiveness): a restore of thousands of lines is
// published to the data path as one snapshot, and ends in exactly the state the same lines give
// when each one is its own uvsadm command: the same listings, the same real-server slots and
// configuration on the data path's side, and schedulers that go on picking the same servers
// (rr's cursor, wrr's current weight, lblc's cache, twos's generator carried through every line).
// The lines mix additions, weight and threshold edits, deletions (the rr cursor's server among
// them), re-additions of deleted servers, new services, -E with and without a scheduler change,
// a deleted and re-created service, and lines the model refuses, on services whose schedulers
// already ran before the restore.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sched/rr.h"
#include "unit/control/director.h"

using uvs::test::Director;

namespace {

struct Svc {
  std::string opt;  // "-t 10.0.1.100:80"
  std::string sched;
  bool tcp = true;
  std::set<int> present;  // real servers 10.2.x.y by number
  std::set<int> deleted;
};

std::string real(int n) {
  return "10.2." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1) + ":8080";
}

// The lines of a restore, valid against the state `svcs` describes (and updating it), with a few
// that the model refuses.
class LineMaker {
 public:
  LineMaker(std::vector<Svc>& svcs, std::uint32_t seed) : svcs_(svcs), rng_(seed) {}

  std::string next() {
    Svc& s = svcs_[roll(svcs_.size())];
    const int r = roll(100);
    if (r < 60 || s.present.empty()) {
      if (!s.deleted.empty() && roll(4) == 0) {
        const int n = *s.deleted.begin();  // back from the trash
        s.deleted.erase(n);
        s.present.insert(n);
        return "-a " + s.opt + " -r " + real(n) + " -m -w " + std::to_string(roll(5) + 1);
      }
      const int limit = s.sched == "mh" ? 20 : 100000;
      if (static_cast<int>(s.present.size()) >= limit) {
        return "-E " + s.opt + " -s " + s.sched;
      }
      const int n = next_real_++;
      s.present.insert(n);
      return "-a " + s.opt + " -r " + real(n) + " -m -w " + std::to_string(roll(5));
    }
    const int n = pick(s.present);
    if (r < 75) {
      return "-e " + s.opt + " -r " + real(n) + " -m -w " + std::to_string(roll(6)) +
             (roll(3) == 0 ? " -x 50 -y 10" : "");
    }
    if (r < 90) {
      s.present.erase(n);
      s.deleted.insert(n);
      return "-d " + s.opt + " -r " + real(n);
    }
    if (r < 94) {
      return "-a " + s.opt + " -r " + real(n) + " -m";  // Destination already exists
    }
    if (r < 96) {
      return "-d " + s.opt + " -r " + real(next_real_ + 5000);  // No such destination
    }
    if (r < 98) {
      return "-E " + s.opt + " -s " + s.sched;  // same scheduler: a plain edit
    }
    return "-E " + s.opt + " -s " + s.sched + " -p 60";
  }

  std::size_t roll(std::size_t n) { return rng_() % n; }
  int pick(const std::set<int>& xs) {
    auto it = xs.begin();
    std::advance(it, static_cast<long>(roll(xs.size())));
    return *it;
  }

 private:
  std::vector<Svc>& svcs_;
  std::mt19937 rng_;
  int next_real_ = 1000;
};

// Both directors run `line` one command at a time.
void both(Director& a, Director& b, const std::string& line) {
  a.ok(line);
  b.ok(line);
}

// What each service's scheduler picks for `n` new connections (same inputs on both sides).
std::string picks(Director& d, std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::string out;
  for (const auto& s : d.control->current()->services) {
    out += s->spec.key.to_string() + ":";
    for (int k = 0; k < n; ++k) {
      const unsigned r = rng();
      const auto saddr = Director::addr("172.31.0." + std::to_string(r % 200 + 1));
      const auto daddr = Director::addr("10.9.0." + std::to_string((r >> 8) % 7 + 1));
      uvs::sched::PickInput in;
      in.saddr = &saddr;
      in.daddr = &daddr;
      in.sport = static_cast<std::uint16_t>(1024 + (r >> 16) % 50000);
      in.dport = s->spec.key.port;
      in.now = d.clock.now();
      uvs::lb::RealServer* rs = s->scheduler ? s->scheduler->pick(s->reals, in) : nullptr;
      out += " " + (rs == nullptr ? std::string("-")
                                  : rs->addr.to_string() + ":" + std::to_string(rs->port));
    }
    out += "\n";
  }
  return out;
}

// The data path's view of every real server: slot configuration as adopted.
std::string slots(Director& d) {
  std::string out;
  for (const auto& s : d.control->current()->services) {
    out += s->spec.key.to_string() + ":";
    for (const uvs::lb::RealServer* rs : s->reals) {
      out += " " + rs->addr.to_string() + " w" + std::to_string(rs->weight) + " lw" +
             std::to_string(rs->last_weight) + " u" + std::to_string(rs->u_threshold) + " l" +
             std::to_string(rs->l_threshold) + (rs->available ? " A" : " -");
    }
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("restore: a large -R ends as its lines one by one, and is published once") {
  Director a({}, 64, 8192);
  Director b({}, 64, 8192);
  std::vector<Svc> svcs = {
      {"-t 10.0.1.100:80", "rr"},
      {"-t 10.0.1.100:81", "wrr"},
      {"-t 10.0.1.100:82", "wlc"},
      {"-u 10.0.1.100:53", "lblc", false},
      {"-t 10.0.1.100:84", "lblcr"},
      {"-f 7", "twos"},
      {"-t 10.0.1.100:83", "mh"},
  };
  // Before the restore: services that already scheduled connections, so their state matters.
  LineMaker before(svcs, 1);
  for (Svc& s : svcs) {
    both(a, b, "-A " + s.opt + " -s " + s.sched);
  }
  for (int k = 0; k < 120; ++k) {
    std::string line = before.next();
    const auto ra = a.run(line);
    const auto rb = b.run(line);
    REQUIRE(ra.err == rb.err);
  }
  REQUIRE(picks(a, 7, 25) == picks(b, 7, 25));

  // The restore: also a service deleted and created again, and one created and filled. It
  // starts by deleting the server under rr's cursor and then its predecessor, so the cursor
  // moves twice within one batch.
  LineMaker maker(svcs, 2);
  std::vector<std::string> lines;
  {
    const auto& rr = *a.control->current()->services.front();
    const int cursor = dynamic_cast<const uvs::sched::Rr&>(*rr.scheduler).cursor();
    REQUIRE(cursor >= 1);
    for (int i : {cursor, cursor - 1}) {
      const uvs::lb::RealServer& rs = *rr.reals[static_cast<std::size_t>(i)];
      const std::string name = rs.addr.to_string() + ":" + std::to_string(rs.port);
      lines.push_back("-d -t 10.0.1.100:80 -r " + name);
      for (int n : svcs[0].present) {
        if (real(n) == name) {
          svcs[0].present.erase(n);
          svcs[0].deleted.insert(n);
          break;
        }
      }
    }
  }
  for (int k = 0; k < 3000; ++k) {
    lines.push_back(maker.next());
    if (k == 1000) {
      lines.push_back("-D -t 10.0.1.100:82");
      lines.push_back("-A -t 10.0.1.100:82 -s wrr");
      svcs[2].sched = "wrr";
      svcs[2].present.clear();
      svcs[2].deleted.clear();
    }
    if (k == 1500) {
      lines.push_back("-A -t 10.0.1.100:90 -s rr");
      svcs.push_back({"-t 10.0.1.100:90", "rr"});
    }
    if (k == 2000) {
      lines.push_back("-E -t 10.0.1.100:90 -s wrr");  // rr -> wrr: a fresh start mid-restore
      svcs.back().sched = "wrr";
    }
  }
  std::string text;
  for (const std::string& l : lines) {
    text += l + "\n";
  }
  const std::uint64_t epoch = a.control->epoch();
  const auto restored = a.run("-R", text);
  CHECK(a.control->epoch() == epoch + 1);  // one snapshot for the whole restore

  std::string err;
  int last = 0;
  for (const std::string& l : lines) {
    const auto r = b.run(l);
    err += r.err;
    last = r.exit_code;
  }
  CHECK(err.find("Destination already exists") != std::string::npos);
  CHECK(err.find("No such destination") != std::string::npos);
  CHECK(restored.err == err);
  CHECK(restored.exit_code == last);

  CHECK(a.run("-Sn").out == b.run("-Sn").out);
  CHECK(a.run("-Ln").out == b.run("-Ln").out);
  CHECK(a.run("-Ln --thresholds").out == b.run("-Ln --thresholds").out);
  CHECK(slots(a) == slots(b));
  CHECK(picks(a, 11, 60) == picks(b, 11, 60));
}

TEST_CASE("restore: a server deleted and added back in one -R stays available") {
  Director d;
  d.ok("-A -t 10.0.1.100:80 -s rr");
  d.ok("-a -t 10.0.1.100:80 -r 10.0.2.11:8080 -m");
  const auto r = d.run("-R",
                       "-d -t 10.0.1.100:80 -r 10.0.2.11:8080\n"
                       "-a -t 10.0.1.100:80 -r 10.0.2.11:8080 -m -w 3\n");
  CHECK(r.exit_code == 0);
  uvs::lb::ServiceKey key;
  key.addr = Director::addr("10.0.1.100");
  key.port = 80;
  CHECK(d.real(key, "10.0.2.11", 8080).available);
  CHECK(d.real(key, "10.0.2.11", 8080).weight == 3);
  CHECK(d.control->current()->removed_reals.empty());
}
