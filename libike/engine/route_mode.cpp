#include "libike/engine/route_mode.hpp"

namespace ike {

std::string_view to_string(InterfaceKind kind) {
  return kind == InterfaceKind::Vti ? "vti" : "xfrm";
}

std::vector<SpdMapping> wildcard_mappings(const TunnelConfig& tunnel) {
  bool v4 = false, v6 = false;
  if (tunnel.route)
    for (const auto& s : tunnel.route->remote) (s.is_v6() ? v6 : v4) = true;
  if (!v4 && !v6) v4 = true;
  std::vector<SpdMapping> out;
  // RFC 7296 §3.13.1: 0.0.0.0-255.255.255.255 (and ::-ffff:..:ffff) is
  // "any address"; IKEv1 sends the same as ID_IPV4_ADDR_SUBNET 0/0.
  if (v4) {
    const auto any = *Subnet::parse("0.0.0.0/0");
    out.push_back({any, any});
  }
  if (v6) {
    const auto any = *Subnet::parse("::/0");
    out.push_back({any, any});
  }
  return out;
}

RouteBinding route_binding(const TunnelConfig& tunnel, InterfaceKind kind, std::uint32_t reqid) {
  return {tunnel.route ? tunnel.route->interface : std::string(), kind, reqid};
}

}  // namespace ike
