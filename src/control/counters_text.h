// counters_text.h — the data path's frame counters as text (uvsadm --counters, SIGUSR1 dumps):
// verdicts, every non-zero drop and pass reason by its stable name, ARP/ICMP events and the
// connection table's fill.
// Owned by: the control thread (reads Relaxed counters).
#pragma once

#include <cstdint>
#include <string>

#include "dataplane/counters.h"

namespace uvs::control {

std::string counters_text(const dataplane::Counters& c, std::uint64_t conn_capacity);

}  // namespace uvs::control
