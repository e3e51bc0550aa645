// resolver.h — the name lookups ipvsadm makes, behind an interface so tests stay hermetic.
//
// ipvsadm accepts host and service names on the command line (gethostbyname, getservbyname for
// the service's protocol) and prints names in listings unless -n is given (gethostbyaddr,
// getservbyport for the protocol). The parser and the formatters take a Resolver&:
//   SystemResolver — the host's resolver (getaddrinfo/getnameinfo, getservbyname_r/_by_port_r);
//   StaticResolver — a fixed table, for tests and for callers that must never touch DNS;
//   ProbeResolver  — answers nothing and remembers that it was asked: uvsd's control thread
//                    tries a command with it first and hands it to a lookup thread when asked.
// Protocols are IP protocol numbers: 6 "tcp", 17 "udp", 132 "sctp"; any other number has no
// service names. A lookup that finds nothing returns std::nullopt; nothing here fails otherwise.
// Owned by: the caller's thread. SystemResolver may block on DNS for a long time (an
// unreachable server: about a minute): uvsd calls it only on its lookup threads
// (control/lookup_pool.h), never on the control thread, and nothing calls it per packet.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "net/ip_addr.h"

namespace uvs::ipvsadm {

class Resolver {
 public:
  virtual ~Resolver() = default;
  // gethostbyname(): the first IPv4 address of `name` (ipvsadm accepts IPv4 names only).
  virtual std::optional<net::IpAddr> host_to_addr(const std::string& name) = 0;
  // getservbyname(name, proto).
  virtual std::optional<std::uint16_t> service_to_port(const std::string& name,
                                                       std::uint8_t protocol) = 0;
  // gethostbyaddr(): the host name of an address.
  virtual std::optional<std::string> addr_to_host(const net::IpAddr& addr) = 0;
  // getservbyport(port, proto).
  virtual std::optional<std::string> port_to_service(std::uint16_t port, std::uint8_t protocol) = 0;
};

// "tcp", "udp", "sctp" or nullptr: the protocol names getservby* understand.
const char* service_protocol_name(std::uint8_t protocol);

class SystemResolver final : public Resolver {
 public:
  std::optional<net::IpAddr> host_to_addr(const std::string& name) override;
  std::optional<std::uint16_t> service_to_port(const std::string& name,
                                               std::uint8_t protocol) override;
  std::optional<std::string> addr_to_host(const net::IpAddr& addr) override;
  std::optional<std::string> port_to_service(std::uint16_t port, std::uint8_t protocol) override;
};

// Answers only from its tables; a host added with add_host() also resolves in reverse, a service
// added with add_service() also resolves by port.
class StaticResolver final : public Resolver {
 public:
  void add_host(const std::string& name, const net::IpAddr& addr);
  void add_service(const std::string& name, std::uint8_t protocol, std::uint16_t port);

  std::optional<net::IpAddr> host_to_addr(const std::string& name) override;
  std::optional<std::uint16_t> service_to_port(const std::string& name,
                                               std::uint8_t protocol) override;
  std::optional<std::string> addr_to_host(const net::IpAddr& addr) override;
  std::optional<std::string> port_to_service(std::uint16_t port, std::uint8_t protocol) override;

 private:
  std::map<std::string, net::IpAddr> hosts_;
  std::map<net::IpAddr, std::string> names_;
  std::map<std::pair<std::string, std::uint8_t>, std::uint16_t> ports_;
  std::map<std::pair<std::uint16_t, std::uint8_t>, std::string> services_;
};

// Finds nothing, and records that a lookup was wanted.
class ProbeResolver final : public Resolver {
 public:
  bool asked() const { return asked_; }

  std::optional<net::IpAddr> host_to_addr(const std::string&) override { return miss(); }
  std::optional<std::uint16_t> service_to_port(const std::string&, std::uint8_t) override {
    return miss();
  }
  std::optional<std::string> addr_to_host(const net::IpAddr&) override { return miss(); }
  std::optional<std::string> port_to_service(std::uint16_t, std::uint8_t) override {
    return miss();
  }

 private:
  std::nullopt_t miss() {
    asked_ = true;
    return std::nullopt;
  }
  bool asked_ = false;
};

}  // namespace uvs::ipvsadm
