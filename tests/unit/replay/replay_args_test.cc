// The command line of `uvsd replay`: accepted forms and every refusal with the option it names.
#include "replay/replay_args.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

using uvs::replay::parse_replay_args;
using uvs::replay::ReplayArgs;

namespace {

ReplayArgs ok(std::vector<std::string> args) {
  auto r = parse_replay_args(args);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string error(std::vector<std::string> args) {
  auto r = parse_replay_args(args);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == uvs::base::ErrorCode::kInvalidArgument);
  return r.error().to_string();
}

}  // namespace

TEST_CASE("replay args: every option, in any order, value separate or after '='") {
  const ReplayArgs a = ok({"--in",
                           "eth1=back.pcap",
                           "--config",
                           "c.toml",
                           "--in=eth0=front.pcap",
                           "--out-dir=out",
                           "--trace",
                           "-",
                           "--listing=final.txt"});
  CHECK(a.config_path == "c.toml");
  REQUIRE(a.inputs.size() == 2);
  // Command-line order is kept: it breaks timestamp ties.
  CHECK(a.inputs[0].iface == "eth1");
  CHECK(a.inputs[0].path == "back.pcap");
  CHECK(a.inputs[1].iface == "eth0");
  CHECK(a.inputs[1].path == "front.pcap");
  CHECK(a.out_dir == "out");
  CHECK(a.trace_path == "-");
  CHECK(a.listing_path == "final.txt");
  // A path may itself contain '='; only the first one splits.
  CHECK(ok({"--config", "c", "--in", "eth0=a=b.pcap", "--out-dir", "o"}).inputs[0].path ==
        "a=b.pcap");
  CHECK(ok({"--config", "c", "--in", "eth0=x", "--out-dir", "o"}).trace_path.empty());
  CHECK(ok({"--config", "c", "--in", "eth0=x", "--out-dir", "o"}).listing_path.empty());
}

TEST_CASE("replay args: refusals name the option") {
  CHECK(error({}) == "--config: missing (the configuration to replay with)");
  CHECK(error({"--config", "c", "--out-dir", "o"}) ==
        "--in: missing (at least one IFACE=FILE capture)");
  CHECK(error({"--config", "c", "--in", "eth0=x"}) ==
        "--out-dir: missing (where IFACE.pcap outputs are written)");
  CHECK(error({"--config"}) == "--config: needs a value");
  CHECK(error({"--config="}) == "--config: needs a value");
  CHECK(error({"--config", "a", "--config", "b"}) == "--config: given twice");
  CHECK(error({"--out-dir", "a", "--out-dir", "b"}) == "--out-dir: given twice");
  CHECK(error({"--trace", "a", "--trace", "b"}) == "--trace: given twice");
  CHECK(error({"--listing", "a", "--listing", "b"}) == "--listing: given twice");
  CHECK(error({"--listing"}) == "--listing: needs a value");
  CHECK(error({"--speed", "2"}) == "--speed: unknown option");
  CHECK(error({"in.pcap"}) == "in.pcap: unexpected argument (inputs are given as --in IFACE=FILE)");
  CHECK(error({"--in", "front.pcap"}) ==
        "--in: \"front.pcap\" is not IFACE=FILE (e.g. --in eth0=front.pcap)");
  CHECK(error({"--in", "=front.pcap"}) ==
        "--in: \"=front.pcap\" is not IFACE=FILE (e.g. --in eth0=front.pcap)");
  CHECK(error({"--in", "eth0="}) ==
        "--in: \"eth0=\" is not IFACE=FILE (e.g. --in eth0=front.pcap)");
  CHECK(error({"--in", "eth0=a", "--in", "eth0=b"}) ==
        "--in: interface \"eth0\" is given twice (one capture per interface; merge captures of "
        "one interface with mergecap first)");
}
