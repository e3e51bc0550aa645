// libipvs's ipvs_cmp_services()/ipvs_cmp_dests() over uvs's value types. The wrapping
// subtraction is the point: uint32 differences are converted to int (modular in C++20), exactly
// what the C code does implicitly.
#include "ipvsadm/ipvs_order.h"

#include <span>

#include "ipvsadm/glibc_msort.h"
#include "net/byte_order.h"

namespace uvs::ipvsadm {

namespace {

int wrap_diff(std::uint32_t a, std::uint32_t b) {
  return static_cast<int>(a - b);
}

std::uint32_t word(const net::IpAddr& a, int i) {
  return net::load_be32(a.bytes() + 4 * i);
}

// ipvsadm compares the first word for IPv4 and all four for IPv6, deciding by the first
// operand's family; IpAddr keeps IPv4 in the first word with zeros after it, as the kernel's
// union nf_inet_addr does, so mixed families compare the same way.
int compare_addrs(const net::IpAddr& a, const net::IpAddr& b) {
  if (a.is_v6()) {
    int r = 0;
    for (int i = 0; r == 0 && i < 4; ++i) {
      r = wrap_diff(word(a, i), word(b, i));
    }
    return r;
  }
  return wrap_diff(word(a, 0), word(b, 0));
}

int af_number(net::Family f) {
  return f == net::Family::kV6 ? 10 : 2;  // AF_INET6, AF_INET
}

int protocol_number(const lb::ServiceKey& k) {
  return k.fwmark != 0 ? 6 : k.protocol;
}

}  // namespace

int compare_services(const lb::ServiceKey& a, const lb::ServiceKey& b) {
  int r = wrap_diff(a.fwmark, b.fwmark);
  if (r != 0) {
    return r;
  }
  r = af_number(a.af) - af_number(b.af);
  if (r != 0) {
    return r;
  }
  r = protocol_number(a) - protocol_number(b);
  if (r != 0) {
    return r;
  }
  r = compare_addrs(a.addr, b.addr);
  if (r != 0) {
    return r;
  }
  return static_cast<int>(a.port) - static_cast<int>(b.port);
}

int compare_dests(const lb::DestSpec& a, const lb::DestSpec& b) {
  const int r = compare_addrs(a.addr, b.addr);
  if (r != 0) {
    return r;
  }
  return static_cast<int>(a.port) - static_cast<int>(b.port);
}

std::vector<const ServiceStatus*> ordered_services(const IpvsStatus& status, bool nosort) {
  std::vector<const ServiceStatus*> out;
  out.reserve(status.services.size());
  for (const ServiceStatus& s : status.services) {
    out.push_back(&s);
  }
  if (!nosort) {
    glibc_msort(std::span<const ServiceStatus*>(out),
                [](const ServiceStatus* a, const ServiceStatus* b) {
                  return compare_services(a->spec.key, b->spec.key);
                });
  }
  return out;
}

std::vector<const DestStatus*> ordered_dests(const ServiceStatus& service, bool nosort) {
  std::vector<const DestStatus*> out;
  out.reserve(service.dests.size());
  for (const DestStatus& d : service.dests) {
    out.push_back(&d);
  }
  if (!nosort) {
    glibc_msort(std::span<const DestStatus*>(out), [](const DestStatus* a, const DestStatus* b) {
      return compare_dests(a->spec, b->spec);
    });
  }
  return out;
}

}  // namespace uvs::ipvsadm
