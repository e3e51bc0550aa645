// The -R bound (control_protocol.h): a save of the largest configuration uvsd holds (4096
// services, 16384 real servers, config_limits.h), every line as long as the save format makes
// it, fits kMaxRestoreInput and travels in one control request. Regression: uvsadm refused -R
// input over 512 KiB, about 13000 lines, and a 564 KB save file with it.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli_test_support.h"
#include "config/config_limits.h"
#include "ipvsadm/command_parser.h"
#include "ipvsadm/control_protocol.h"
#include "ipvsadm/listing.h"
#include "ipvsadm/restore_input.h"

using namespace uvs::ipvsadm;
using uvs::ipvsadm::testing::svc_key;
namespace lb = uvs::lb;
namespace net = uvs::net;

namespace {

// Every octet three digits, every port five: the longest numeric host:port, 21 characters.
net::IpAddr long_addr(std::uint32_t a, std::uint32_t n) {
  return net::IpAddr::v4((a << 24) | (200u << 16) | ((100u + n / 100) << 8) | (100u + n % 100));
}

// The largest configuration: kMaxServices services with the longest service line (persistent
// with a timeout of 31 days, a netmask, one-packet scheduling, three scheduler flags) and
// kMaxRealServers real servers with the longest real-server line (GUE tunnel, port, remote
// checksum, weight 65535). uvs has no persistence engine, so no --pe.
IpvsStatus largest(StaticResolver& names) {
  constexpr std::uint32_t kPerService = uvs::config::kMaxRealServers / uvs::config::kMaxServices;
  static_assert(kPerService * uvs::config::kMaxServices == uvs::config::kMaxRealServers);
  // Names longer than ipvsadm's host:port field, which the save format cuts at 59 characters.
  const std::string long_name(70, 'n');
  names.add_service(std::string(40, 's'), 17, 65000);
  IpvsStatus st;
  for (std::uint32_t s = 0; s < uvs::config::kMaxServices; ++s) {
    ServiceStatus ss;
    ss.spec.key = svc_key(17, "0.0.0.0", 65000);  // UDP: -o is for UDP only
    ss.spec.key.addr = long_addr(201, s);
    ss.spec.scheduler = "lblcr";
    ss.spec.flags = lb::kSvcPersistent | lb::kSvcOnePacket | lb::kSvcSchedFlags;
    ss.spec.timeout = 2678400;
    ss.spec.netmask = 0xfffffffeu;
    names.add_host(long_name + std::to_string(s), ss.spec.key.addr);
    for (std::uint32_t k = 0; k < kPerService; ++k) {
      DestStatus d;
      d.spec.addr = long_addr(202, s * kPerService + k);
      d.spec.port = 65000;
      d.spec.fwd = lb::ForwardMethod::kTunnel;
      d.spec.weight = 65535;
      d.spec.tunnel = lb::TunnelSpec{lb::TunnelType::kGue, 65535, lb::TunnelCsum::kRemCsum};
      names.add_host(long_name + "r" + std::to_string(s * kPerService + k), d.spec.addr);
      ss.dests.push_back(d);
    }
    st.services.push_back(std::move(ss));
  }
  return st;
}

}  // namespace

TEST_CASE("restore bound: a save of the largest configuration fits, numeric or with names") {
  StaticResolver names;
  const IpvsStatus st = largest(names);
  for (const bool numeric : {true, false}) {
    CAPTURE(numeric);
    const std::string save = format_save(st, numeric, names);
    // The longest lines the format makes, as control_protocol.h counts them.
    const std::size_t first_line = save.find('\n') + 1;
    const std::size_t second_line = save.find('\n', first_line) + 1 - first_line;
    MESSAGE(std::string(numeric ? "-Sn" : "-S")
            << ": " << save.size() << " bytes, lines of " << first_line << " and " << second_line);
    CHECK(first_line <= 132);
    CHECK(second_line <= 187);
    CHECK(save.size() > 512 * 1024);  // more than the old bound took
    CHECK(save.size() <= kMaxRestoreInput);
    CHECK(save.size() * 2 <= kMaxRestoreInput);  // and with room to spare

    const auto lines = split_restore_input(save);
    CHECK(lines.size() == uvs::config::kMaxServices + uvs::config::kMaxRealServers);

    ControlRequest req;
    req.argv = {"-R"};
    req.stdin_text = save;
    const std::string wire = encode_request(req);
    CHECK(wire.size() <= kMaxRequest + 1);  // with its '\n'
    const auto back = decode_request(std::string_view(wire).substr(0, wire.size() - 1));
    REQUIRE(back.ok());
    CHECK(back->stdin_text == save);

    if (numeric) {
      // The lines are commands uvsadm takes back.
      ParseOptions opts;
      opts.resolver = &names;
      opts.reading_stdin = true;
      for (const std::size_t i : {std::size_t{0}, std::size_t{1}, lines.size() - 1}) {
        CAPTURE(i);
        const ParseOutcome p = parse_command_line(lines[i], opts);
        CHECK_MESSAGE(p.ok(), p.err);
      }
    }
  }
}

TEST_CASE("restore bound: 8 MiB of save lines is one request; a longer request is refused") {
  // A save escapes only its newlines (two bytes each): the request stays within kMaxRequest.
  const std::string line =
      "-a -t 201.200.100.100:65000 -r 202.200.100.100:65000 -i -w 65535 --tun-type gue "
      "--tun-port 65535 --tun-remcsum\n";
  ControlRequest req;
  req.argv = {"-R"};
  while (req.stdin_text.size() + line.size() <= kMaxRestoreInput) {
    req.stdin_text += line;
  }
  CHECK(encode_request(req).size() <= kMaxRequest + 1);
  const std::string too_long(kMaxRequest + 1, ' ');
  const auto r = decode_request(too_long);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "control request larger than 16 MiB");
}
