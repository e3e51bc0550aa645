// The tables are written out in full rather than derived, so each row can be checked against
// ip_vs_proto_tcp.c's tcp_states[] by eye. Column order is the packet class: SYN, FIN, ACK, RST.
#include "conn/tcp_state.h"

#include <array>

#include "packet/headers.h"

namespace uvs::conn {
namespace {

using S = TcpState;
constexpr S sES = S::kEstablished, sSS = S::kSynSent, sSR = S::kSynRecv;
constexpr S sFW = S::kFinWait, sTW = S::kTimeWait, sCL = S::kClose, sCW = S::kCloseWait;
constexpr S sLA = S::kLastAck, sLI = S::kListen, sSA = S::kSynAck;

constexpr std::size_t kStates = static_cast<std::size_t>(S::kCount);
using Row = std::array<S, kStates>;  // indexed by current state
using Table = std::array<Row, 4>;    // indexed by class: syn, fin, ack, rst

// Rows per packet class; columns are the current state in enum order:
//                 NONE ESTAB SYN_SENT SYN_RECV FIN_WAIT TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN
//                 SYNACK
constexpr Table kInput = {{
    /*syn*/ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
    /*fin*/ {sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW},
    /*ack*/ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
    /*rst*/ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR},
}};

constexpr Table kOutput = {{
    /*syn*/ {sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR},
    /*fin*/ {sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW},
    /*ack*/ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES},
    /*rst*/ {sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL},
}};

// INPUT with three differences: ESTABLISHED+FIN -> FIN_WAIT, FIN_WAIT+FIN -> FIN_WAIT,
// SYNACK+RST -> CLOSE.
constexpr Table kInputOnly = {{
    /*syn*/ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
    /*fin*/ {sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW},
    /*ack*/ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
    /*rst*/ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL},
}};

constexpr std::array<std::string_view, kStates> kNames = {"NONE",
                                                          "ESTABLISHED",
                                                          "SYN_SENT",
                                                          "SYN_RECV",
                                                          "FIN_WAIT",
                                                          "TIME_WAIT",
                                                          "CLOSE",
                                                          "CLOSE_WAIT",
                                                          "LAST_ACK",
                                                          "LISTEN",
                                                          "SYNACK"};

// Default timeouts in seconds, ip_vs_proto_tcp.c tcp_timeouts[].
constexpr std::array<std::uint32_t, kStates> kTimeouts = {
    2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120};

// tcp_state_idx(): RST first, then SYN, FIN, ACK; -1 when none is set.
int packet_class(std::uint8_t flags) {
  if (flags & packet::kTcpRst) {
    return 3;
  }
  if (flags & packet::kTcpSyn) {
    return 0;
  }
  if (flags & packet::kTcpFin) {
    return 1;
  }
  if (flags & packet::kTcpAckFlag) {
    return 2;
  }
  return -1;
}

}  // namespace

bool tcp_state_active(TcpState s) {
  return s == sSS || s == sSR || s == sES || s == sSA;
}

std::string_view tcp_state_name(TcpState s) {
  const auto i = static_cast<std::size_t>(s);
  return i < kStates ? kNames[i] : "ERR!";
}

TcpState tcp_next_state(TcpState current, Direction dir, bool input_only, std::uint8_t flags) {
  const int cls = packet_class(flags);
  if (cls < 0) {
    return S::kClose;
  }
  const Table& t = dir == Direction::kOutbound ? kOutput : input_only ? kInputOnly : kInput;
  return t[static_cast<std::size_t>(cls)][static_cast<std::size_t>(current)];
}

std::uint32_t tcp_timeout_seconds(TcpState s, const lb::TimeoutSpec& t) {
  if (s == S::kEstablished) {
    return t.tcp;
  }
  if (s == S::kFinWait) {
    return t.tcpfin;
  }
  const auto i = static_cast<std::size_t>(s);
  return i < kStates ? kTimeouts[i] : kTimeouts[static_cast<std::size_t>(S::kClose)];
}

}  // namespace uvs::conn
