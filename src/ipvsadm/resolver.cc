// Name lookups for the ipvsadm front end. SystemResolver uses the re-entrant libc calls
// (getaddrinfo/getnameinfo, getserv*_r) instead of ipvsadm's gethostby*/getservby*, because the
// daemon's control thread may format listings while other threads resolve; the answers are the
// same for IPv4. StaticResolver is a plain table.
#include "ipvsadm/resolver.h"

#include <arpa/inet.h>
#include <array>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace uvs::ipvsadm {

const char* service_protocol_name(std::uint8_t protocol) {
  switch (protocol) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 132:
      return "sctp";
    default:
      return nullptr;
  }
}

std::optional<net::IpAddr> SystemResolver::host_to_addr(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (name.empty() || getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    return std::nullopt;
  }
  std::optional<net::IpAddr> out;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(sockaddr_in)) {
      sockaddr_in sin;
      std::memcpy(&sin, ai->ai_addr, sizeof sin);
      out = net::IpAddr::v4_bytes(reinterpret_cast<const std::uint8_t*>(&sin.sin_addr));
      break;
    }
  }
  freeaddrinfo(res);
  return out;
}

std::optional<std::uint16_t> SystemResolver::service_to_port(const std::string& name,
                                                             std::uint8_t protocol) {
  const char* proto = service_protocol_name(protocol);
  if (proto == nullptr) {
    return std::nullopt;
  }
  servent entry{};
  servent* result = nullptr;
  std::array<char, 4096> buf{};
  if (getservbyname_r(name.c_str(), proto, &entry, buf.data(), buf.size(), &result) != 0 ||
      result == nullptr) {
    return std::nullopt;
  }
  return ntohs(static_cast<std::uint16_t>(result->s_port));
}

std::optional<std::string> SystemResolver::addr_to_host(const net::IpAddr& addr) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (addr.is_v4()) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, addr.bytes(), 4);
    std::memcpy(&ss, &sin, sizeof sin);
    len = sizeof sin;
  } else {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    std::memcpy(&sin6.sin6_addr, addr.bytes(), 16);
    std::memcpy(&ss, &sin6, sizeof sin6);
    len = sizeof sin6;
  }
  std::array<char, NI_MAXHOST> host{};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&ss),
                  len,
                  host.data(),
                  host.size(),
                  nullptr,
                  0,
                  NI_NAMEREQD) != 0) {
    return std::nullopt;
  }
  return std::string(host.data());
}

std::optional<std::string> SystemResolver::port_to_service(std::uint16_t port,
                                                           std::uint8_t protocol) {
  const char* proto = service_protocol_name(protocol);
  if (proto == nullptr) {
    return std::nullopt;
  }
  servent entry{};
  servent* result = nullptr;
  std::array<char, 4096> buf{};
  if (getservbyport_r(htons(port), proto, &entry, buf.data(), buf.size(), &result) != 0 ||
      result == nullptr) {
    return std::nullopt;
  }
  return std::string(result->s_name);
}

void StaticResolver::add_host(const std::string& name, const net::IpAddr& addr) {
  hosts_[name] = addr;
  names_.emplace(addr, name);
}

void StaticResolver::add_service(const std::string& name,
                                 std::uint8_t protocol,
                                 std::uint16_t port) {
  ports_[{name, protocol}] = port;
  services_.emplace(std::make_pair(port, protocol), name);
}

std::optional<net::IpAddr> StaticResolver::host_to_addr(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || !it->second.is_v4()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::uint16_t> StaticResolver::service_to_port(const std::string& name,
                                                             std::uint8_t protocol) {
  auto it = ports_.find({name, protocol});
  if (it == ports_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> StaticResolver::addr_to_host(const net::IpAddr& addr) {
  auto it = names_.find(addr);
  if (it == names_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> StaticResolver::port_to_service(std::uint16_t port,
                                                           std::uint8_t protocol) {
  auto it = services_.find({port, protocol});
  if (it == services_.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace uvs::ipvsadm
