#include "conn/tcp_state.h"

#include <doctest/doctest.h>

#include "packet/headers.h"

using namespace uvs::conn;
using uvs::packet::kTcpAckFlag;
using uvs::packet::kTcpFin;
using uvs::packet::kTcpRst;
using uvs::packet::kTcpSyn;

TEST_CASE("tcp_state: packet class order is RST, SYN, FIN, ACK") {
  // SYN+ACK is a SYN; FIN+ACK is a FIN; RST+ACK is a RST.
  CHECK(tcp_next_state(TcpState::kNone, Direction::kOutbound, false, kTcpSyn | kTcpAckFlag) ==
        TcpState::kSynSent);
  CHECK(tcp_next_state(TcpState::kEstablished, Direction::kInbound, false, kTcpFin | kTcpAckFlag) ==
        TcpState::kCloseWait);
  CHECK(tcp_next_state(TcpState::kEstablished, Direction::kInbound, false, kTcpRst | kTcpAckFlag) ==
        TcpState::kClose);
}

TEST_CASE("tcp_state: T5 a segment with none of SYN/FIN/ACK/RST forces CLOSE") {
  CHECK(tcp_next_state(TcpState::kEstablished, Direction::kInbound, false, uvs::packet::kTcpPsh) ==
        TcpState::kClose);
  CHECK(tcp_next_state(TcpState::kSynRecv, Direction::kOutbound, false, 0) == TcpState::kClose);
}

TEST_CASE("tcp_state: timeouts and the adjustable slots (T8)") {
  uvs::lb::TimeoutSpec t;
  CHECK(tcp_timeout_seconds(TcpState::kEstablished, t) == 900);
  CHECK(tcp_timeout_seconds(TcpState::kSynRecv, t) == 60);
  CHECK(tcp_timeout_seconds(TcpState::kFinWait, t) == 120);
  CHECK(tcp_timeout_seconds(TcpState::kTimeWait, t) == 120);
  CHECK(tcp_timeout_seconds(TcpState::kClose, t) == 10);
  CHECK(tcp_timeout_seconds(TcpState::kCloseWait, t) == 60);
  CHECK(tcp_timeout_seconds(TcpState::kLastAck, t) == 30);
  t = {30, 5, 10};
  CHECK(tcp_timeout_seconds(TcpState::kEstablished, t) == 30);
  CHECK(tcp_timeout_seconds(TcpState::kFinWait, t) == 5);
  CHECK(tcp_timeout_seconds(TcpState::kTimeWait, t) == 120);
}

TEST_CASE("tcp_state: active states are SYN_SENT, SYN_RECV, ESTABLISHED, SYNACK") {
  for (int s = 0; s < static_cast<int>(TcpState::kCount); ++s) {
    const auto st = static_cast<TcpState>(s);
    const bool expect = st == TcpState::kSynSent || st == TcpState::kSynRecv ||
                        st == TcpState::kEstablished || st == TcpState::kSynAck;
    CHECK(tcp_state_active(st) == expect);
  }
  CHECK(tcp_state_name(TcpState::kTimeWait) == "TIME_WAIT");
}
