// decap_service.cc — start-up order and the receive loop of `uvs-rs decap`.
//
// Start-up goes from what cannot be undone least to most: check rp_filter, block the signals,
// open the sockets (a GUE port in use fails here), and only then create and configure the TUN
// device, so a failure never leaves a device behind (and none could: it dies with its
// descriptor). The device is brought up last, after its sysctls, so no packet is received on
// it with the defaults and IPv6 never starts on it. The loop polls the signalfd, the sockets
// and the device; each socket is drained in bursts so one busy tunnel type cannot starve the
// others or the signals.
#include "rs/decap_service.h"

#include <cerrno>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "base/log.h"
#include "route/sysctl.h"
#include "rs/conf_key.h"
#include "rs/decap_parser.h"

namespace uvs::rs {
namespace {

// Largest IPv4 packet, plus one byte so MSG_TRUNC can tell "exactly 64 KiB" from "more".
constexpr std::size_t kBufferSize = 65536;
constexpr int kSocketBuffer = 4 << 20;

base::Error os_error(const std::string& where, const std::string& what, int err) {
  return base::make_error(
      base::ErrorCode::kSystem, what + ": " + std::generic_category().message(err), where);
}

void grow_receive_buffer(int fd) {
  // Bursts from a director can be large; without CAP_NET_ADMIN the plain option still gets up
  // to net.core.rmem_max.
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer);
  }
}

base::Result<UniqueFd> open_raw(int protocol, const char* name) {
  UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!fd.valid()) {
    const int err = errno;
    return os_error(name,
                    std::string("cannot open a raw ") + name + " socket" +
                        (err == EPERM ? " (needs CAP_NET_RAW)" : ""),
                    err);
  }
  grow_receive_buffer(fd.get());
  return fd;
}

base::Result<UniqueFd> open_gue(std::uint16_t port) {
  const std::string where = "udp/" + std::to_string(port);
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.valid()) {
    return os_error(where, "cannot open the GUE socket", errno);
  }
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(port);
  local.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    return os_error(where, "cannot bind the GUE socket to UDP port " + std::to_string(port), errno);
  }
  grow_receive_buffer(fd.get());
  return fd;
}

// Kernel tunnel modules that would decapsulate the same packets a second time.
void warn_about_kernel_modules() {
  for (const char* module : {"ipip", "ip_gre", "fou"}) {
    struct stat st {};
    if (::stat((std::string("/sys/module/") + module).c_str(), &st) == 0) {
      base::log_warn(std::string("the kernel's ") + module +
                     " module is loaded: the kernel may decapsulate these tunnel packets "
                     "itself, and they would then be delivered twice");
    }
  }
}

base::Status configure_device_sysctls(const std::string& dev) {
  for (auto [leaf, value] : {std::pair{kRpFilter, "0"},
                             std::pair{std::string_view("accept_local"), "1"},
                             std::pair{std::string_view("forwarding"), "0"}}) {
    base::Status s = route::write_sysctl(conf_key(dev, leaf), value);
    if (!s.ok()) {
      return s;
    }
  }
  // IPv6 may be compiled out or disabled on the whole host; then there is nothing to silence.
  const std::string v6 = "net/ipv6/conf/" + dev + "/disable_ipv6";
  auto path = route::sysctl_path(v6);
  if (path.ok() && ::access(path->c_str(), F_OK) == 0) {
    return route::write_sysctl(v6, "1");
  }
  return {};
}

}  // namespace

base::Result<DecapService> DecapService::start(const DecapOptions& options) {
  auto rpf = route::read_sysctl("net/ipv4/conf/all/rp_filter");
  if (!rpf.ok()) {
    return rpf.error();
  }
  if (*rpf != "0") {
    return base::make_error(
        base::ErrorCode::kConflict,
        "net.ipv4.conf.all.rp_filter is " + *rpf + ": the kernel filters packets arriving on " +
            options.dev +
            " with the larger of all and the device, and would drop every decapsulated packet "
            "(their sources are not routed through the device); run `uvs-rs up --vip VIP` "
            "first, or: sysctl -w net.ipv4.conf.all.rp_filter=0",
        "net.ipv4.conf.all.rp_filter");
  }
  warn_about_kernel_modules();

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGUSR1);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) {
    return os_error("signals", "cannot block SIGTERM/SIGINT/SIGUSR1", errno);
  }
  UniqueFd signals(::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals.valid()) {
    return os_error("signals", "cannot open a signalfd", errno);
  }

  auto ipip = open_raw(IPPROTO_IPIP, "IPPROTO_IPIP");
  if (!ipip.ok()) {
    return ipip.error();
  }
  auto gre = open_raw(IPPROTO_GRE, "IPPROTO_GRE");
  if (!gre.ok()) {
    return gre.error();
  }
  UniqueFd gue;
  if (options.gue_port) {
    auto g = open_gue(*options.gue_port);
    if (!g.ok()) {
      return g.error();
    }
    gue = std::move(g).value();
  }

  auto tun = TunDevice::create(options.dev);
  if (!tun.ok()) {
    return tun.error();
  }
  base::Status s = configure_device_sysctls(options.dev);
  if (!s.ok()) {
    return s.error();
  }
  s = tun->set_up();
  if (!s.ok()) {
    return s.error();
  }

  DecapService svc(std::move(tun).value());
  svc.ipip_ = std::move(ipip).value();
  svc.gre_ = std::move(gre).value();
  svc.gue_ = std::move(gue);
  svc.signals_ = std::move(signals);
  svc.buf_.resize(kBufferSize);
  base::log_info(
      "decapsulating IPIP, GRE" +
      (options.gue_port ? " and GUE on udp/" + std::to_string(*options.gue_port) : std::string()) +
      " into " + options.dev);
  return svc;
}

void DecapService::handle_packet(std::span<std::uint8_t> packet, TunnelKind kind) {
  DecapResult r;
  switch (kind) {
    case TunnelKind::kIpip:
      r = decap_ipip(packet);
      break;
    case TunnelKind::kGre:
      r = decap_gre(packet);
      break;
    case TunnelKind::kGue:
      r = decap_gue(packet);
      break;
  }
  if (!r.ok()) {
    counters_.count_drop(r.reason);
    return;
  }
  if (r.remcsum_field != 0) {
    // r.inner views this very buffer; finish the checksum the director left partial.
    const auto at = static_cast<std::size_t>(r.inner.data() - packet.data());
    complete_remote_checksum(packet.subspan(at, r.inner.size()), r.remcsum_start, r.remcsum_field);
  }
  const int err = tun_.write_packet(r.inner);
  if (err != 0) {
    counters_.count_drop(DecapReason::kTunWriteFailed);
    if (!reported_tun_error_) {
      // Once, not per packet: the counter carries the rest.
      reported_tun_error_ = true;
      base::log_warn("writing to " + tun_.name() + " failed: " +
                     std::generic_category().message(err) + " (counted as tun_write_failed)");
    }
    return;
  }
  counters_.count_delivered();
}

bool DecapService::drain_socket(int fd, TunnelKind kind, base::Status& error) {
  for (int i = 0; i < kBurst; ++i) {
    const ssize_t n = ::recv(fd, buf_.data(), buf_.size(), MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      const int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
        return true;
      }
      if (err == EBADF || err == EFAULT || err == EINVAL || err == ENOTSOCK) {
        error = os_error("decap", "receiving from the tunnel socket", err);
        return false;
      }
      // A pending socket error (ENOBUFS, an ICMP-reported one) is returned once and cleared;
      // it says nothing about the next packet, so count it and come back on the next poll.
      counters_.count_socket_error();
      return true;
    }
    counters_.count_rx(kind);
    if (static_cast<std::size_t>(n) > buf_.size()) {
      counters_.count_drop(DecapReason::kTooBig);
      continue;
    }
    handle_packet(std::span<std::uint8_t>(buf_.data(), static_cast<std::size_t>(n)), kind);
  }
  return true;
}

base::Status DecapService::run(std::FILE* out) {
  std::vector<pollfd> fds;
  std::vector<TunnelKind> kinds;
  fds.push_back(pollfd{signals_.get(), POLLIN, 0});
  fds.push_back(pollfd{tun_.fd(), POLLIN, 0});
  for (auto [fd, kind] : {std::pair{ipip_.get(), TunnelKind::kIpip},
                          std::pair{gre_.get(), TunnelKind::kGre},
                          std::pair{gue_.get(), TunnelKind::kGue}}) {
    if (fd >= 0) {
      fds.push_back(pollfd{fd, POLLIN, 0});
      kinds.push_back(kind);
    }
  }
  constexpr std::size_t kFirstSocket = 2;
  for (;;) {
    const int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return os_error("decap", "poll", errno);
    }
    for (std::size_t i = kFirstSocket; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLERR)) != 0) {
        base::Status error;
        if (!drain_socket(fds[i].fd, kinds[i - kFirstSocket], error)) {
          return error;
        }
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      for (int i = 0; i < kBurst && tun_.read_discard(); ++i) {
        counters_.count_tun_tx_discarded();
      }
    }
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      while (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGUSR1) {
          const std::string summary = counters_.summary();
          std::fwrite(summary.data(), 1, summary.size(), out);
          std::fflush(out);
        } else {
          base::log_info("signal " + std::to_string(info.ssi_signo) + ": stopping, removing " +
                         tun_.name());
          return {};
        }
      }
    }
    if ((fds[1].revents & (POLLERR | POLLHUP)) != 0) {
      return base::make_error(base::ErrorCode::kSystem,
                              "the TUN device " + tun_.name() + " went away (deleted?)",
                              tun_.name());
    }
  }
}

}  // namespace uvs::rs
