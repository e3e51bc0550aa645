// A small hand-written option loop: five options do not justify getopt's global state, and the
// messages can name exactly which option is wrong and how.
#include "replay/replay_args.h"

#include <string_view>

namespace uvs::replay {

namespace {

base::Error bad(const std::string& where, const std::string& what) {
  return base::make_error(base::ErrorCode::kInvalidArgument, what, where);
}

}  // namespace

base::Result<ReplayArgs> parse_replay_args(std::span<const std::string> args) {
  ReplayArgs out;
  bool have_config = false, have_out = false, have_trace = false, have_listing = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string opt = args[i];
    std::string value;
    bool inline_value = false;
    if (opt.rfind("--", 0) == 0) {
      if (const auto eq = opt.find('='); eq != std::string::npos) {
        value = opt.substr(eq + 1);
        opt.resize(eq);
        inline_value = true;
      }
    }
    if (opt != "--config" && opt != "--in" && opt != "--out-dir" && opt != "--trace" &&
        opt != "--listing") {
      return bad(opt,
                 opt.rfind("-", 0) == 0 ? "unknown option"
                                        : "unexpected argument (inputs are given as --in "
                                          "IFACE=FILE)");
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        return bad(opt, "needs a value");
      }
      value = args[++i];
    }
    if (value.empty()) {
      return bad(opt, "needs a value");
    }
    if (opt == "--config") {
      if (have_config) {
        return bad(opt, "given twice");
      }
      have_config = true;
      out.config_path = value;
    } else if (opt == "--out-dir") {
      if (have_out) {
        return bad(opt, "given twice");
      }
      have_out = true;
      out.out_dir = value;
    } else if (opt == "--trace") {
      if (have_trace) {
        return bad(opt, "given twice");
      }
      have_trace = true;
      out.trace_path = value;
    } else if (opt == "--listing") {
      if (have_listing) {
        return bad(opt, "given twice");
      }
      have_listing = true;
      out.listing_path = value;
    } else {
      const auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
        return bad(opt, "\"" + value + "\" is not IFACE=FILE (e.g. --in eth0=front.pcap)");
      }
      ReplayInput in{value.substr(0, eq), value.substr(eq + 1)};
      for (const ReplayInput& earlier : out.inputs) {
        if (earlier.iface == in.iface) {
          return bad(opt,
                     "interface \"" + in.iface +
                         "\" is given twice (one capture per interface; merge captures of one "
                         "interface with mergecap first)");
        }
      }
      out.inputs.push_back(std::move(in));
    }
  }
  if (!have_config) {
    return bad("--config", "missing (the configuration to replay with)");
  }
  if (out.inputs.empty()) {
    return bad("--in", "missing (at least one IFACE=FILE capture)");
  }
  if (!have_out) {
    return bad("--out-dir", "missing (where IFACE.pcap outputs are written)");
  }
  return out;
}

}  // namespace uvs::replay
