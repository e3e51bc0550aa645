// Reporting only: everything that can go wrong is a base::Error from the layers below, printed
// once with the program's prefix, like the daemon's start-up refusals.
#include "replay/replay_command.h"

#include <cstdio>

#include "replay/replay_args.h"
#include "replay/replayer.h"

namespace uvs::replay {

const char* const kReplayUsage =
    "  uvsd replay --config FILE --in IFACE=IN.pcap [--in IFACE=IN.pcap ...] --out-dir DIR\n"
    "              [--trace FILE] [--listing FILE]\n"
    "                          run the pipeline offline on captured traffic: each --in is what\n"
    "                          arrived on one interface of [replay] (pcap or pcapng; a pcapng\n"
    "                          packet comment \"uvs-vnet gso=... needs_csum ...\" gives a frame\n"
    "                          its vnet header); writes DIR/IFACE.pcap (wire frames: GSO\n"
    "                          segmented, checksums completed) for every interface served,\n"
    "                          stamped with capture time; with --trace one JSON line per frame,\n"
    "                          with --listing what uvsadm -Ln --stats and -Ln --rate would show\n"
    "                          at the last frame's time (rates estimated on the capture's\n"
    "                          clock) (- = stdout)\n";

int replay_main(std::span<const std::string> args) {
  auto parsed = parse_replay_args(args);
  if (!parsed) {
    std::fprintf(
        stderr, "uvsd replay: %s\nUsage:\n%s", parsed.error().to_string().c_str(), kReplayUsage);
    return 2;
  }
  auto summary = run_replay(*parsed);
  if (!summary) {
    std::fprintf(stderr, "uvsd replay: %s\n", summary.error().to_string().c_str());
    return 1;
  }
  std::string files;
  for (const std::string& p : summary->outputs) {
    files += (files.empty() ? "" : ", ") + p;
  }
  if (!parsed->listing_path.empty() && parsed->listing_path != "-") {
    files += (files.empty() ? "" : ", ") + parsed->listing_path;
  }
  std::fprintf(stderr, "uvsd replay: %s; wrote %s\n", summary->to_string().c_str(), files.c_str());
  return 0;
}

}  // namespace uvs::replay
