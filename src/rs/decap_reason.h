// decap_reason.h — the one list of reasons `uvs-rs decap` drops a tunnel packet.
//
// Purpose: every packet the decapsulator reads ends either delivered to the local stack through
// the TUN device or dropped for exactly one DecapReason. The enum, the stable snake_case names
// printed in the counter summary and the one-line descriptions all come from the list below, so
// they cannot drift apart. The list is separate from base/drop_reason.h on purpose: that list
// belongs to uvsd's pipeline, this one to the real-server helper, and neither program prints
// the other's reasons.
//
// Inputs/outputs: none (a table). Errors: none.
// Owned by: whoever holds a DecapCounters (the decap thread); the tables are constant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace uvs::rs {

// X(enumerator, "stable_name", "what it means")
#define UVS_DECAP_REASONS(X)                                                                       \
  X(kNone, "none", "not dropped")                                                                  \
  X(kTooBig, "too_big", "packet larger than the receive buffer")                                   \
  X(kOuterMalformed,                                                                               \
    "outer_malformed",                                                                             \
    "outer IPv4 header cut off, not version 4, or its lengths lie about the packet")               \
  X(kOuterWrongProtocol, "outer_wrong_protocol", "outer protocol is not the socket's (4 or 47)")   \
  X(kGreTruncated, "gre_truncated", "GRE header cut off")                                          \
  X(kGreBadVersion, "gre_bad_version", "GRE version is not 0 (e.g. PPTP's enhanced GRE)")          \
  X(kGreUnsupportedFlags,                                                                          \
    "gre_unsupported_flags",                                                                       \
    "GRE routing, key, sequence or recursion bits set (IPVS sends none of them)")                  \
  X(kGreBadChecksum, "gre_bad_checksum", "GRE checksum present and wrong")                         \
  X(kGreNotIpv4, "gre_not_ipv4", "GRE protocol type is not IPv4 (0x0800)")                         \
  X(kGueTruncated, "gue_truncated", "UDP payload shorter than the 4-byte GUE header")              \
  X(kGueBadVersion, "gue_bad_version", "GUE version is not 0")                                     \
  X(kGueControl, "gue_control", "GUE control message (C bit set), not data")                       \
  X(kGueOptions, "gue_options", "GUE optional fields or flags other than remote checksum offload") \
  X(kGueBadRemcsum, "gue_bad_remcsum", "GUE remote checksum offsets outside the inner packet")     \
  X(kGueNotIpv4, "gue_not_ipv4", "GUE protocol is not IPv4 (4)")                                   \
  X(kInnerTruncated, "inner_truncated", "inner packet shorter than an IPv4 header")                \
  X(kInnerNotIpv4, "inner_not_ipv4", "inner packet's version field is not 4")                      \
  X(kInnerBadLength,                                                                               \
    "inner_bad_length",                                                                            \
    "inner header length below 20, or total length not what the tunnel carried")                   \
  X(kInnerBadChecksum, "inner_bad_checksum", "inner IPv4 header checksum wrong")                   \
  X(kTunWriteFailed, "tun_write_failed", "the TUN device refused the inner packet")

#define UVS_DECAP_ENUM_ENTRY(e, name, doc) e,
enum class DecapReason : std::uint8_t { UVS_DECAP_REASONS(UVS_DECAP_ENUM_ENTRY) kCount };
#undef UVS_DECAP_ENUM_ENTRY

inline constexpr std::size_t kDecapReasonCount = static_cast<std::size_t>(DecapReason::kCount);

std::string_view name(DecapReason r);
std::string_view description(DecapReason r);

}  // namespace uvs::rs
