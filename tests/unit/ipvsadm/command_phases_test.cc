// The three phases of a command (command_runner.h) that let uvsd keep DNS off its control
// thread: prepare_command_line() makes every forward lookup (arguments, -R lines), execute()
// makes none, render() makes the reverse lookups of listings without -n and formats the state
// as it was when execute() ran. Together they print exactly what run_command_line() prints.
#include <doctest/doctest.h>

#include "cli_test_support.h"

using namespace uvs::ipvsadm;
using namespace uvs::ipvsadm::testing;

namespace {

// A StaticResolver that counts what it is asked.
class CountingResolver final : public Resolver {
 public:
  explicit CountingResolver(StaticResolver& names) : names_(names) {}
  int calls = 0;
  std::optional<uvs::net::IpAddr> host_to_addr(const std::string& n) override {
    ++calls;
    return names_.host_to_addr(n);
  }
  std::optional<std::uint16_t> service_to_port(const std::string& n, std::uint8_t p) override {
    ++calls;
    return names_.service_to_port(n, p);
  }
  std::optional<std::string> addr_to_host(const uvs::net::IpAddr& a) override {
    ++calls;
    return names_.addr_to_host(a);
  }
  std::optional<std::string> port_to_service(std::uint16_t port, std::uint8_t p) override {
    ++calls;
    return names_.port_to_service(port, p);
  }

 private:
  StaticResolver& names_;
};

StaticResolver names() {
  StaticResolver r;
  r.add_host("web", ip("10.0.1.100"));
  r.add_host("rs1", ip("10.0.2.11"));
  r.add_host("rs2", ip("10.0.2.12"));
  r.add_service("http", 6, 80);
  return r;
}

PreparedCommand prepare(std::string_view line, std::string_view in, Resolver& r) {
  RunOptions o;
  o.resolver = &r;
  return prepare_command_line(split_args(line), in, o);
}

}  // namespace

TEST_CASE("phases: numeric arguments and -n listings never ask the resolver") {
  ModelBackend backend;
  ProbeResolver probe;
  for (const char* line : {"-A -t 10.0.1.100:80 -s rr",
                           "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m",
                           "-Ln",
                           "-Sn",
                           "-Lnc",
                           "-L --timeout",
                           "-L --json"}) {
    CAPTURE(line);
    const Transcript t = execute(prepare(line, "", probe), backend);
    CHECK_FALSE(t.needs_names());
    CHECK(render(t, probe).exit_code == 0);
  }
  CHECK_FALSE(probe.asked());
}

TEST_CASE("phases: names in arguments and in -R lines are looked up by prepare, and only there") {
  StaticResolver table = names();
  CountingResolver counting(table);
  ModelBackend backend;
  const PreparedCommand p =
      prepare("-R", "-A -t web:http -s rr\n-a -t web:http -r rs1 -m\n", counting);
  CHECK(counting.calls == 5);  // web, http; web, http, rs1
  REQUIRE(p.restore_lines.size() == 2);
  const Transcript t = execute(p, backend);
  CHECK(t.exit_code == 0);
  CHECK(counting.calls == 5);
  ProbeResolver probe;
  CHECK(render(t, probe).err == "");
  CHECK_FALSE(probe.asked());
  CHECK(backend.model().find(svc_key(6, "10.0.1.100", 80))->dests.size() == 1);
}

TEST_CASE("phases: a -R stops being prepared at its first fatal line") {
  StaticResolver table = names();
  CountingResolver counting(table);
  const PreparedCommand p =
      prepare("-R", "-A -t web:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w abc\n-A -t rs1:80\n", counting);
  REQUIRE(p.restore_lines.size() == 2);
  CHECK(p.restore_lines[1].fatal);
  CHECK(counting.calls == 1);  // rs1 is never looked up: that line never runs
}

TEST_CASE("phases: a listing without -n is rendered later, of the state when it ran") {
  Cli cli;
  cli.resolver = names();
  cli.run("-A -t 10.0.1.100:80 -s rr");
  cli.run("-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m");
  const std::string expected = cli.run("-L").out;
  CHECK(expected.find("TCP  web:http rr") != std::string::npos);

  const Transcript t = execute(prepare("-L", "", cli.resolver), cli.backend);
  CHECK(t.needs_names());
  cli.run("-a -t 10.0.1.100:80 -r 10.0.2.12:80 -m");  // after execute: not in the listing
  CHECK(render(t, cli.resolver).out == expected);
}

TEST_CASE("phases: listings inside -R keep their place in the output") {
  Cli a;
  a.resolver = names();
  Cli b;
  b.resolver = names();
  const char* in =
      "-A -t 10.0.1.100:80 -s rr\n-L -n\n-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m\n-L\n-S\n";
  const Transcript t = execute(prepare("-R", in, a.resolver), a.backend);
  CHECK(t.out.size() == 3);
  const RunResult r = render(t, a.resolver);
  std::string one_by_one;
  for (const char* line : {"-A -t 10.0.1.100:80 -s rr",
                           "-L -n",
                           "-a -t 10.0.1.100:80 -r 10.0.2.11:80 -m",
                           "-L",
                           "-S"}) {
    one_by_one += b.run(line).out;
  }
  CHECK(r.out == one_by_one);
  CHECK(r.out.find("rs1:http") != std::string::npos);
}
