// json_value.h — a small, strict JSON reader for checking uvsadm --json output (TEST ONLY).
//
// parse_json() turns RFC 8259 text into a Json tree (objects keep their key order) or nullopt on
// any syntax error, trailing garbage included, so a test that parses the output also proves it
// is well-formed JSON. Numbers are kept as integers (uvsadm prints no fractions or exponents;
// such a number is a parse error here, on purpose). Strings are decoded (escapes, \uXXXX with
// surrogate pairs, to UTF-8).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uvs::test {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::int64_t number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  bool is_null() const { return type == Type::kNull; }
  // Member `key` of an object; a null Json when absent (tests then fail on its type).
  const Json& operator[](std::string_view key) const {
    static const Json kNull;
    for (const auto& [k, v] : object) {
      if (k == key) {
        return v;
      }
    }
    return kNull;
  }
  const Json& operator[](std::size_t i) const {
    static const Json kNull;
    return i < array.size() ? array[i] : kNull;
  }
  std::size_t size() const { return type == Type::kArray ? array.size() : object.size(); }
  bool has(std::string_view key) const {
    for (const auto& [k, v] : object) {
      if (k == key) {
        return true;
      }
    }
    return false;
  }
};

namespace json_detail {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  std::optional<Json> document() {
    auto v = value(0);
    ws();
    if (!v || i_ != s_.size()) {
      return std::nullopt;
    }
    return v;
  }

 private:
  void ws() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) == word) {
      i_ += word.size();
      return true;
    }
    return false;
  }
  std::optional<Json> value(int depth) {
    if (depth > 64) {
      return std::nullopt;
    }
    ws();
    if (i_ >= s_.size()) {
      return std::nullopt;
    }
    Json j;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      j.type = Json::Type::kObject;
      ws();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return j;
      }
      for (;;) {
        ws();
        auto k = string();
        ws();
        if (!k || i_ >= s_.size() || s_[i_] != ':') {
          return std::nullopt;
        }
        ++i_;
        auto v = value(depth + 1);
        if (!v) {
          return std::nullopt;
        }
        j.object.emplace_back(std::move(*k), std::move(*v));
        ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == '}') {
          ++i_;
          return j;
        }
        return std::nullopt;
      }
    }
    if (c == '[') {
      ++i_;
      j.type = Json::Type::kArray;
      ws();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return j;
      }
      for (;;) {
        auto v = value(depth + 1);
        if (!v) {
          return std::nullopt;
        }
        j.array.push_back(std::move(*v));
        ws();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (i_ < s_.size() && s_[i_] == ']') {
          ++i_;
          return j;
        }
        return std::nullopt;
      }
    }
    if (c == '"') {
      auto str = string();
      if (!str) {
        return std::nullopt;
      }
      j.type = Json::Type::kString;
      j.string = std::move(*str);
      return j;
    }
    if (literal("true")) {
      j.type = Json::Type::kBool;
      j.boolean = true;
      return j;
    }
    if (literal("false")) {
      j.type = Json::Type::kBool;
      return j;
    }
    if (literal("null")) {
      return j;
    }
    return number();
  }
  std::optional<Json> number() {
    Json j;
    j.type = Json::Type::kNumber;
    bool neg = false;
    if (i_ < s_.size() && s_[i_] == '-') {
      neg = true;
      ++i_;
    }
    const std::size_t start = i_;
    std::uint64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      v = v * 10 + static_cast<std::uint64_t>(s_[i_++] - '0');
    }
    const std::size_t digits = i_ - start;
    if (digits == 0 || digits > 19 || (digits > 1 && s_[start] == '0')) {
      return std::nullopt;
    }
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) {
      return std::nullopt;
    }
    j.number = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return j;
  }
  std::optional<std::uint32_t> hex4() {
    if (i_ + 4 > s_.size()) {
      return std::nullopt;
    }
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    return v;
  }
  static void utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  std::optional<std::string> string() {
    if (i_ >= s_.size() || s_[i_] != '"') {
      return std::nullopt;
    }
    ++i_;
    std::string out;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') {
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return std::nullopt;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (i_ >= s_.size()) {
        return std::nullopt;
      }
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto cp = hex4();
          if (!cp) {
            return std::nullopt;
          }
          std::uint32_t code = *cp;
          if (code >= 0xd800 && code <= 0xdbff) {
            if (!literal("\\u")) {
              return std::nullopt;
            }
            auto lo = hex4();
            if (!lo || *lo < 0xdc00 || *lo > 0xdfff) {
              return std::nullopt;
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (*lo - 0xdc00);
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            return std::nullopt;
          }
          utf8(out, code);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace json_detail

inline std::optional<Json> parse_json(std::string_view text) {
  return json_detail::Parser(text).document();
}

}  // namespace uvs::test
