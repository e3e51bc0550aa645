// config_limits.h — the numeric bounds of the config file, taken from ipvsadm and the kernel.
//
// Shared by the loader's parts (config_loader.cc, service_reader.cc) so that a bound, and the
// range its error message prints, is written once. Plain constants; any thread.
//
// kMaxServices and kMaxRealServers are uvs's own: how many services and real servers uvsd holds
// at once (IPVS is bounded by memory only). They are part of the file's contract, so --check,
// start-up and reload all refuse a file above them before anything is applied; the control plane
// (control::ControlPlane) holds uvsadm to the same numbers, failing -A / -a beyond them with
// ENOMEM as IPVS does when it cannot allocate ("Memory allocation problem").
#pragma once

#include <cstddef>
#include <cstdint>

namespace uvs::config {

inline constexpr std::uint8_t kProtoTcp = 6;   // IPPROTO_TCP
inline constexpr std::uint8_t kProtoUdp = 17;  // IPPROTO_UDP

inline constexpr std::int64_t kMaxSeconds = 2678400;       // ipvsadm -p and --set (31 days)
inline constexpr std::int64_t kMaxConnMax = 2147483646;    // 2^31 - 2
inline constexpr std::int64_t kMaxThreshold = 2147483647;  // ipvsadm -x / -y
inline constexpr std::int64_t kMaxWeight = 65535;          // ipvsadm -w
inline constexpr std::int64_t kMaxU32 = 4294967295;
inline constexpr std::int64_t kMaxMark = kMaxU32;            // ipvsadm -f
inline constexpr std::size_t kMaxIfName = 15;                // IFNAMSIZ - 1
inline constexpr std::int64_t kMaxTracePackets = 1000000;    // [daemon] trace_packets
inline constexpr std::int64_t kMaxVipProbeInterval = 86400;  // [daemon] vip_probe_interval, s
inline constexpr std::int64_t kMinMtu = 68;                  // IPv4's minimum (RFC 791)
inline constexpr std::int64_t kMaxMtu = 65535;
inline constexpr std::uint32_t kMaxServices = 4096;  // [[service]] tables, in all
// [[service.real]] tables of all services together, plus one per sorry_server (the health
// checks add it as a real server when a service loses its quorum).
inline constexpr std::uint32_t kMaxRealServers = 16384;

}  // namespace uvs::config
