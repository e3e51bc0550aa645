// popt_scanner.h — the option scanner ipvsadm gets from libpopt, reproduced.
//
// ipvsadm's grammar quirks come from popt, so uvs scans argv the same way:
//   * "-abc" is a bundle of short options; an option that takes an argument consumes the rest
//     of the bundle ("-w5", "-w=5") or else the next argv element, whatever it looks like;
//   * an optional argument (-p) is taken from the next element only if it does not start
//     with '-'; at the end of argv it is absent;
//   * "--name" and "--name=value" match long names exactly (popt has no abbreviations);
//     "=value" on an option without argument is an error;
//   * "-" and anything not starting with '-' are leftovers (positional arguments), as is
//     everything after "--";
//   * bad_option() is the argv element consumed last, which is what poptBadOption() shows.
// next() returns the option's tag, kEnd when argv is exhausted, or a negative error code
// (kErrNoArg, kErrBadOpt, kErrUnwantedArg) whose text popt_strerror() gives.
// Owned by: whoever parses; plain state over a borrowed argv.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uvs::ipvsadm {

enum class PoptArg { kNone, kRequired, kOptional };

struct PoptOption {
  std::string_view long_name;  // "" if none
  char short_name = '\0';      // '\0' if none
  PoptArg arg = PoptArg::kNone;
  int tag = 0;  // what next() returns; must be >= 0
};

class PoptScanner {
 public:
  static constexpr int kEnd = -1;
  static constexpr int kErrNoArg = -10;
  static constexpr int kErrBadOpt = -11;
  static constexpr int kErrUnwantedArg = -12;

  PoptScanner(std::span<const std::string> args, std::span<const PoptOption> table)
      : args_(args), table_(table) {}

  // The next option's tag; `arg` receives its argument (nullopt for none or an absent
  // optional argument).
  int next(std::optional<std::string>* arg);
  // The argv element consumed last ("" before the first).
  std::string_view bad_option() const;
  // poptGetArg(): the next leftover, in order.
  std::optional<std::string> next_leftover();

 private:
  const PoptOption* find_short(char c) const;
  const PoptOption* find_long(std::string_view name) const;
  int take_argument(const PoptOption& opt, std::optional<std::string>* arg);

  std::span<const std::string> args_;
  std::span<const PoptOption> table_;
  std::size_t next_ = 0;        // next argv element to read
  std::string bundle_rest_;     // unread characters of the current short-option bundle
  bool rest_leftover_ = false;  // "--" seen
  std::vector<std::string> leftovers_;
  std::size_t leftover_pos_ = 0;
};

// popt's message for an error code: "missing argument", "unknown option", ...
std::string_view popt_strerror(int code);

}  // namespace uvs::ipvsadm
