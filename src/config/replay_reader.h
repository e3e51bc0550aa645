// replay_reader.h — the [replay] table, for the loader.
//
// Input: the [replay] table. Output: cfg.replay and cfg.replay_pos, or the loader's one Error
// (config_loader.h: where = file:line:col, message = "<context>: <problem>"). Contexts:
// "[replay]", `replay interface #<n>` / `replay interface "eth0"`, `replay route #<n>` /
// `replay route "10.0.0.0/8"`, `replay neighbor #<n>` / `replay neighbor "10.0.2.11"`.
//
// The table (config/uvs.example.toml describes every key):
//   [[replay.interface]]  name, mac, mtu (68..65535, default 1500), addresses ("A.B.C.D/N";
//                         "A.B.C.D" is /32)
//   [[replay.route]]      prefix ("default" or a CIDR prefix without host bits), via, dev, mtu,
//                         metric; via or dev (or both) required
//   [[replay.neighbor]]   interface, address, mac
// Rules, as `ip` and the kernel would apply them: interface names unique, at most 15
// characters, not "lo" (loopback with 127.0.0.1/8 is implied); MACs unicast and not zero; an
// address listed once in the whole section; a route's dev a listed interface; a gateway inside
// a connected subnet of that interface (without dev: of some interface, which becomes dev); a
// neighbour's interface listed and its address IPv4. IPv6 is refused (kUnsupported) like
// elsewhere in the file.
// Internal to src/config/.
// Owned by: whichever thread runs the loader.
#pragma once

#include <toml++/toml.h>

#include "base/result.h"
#include "config/config.h"

namespace uvs::config {

base::Status read_replay(const toml::table& table, const std::string& file, Config& cfg);

}  // namespace uvs::config
