// The state file of `uvs-rs up`/`down`: exact text, round trips through the parser and through
// the disk, and refusal of every kind of damage with the file and line that is wrong.
#include "rs/rs_state.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

namespace {

using uvs::rs::AddedAddress;
using uvs::rs::RsState;
using uvs::rs::SavedSysctl;

uvs::net::IpAddr ip(const char* text) {
  auto a = uvs::net::IpAddr::parse(text);
  REQUIRE(a.has_value());
  return *a;
}

RsState sample() {
  RsState s;
  s.sysctls = {SavedSysctl{"net/ipv4/conf/all/arp_ignore", "0"},
               SavedSysctl{"net/ipv4/conf/eth0.100/arp_announce", "1"},
               SavedSysctl{"net/ipv4/conf/all/rp_filter", "2"}};
  s.addresses = {AddedAddress{"lo", ip("10.10.10.10"), 32},
                 AddedAddress{"lo", ip("10.10.10.11"), 32}};
  return s;
}

constexpr char kSampleText[] =
    "# uvs-rs state: what `uvs-rs up` changed, for `uvs-rs down` to undo. Do not edit.\n"
    "uvs-rs-state 1\n"
    "sysctl net/ipv4/conf/all/arp_ignore 0\n"
    "sysctl net/ipv4/conf/eth0.100/arp_announce 1\n"
    "sysctl net/ipv4/conf/all/rp_filter 2\n"
    "address lo 10.10.10.10/32\n"
    "address lo 10.10.10.11/32\n"
    "end\n";

std::string parse_error(const std::string& text) {
  auto r = uvs::rs::parse_state(text, "/run/uvs/uvs-rs.state");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == uvs::base::ErrorCode::kInvalidArgument);
  return r.error().message;
}

// A private directory under /tmp, removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/uvs-rs-state-test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    const std::string cmd = "rm -rf '" + path_ + "'";
    (void)std::system(cmd.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

TEST_CASE("state: serialized text is exactly the documented format") {
  CHECK(uvs::rs::serialize_state(sample()) == kSampleText);
  CHECK(uvs::rs::serialize_state(RsState{}) ==
        "# uvs-rs state: what `uvs-rs up` changed, for `uvs-rs down` to undo. Do not edit.\n"
        "uvs-rs-state 1\n"
        "end\n");
}

TEST_CASE("state: parse(serialize(x)) == x") {
  for (const RsState& s : {sample(), RsState{}}) {
    auto back = uvs::rs::parse_state(uvs::rs::serialize_state(s), "x");
    REQUIRE(back.ok());
    CHECK(*back == s);
  }
  auto p = uvs::rs::parse_state(kSampleText, "x");
  REQUIRE(p.ok());
  CHECK(p->find_sysctl("net/ipv4/conf/all/rp_filter")->value == "2");
  CHECK(p->find_sysctl("net/ipv4/conf/lo/rp_filter") == nullptr);
  CHECK(p->has_address(AddedAddress{"lo", ip("10.10.10.11"), 32}));
  CHECK_FALSE(p->has_address(AddedAddress{"lo", ip("10.10.10.11"), 24}));
}

TEST_CASE("state: blank lines, comments and extra spaces are tolerated") {
  auto p = uvs::rs::parse_state(
      "\n# hand-inspected\nuvs-rs-state 1\n\nsysctl  net/ipv4/conf/lo/arp_ignore\t3\nend\n", "x");
  REQUIRE(p.ok());
  CHECK(p->sysctls == std::vector<SavedSysctl>{{"net/ipv4/conf/lo/arp_ignore", "3"}});
}

TEST_CASE("state: damage is refused with file and line") {
  const std::string head = "uvs-rs-state 1\n";
  CHECK(parse_error("") == "/run/uvs/uvs-rs.state:1: empty: not a uvs-rs state file");
  CHECK(parse_error("hello\n") ==
        "/run/uvs/uvs-rs.state:1: not a uvs-rs state file (expected \"uvs-rs-state 1\")");
  CHECK(parse_error("uvs-rs-state 2\nend\n") ==
        "/run/uvs/uvs-rs.state:1: state file version 2, this uvs-rs reads 1");
  CHECK(parse_error(head + "sysctl net/ipv4/conf/all/arp_ignore 0\n") ==
        "/run/uvs/uvs-rs.state:3: no \"end\" line: the file is cut short");
  CHECK(parse_error(head + "sysctl net/ipv4/conf/all/arp_ignore 0\nend") ==
        "/run/uvs/uvs-rs.state:3: last line has no newline: the file is cut short");
  CHECK(parse_error(head + "end\nsysctl net/ipv4/conf/all/arp_ignore 0\n") ==
        "/run/uvs/uvs-rs.state:3: content after \"end\"");
  CHECK(parse_error(head + "route 10.0.0.0/8\nend\n") ==
        "/run/uvs/uvs-rs.state:2: unknown record \"route\"");
  CHECK(parse_error(head + "sysctl net/ipv4/conf/all/arp_ignore\nend\n") ==
        "/run/uvs/uvs-rs.state:2: expected \"sysctl KEY VALUE\"");
  CHECK(parse_error(head + "sysctl net/ipv4/conf/all/arp_ignore one\nend\n") ==
        "/run/uvs/uvs-rs.state:2: value \"one\" of net/ipv4/conf/all/arp_ignore is not an "
        "integer");
  CHECK(parse_error(head + "sysctl net/ipv4/conf/all/arp_ignore 0\n"
                           "sysctl net/ipv4/conf/all/arp_ignore 1\nend\n") ==
        "/run/uvs/uvs-rs.state:3: net/ipv4/conf/all/arp_ignore is recorded twice");
  CHECK(parse_error(head + "address lo 10.10.10.10/32\naddress lo 10.10.10.10/32\nend\n") ==
        "/run/uvs/uvs-rs.state:3: 10.10.10.10/32 on lo is recorded twice");
  CHECK(parse_error(head + "end extra\n") ==
        "/run/uvs/uvs-rs.state:2: \"end\" takes nothing after it");
}

TEST_CASE("state: only the three managed sysctls may be named, so down cannot write elsewhere") {
  const std::string head = "uvs-rs-state 1\n";
  for (const char* key : {"net/ipv4/ip_forward",
                          "net.ipv4.conf.all.arp_ignore",
                          "net/ipv4/conf/all/forwarding",
                          "net/ipv4/conf/../../../kernel/arp_ignore",
                          "net/ipv4/conf/all/arp_ignore/x",
                          "net/ipv4/conf//arp_ignore",
                          "kernel/core_pattern"}) {
    CAPTURE(key);
    CHECK(parse_error(head + "sysctl " + key + " 0\nend\n")
              .find("is not a sysctl uvs-rs "
                    "manages") != std::string::npos);
  }
}

TEST_CASE("state: malformed address records are refused") {
  const std::string head = "uvs-rs-state 1\n";
  for (const char* rec : {"address lo 10.10.10.10",
                          "address lo 10.10.10.10/33",
                          "address lo 10.10.10.10/-1",
                          "address lo 10.10.10.10/032",
                          "address lo 2001:db8::1/128",
                          "address lo nonsense/32",
                          "address a/b 10.10.10.10/32",
                          "address lo"}) {
    CAPTURE(rec);
    const std::string e = parse_error(head + rec + "\nend\n");
    CHECK(e.find("/run/uvs/uvs-rs.state:2: ") == 0);
  }
}

TEST_CASE("state: save and load through the disk, creating the directory") {
  TempDir dir;
  const std::string path = dir.path() + "/run-uvs/uvs-rs.state";
  auto none = uvs::rs::load_state(path);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(uvs::rs::save_state(path, sample()).ok());
  auto loaded = uvs::rs::load_state(path);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == sample());
  // No temporary file is left behind.
  CHECK(::access((path + ".tmp." + std::to_string(::getpid())).c_str(), F_OK) != 0);

  REQUIRE(uvs::rs::remove_state(path).ok());
  CHECK(::access(path.c_str(), F_OK) != 0);
  CHECK(uvs::rs::remove_state(path).ok());  // removing what is gone is fine
}

TEST_CASE("state: a corrupt file on disk is an error naming the file and line") {
  TempDir dir;
  const std::string path = dir.path() + "/uvs-rs.state";
  {
    std::ofstream f(path);
    f << "uvs-rs-state 1\nsysctl net/ipv4/conf/all/arp_ignore 0\naddr";
  }
  auto loaded = uvs::rs::load_state(path);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().message == path + ":3: last line has no newline: the file is cut short");
  CHECK(loaded.error().where == path + ":3");
}

TEST_CASE("state: an unreadable or unwritable path is a system error naming it") {
  TempDir dir;
  const std::string file = dir.path() + "/plain";
  { std::ofstream f(file); }
  // A path *through* a regular file can neither be read nor created.
  auto loaded = uvs::rs::load_state(file + "/uvs-rs.state");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == uvs::base::ErrorCode::kSystem);
  CHECK(loaded.error().message ==
        "state file " + file + "/uvs-rs.state: cannot open: Not a directory");
  auto saved = uvs::rs::save_state(file + "/uvs-rs.state", RsState{});
  REQUIRE_FALSE(saved.ok());
  CHECK(saved.error().message.find("state file " + file + "/uvs-rs.state: cannot") == 0);
}
