// `uvsd replay` end to end, in process: captures written with libtins frames, the replay run by
// run_replay(), outputs read back and dissected. Covers the timing rules of replayer.h (capture
// time on every output, timers on the tick grid, stop at the last frame), the trace, determinism,
// neighbour seeding, and every refusal.
#include "replay/replayer.h"

#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "replay_run.h"
#include "support/frames.h"

using uvs::replay::kTickInterval;
using uvs::replay::ReplayArgs;
using uvs::replay::ReplaySummary;
using uvs::replay::run_replay;
using namespace uvs::replay::test;
namespace t = uvs::test;

namespace {

bool is_arp_request_for(const uvs::io::PcapRecord& r, const std::string& ip) {
  const Tins::EthernetII eth = t::dissect(r.bytes);
  const auto* arp = eth.find_pdu<Tins::ARP>();
  return arp != nullptr && arp->opcode() == Tins::ARP::REQUEST &&
         arp->target_ip_addr().to_string() == ip;
}

}  // namespace

TEST_CASE("replay: a NAT handshake, every output stamped with the capture time it was sent") {
  Run run;
  const Bytes synack = t::tcp_frame(t::Endpoint{kRs2.mac, kRs2.ip, 80},
                                    t::Endpoint{kEth1.mac, kClient.ip, 40001},
                                    t::kSyn | t::kAck,
                                    "",
                                    64,
                                    true,
                                    5000,
                                    1001);
  run.setup(kService + kNetwork,
            {{kT0, client_arp()}, {kT0 + 1 * kMs, syn(40001)}},
            {{kT0 + 2 * kMs, rs_arp_reply(kRs2)}, {kT0 + 3 * kMs, synack}});
  const ReplaySummary s = run.ok();
  CHECK(s.interfaces == std::vector<std::string>{"eth0", "eth1"});
  CHECK(s.frames_in == std::vector<std::uint64_t>{2, 2});
  CHECK(s.first_ts == kT0);
  CHECK(s.last_ts == kT0 + 3 * kMs);
  CHECK(s.total_in() == 4);
  CHECK(s.outputs[1] == run.dir.file("out/eth1.pcap"));

  // eth0: the VIP announced when the configuration was applied (at the first frame's time),
  // the ARP answer to the client, then the SYN-ACK un-NATed to the VIP.
  const auto front = run.out("eth0");
  REQUIRE(front.size() == 3);
  CHECK(front[0].ts == kT0);
  CHECK(front[1].ts == kT0);
  const Tins::EthernetII arp_frame = t::dissect(front[1].bytes);
  const auto* reply = arp_frame.find_pdu<Tins::ARP>();
  REQUIRE(reply != nullptr);
  CHECK(reply->opcode() == Tins::ARP::REPLY);
  CHECK(reply->sender_ip_addr().to_string() == kVip.ip);
  CHECK(front[2].ts == kT0 + 3 * kMs);
  const Tins::EthernetII back_to_client = t::dissect(front[2].bytes);
  CHECK(back_to_client.dst_addr().to_string() == kClient.mac);
  CHECK(back_to_client.src_addr().to_string() == kEth0.mac);
  CHECK(back_to_client.rfind_pdu<Tins::IP>().src_addr().to_string() == kVip.ip);
  CHECK(back_to_client.rfind_pdu<Tins::TCP>().sport() == 80);
  CHECK(t::checksums_ok(front[2].bytes));

  // eth1: the announcement, the ARP request for rs2 at the SYN's time (the SYN waits), then the
  // SYN itself when rs2's answer arrives.
  const auto back = run.out("eth1");
  REQUIRE(back.size() == 3);
  CHECK(is_arp_request_for(back[1], kRs2.ip));
  CHECK(back[1].ts == kT0 + 1 * kMs);
  CHECK(back[2].ts == kT0 + 2 * kMs);
  const Tins::EthernetII to_rs = t::dissect(back[2].bytes);
  CHECK(to_rs.dst_addr().to_string() == kRs2.mac);
  CHECK(to_rs.rfind_pdu<Tins::IP>().dst_addr().to_string() == kRs2.ip);
  CHECK(to_rs.rfind_pdu<Tins::IP>().ttl() == 63);
  CHECK(t::checksums_ok(back[2].bytes));
  CHECK(s.frames_out == std::vector<std::uint64_t>{3, 3});

  // One trace line per input frame, in processing order.
  const auto lines = run.trace();
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].find("\"index\":1,") != std::string::npos);
  CHECK(lines[0].find("\"interface\":\"eth0\",\"record\":1,\"verdict\":\"replied\"") !=
        std::string::npos);
  CHECK(lines[1].find("\"verdict\":\"queued\",\"drop\":null,\"pass\":null,\"service\":\"TCP "
                      "10.0.1.100:80\",\"real\":\"10.0.2.12:80\",\"state_before\":null,"
                      "\"state_after\":\"SYN_RECV\",\"new_connection\":true,\"scheduler\":"
                      "\"rr\",\"template\":null}") != std::string::npos);
  CHECK(lines[2].find("\"interface\":\"eth1\",\"record\":1,\"verdict\":\"to-host\",\"drop\":"
                      "null,\"pass\":\"arp_not_for_vip\"") != std::string::npos);
  // A reply: the service comes from the connection's real server, no scheduling decision.
  CHECK(lines[3].find("\"ts_ns\":1700000000003000000,") != std::string::npos);
  CHECK(lines[3].find("\"verdict\":\"forwarded\",\"drop\":null,\"pass\":null,\"service\":\"TCP "
                      "10.0.1.100:80\",\"real\":\"10.0.2.12:80\",\"state_before\":\"SYN_RECV\","
                      "\"state_after\":\"SYN_RECV\",\"new_connection\":false,\"scheduler\":null") !=
        std::string::npos);
  CHECK(s.trace_lines == 4);
}

TEST_CASE("replay: the same inputs give the same bytes, with or without a trace") {
  Run run;
  std::vector<Timed> front = {{kT0, client_arp()}};
  std::vector<Timed> back;
  for (int i = 0; i < 20; ++i) {
    front.push_back({kT0 + (i + 1) * kMs, syn(static_cast<std::uint16_t>(41000 + i))});
  }
  back.push_back({kT0 + 30 * kMs, rs_arp_reply(kRs1)});
  back.push_back({kT0 + 30 * kMs, rs_arp_reply(kRs2)});
  run.setup(kService + kNetwork, front, back);
  run.ok("a");
  run.ok("b");
  auto args = run.args("c", false);
  REQUIRE(run_replay(args).ok());
  for (const char* iface : {"eth0", "eth1"}) {
    const std::string a = read_text(run.dir.file(std::string("a/") + iface + ".pcap"));
    CHECK(a.size() > 24);
    CHECK(a == read_text(run.dir.file(std::string("b/") + iface + ".pcap")));
    CHECK(a == read_text(run.dir.file(std::string("c/") + iface + ".pcap")));
  }
  CHECK(read_text(run.dir.file("a.jsonl")) == read_text(run.dir.file("b.jsonl")));
  CHECK(run.trace("a").size() == 23);
  // The 20 waiting SYNs all leave when the real servers answer, at the answers' time.
  std::size_t syns = 0;
  for (const auto& r : run.out("eth1", "a")) {
    if (t::dissect(r.bytes).find_pdu<Tins::TCP>() != nullptr) {
      CHECK(r.ts == kT0 + 30 * kMs);
      ++syns;
    }
  }
  CHECK(syns == 20);
}

TEST_CASE("replay: ties between interfaces go in --in order") {
  Run run;
  run.setup(kService + kNetwork, {{kT0, client_arp()}}, {{kT0, rs_arp_reply(kRs1)}});
  run.ok("a");
  CHECK(run.trace("a")[0].find("\"interface\":\"eth0\"") != std::string::npos);
  std::swap(run.inputs[0], run.inputs[1]);
  run.ok("b");
  CHECK(run.trace("b")[0].find("\"interface\":\"eth1\"") != std::string::npos);
}

TEST_CASE(
    "replay: ARP retries run on the capture's clock, and the replay stops at the last "
    "frame") {
  // The SYN's real server never answers ARP. Requests go out at the SYN, then one second apart
  // (on the first tick at or after each deadline), then the entry gives up.
  const auto arp_times = [](Run& run, const std::string& out) {
    std::vector<std::int64_t> ts;
    for (const auto& r : run.out("eth1", out)) {
      if (is_arp_request_for(r, kRs2.ip)) {
        ts.push_back(r.ts);
      }
    }
    return ts;
  };
  SUBCASE("a capture long enough for every retry") {
    Run run;
    run.setup(kService + kNetwork,
              {{kT0, syn(40001)}, {kT0 + 1000 * kMs, syn(40001)}, {kT0 + 5000 * kMs, syn(40001)}},
              {});
    run.ok();
    const auto ts = arp_times(run, "out");
    // Three requests for the first attempt; after the entry was released (3 s after the first
    // request), the SYN at 5 s starts over with a new request.
    REQUIRE(ts.size() == 4);
    CHECK(ts[0] == kT0);
    for (int i = 1; i < 3; ++i) {
      CHECK(ts[i] >= ts[i - 1] + 1000 * kMs);
      CHECK(ts[i] < ts[i - 1] + 1000 * kMs + kTickInterval);
      CHECK(ts[i] % kTickInterval == 0);
    }
    CHECK(ts[3] == kT0 + 5000 * kMs);
    // Nothing was forwarded: the waiting SYNs were dropped (arp_timeout).
    for (const auto& r : run.out("eth1")) {
      CHECK(t::dissect(r.bytes).find_pdu<Tins::TCP>() == nullptr);
    }
  }
  SUBCASE("a capture that ends before the retries") {
    Run run;
    run.setup(kService + kNetwork, {{kT0, syn(40001)}, {kT0 + 1500 * kMs, syn(40001)}}, {});
    run.ok();
    const auto ts = arp_times(run, "out");
    REQUIRE(ts.size() == 2);  // the one at ~2 s would come after the last frame
    for (const auto& r : run.out("eth1")) {
      CHECK(r.ts <= kT0 + 1500 * kMs);
    }
  }
}

TEST_CASE("replay: [[replay.neighbor]] entries are known from the start") {
  Run run;
  run.setup(kService + kNetwork +
                "[[replay.neighbor]]\ninterface = \"eth1\"\naddress = \"10.0.2.12\"\nmac = "
                "\"02:00:00:00:02:12\"\n[[replay.neighbor]]\ninterface = \"eth0\"\naddress = "
                "\"10.0.1.2\"\nmac = \"02:00:00:00:01:02\"\n",
            {{kT0, syn(40001)}},
            {});
  run.ok();
  const auto back = run.out("eth1");
  REQUIRE(back.size() == 2);  // the VIP's announcement, then the SYN at once: no ARP request
  CHECK(back[1].ts == kT0);
  CHECK(t::dissect(back[1].bytes).rfind_pdu<Tins::IP>().dst_addr().to_string() == kRs2.ip);
  CHECK(run.trace()[0].find("\"verdict\":\"forwarded\"") != std::string::npos);
}

TEST_CASE("replay: persistence templates appear in the trace") {
  Run run;
  std::string config = kService + kNetwork +
                       "[[replay.neighbor]]\ninterface = \"eth1\"\naddress = \"10.0.2.12\"\nmac = "
                       "\"02:00:00:00:02:12\"\n[[replay.neighbor]]\ninterface = \"eth1\"\naddress "
                       "= \"10.0.2.11\"\nmac = \"02:00:00:00:02:11\"\n";
  config.replace(config.find("scheduler = \"rr\""), 16, "scheduler = \"rr\"\npersistence = 60");
  run.setup(config, {{kT0, syn(40001)}, {kT0 + 1 * kMs, syn(40002)}}, {});
  run.ok();
  const auto lines = run.trace();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("\"real\":\"10.0.2.12:80\"") != std::string::npos);
  CHECK(lines[0].find("\"template\":\"created\"") != std::string::npos);
  // rr would have moved on to rs1; the template keeps the client on rs2.
  CHECK(lines[1].find("\"real\":\"10.0.2.12:80\"") != std::string::npos);
  CHECK(lines[1].find("\"new_connection\":true,\"scheduler\":\"rr\",\"template\":\"used\"") !=
        std::string::npos);
}

TEST_CASE("replay: an interface that sends nothing still gets a valid, empty capture") {
  Run run;
  run.setup("[daemon]\ninterfaces = [\"eth0\", \"eth1\"]\nconn_max = 64\n" + kNetwork,
            {{kT0, syn(40001)}},
            {});
  const ReplaySummary s = run.ok();
  CHECK(run.out("eth0").empty());
  CHECK(run.out("eth1").empty());
  CHECK(s.frames_out == std::vector<std::uint64_t>{0, 0});
  CHECK(s.verdicts[static_cast<std::size_t>(uvs::dataplane::Verdict::kToHost)] == 1);
  CHECK(run.trace()[0].find("\"pass\":\"not_vip\"") != std::string::npos);
}

TEST_CASE("replay: without [daemon] interfaces every [replay] interface is served") {
  Run run;
  std::string config = kService + kNetwork;
  config.erase(config.find("interfaces = [\"eth0\", \"eth1\"]\n"), 30);
  run.setup(config, {{kT0, client_arp()}}, {});
  const ReplaySummary s = run.ok();
  CHECK(s.interfaces == std::vector<std::string>{"eth0", "eth1"});
}

TEST_CASE("replay: refusals name the problem and leave no output behind") {
  Run run;
  run.setup(kService + kNetwork, {{kT0, client_arp()}}, {});
  const std::string cfg = run.dir.file("config.toml");
  const auto with_config = [&](const std::string& text) {
    write_text(cfg, text);
    return run.error(run.args("out"));
  };

  CHECK(with_config(kService) ==
        cfg +
            ": no [replay] section: replay needs the captured director's interfaces, "
            "addresses and routes (see [replay] in config/uvs.example.toml)");
  std::string one_iface = kService + kNetwork;
  one_iface.replace(one_iface.find("[\"eth0\", \"eth1\"]"), 16, "[\"eth0\"]");
  CHECK(with_config(one_iface) ==
        "--in eth1=" + run.dir.file("in-eth1.pcap") +
            ": uvsd does not serve interface \"eth1\" ([daemon] interfaces), so nothing it "
            "captured would reach uvsd");
  std::string extra = kService + kNetwork;
  extra.replace(extra.find("[\"eth0\", \"eth1\"]"), 16, "[\"eth0\", \"eth1\", \"eth2\"]");
  CHECK(with_config(extra) ==
        cfg +
            ":2:1: [daemon] interfaces: \"eth2\" is not described in [replay] (add a "
            "[[replay.interface]] for it)");
  std::string vip = kService + kNetwork;
  vip.replace(vip.find("\"10.0.1.1/24\""), 13, "\"10.0.1.1/24\", \"10.0.1.100/32\"");
  CHECK(with_config(vip).find(": VIP 10.0.1.100 is an address of interface \"eth0\": uvsd "
                              "answers ARP for its VIPs itself") != std::string::npos);
  CHECK(with_config(one_iface + "[[replay.neighbor]]\ninterface = \"eth1\"\naddress = "
                                "\"10.0.2.12\"\nmac = \"02:00:00:00:02:12\"\n")
            .find("neighbour 10.0.2.12 is on \"eth1\", which uvsd does not serve") !=
        std::string::npos);
  CHECK(with_config("[daemon]\nconn_max = 0\n") ==
        cfg + ":2:12: [daemon]: \"conn_max\" 0 is out of range (1..2147483646)");

  write_text(cfg, kService + kNetwork);
  auto args = run.args("out");
  args.inputs.push_back({"eth7", run.dir.file("in-eth0.pcap")});
  CHECK(run.error(args) == "--in eth7=" + run.dir.file("in-eth0.pcap") +
                               ": unknown interface \"eth7\" (the [replay] section of " + cfg +
                               " has: eth0, eth1)");

  // A capture found out of order half-way: the outputs already written are removed.
  write_pcap(run.dir.file("in-eth1.pcap"),
             {{kT0 + 5 * kMs, rs_arp_reply(kRs1)}, {kT0 + 4 * kMs, rs_arp_reply(kRs2)}});
  CHECK(run.error(run.args("out")).find(run.dir.file("in-eth1.pcap") + ": record 2: timestamp") ==
        0);
  CHECK_FALSE(std::filesystem::exists(run.dir.file("out/eth0.pcap")));
  CHECK_FALSE(std::filesystem::exists(run.dir.file("out/eth1.pcap")));
  CHECK_FALSE(std::filesystem::exists(run.dir.file("out.jsonl")));

  // An output directory that cannot be created.
  write_pcap(run.dir.file("in-eth1.pcap"), {});
  auto bad_out = run.args("out");
  bad_out.out_dir = run.dir.file("config.toml") + "/sub";
  CHECK(run.error(bad_out).find(bad_out.out_dir + ": cannot create the output directory: ") == 0);

  // A listing file that cannot be created: refused before the first frame, nothing left.
  auto bad_listing = run.args("out");
  bad_listing.listing_path = run.dir.file("no/such/dir/listing.txt");
  CHECK(run.error(bad_listing) ==
        bad_listing.listing_path + ": cannot create the listing file: No such file or directory");
  CHECK_FALSE(std::filesystem::exists(run.dir.file("out/eth0.pcap")));
  CHECK_FALSE(std::filesystem::exists(run.dir.file("out.jsonl")));
}

TEST_CASE("replay: an output that cannot be written fails the replay") {
  if (!std::filesystem::exists("/dev/full")) {
    MESSAGE("no /dev/full here: skipped");
    return;
  }
  Run run;
  run.setup(kService + kNetwork, {{kT0, client_arp()}}, {});
  std::filesystem::create_directory(run.dir.file("out"));
  std::filesystem::create_symlink("/dev/full", run.dir.file("out/eth1.pcap"));
  const std::string e = run.error(run.args("out"));
  CHECK(e.find(run.dir.file("out/eth1.pcap") + ": ") == 0);
  CHECK(e.find("No space left on device") != std::string::npos);

  // The final listing too, written last: the captures written before it are removed.
  std::filesystem::remove(run.dir.file("out/eth1.pcap"));
  auto a = run.args("out");
  a.listing_path = run.dir.file("listing.txt");
  std::filesystem::create_symlink("/dev/full", a.listing_path);
  CHECK(run.error(a) == a.listing_path + ": writing the listing file: No space left on device");
  CHECK_FALSE(std::filesystem::exists(run.dir.file("out/eth0.pcap")));
}
