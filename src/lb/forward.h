// forward.h — forwarding methods and tunnel options, with IPVS's numbering and names.
#pragma once

#include <cstdint>
#include <string_view>

namespace uvs::lb {

// Values as IP_VS_CONN_F_MASQ/LOCALNODE/TUNNEL/DROUTE/BYPASS.
enum class ForwardMethod : std::uint8_t { kMasq = 0, kLocal = 1, kTunnel = 2, kRoute = 3 };

enum class TunnelType : std::uint8_t { kIpip = 0, kGue = 1, kGre = 2 };

// IP_VS_TUNNEL_ENCAP_FLAG_*: nocsum is "no flag".
enum class TunnelCsum : std::uint8_t { kNoCsum = 0, kCsum = 1, kRemCsum = 2 };

struct TunnelSpec {
  TunnelType type = TunnelType::kIpip;
  std::uint16_t port = 0;  // GUE destination port
  TunnelCsum csum = TunnelCsum::kNoCsum;
  friend bool operator==(const TunnelSpec&, const TunnelSpec&) = default;
};

// "Masq", "Local", "Tunnel", "Route": ipvsadm's listing words.
std::string_view listing_name(ForwardMethod m);
// "nat", "local", "tun", "dr": uvs's TOML words.
std::string_view config_name(ForwardMethod m);
std::string_view config_name(TunnelType t);
std::string_view config_name(TunnelCsum c);

}  // namespace uvs::lb
