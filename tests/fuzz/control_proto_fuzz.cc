// Fuzz target: the control socket's protocol. Every line a client sends reaches
// ipvsadm::decode_request() first and, when it decodes, parse_command_line() on its argv (and,
// for -R, on every line of its stdin, as ipvsadm's restore does); uvsadm decodes uvsd's answers
// with decode_response(). The same bytes are tried as both. Beyond "no crash":
//   * whatever decodes re-encodes to a line that decodes to the same value (the encoder escapes
//     everything the decoder accepts: NULs, control characters, quotes, non-ASCII). One known
//     exception is allowed for: the decoder takes raw bytes that are not UTF-8, which the writer
//     (json_writer.h) turns into U+FFFD, so for such strings only the second round trip must
//     give back the value of the first;
//   * the parser either returns a command or ipvsadm's failure: exit 2 or 255 with a
//     newline-terminated message.
// Names go through a StaticResolver, so no input can make the target touch DNS.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "ipvsadm/command_parser.h"
#include "ipvsadm/control_protocol.h"
#include "ipvsadm/resolver.h"
#include "ipvsadm/restore_input.h"

namespace {

using namespace uvs::ipvsadm;

// How many -R lines are parsed per input: enough for every restore quirk, bounded in time.
constexpr std::size_t kMaxRestoreLines = 64;

StaticResolver& resolver() {
  static StaticResolver r = [] {
    StaticResolver s;
    s.add_host("web", uvs::net::IpAddr::v4(0x0a000164));
    s.add_host("rs1", uvs::net::IpAddr::v4(0x0a00020b));
    s.add_service("http", 6, 80);
    s.add_service("domain", 17, 53);
    return s;
  }();
  return r;
}

void check_outcome(const ParseOutcome& out) {
  if (out.ok()) {
    return;
  }
  FUZZ_CHECK(out.exit_code == 2 || out.exit_code == 255);
  FUZZ_CHECK(!out.err.empty() && out.err.back() == '\n');
}

// RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), written out here
// independently of the writer's own check.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

bool all_utf8(const std::vector<std::string>& v) {
  for (const std::string& s : v) {
    if (!valid_utf8(s)) {
      return false;
    }
  }
  return true;
}

// A line as uvsd and uvsadm hand it to the decoder: without its '\n'.
std::string_view without_newline(const std::string& line) {
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  FUZZ_CHECK(line.find('\n') == line.size() - 1);  // one message, one line
  return std::string_view(line).substr(0, line.size() - 1);
}

void check_request(const ControlRequest& req) {
  const std::string line = encode_request(req);
  auto again = decode_request(without_newline(line));
  FUZZ_CHECK(again.ok());
  if (all_utf8(req.argv) && valid_utf8(req.stdin_text)) {
    FUZZ_CHECK(again.value().argv == req.argv);
    FUZZ_CHECK(again.value().stdin_text == req.stdin_text);
  } else {
    auto third = decode_request(without_newline(encode_request(again.value())));
    FUZZ_CHECK(third.ok());
    FUZZ_CHECK(third.value().argv == again.value().argv);
    FUZZ_CHECK(third.value().stdin_text == again.value().stdin_text);
  }

  ParseOptions opts;
  opts.resolver = &resolver();
  const ParseOutcome out = parse_command_line(std::span<const std::string>(req.argv), opts);
  check_outcome(out);
  if (!out.ok() || out.command->kind != CommandKind::kRestore) {
    return;
  }
  ParseOptions line_opts = opts;
  line_opts.reading_stdin = true;
  std::size_t n = 0;
  for (const std::vector<std::string>& args : split_restore_input(req.stdin_text)) {
    if (++n > kMaxRestoreLines) {
      break;
    }
    if (!args.empty()) {
      check_outcome(parse_command_line(std::span<const std::string>(args), line_opts));
    }
  }
}

void check_response(const ControlResponse& resp) {
  FUZZ_CHECK(resp.exit_code >= 0 && resp.exit_code <= 255);
  const std::string line = encode_response(resp);
  auto again = decode_response(without_newline(line));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.value().exit_code == resp.exit_code);
  if (valid_utf8(resp.out) && valid_utf8(resp.err)) {
    FUZZ_CHECK(again.value().out == resp.out);
    FUZZ_CHECK(again.value().err == resp.err);
  } else {
    auto third = decode_response(without_newline(encode_response(again.value())));
    FUZZ_CHECK(third.ok());
    FUZZ_CHECK(third.value().out == again.value().out);
    FUZZ_CHECK(third.value().err == again.value().err);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto req = decode_request(line);
  if (req.ok()) {
    check_request(req.value());
  } else {
    FUZZ_CHECK(!req.error().message.empty());
  }
  auto resp = decode_response(line);
  if (resp.ok()) {
    check_response(resp.value());
  }
  return 0;
}
