// A single write(2) per line keeps lines from different threads whole without a lock.
#include "base/log.h"

#include <atomic>
#include <string>
#include <unistd.h>

namespace uvs::base {
namespace {

std::string g_prefix = "uvsd";
std::atomic<int> g_min{static_cast<int>(LogLevel::kInfo)};

std::string_view level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

}  // namespace

void set_log_prefix(std::string_view prefix) {
  g_prefix = std::string(prefix);
}
void set_log_level(LogLevel min) {
  g_min.store(static_cast<int>(min));
}

void log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) < g_min.load(std::memory_order_relaxed)) {
    return;
  }
  std::string line;
  line.reserve(g_prefix.size() + message.size() + 16);
  line.append(g_prefix).append(": ").append(level_name(level)).append(": ").append(message);
  line.push_back('\n');
  ssize_t rc = ::write(STDERR_FILENO, line.data(), line.size());
  (void)rc;
}

}  // namespace uvs::base
