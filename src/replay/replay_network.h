// replay_network.h — the kernel state `uvsd replay` pretends to have read, from [replay].
//
// The live daemon reads links, addresses and routes over rtnetlink (route/kernel_state.h) and
// builds its RouteTable and start-up checks from them. Replay builds the same route::KernelState
// from the configuration instead, so everything after that point — RouteTable::build, the
// start-up checks, the choice of served interfaces — is the live code:
//   links     lo (ifindex 1, loopback, MTU 65536) then each [[replay.interface]] in file order
//             (ifindex 2, 3, ...), all up with a carrier;
//   addrs     127.0.0.1/8 on lo, then each interface's addresses in file order;
//   routes    what the kernel adds for each address (the connected route of its subnet, on-link
//             with the address as preferred source; none for a /32, one per subnet), then each
//             [[replay.route]] in file order (main table, unicast, its metric and MTU).
// Owned by: any thread (pure function).
#pragma once

#include "config/config.h"
#include "route/kernel_state.h"

namespace uvs::replay {

route::KernelState build_kernel_state(const config::ReplayConfig& replay);

}  // namespace uvs::replay
