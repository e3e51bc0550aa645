// import_command.h — `uvsd import-keepalived FILE`: print FILE's LVS configuration as uvs TOML
// on stdout (keepalived_import.h), each warning on stderr as "uvsd: FILE:LINE: ...", then a
// one-line summary on stderr. Exit status: 0 when the file was read (warnings or not), 1 when it
// cannot be read, 2 for a usage error.
// Owned by: the main thread of uvsd (a one-shot command).
#pragma once

#include <string>
#include <vector>

namespace uvs::health {

inline constexpr const char* kImportUsage =
    "  uvsd import-keepalived FILE\n"
    "                          print keepalived.conf's virtual/real servers and checkers as uvs\n"
    "                          TOML; what cannot be carried over is named on stderr\n";

int import_keepalived_main(const std::vector<std::string>& args);

}  // namespace uvs::health
