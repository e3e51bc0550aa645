// table_reader.h — typed, position-aware reads of one TOML table, for the config loader.
//
// A TableReader wraps one toml::table together with the file name and a context ("[daemon]",
// `service "10.0.1.100:80"`) and turns every problem into a base::Error of the loader's shape
// (config_loader.h): where = "file:line:col", message = "<context>: <problem>". Reads leave the
// output untouched when the key is absent, so defaults live in the plain structs (config.h,
// lb/service_spec.h) and nowhere else.
//
// Positions: problems with a value point at the value, unknown keys at the key, missing keys at
// the table's header. Internal to src/config/ (it is the only header here that includes toml++).
// Owned by: whichever thread runs the loader; holds references into the parsed document.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <toml++/toml.h>

#include "base/result.h"
#include "config/config.h"

namespace uvs::config {

class TableReader {
 public:
  TableReader(const toml::table& table, std::string context, const std::string& file);

  const std::string& context() const { return context_; }
  const std::string& file() const { return file_; }
  void set_context(std::string context) { context_ = std::move(context); }

  // Where the table starts (its [header], or the `{` of an inline table).
  SourcePos header_pos() const { return pos_of(table_); }
  SourcePos pos_of(const toml::node& node) const;
  // The key itself (for unknown or misplaced keys), or the header if the key is absent.
  SourcePos key_pos(std::string_view key) const;

  const toml::node* get(std::string_view key) const { return table_.get(key); }
  bool has(std::string_view key) const { return table_.contains(key); }

  // One Error of the loader's shape: where = `at`, message = "<context>: <problem>".
  base::Error error(const SourcePos& at,
                    std::string_view problem,
                    base::ErrorCode code = base::ErrorCode::kInvalidArgument) const;
  base::Error error_at(const toml::node& node,
                       std::string_view problem,
                       base::ErrorCode code = base::ErrorCode::kInvalidArgument) const {
    return error(pos_of(node), problem, code);
  }

  // The first key not in `valid`, as `unknown key "x" (valid: a, b, c)`.
  base::Status check_keys(std::span<const std::string_view> valid) const;

  // Typed reads; an absent key is fine and leaves `out` as it was.
  base::Status read_string(std::string_view key, std::string& out) const;
  base::Status read_bool(std::string_view key, bool& out) const;
  // Integers in [lo, hi], else `"key" V is out of range (lo..hi)`.
  base::Status read_int(std::string_view key,
                        std::int64_t lo,
                        std::int64_t hi,
                        std::int64_t& out) const;
  template <typename T>
  base::Status read_int(std::string_view key, std::int64_t lo, std::int64_t hi, T& out) const {
    std::int64_t v = static_cast<std::int64_t>(out);
    if (auto st = read_int(key, lo, hi, v); !st) {
      return st;
    }
    out = static_cast<T>(v);
    return {};
  }
  // A string that must be one of `valid`, else `unknown <what> "x" (valid: a, b)`.
  base::Status read_choice(std::string_view key,
                           std::string_view what,
                           std::span<const std::string_view> valid,
                           std::string& out) const;

  // `"key" must be <type>, not <actual type>` unless `node` has type `want`.
  base::Status expect_type(const toml::node& node,
                           std::string_view key,
                           toml::node_type want) const;
  // Every element of the array at `key` must have type `want`; returns the array (nullptr if the
  // key is absent) through `out`.
  base::Status read_array(std::string_view key,
                          toml::node_type want,
                          const toml::array*& out) const;
  // The table at `key` ([key] or key = {...}), nullptr if absent.
  base::Status read_table(std::string_view key, const toml::table*& out) const;
  // The array of tables at `key` ([[key]] headers or an array of inline tables), nullptr if
  // absent. A single [key] table gets a hint: `write <header> for each one`.
  base::Status read_table_array(std::string_view key,
                                std::string_view header,
                                const toml::array*& out) const;

 private:
  const toml::table& table_;
  std::string context_;
  const std::string& file_;
};

// "an integer", "a string", "an array", ... for messages.
std::string_view type_phrase(toml::node_type t);
// `a, b, c`
std::string join_words(std::span<const std::string_view> words);
// `"s"`
std::string quoted(std::string_view s);

}  // namespace uvs::config
