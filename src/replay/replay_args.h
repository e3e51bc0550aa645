// replay_args.h — the command line of `uvsd replay`.
//
//   uvsd replay --config FILE --in IFACE=IN.pcap [--in IFACE2=IN2.pcap ...] --out-dir DIR
//               [--trace FILE] [--listing FILE]
//
// --config and --out-dir once each and required; --in at least once, each interface at most
// once (the order of the --in options breaks ties between frames with the same timestamp);
// --trace and --listing at most once each ("-" = standard output). Options may come in any order,
// with the value as the next argument or after '=' (--config=FILE). Whether the interfaces exist is
// checked later, against the configuration (replayer.h). Errors (kInvalidArgument, where = the
// option): unknown option, missing value, repeated option, missing required option, "--in" without
// "IFACE=" or with an empty part. Owned by: any thread (pure function).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace uvs::replay {

struct ReplayInput {
  std::string iface;  // as in [[replay.interface]] name
  std::string path;   // a pcap or pcapng capture file
};

struct ReplayArgs {
  std::string config_path;
  std::vector<ReplayInput> inputs;  // in command-line order
  std::string out_dir;
  std::string trace_path;    // empty: no trace
  std::string listing_path;  // empty: no final listing (replayer.h)
};

// `args` are the arguments after "replay".
base::Result<ReplayArgs> parse_replay_args(std::span<const std::string> args);

}  // namespace uvs::replay
