// trace_request.h — uvsadm's `--trace FILE [N]` and `--trace-stop` (uvs only, not ipvsadm):
// ask the running uvsd to write the decision trace of its next N frames to FILE, or to end the
// trace it is writing. Parsed twice with the same function: by uvsadm, so a bad line is refused
// without a daemon, and by uvsd, which never trusts what arrives on its socket.
//
// FILE must be absolute: uvsd opens it itself, in its own working directory, so a relative path
// would not name what the user meant. N is a positive decimal integer up to kMaxTraceFrames (the
// same bound as [daemon] trace_packets); without N uvsd uses its [daemon] trace_packets.
// Errors are kInvalidArgument with the text to print after "uvsadm: ".
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace uvs::ipvsadm {

inline constexpr std::uint32_t kMaxTraceFrames = 1000000;

struct TraceRequest {
  enum class Kind { kStart, kStop };
  Kind kind = Kind::kStart;
  std::string path;          // kStart: the absolute path of the trace file
  std::uint32_t frames = 0;  // kStart: frames to trace; 0 = the daemon's [daemon] trace_packets
};

// Whether argv is a trace request at all (its first word is --trace or --trace-stop).
bool is_trace_request(const std::vector<std::string>& argv);
base::Result<TraceRequest> parse_trace_request(const std::vector<std::string>& argv);

}  // namespace uvs::ipvsadm
