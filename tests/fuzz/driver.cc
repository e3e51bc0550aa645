// driver.cc — runs a libFuzzer target without libFuzzer, so the fuzz targets are tests under g++.
//
// Every tests/fuzz/<name>_fuzz.cc defines LLVMFuzzerTestOneInput(). Linked with this file it
// becomes build/tests/fuzz_<name>, which ctest runs (fuzz_parse, fuzz_config, fuzz_control_proto,
// fuzz_control_plane):
//
//   fuzz_<name> [-mutations=N] [-seed=S] [-max_len=L] PATH...
//
// Each PATH is a directory (every regular file in it, in name order, is a seed) or a single file
// (run once: how a crash input saved by libFuzzer or by this driver is replayed). The driver runs
// every seed, then N inputs made from seeds by deterministic pseudo-random mutations (seed S,
// default 1; N default 10000): bit flips, byte and "interesting value" overwrites, insertions,
// deletions, duplicated ranges, splices of two seeds, and numbers in text replaced. Each input
// is passed in a heap block of exactly its size, so ASan reports a read one byte past it. On a
// crash (ASan/UBSan report, FUZZ_CHECK, abort, segfault) the input is written to
// ./fuzz_<name>-crash.bin before the process dies; rerun with that file as PATH to reproduce.
// It prints one summary line and exits 0 when every input ran.
//
// This is coverage-blind, fixed-budget fuzzing: a regression check in CI. For real fuzzing use
// clang's libFuzzer, which the same targets support unchanged:
//
//   CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DUVS_BUILD_FUZZERS=ON
//   T="fuzz_parse fuzz_config fuzz_control_proto fuzz_control_plane"
//   cmake --build build-fuzz --target $T -j2
//   B=build-fuzz/tests S=tests/fuzz/corpus
//   mkdir -p /tmp/fz/parse /tmp/fz/config /tmp/fz/proto /tmp/fz/plane
//   $B/fuzz_parse /tmp/fz/parse $S/parse -max_total_time=60
//   $B/fuzz_config /tmp/fz/config $S/config config -max_total_time=60
//   $B/fuzz_control_proto /tmp/fz/proto $S/control_proto -max_total_time=60
//   $B/fuzz_control_plane /tmp/fz/plane $S/control_plane -max_total_time=60
//
// libFuzzer adds the inputs it finds to the FIRST directory only, so name a scratch directory
// first and the committed seeds after it; worthwhile new inputs can then be copied into
// tests/fuzz/corpus/<target>/ (`-merge=1 tests/fuzz/corpus/parse /tmp/fz/parse` keeps only
// those adding coverage). A crash is saved as ./crash-<sha1>; replay it with either build:
// `build/tests/fuzz_parse crash-<sha1>`. With UVS_BUILD_FUZZERS=ON, ctest runs each libFuzzer
// binary for a fixed number of runs over the seeds instead of this driver.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define UVS_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UVS_FUZZ_ASAN 1
#endif
#endif
#ifdef UVS_FUZZ_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

// UBSan's fatal reports do not run ASan's death callback; make them end in abort(), which the
// SIGABRT handler below turns into a saved input. Read by the UBSan runtime when it is linked.
extern "C" const char* __ubsan_default_options() {
  return "abort_on_error=1:print_stacktrace=1";
}

namespace {

using Bytes = std::vector<std::uint8_t>;

// The input being run and where to save it, for the crash handlers (which may only use
// async-signal-safe calls: open, write, close).
const std::uint8_t* g_current = nullptr;
std::size_t g_current_size = 0;
char g_crash_path[512] = "fuzz-crash.bin";

void save_current_input() {
  if (g_current == nullptr) {
    return;
  }
  const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return;
  }
  std::size_t done = 0;
  while (done < g_current_size) {
    const ssize_t n = ::write(fd, g_current + done, g_current_size - done);
    if (n <= 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  static const char kMsg[] = "fuzz driver: crashing input saved to ";
  (void)!::write(2, kMsg, sizeof(kMsg) - 1);
  (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
  (void)!::write(2, "\n", 1);
  g_current = nullptr;  // once
}

void on_fatal_signal(int sig) {
  save_current_input();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_crash_handlers() {
#ifdef UVS_FUZZ_ASAN
  // ASan reports memory errors and faults itself (and UBSan's fatal reports go the same way);
  // its death callback saves the input. Replacing its SIGSEGV handler would lose the report.
  __sanitizer_set_death_callback(save_current_input);
  for (int sig : {SIGABRT, SIGILL}) {
#else
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE}) {
#endif
    std::signal(sig, on_fatal_signal);
  }
}

void run_one(const Bytes& input) {
  // An exact-size heap copy: one byte more read is outside the allocation.
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[input.size()]);
  if (!input.empty()) {
    std::memcpy(copy.get(), input.data(), input.size());
  }
  g_current = copy.get();
  g_current_size = input.size();
  LLVMFuzzerTestOneInput(copy.get(), input.size());
  g_current = nullptr;
}

// Deterministic everywhere: only the engine's raw output is used (distributions are
// implementation-defined).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : e_(seed) {}
  std::uint64_t next() { return e_(); }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(e_() % n); }
  bool one_in(unsigned n) { return below(n) == 0; }

 private:
  std::mt19937_64 e_;
};

class Mutator {
 public:
  Mutator(const std::vector<Bytes>& seeds, std::size_t max_len, std::uint64_t seed)
      : seeds_(seeds), max_len_(max_len), rng_(seed) {}

  Bytes next() {
    Bytes b = seeds_.empty() ? Bytes{} : seeds_[rng_.below(seeds_.size())];
    // Mostly few edits (inputs close to a valid seed go deep), sometimes many.
    const unsigned edits = 1u << rng_.below(4);
    for (unsigned i = 0; i < edits; ++i) {
      mutate(b);
    }
    if (b.size() > max_len_) {
      b.resize(max_len_);
    }
    return b;
  }

 private:
  void mutate(Bytes& b) {
    switch (rng_.below(11)) {
      case 0:  // flip one bit
        if (!b.empty()) {
          b[rng_.below(b.size())] ^= static_cast<std::uint8_t>(1u << rng_.below(8));
        }
        break;
      case 1:  // random byte
        if (!b.empty()) {
          b[rng_.below(b.size())] = static_cast<std::uint8_t>(rng_.next());
        }
        break;
      case 2:  // interesting 8/16/32-bit value, either byte order
        overwrite_interesting(b);
        break;
      case 3: {  // erase a range
        if (!b.empty()) {
          const std::size_t at = rng_.below(b.size());
          const std::size_t n = 1 + rng_.below(std::min<std::size_t>(b.size() - at, 16));
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at),
                  b.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      }
      case 4: {  // insert random bytes
        const std::size_t at = rng_.below(b.size() + 1);
        const std::size_t n = 1 + rng_.below(8);
        Bytes ins(n);
        for (auto& x : ins) {
          x = static_cast<std::uint8_t>(rng_.next());
        }
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), ins.begin(), ins.end());
        break;
      }
      case 5: {  // insert one byte repeated
        const std::size_t at = rng_.below(b.size() + 1);
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at),
                 1 + rng_.below(32),
                 static_cast<std::uint8_t>(rng_.next()));
        break;
      }
      case 6: {  // duplicate a range of the input somewhere else in it
        if (!b.empty()) {
          const std::size_t from = rng_.below(b.size());
          const std::size_t n = 1 + rng_.below(std::min<std::size_t>(b.size() - from, 64));
          const Bytes part(b.begin() + static_cast<std::ptrdiff_t>(from),
                           b.begin() + static_cast<std::ptrdiff_t>(from + n));
          const std::size_t at = rng_.below(b.size() + 1);
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), part.begin(), part.end());
        }
        break;
      }
      case 7: {  // splice: a range of another seed inserted or written over
        if (seeds_.empty()) {
          break;
        }
        const Bytes& other = seeds_[rng_.below(seeds_.size())];
        if (other.empty()) {
          break;
        }
        const std::size_t from = rng_.below(other.size());
        const std::size_t n = 1 + rng_.below(std::min<std::size_t>(other.size() - from, 128));
        const std::size_t at = rng_.below(b.size() + 1);
        if (rng_.one_in(2) || at + n > b.size()) {
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at),
                   other.begin() + static_cast<std::ptrdiff_t>(from),
                   other.begin() + static_cast<std::ptrdiff_t>(from + n));
        } else {
          std::copy(other.begin() + static_cast<std::ptrdiff_t>(from),
                    other.begin() + static_cast<std::ptrdiff_t>(from + n),
                    b.begin() + static_cast<std::ptrdiff_t>(at));
        }
        break;
      }
      case 8:  // cut the tail
        b.resize(rng_.below(b.size() + 1));
        break;
      case 9:  // a decimal number in text replaced (ports, weights, timeouts...)
        replace_number(b);
        break;
      default: {  // swap two bytes
        if (b.size() >= 2) {
          std::swap(b[rng_.below(b.size())], b[rng_.below(b.size())]);
        }
        break;
      }
    }
  }

  void overwrite_interesting(Bytes& b) {
    static constexpr std::uint32_t kValues[] = {
        0,      1,      2,      4,      5,       7,          8,          15,        16,   20,
        28,     32,     60,     64,     127,     128,        255,        256,       1024, 1500,
        0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff};
    if (b.empty()) {
      return;
    }
    const std::uint32_t v = kValues[rng_.below(std::size(kValues))];
    const std::size_t width = std::size_t{1} << rng_.below(3);  // 1, 2 or 4 bytes
    if (b.size() < width) {
      return;
    }
    const std::size_t at = rng_.below(b.size() - width + 1);
    const bool big_endian = rng_.one_in(2);
    for (std::size_t i = 0; i < width; ++i) {
      const std::size_t shift = 8 * (big_endian ? width - 1 - i : i);
      b[at + i] = static_cast<std::uint8_t>(v >> shift);
    }
  }

  void replace_number(Bytes& b) {
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (b[i] >= '0' && b[i] <= '9' && (i == 0 || b[i - 1] < '0' || b[i - 1] > '9')) {
        starts.push_back(i);
      }
    }
    if (starts.empty()) {
      return;
    }
    const std::size_t at = starts[rng_.below(starts.size())];
    std::size_t end = at;
    while (end < b.size() && b[end] >= '0' && b[end] <= '9') {
      ++end;
    }
    static constexpr const char* kNumbers[] = {"0",
                                               "1",
                                               "-1",
                                               "255",
                                               "256",
                                               "65535",
                                               "65536",
                                               "4294967295",
                                               "4294967296",
                                               "99999999999999999999",
                                               "007",
                                               "1e3"};
    std::string repl = rng_.one_in(3) ? std::to_string(rng_.next() % 100000)
                                      : kNumbers[rng_.below(std::size(kNumbers))];
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(at),
            b.begin() + static_cast<std::ptrdiff_t>(end));
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), repl.begin(), repl.end());
  }

  const std::vector<Bytes>& seeds_;
  std::size_t max_len_;
  Rng rng_;
};

bool read_file(const std::filesystem::path& p, Bytes& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// "-name=value" → value, if `arg` is that flag.
bool flag(std::string_view arg, std::string_view name, std::uint64_t& value) {
  if (arg.size() <= name.size() + 2 || arg[0] != '-' || arg.substr(1, name.size()) != name ||
      arg[name.size() + 1] != '=') {
    return false;
  }
  const std::string text(arg.substr(name.size() + 2));
  char* end = nullptr;
  errno = 0;
  value = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    std::fprintf(stderr, "fuzz driver: bad value in %s\n", std::string(arg).c_str());
    std::exit(2);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mutations = 10000;
  std::uint64_t seed = 1;
  std::uint64_t max_len = 4096;
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (flag(a, "mutations", mutations) || flag(a, "seed", seed) || flag(a, "max_len", max_len)) {
      continue;
    }
    if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr,
                   "fuzz driver: unknown option %s\n"
                   "usage: %s [-mutations=N] [-seed=S] [-max_len=L] DIR_OR_FILE...\n",
                   argv[i],
                   argv[0]);
      return 2;
    }
    paths.emplace_back(a);
  }
  const std::string prog = std::filesystem::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof(g_crash_path), "%s-crash.bin", prog.c_str());
  if (paths.empty()) {
    std::fprintf(
        stderr, "usage: %s [-mutations=N] [-seed=S] [-max_len=L] DIR_OR_FILE...\n", argv[0]);
    return 2;
  }

  std::vector<Bytes> seeds;
  bool single_files = true;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      single_files = false;
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        if (e.is_regular_file()) {
          files.push_back(e.path());
        }
      }
      if (ec) {
        std::fprintf(stderr, "fuzz driver: cannot list %s: %s\n", p.c_str(), ec.message().c_str());
        return 2;
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        Bytes b;
        if (!read_file(f, b)) {
          std::fprintf(stderr, "fuzz driver: cannot read %s\n", f.c_str());
          return 2;
        }
        seeds.push_back(std::move(b));
      }
    } else {
      Bytes b;
      if (!read_file(p, b)) {
        std::fprintf(stderr, "fuzz driver: cannot read %s\n", p.c_str());
        return 2;
      }
      seeds.push_back(std::move(b));
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz driver: no seed inputs found\n");
    return 2;
  }

  install_crash_handlers();
  for (const Bytes& s : seeds) {
    run_one(s);
  }
  // Files named one by one are a reproduction: run them and nothing else.
  const std::uint64_t n = single_files ? 0 : mutations;
  Mutator m(seeds, static_cast<std::size_t>(max_len), seed);
  for (std::uint64_t i = 0; i < n; ++i) {
    run_one(m.next());
  }
  std::printf("%s: %zu seed inputs and %llu mutations (seed %llu) ran without a finding\n",
              prog.c_str(),
              seeds.size(),
              static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(seed));
  return 0;
}
