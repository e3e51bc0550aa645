#include "lb/forward.h"

namespace uvs::lb {

std::string_view listing_name(ForwardMethod m) {
  switch (m) {
    case ForwardMethod::kMasq:
      return "Masq";
    case ForwardMethod::kLocal:
      return "Local";
    case ForwardMethod::kTunnel:
      return "Tunnel";
    case ForwardMethod::kRoute:
      return "Route";
  }
  return "?";
}

std::string_view config_name(ForwardMethod m) {
  switch (m) {
    case ForwardMethod::kMasq:
      return "nat";
    case ForwardMethod::kLocal:
      return "local";
    case ForwardMethod::kTunnel:
      return "tun";
    case ForwardMethod::kRoute:
      return "dr";
  }
  return "?";
}

std::string_view config_name(TunnelType t) {
  switch (t) {
    case TunnelType::kIpip:
      return "ipip";
    case TunnelType::kGue:
      return "gue";
    case TunnelType::kGre:
      return "gre";
  }
  return "?";
}

std::string_view config_name(TunnelCsum c) {
  switch (c) {
    case TunnelCsum::kNoCsum:
      return "nocsum";
    case TunnelCsum::kCsum:
      return "csum";
    case TunnelCsum::kRemCsum:
      return "remcsum";
  }
  return "?";
}

}  // namespace uvs::lb
