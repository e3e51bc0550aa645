// The file system meets the pure importer here: the main file is read whole, includes through
// read_include_files (glob), relative to the main file's directory.
#include "health/import_command.h"

#include <cstdio>

#include "health/keepalived_import.h"

namespace uvs::health {

int import_keepalived_main(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') {
    std::fprintf(stderr, "uvsd: import-keepalived needs one file (keepalived.conf)\n");
    std::fputs(kImportUsage, stderr);
    return 2;
  }
  const std::string& path = args[0];
  const std::vector<KaFile> main = read_include_files(path);
  if (main.size() != 1) {
    std::fprintf(stderr, "uvsd: import-keepalived: cannot read %s\n", path.c_str());
    return 1;
  }
  const KaImport r = import_keepalived(main[0].text, path, read_include_files);
  std::fwrite(r.toml.data(), 1, r.toml.size(), stdout);
  for (const KaWarning& w : r.warnings) {
    std::fprintf(stderr, "uvsd: %s\n", w.to_string().c_str());
  }
  std::fprintf(stderr,
               "uvsd: import-keepalived: %zu service(s), %zu real server(s), %zu warning(s)\n",
               r.services,
               r.reals,
               r.warnings.size());
  return 0;
}

}  // namespace uvs::health
