// `kitectl export`: the configuration of the customer gateway's side of a
// kite tunnel, for strongSwan (swanctl.conf) or libreswan (ipsec.conf and
// ipsec.secrets), so that loaded there it comes up against kited.
//
//   auto text = kite::exporter::to_swanctl(*config.find_tunnel("tom"), config.gateway);
//   if (!text) { std::cerr << text.error().message << "\n"; return 1; }
//
// Everything is mirrored: their local address, identity and subnets are
// kited's remote ones and the other way round; proposals, lifetimes and
// DPD follow kited's; kited's negotiation type decides who initiates. The
// output holds the tunnel's pre-shared key: the one place kite prints a
// secret, because the operator asked for exactly that (a comment at its top
// says so). An algorithm the peer implementation lacks (SM4, SM3; for
// libreswan also DES and DH groups 1, 2, 24) is an error naming it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "libike/common/result.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::exporter {

enum class Format { Swanctl, Libreswan };

std::optional<Format> parse_format(std::string_view name);  // "swanctl", "libreswan"
std::string_view format_name(Format format);

ike::Result<std::string> to_swanctl(const ike::TunnelConfig& tunnel, const ike::GatewayConfig& gateway);
ike::Result<std::string> to_libreswan(const ike::TunnelConfig& tunnel, const ike::GatewayConfig& gateway);
ike::Result<std::string> export_tunnel(Format format, const ike::TunnelConfig& tunnel,
                                       const ike::GatewayConfig& gateway);

}  // namespace kite::exporter
