#include "lb/service_spec.h"

namespace uvs::lb {

std::string ServiceKey::to_string() const {
  if (fwmark != 0) {
    return "FWM " + std::to_string(fwmark);
  }
  const char* p = protocol == 6 ? "TCP" : protocol == 17 ? "UDP" : protocol == 132 ? "SCTP" : "IP";
  return std::string(p) + " " + net::to_string(addr, port);
}

unsigned ServiceSpec::netmask_prefix() const {
  if (key.af == net::Family::kV6) {
    return netmask;
  }
  return static_cast<unsigned>(__builtin_popcount(netmask));
}

}  // namespace uvs::lb
