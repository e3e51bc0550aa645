// TableReader keeps the loader's per-key code to one line per key: each typed read checks the
// TOML type and the range and, on failure, builds the whole "file:line:col: context: problem"
// Error itself, so every message about a value has the same shape and points at the same place
// (the value), whichever section of the file it comes from.
#include "config/table_reader.h"

namespace uvs::config {

using base::Error;
using base::ErrorCode;
using base::Status;

std::string_view type_phrase(toml::node_type t) {
  switch (t) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "a value";
}

std::string join_words(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) {
      out += ", ";
    }
    out += w;
  }
  return out;
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

TableReader::TableReader(const toml::table& table, std::string context, const std::string& file)
    : table_(table), context_(std::move(context)), file_(file) {}

SourcePos TableReader::pos_of(const toml::node& node) const {
  const toml::source_position& b = node.source().begin;
  return SourcePos{file_, b.line, b.column};
}

SourcePos TableReader::key_pos(std::string_view key) const {
  const auto it = table_.find(key);
  if (it == table_.end()) {
    return header_pos();
  }
  const toml::source_position& b = it->first.source().begin;
  return SourcePos{file_, b.line, b.column};
}

Error TableReader::error(const SourcePos& at, std::string_view problem, ErrorCode code) const {
  std::string message = context_;
  message += ": ";
  message += problem;
  return base::make_error(code, std::move(message), at.to_string());
}

Status TableReader::check_keys(std::span<const std::string_view> valid) const {
  for (auto&& [key, value] : table_) {
    bool known = false;
    for (std::string_view v : valid) {
      known = known || key.str() == v;
    }
    if (!known) {
      return error(
          key_pos(key.str()),
          "unknown key \"" + std::string(key.str()) + "\" (valid: " + join_words(valid) + ")");
    }
  }
  return {};
}

Status TableReader::expect_type(const toml::node& node,
                                std::string_view key,
                                toml::node_type want) const {
  if (node.type() == want) {
    return {};
  }
  return error_at(node,
                  "\"" + std::string(key) + "\" must be " + std::string(type_phrase(want)) +
                      ", not " + std::string(type_phrase(node.type())));
}

Status TableReader::read_string(std::string_view key, std::string& out) const {
  const toml::node* n = get(key);
  if (n == nullptr) {
    return {};
  }
  if (auto st = expect_type(*n, key, toml::node_type::string); !st) {
    return st;
  }
  out = n->as_string()->get();
  return {};
}

Status TableReader::read_bool(std::string_view key, bool& out) const {
  const toml::node* n = get(key);
  if (n == nullptr) {
    return {};
  }
  if (auto st = expect_type(*n, key, toml::node_type::boolean); !st) {
    return st;
  }
  out = n->as_boolean()->get();
  return {};
}

Status TableReader::read_int(std::string_view key,
                             std::int64_t lo,
                             std::int64_t hi,
                             std::int64_t& out) const {
  const toml::node* n = get(key);
  if (n == nullptr) {
    return {};
  }
  if (auto st = expect_type(*n, key, toml::node_type::integer); !st) {
    return st;
  }
  const std::int64_t v = n->as_integer()->get();
  if (v < lo || v > hi) {
    return error_at(*n,
                    "\"" + std::string(key) + "\" " + std::to_string(v) + " is out of range (" +
                        std::to_string(lo) + ".." + std::to_string(hi) + ")");
  }
  out = v;
  return {};
}

Status TableReader::read_choice(std::string_view key,
                                std::string_view what,
                                std::span<const std::string_view> valid,
                                std::string& out) const {
  std::string word;
  if (auto st = read_string(key, word); !st || !has(key)) {
    return st;
  }
  for (std::string_view v : valid) {
    if (word == v) {
      out = std::move(word);
      return {};
    }
  }
  return error_at(
      *get(key),
      "unknown " + std::string(what) + " \"" + word + "\" (valid: " + join_words(valid) + ")");
}

Status TableReader::read_array(std::string_view key,
                               toml::node_type want,
                               const toml::array*& out) const {
  out = nullptr;
  const toml::node* n = get(key);
  if (n == nullptr) {
    return {};
  }
  if (auto st = expect_type(*n, key, toml::node_type::array); !st) {
    return st;
  }
  for (const toml::node& e : *n->as_array()) {
    if (e.type() != want) {
      return error_at(e,
                      "every element of \"" + std::string(key) + "\" must be " +
                          std::string(type_phrase(want)) + ", not " +
                          std::string(type_phrase(e.type())));
    }
  }
  out = n->as_array();
  return {};
}

Status TableReader::read_table(std::string_view key, const toml::table*& out) const {
  out = nullptr;
  const toml::node* n = get(key);
  if (n == nullptr) {
    return {};
  }
  if (auto st = expect_type(*n, key, toml::node_type::table); !st) {
    return st;
  }
  out = n->as_table();
  return {};
}

Status TableReader::read_table_array(std::string_view key,
                                     std::string_view header,
                                     const toml::array*& out) const {
  out = nullptr;
  const toml::node* n = get(key);
  if (n != nullptr && n->is_table()) {
    return error_at(*n,
                    "\"" + std::string(key) + "\" must be an array of tables: write " +
                        std::string(header) + " for each one");
  }
  return read_array(key, toml::node_type::table, out);
}

}  // namespace uvs::config
