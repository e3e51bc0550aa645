// replay_test_util.h — helpers shared by the replay tests: a temporary directory removed at the
// end of the test, capture files written from and read back into memory, text files.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "io/pcap_file.h"

namespace uvs::replay::test {

using Bytes = std::vector<std::uint8_t>;

// 1700000000 s: the epoch second every test capture starts at.
inline constexpr std::int64_t kT0 = 1700000000LL * 1000000000LL;
inline constexpr std::int64_t kMs = 1000000;

class TempDir {
 public:
  TempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "uvs-replay-test.XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct Timed {
  std::int64_t ts;
  Bytes bytes;
};

inline void write_pcap(const std::string& path, const std::vector<Timed>& frames) {
  auto w = io::PcapWriter::create(path);
  REQUIRE(w.ok());
  for (const Timed& f : frames) {
    REQUIRE(w->write(f.ts, f.bytes).ok());
  }
  REQUIRE(w->close().ok());
}

inline std::vector<io::PcapRecord> read_pcap(const std::string& path) {
  auto r = io::PcapReader::open(path);
  INFO(path);
  REQUIRE(r.ok());
  std::vector<io::PcapRecord> out;
  for (;;) {
    auto rec = r->next();
    REQUIRE(rec.ok());
    if (!*rec) {
      return out;
    }
    out.push_back(std::move(**rec));
  }
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  REQUIRE(f.good());
}

inline std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

}  // namespace uvs::replay::test
