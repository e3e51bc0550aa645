// A deliberately small JSON reader: the protocol only needs objects, arrays of strings, strings
// and integers, and every input is untrusted, so the reader is strict (no trailing garbage,
// bounded nesting, valid escapes) rather than general.
#include "ipvsadm/control_protocol.h"

#include <cstdint>

#include "ipvsadm/json_writer.h"

namespace uvs::ipvsadm {

namespace {

using base::ErrorCode;
using base::make_error;

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  void ws() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) {
      ++i_;
    }
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool at_end() {
    ws();
    return i_ == s_.size();
  }
  std::size_t pos() const { return i_; }

  std::optional<std::string> string() {
    ws();
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
            if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') {
              return std::nullopt;
            }
            i_ += 2;
            auto lo = hex4();
            if (!lo || *lo < 0xdc00 || *lo > 0xdfff) {
              return std::nullopt;
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (*lo - 0xdc00);
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            return std::nullopt;
          }
          append_utf8(out, code);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<long long> integer() {
    ws();
    const std::size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') {
      ++i_;
    }
    long long v = 0;
    std::size_t digits = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      if (++digits > 12) {
        return std::nullopt;
      }
      v = v * 10 + (s_[i_++] - '0');
    }
    if (digits == 0) {
      i_ = start;
      return std::nullopt;
    }
    return s_[start] == '-' ? -v : v;
  }

 private:
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
  static void append_utf8(std::string& out, std::uint32_t cp) {
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

  std::string_view s_;
  std::size_t i_ = 0;
};

base::Error bad(std::string_view what, std::size_t pos) {
  return make_error(
      ErrorCode::kInvalidArgument,
      "malformed control message at byte " + std::to_string(pos) + ": " + std::string(what));
}

// Walk `{"key": value, ...}` calling `field(key, reader)` for each key.
template <typename F>
base::Status parse_object(Reader& r, F&& field) {
  if (!r.eat('{')) {
    return bad("expected '{'", r.pos());
  }
  if (r.eat('}')) {
    return {};
  }
  for (;;) {
    auto key = r.string();
    if (!key) {
      return bad("expected a string key", r.pos());
    }
    if (!r.eat(':')) {
      return bad("expected ':'", r.pos());
    }
    if (auto st = field(*key, r); !st) {
      return st;
    }
    if (r.eat(',')) {
      continue;
    }
    if (r.eat('}')) {
      return {};
    }
    return bad("expected ',' or '}'", r.pos());
  }
}

}  // namespace

std::string encode_request(const ControlRequest& r) {
  JsonWriter w;
  w.begin_object();
  w.key("argv");
  w.begin_array();
  for (const std::string& a : r.argv) {
    w.value(a);
  }
  w.end_array();
  if (!r.stdin_text.empty()) {
    w.key("stdin");
    w.value(r.stdin_text);
  }
  w.end_object();
  return w.take() + "\n";
}

std::string encode_response(const ControlResponse& r) {
  JsonWriter w;
  w.begin_object();
  w.key("exit");
  w.value(static_cast<std::int64_t>(r.exit_code));
  w.key("stdout");
  w.value(r.out);
  w.key("stderr");
  w.value(r.err);
  w.end_object();
  return w.take() + "\n";
}

base::Result<ControlRequest> decode_request(std::string_view line) {
  if (line.size() > kMaxRequest) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("control request larger than ") + kMaxRequestText);
  }
  Reader r(line);
  ControlRequest out;
  bool has_argv = false;
  auto st = parse_object(r, [&](const std::string& key, Reader& rd) -> base::Status {
    if (key == "argv") {
      if (has_argv) {
        return bad("duplicate \"argv\"", rd.pos());
      }
      has_argv = true;
      if (!rd.eat('[')) {
        return bad("\"argv\" must be an array of strings", rd.pos());
      }
      if (rd.eat(']')) {
        return {};
      }
      for (;;) {
        auto s = rd.string();
        if (!s) {
          return bad("\"argv\" must be an array of strings", rd.pos());
        }
        if (out.argv.size() >= 4096) {
          return bad("too many arguments", rd.pos());
        }
        out.argv.push_back(std::move(*s));
        if (rd.eat(',')) {
          continue;
        }
        if (rd.eat(']')) {
          return {};
        }
        return bad("expected ',' or ']'", rd.pos());
      }
    }
    if (key == "stdin") {
      auto s = rd.string();
      if (!s) {
        return bad("\"stdin\" must be a string", rd.pos());
      }
      out.stdin_text = std::move(*s);
      return {};
    }
    return bad("unknown key \"" + key + "\"", rd.pos());
  });
  if (!st) {
    return st.error();
  }
  if (!has_argv) {
    return bad("missing \"argv\"", r.pos());
  }
  if (!r.at_end()) {
    return bad("trailing data", r.pos());
  }
  return out;
}

base::Result<ControlResponse> decode_response(std::string_view line) {
  Reader r(line);
  ControlResponse out;
  bool has_exit = false;
  auto st = parse_object(r, [&](const std::string& key, Reader& rd) -> base::Status {
    if (key == "exit") {
      auto v = rd.integer();
      if (!v || *v < 0 || *v > 255) {
        return bad("\"exit\" must be 0..255", rd.pos());
      }
      out.exit_code = static_cast<int>(*v);
      has_exit = true;
      return {};
    }
    if (key == "stdout" || key == "stderr") {
      auto s = rd.string();
      if (!s) {
        return bad("expected a string", rd.pos());
      }
      (key == "stdout" ? out.out : out.err) = std::move(*s);
      return {};
    }
    return bad("unknown key \"" + key + "\"", rd.pos());
  });
  if (!st) {
    return st.error();
  }
  if (!has_exit || !r.at_end()) {
    return bad("incomplete response", r.pos());
  }
  return out;
}

}  // namespace uvs::ipvsadm
