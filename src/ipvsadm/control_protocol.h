// control_protocol.h — the messages uvsadm and uvsd exchange over the control socket.
//
// One request and one response per line, each a JSON object terminated by '\n':
//   request:  {"argv": ["-L", "-n"], "stdin": "..."}      (stdin only carries -R input)
//   response: {"exit": 0, "stdout": "...", "stderr": "..."}
// argv is exactly what follows the program name on uvsadm's command line; uvsd runs it with the
// same parser and prints with the same formatters. Requests larger than kMaxRequest bytes, or
// that are not such an object, get an error response (exit 2) and the connection is closed;
// nothing a client sends can reach the data path except through a valid command.
//
// Bounds: uvsadm sends at most kMaxRestoreInput bytes of -R input. That holds a save (-S or
// -Sn) of the largest configuration uvsd keeps (config_limits.h: 4096 services, 16384 real
// servers) with every line as long as the save format makes it, more than twice over: with host
// and service names (cut at 59 characters per host:port, as ipvsadm cuts them) a service line is
// at most 132 bytes and a real-server line 187, 3.5 MiB in all; numeric, 2.1 MiB
// (restore_bound_test.cc builds both). kMaxRequest, the longest request line uvsd reads, is twice
// kMaxRestoreInput: room for JSON escaping, which a save only needs for its newlines.
// Pure encode/decode functions; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace uvs::ipvsadm {

inline constexpr std::size_t kMaxRestoreInput = std::size_t{8} << 20;
inline constexpr const char* kMaxRestoreInputText = "8 MiB";
inline constexpr std::size_t kMaxRequest = 2 * kMaxRestoreInput;
inline constexpr const char* kMaxRequestText = "16 MiB";

struct ControlRequest {
  std::vector<std::string> argv;
  std::string stdin_text;
};

struct ControlResponse {
  int exit_code = 0;
  std::string out;
  std::string err;
};

std::string encode_request(const ControlRequest& r);    // one line, with '\n'
std::string encode_response(const ControlResponse& r);  // one line, with '\n'
base::Result<ControlRequest> decode_request(std::string_view line);
base::Result<ControlResponse> decode_response(std::string_view line);

}  // namespace uvs::ipvsadm
