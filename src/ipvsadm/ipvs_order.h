// ipvs_order.h — the order in which ipvsadm lists services and real servers.
//
// libipvs's comparators, reproduced bug for bug (reference §6.2):
//   services: fwmark, address family, protocol, address, port;
//   real servers: address, port (no family: an IPv6 first operand compares 4 words, an IPv4
//   one only the first word).
// Each difference is computed as ipvsadm does: fwmarks and address words are subtracted as
// 32-bit unsigned values and the result is read as a signed int, so values 2^31 or more apart
// compare "backwards" (192.168.1.100 lists before 10.0.0.2, 172.16.x before 10.x). Ports and
// protocols are plain int differences. Sorting uses glibc's merge order (glibc_msort.h), since
// with such a comparator the algorithm decides the result. A fwmark service's protocol counts
// as TCP, which is what ipvsadm hands the kernel for -f.
// Pure functions; any thread.
#pragma once

#include <vector>

#include "ipvsadm/status.h"
#include "lb/service_spec.h"

namespace uvs::ipvsadm {

int compare_services(const lb::ServiceKey& a, const lb::ServiceKey& b);
int compare_dests(const lb::DestSpec& a, const lb::DestSpec& b);

// Services in listing order (kernel order kept when `nosort`); pointers into `status`.
std::vector<const ServiceStatus*> ordered_services(const IpvsStatus& status, bool nosort);
// A service's real servers in listing order (IPVS list order, newest first, when `nosort`).
std::vector<const DestStatus*> ordered_dests(const ServiceStatus& service, bool nosort);

}  // namespace uvs::ipvsadm
