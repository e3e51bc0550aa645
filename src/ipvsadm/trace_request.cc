#include "ipvsadm/trace_request.h"

namespace uvs::ipvsadm {

namespace {

base::Error bad(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

bool is_trace_request(const std::vector<std::string>& argv) {
  return !argv.empty() && (argv[0] == "--trace" || argv[0] == "--trace-stop");
}

base::Result<TraceRequest> parse_trace_request(const std::vector<std::string>& argv) {
  TraceRequest r;
  if (argv.empty() || !is_trace_request(argv)) {
    return bad("not a trace request");
  }
  if (argv[0] == "--trace-stop") {
    if (argv.size() != 1) {
      return bad("--trace-stop takes no argument and goes alone on the line (besides --socket)");
    }
    r.kind = TraceRequest::Kind::kStop;
    return r;
  }
  if (argv.size() < 2 || argv.size() > 3) {
    return bad("usage: uvsadm --trace FILE [N] (alone on the line, besides --socket)");
  }
  r.path = argv[1];
  if (r.path.empty() || r.path[0] != '/') {
    return bad(
        "--trace needs an absolute path (uvsd opens the file itself, in its own working "
        "directory): " +
        (r.path.empty() ? std::string("\"\"") : r.path));
  }
  if (argv.size() == 3) {
    const std::string& n = argv[2];
    std::uint64_t v = 0;
    bool ok = !n.empty() && n.size() <= 10;
    for (const char c : n) {
      if (c < '0' || c > '9') {
        ok = false;
        break;
      }
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!ok || v == 0 || v > kMaxTraceFrames) {
      return bad("--trace: the number of frames must be an integer from 1 to " +
                 std::to_string(kMaxTraceFrames) + ", not \"" + n + "\"");
    }
    r.frames = static_cast<std::uint32_t>(v);
  }
  return r;
}

}  // namespace uvs::ipvsadm
