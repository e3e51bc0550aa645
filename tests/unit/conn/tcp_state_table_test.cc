// Every cell of the three TCP state tables and every state's default timeout, transcribed
// independently from reference §3.2 (cross-checked against the 6.x kernel's
// ip_vs_proto_tcp.c tcp_states[] and tcp_timeouts[]) and checked against tcp_next_state() /
// tcp_timeout_seconds().
//
// The transcription keeps the reference's layout (one row per current state, columns SYN, FIN,
// ACK, RST), the transpose of the code's tables (one row per packet class), so a copy of the
// code's rows could not pass by construction. INPUT-ONLY is written out in full rather than as
// "INPUT plus three cells" so that a typo shared by INPUT and INPUT-ONLY in the code is caught.
#include <array>
#include <cstdint>
#include <string_view>

#include <doctest/doctest.h>

#include "conn/tcp_state.h"
#include "packet/headers.h"

using uvs::conn::Direction;
using uvs::conn::tcp_next_state;
using uvs::conn::tcp_state_name;
using uvs::conn::tcp_timeout_seconds;
using uvs::conn::TcpState;
namespace pk = uvs::packet;

namespace {

constexpr TcpState NO = TcpState::kNone, ES = TcpState::kEstablished, SS = TcpState::kSynSent;
constexpr TcpState SR = TcpState::kSynRecv, FW = TcpState::kFinWait, TW = TcpState::kTimeWait;
constexpr TcpState CL = TcpState::kClose, CW = TcpState::kCloseWait, LA = TcpState::kLastAck;
constexpr TcpState LI = TcpState::kListen, SA = TcpState::kSynAck;

struct Row {
  TcpState current;
  std::array<TcpState, 4> next;  // on SYN, FIN, ACK, RST
};
using Table = std::array<Row, 11>;

// Reference §3.2, "INPUT table (normal; secure_tcp off)".
constexpr Table kInput = {{
    //            SYN FIN ACK RST
    {NO, {SR, CL, ES, CL}},
    {ES, {ES, CW, ES, CL}},
    {SS, {ES, SS, SS, CL}},
    {SR, {SR, TW, ES, SR}},
    {FW, {SR, TW, FW, CL}},
    {TW, {SR, TW, TW, CL}},
    {CL, {SR, CL, CL, CL}},
    {CW, {SR, CW, CW, CL}},
    {LA, {SR, LA, CL, LA}},
    {LI, {SR, LI, LI, LI}},
    {SA, {SR, TW, ES, SR}},
}};

// Reference §3.2, "OUTPUT table".
constexpr Table kOutput = {{
    //            SYN FIN ACK RST
    {NO, {SS, TW, ES, CL}},
    {ES, {ES, FW, ES, CL}},
    {SS, {SS, SS, SS, SS}},
    {SR, {SR, TW, ES, CL}},
    {FW, {SS, FW, FW, CL}},
    {TW, {SS, TW, TW, TW}},
    {CL, {SS, CL, CL, CL}},
    {CW, {SS, TW, CW, CL}},
    {LA, {SS, LA, LA, CL}},
    {LI, {LI, LI, ES, CL}},
    {SA, {SR, TW, ES, CL}},
}};

// Reference §3.2, "INPUT-ONLY table": INPUT except ESTABLISHED+FIN -> FIN_WAIT,
// FIN_WAIT+FIN -> FIN_WAIT, SYNACK+RST -> CLOSE (marked *).
constexpr Table kInputOnly = {{
    //            SYN FIN ACK RST
    {NO, {SR, CL, ES, CL}},
    {ES, {ES, FW, ES, CL}},  // * FIN
    {SS, {ES, SS, SS, CL}},
    {SR, {SR, TW, ES, SR}},
    {FW, {SR, FW, FW, CL}},  // * FIN
    {TW, {SR, TW, TW, CL}},
    {CL, {SR, CL, CL, CL}},
    {CW, {SR, CW, CW, CL}},
    {LA, {SR, LA, CL, LA}},
    {LI, {SR, LI, LI, LI}},
    {SA, {SR, TW, ES, CL}},  // * RST
}};

// URG has no constant in packet/headers.h; it never decides a packet class.
constexpr std::uint8_t kTcpUrg = 0x20;

constexpr std::array<std::string_view, 4> kClassNames = {"SYN", "FIN", "ACK", "RST"};

// For each packet class: the bare flag, and the same class as it usually appears on the wire
// together with lower-priority flags (RST beats SYN beats FIN beats ACK; PSH/URG never count).
constexpr std::array<std::array<std::uint8_t, 3>, 4> kClassFlags = {{
    {pk::kTcpSyn, pk::kTcpSyn | pk::kTcpAckFlag, pk::kTcpSyn | pk::kTcpFin | pk::kTcpAckFlag},
    {pk::kTcpFin, pk::kTcpFin | pk::kTcpAckFlag, pk::kTcpFin | pk::kTcpAckFlag | pk::kTcpPsh},
    {pk::kTcpAckFlag, pk::kTcpAckFlag | pk::kTcpPsh, pk::kTcpAckFlag | kTcpUrg},
    {pk::kTcpRst,
     pk::kTcpRst | pk::kTcpAckFlag,
     pk::kTcpRst | pk::kTcpSyn | pk::kTcpFin | pk::kTcpAckFlag},
}};

// Checks all 44 cells of `table`; returns how many matched (so a caller can assert coverage).
int check_table(const Table& table, Direction dir, bool input_only, std::string_view table_name) {
  int checked = 0;
  for (const Row& row : table) {
    for (std::size_t cls = 0; cls < 4; ++cls) {
      for (const std::uint8_t flags : kClassFlags[cls]) {
        const TcpState got = tcp_next_state(row.current, dir, input_only, flags);
        INFO(table_name,
             ": ",
             tcp_state_name(row.current),
             " + ",
             kClassNames[cls],
             " (flags ",
             static_cast<int>(flags),
             ") expected ",
             tcp_state_name(row.next[cls]),
             ", got ",
             tcp_state_name(got));
        CHECK(got == row.next[cls]);
      }
      ++checked;
    }
  }
  return checked;
}

// Every state appears exactly once, in any order, so no row is silently missing.
bool covers_every_state(const Table& table) {
  std::array<int, static_cast<std::size_t>(TcpState::kCount)> seen{};
  for (const Row& row : table) {
    ++seen[static_cast<std::size_t>(row.current)];
  }
  for (const int n : seen) {
    if (n != 1) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("tcp_state table: the transcriptions cover every state once") {
  static_assert(kInput.size() == static_cast<std::size_t>(TcpState::kCount));
  CHECK(covers_every_state(kInput));
  CHECK(covers_every_state(kOutput));
  CHECK(covers_every_state(kInputOnly));
}

TEST_CASE("tcp_state table: INPUT, every state x every packet class (reference 3.2)") {
  CHECK(check_table(kInput, Direction::kInbound, /*input_only=*/false, "INPUT") == 44);
}

TEST_CASE("tcp_state table: OUTPUT, every state x every packet class (reference 3.2)") {
  CHECK(check_table(kOutput, Direction::kOutbound, /*input_only=*/false, "OUTPUT") == 44);
  // A reply clears NOOUTPUT before its transition, so OUTPUT applies whatever the flag says.
  CHECK(check_table(kOutput, Direction::kOutbound, /*input_only=*/true, "OUTPUT(noout)") == 44);
}

TEST_CASE("tcp_state table: INPUT-ONLY, every state x every packet class (reference 3.2)") {
  CHECK(check_table(kInputOnly, Direction::kInbound, /*input_only=*/true, "INPUT-ONLY") == 44);
}

TEST_CASE("tcp_state table: no SYN/FIN/ACK/RST forces CLOSE from every state, every table") {
  for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s) {
    const auto st = static_cast<TcpState>(s);
    for (const std::uint8_t flags : {std::uint8_t{0},
                                     pk::kTcpPsh,
                                     kTcpUrg,
                                     static_cast<std::uint8_t>(pk::kTcpPsh | kTcpUrg)}) {
      INFO(tcp_state_name(st), " flags ", static_cast<int>(flags));
      CHECK(tcp_next_state(st, Direction::kInbound, false, flags) == CL);
      CHECK(tcp_next_state(st, Direction::kInbound, true, flags) == CL);
      CHECK(tcp_next_state(st, Direction::kOutbound, false, flags) == CL);
    }
  }
}

TEST_CASE("tcp_state table: default timeout of every state (reference 3.2)") {
  struct Expect {
    TcpState state;
    std::uint32_t seconds;
  };
  // "NONE 2, ESTABLISHED 900, SYN_SENT 120, SYN_RECV 60, FIN_WAIT 120, TIME_WAIT 120, CLOSE 10,
  // CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120, SYNACK 120."
  constexpr std::array<Expect, 11> kDefaults = {{
      {NO, 2},
      {ES, 900},
      {SS, 120},
      {SR, 60},
      {FW, 120},
      {TW, 120},
      {CL, 10},
      {CW, 60},
      {LA, 30},
      {LI, 120},
      {SA, 120},
  }};
  const uvs::lb::TimeoutSpec defaults;
  // Distinct from every default, so a slot read from the wrong field shows.
  const uvs::lb::TimeoutSpec set{.tcp = 77, .tcpfin = 33, .udp = 55};
  for (const Expect& e : kDefaults) {
    INFO(tcp_state_name(e.state));
    CHECK(tcp_timeout_seconds(e.state, defaults) == e.seconds);
    // ipvsadm --set moves only ESTABLISHED (tcp) and FIN_WAIT (tcpfin) among the TCP states.
    const std::uint32_t adjusted = e.state == ES ? 77 : e.state == FW ? 33 : e.seconds;
    CHECK(tcp_timeout_seconds(e.state, set) == adjusted);
  }
}
