// uvsadm: ipvsadm's command line for uvsd. Arguments are parsed here first, so syntax errors,
// -h and -v behave exactly as ipvsadm's without a daemon; everything else is sent as-is to uvsd
// over its control socket (--socket PATH, else $UVS_SOCKET, else /run/uvs/uvsd.sock), which runs
// the same parser and answers with the text to print and the exit status. Host and service
// names are looked up once, by uvsd (off its control thread): this first parse looks nothing
// up, and a command line that names a host or service is left for uvsd to judge whole, since
// whether the name resolves decides which error ipvsadm reports first.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include "ipvsadm/command_parser.h"
#include "ipvsadm/command_runner.h"
#include "ipvsadm/control_protocol.h"
#include "ipvsadm/trace_request.h"

namespace {

constexpr const char* kDefaultSocket = "/run/uvs/uvsd.sock";

// Appended to ipvsadm's help: the options this file handles itself (uvsadm(8) "UVS OPTIONS").
constexpr const char* kUvsHelp =
    "\nuvs options (uvsadm only):\n"
    "  --socket       PATH             uvsd's control socket (default $UVS_SOCKET, else\n"
    "                                  /run/uvs/uvsd.sock)\n"
    "  --counters                      print uvsd's frame counters (drops, passes, events)\n"
    "  --health                        print uvsd's health checkers: state, last result,\n"
    "                                  last change, failure reason\n"
    "  --trace        FILE [N]         uvsd writes the decision trace of its next N frames\n"
    "                                  (default [daemon] trace_packets, at most 1000000) to\n"
    "                                  FILE, an absolute path it opens itself\n"
    "  --trace-stop                    end the trace uvsd is writing\n";

bool write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "uvsadm: %s\n", message.c_str());
  return 255;
}

// Appends what one read(2) of `fd` returns to `out` (retried when a signal interrupts it);
// false at end of input or on an error.
bool read_more(int fd, std::string& out) {
  char buf[65536];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    return false;
  }
  out.append(buf, static_cast<std::size_t>(n));
  return true;
}

// -R: standard input, up to kMaxRestoreInput bytes (false if there is more). Bounded while
// reading, so an endless input is refused without being held in memory. A read error ends the
// input, as it does ipvsadm's fgets().
bool read_restore_input(std::string& out) {
  while (read_more(STDIN_FILENO, out)) {
    if (out.size() > uvs::ipvsadm::kMaxRestoreInput) {
      return false;
    }
  }
  return true;
}

// Send one request and read the one-line answer.
int talk(const std::string& path, const uvs::ipvsadm::ControlRequest& req) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(std::string("socket: ") + std::strerror(errno));
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    ::close(fd);
    return fail("control socket path too long: " + path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    return fail("cannot reach uvsd at " + path + ": " + std::strerror(e) +
                " (is uvsd running? use --socket PATH or UVS_SOCKET)");
  }
  const std::string line_out = uvs::ipvsadm::encode_request(req);
  if (line_out.size() > uvs::ipvsadm::kMaxRequest + 1) {
    // Only -R input full of characters JSON must escape gets here; uvsd would refuse it.
    ::close(fd);
    return fail(std::string("request larger than ") + uvs::ipvsadm::kMaxRequestText +
                " once encoded for the control socket");
  }
  if (!write_all(fd, line_out)) {
    ::close(fd);
    return fail("sending the request to " + path + " failed: " + std::strerror(errno));
  }
  std::string line;
  while (read_more(fd, line) && line.back() != '\n') {
    // until the whole answer line is in
  }
  ::close(fd);
  auto resp = uvs::ipvsadm::decode_response(line);
  if (!resp) {
    return fail("unreadable answer from uvsd at " + path + ": " + resp.error().to_string());
  }
  std::fwrite(resp->out.data(), 1, resp->out.size(), stdout);
  std::fwrite(resp->err.data(), 1, resp->err.size(), stderr);
  return resp->exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  std::string socket_path;
  if (const char* env = std::getenv("UVS_SOCKET"); env != nullptr && *env != '\0') {
    socket_path = env;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--socket") {
      if (i + 1 >= argc) {
        return fail("--socket needs a path");
      }
      socket_path = argv[++i];
    } else if (a.rfind("--socket=", 0) == 0) {
      socket_path = a.substr(9);
    } else {
      args.push_back(a);
    }
  }
  if (socket_path.empty()) {
    socket_path = kDefaultSocket;
  }

  // uvs's own commands, answered by uvsd alone (not part of ipvsadm's grammar).
  if (args.size() == 1 && (args[0] == "--counters" || args[0] == "--health")) {
    uvs::ipvsadm::ControlRequest req;
    req.argv = args;
    return talk(socket_path, req);
  }
  if (uvs::ipvsadm::is_trace_request(args)) {
    if (auto t = uvs::ipvsadm::parse_trace_request(args); !t) {
      std::fprintf(stderr, "uvsadm: %s\n", t.error().message.c_str());
      return 2;
    }
    uvs::ipvsadm::ControlRequest req;
    req.argv = args;
    return talk(socket_path, req);
  }

  uvs::ipvsadm::ParseOptions popts;
  popts.program = "uvsadm";
  uvs::ipvsadm::ProbeResolver no_lookups;
  popts.resolver = &no_lookups;
  const uvs::ipvsadm::ParseOutcome parsed = uvs::ipvsadm::parse_command_line(args, popts);
  uvs::ipvsadm::ControlRequest req;
  req.argv = args;
  if (!parsed.ok() && no_lookups.asked()) {
    return talk(socket_path, req);  // a name is involved: uvsd parses and resolves
  }
  if (!parsed.ok()) {
    std::fputs(parsed.err.c_str(), stderr);
    return parsed.exit_code;
  }
  using uvs::ipvsadm::CommandKind;
  if (parsed.command->kind == CommandKind::kHelp) {
    std::fputs(uvs::ipvsadm::help_text("uvsadm").c_str(), stdout);
    std::fputs(kUvsHelp, stdout);
    return 0;
  }
  if (parsed.command->kind == CommandKind::kVersion) {
    std::fputs(uvs::ipvsadm::version_text().c_str(), stdout);
    return 0;
  }
  if (parsed.command->kind == CommandKind::kRestore) {
    if (!read_restore_input(req.stdin_text)) {
      return fail(std::string("restore input larger than ") + uvs::ipvsadm::kMaxRestoreInputText +
                  " (a save of the largest configuration "
                  "uvsd holds is at most 3.5 MiB)");
    }
  }
  return talk(socket_path, req);
}
