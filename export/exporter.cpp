#include "export/exporter.hpp"

namespace kite::exporter {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "swanctl") return Format::Swanctl;
  if (name == "libreswan") return Format::Libreswan;
  return std::nullopt;
}

std::string_view format_name(Format format) {
  return format == Format::Swanctl ? "swanctl" : "libreswan";
}

ike::Result<std::string> export_tunnel(Format format, const ike::TunnelConfig& tunnel,
                                       const ike::GatewayConfig& gateway) {
  return format == Format::Swanctl ? to_swanctl(tunnel, gateway) : to_libreswan(tunnel, gateway);
}

}  // namespace kite::exporter
