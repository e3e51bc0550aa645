// log.h — one-line log messages for the control path (never called per packet).
//
// Lines go to stderr as "uvsd: LEVEL: message" so systemd/journald and test logs keep them.
// Thread-safe: each line is written with a single write(2).
#pragma once

#include <string_view>

namespace uvs::base {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void set_log_prefix(std::string_view prefix);  // default "uvsd"
void set_log_level(LogLevel min);
void log(LogLevel level, std::string_view message);

inline void log_info(std::string_view m) {
  log(LogLevel::kInfo, m);
}
inline void log_warn(std::string_view m) {
  log(LogLevel::kWarn, m);
}
inline void log_error(std::string_view m) {
  log(LogLevel::kError, m);
}
inline void log_debug(std::string_view m) {
  log(LogLevel::kDebug, m);
}

}  // namespace uvs::base
