// PING_CHECK: one ICMP echo request, then every incoming ICMP message on the socket is read
// until our echo reply (same identifier, for a raw socket, and same sequence) comes back. An
// unprivileged "ping socket" (SOCK_DGRAM, IPPROTO_ICMP) is tried first: the kernel then picks
// the identifier and delivers only our replies, without the IP header. When the host's
// net.ipv4.ping_group_range does not admit us, a raw socket does the same with CAP_NET_RAW; it
// sees every ICMP message (including, on loopback, our own request), hence the filtering.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "health/checks.h"
#include "net/checksum.h"

namespace uvs::health {

namespace {

constexpr std::uint8_t kEchoReply = 0;
constexpr std::uint8_t kEchoRequest = 8;
constexpr std::uint8_t kUnreachable = 3;
constexpr std::uint8_t kTimeExceeded = 11;
constexpr std::size_t kPayload = 16;

std::atomic<std::uint16_t> g_sequence{0};

class PingAttempt final : public CheckAttempt {
 public:
  using CheckAttempt::CheckAttempt;

  void start() override {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) {
      raw_ = true;
      fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    }
    if (fd < 0) {
      finish(false,
             std::string("no ICMP socket: ") + std::strerror(errno) +
                 " (ping needs CAP_NET_RAW or net.ipv4.ping_group_range admitting uvsd's group)");
      return;
    }
    fd_.assign(fd);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_addr.s_addr = htonl(target_.addr.v4_host());
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) != 0) {
      finish(false, std::string("connect: ") + std::strerror(errno));
      return;
    }
    seq_ = ++g_sequence;
    id_ = static_cast<std::uint16_t>(::getpid() ^ 0x5556);
    std::uint8_t pkt[8 + kPayload] = {kEchoRequest, 0, 0, 0};
    pkt[4] = static_cast<std::uint8_t>(id_ >> 8);
    pkt[5] = static_cast<std::uint8_t>(id_);
    pkt[6] = static_cast<std::uint8_t>(seq_ >> 8);
    pkt[7] = static_cast<std::uint8_t>(seq_);
    std::memcpy(pkt + 8, "uvsd health ping", kPayload);
    const std::uint16_t sum = net::csum_finish(net::csum_add_bytes(0, pkt, sizeof pkt));
    pkt[2] = static_cast<std::uint8_t>(sum >> 8);
    pkt[3] = static_cast<std::uint8_t>(sum);
    if (::send(fd, pkt, sizeof pkt, 0) < 0) {
      finish(false, std::string("send: ") + std::strerror(errno));
      return;
    }
    arm_timer(std::chrono::milliseconds(target_.spec.timeout_ms));
    wait();
  }

 private:
  void wait() {
    auto me = self<PingAttempt>();
    fd_.async_wait(asio::posix::stream_descriptor::wait_read, [me](const asio::error_code& ec) {
      if (me->finished() || ec) {
        return;
      }
      me->drain();
      if (!me->finished()) {
        me->wait();
      }
    });
  }

  void drain() {
    std::uint8_t buf[1500];
    for (;;) {
      const ssize_t n = ::recv(fd_.native_handle(), buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
          return;
        }
        finish(false, std::string("receive: ") + std::strerror(errno));
        return;
      }
      const std::uint8_t* icmp = buf;
      std::size_t len = static_cast<std::size_t>(n);
      if (raw_) {
        const std::size_t ihl = len > 0 ? static_cast<std::size_t>(buf[0] & 0x0f) * 4 : 0;
        if (ihl < 20 || len < ihl + 8) {
          continue;
        }
        icmp += ihl;
        len -= ihl;
      }
      if (len < 8) {
        continue;
      }
      const std::uint16_t id = static_cast<std::uint16_t>(icmp[4] << 8 | icmp[5]);
      const std::uint16_t seq = static_cast<std::uint16_t>(icmp[6] << 8 | icmp[7]);
      if (icmp[0] == kEchoReply && seq == seq_ && (!raw_ || id == id_)) {
        finish(true, "echo reply");
        return;
      }
      // A raw socket also gets the errors about our request, with its header inside.
      if (raw_ && (icmp[0] == kUnreachable || icmp[0] == kTimeExceeded) && len >= 8 + 20 + 8) {
        const std::uint8_t* inner = icmp + 8;
        const std::size_t inner_ihl = static_cast<std::size_t>(inner[0] & 0x0f) * 4;
        if (inner_ihl >= 20 && len >= 8 + inner_ihl + 8) {
          const std::uint8_t* echo = inner + inner_ihl;
          if (echo[0] == kEchoRequest && (echo[4] << 8 | echo[5]) == id_ &&
              (echo[6] << 8 | echo[7]) == seq_) {
            finish(false,
                   icmp[0] == kUnreachable
                       ? "ICMP destination unreachable (code " + std::to_string(icmp[1]) + ")"
                       : std::string("ICMP time exceeded"));
            return;
          }
        }
      }
    }
  }

  void on_timeout() override { finish(false, "no echo reply within " + timeout_text()); }
  void close() override {
    asio::error_code ignored;
    fd_.close(ignored);
  }

  asio::posix::stream_descriptor fd_{io_};
  bool raw_ = false;
  std::uint16_t id_ = 0;
  std::uint16_t seq_ = 0;
};

}  // namespace

void start_ping_check(asio::io_context& io, const CheckTarget& t, CheckAttempt::Done done) {
  std::make_shared<PingAttempt>(io, t, std::move(done))->start();
}

}  // namespace uvs::health
