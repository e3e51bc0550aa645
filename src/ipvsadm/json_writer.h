// json_writer.h — a minimal streaming JSON writer for uvsadm's --json output.
//
// Builds compact JSON (no whitespace) into a string. Commas are inserted automatically; inside
// an object call key() before each value. Strings are escaped per RFC 8259: '"' and '\\', the
// short escapes \b \f \n \r \t, other control characters as \u00XX; valid UTF-8 passes through
// unchanged and every byte that is not part of a valid UTF-8 sequence becomes \ufffd, so the
// output is always valid JSON. Misuse (a value without key() in an object, unbalanced end_*)
// is a programming error the writer does not try to repair.
// Example: w.begin_object(); w.key("port"); w.value(80); w.end_object();  →  {"port":80}
// Owned by: its creator; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uvs::ipvsadm {

class JsonWriter {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(std::uint64_t n);
  void value(std::int64_t n);
  void value(std::uint32_t n) { value(static_cast<std::uint64_t>(n)); }
  void value(std::int32_t n) { value(static_cast<std::int64_t>(n)); }
  void value(bool b);
  void null();

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

  // `s` as a JSON string literal, quotes included.
  static std::string quote(std::string_view s);

 private:
  void before_value();

  std::string out_;
  // One entry per open container: true once it holds an element (a comma is needed next).
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace uvs::ipvsadm
