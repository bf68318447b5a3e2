#include "export/peer_view.hpp"

#include <fmt/format.h>

namespace kite::exporter {
namespace {

ike::Identity address_id(const ike::IpAddress& address) {
  return {ike::Identity::Type::Ip, address.to_string()};
}

PeerRole role_of(ike::Negotiation negotiation) {
  switch (negotiation) {
    case ike::Negotiation::Active: return PeerRole::Responder;
    case ike::Negotiation::Passive: return PeerRole::Initiator;
    case ike::Negotiation::Traffic: return PeerRole::OnDemand;
  }
  return PeerRole::Responder;
}

ike::Result<std::vector<ike::SpdMapping>> mirrored_pairs(const ike::TunnelConfig& t) {
  std::vector<ike::SpdMapping> pairs;
  if (t.mode == ike::TunnelMode::Spd) {
    if (t.mappings.empty()) return ike::fail(fmt::format("tunnel '{}' has no SPD mappings", t.name));
    for (const auto& m : t.mappings) pairs.push_back({m.remote, m.local});
    return pairs;
  }
  // Route mode: kited negotiates wildcard selectors and routes by
  // interface; the peer's side of them is what kited routes into it.
  if (!t.route || t.route->remote.empty())
    return ike::fail(fmt::format("tunnel '{}' (mode route) routes no subnets", t.name));
  for (const auto& s : t.route->remote) pairs.push_back({s, any_of_family(s.is_v6())});
  return pairs;
}

}  // namespace

ike::Result<PeerView> mirror(const ike::TunnelConfig& tunnel, const ike::GatewayConfig& gateway) {
  auto pairs = mirrored_pairs(tunnel);
  if (!pairs) return ike::fail(pairs.error());
  PeerView v;
  v.tunnel = &tunnel;
  v.gateway_name = gateway.name;
  v.local_address = tunnel.peer_address;
  v.remote_address = tunnel.local_address;
  v.remote_ike_port = gateway.ike_port;
  v.remote_nat_t_port = gateway.nat_t_port;
  v.local_id = tunnel.remote_id.value_or(address_id(tunnel.peer_address));
  v.remote_id = tunnel.local_id.value_or(address_id(tunnel.local_address));
  v.pairs = std::move(*pairs);
  v.role = role_of(tunnel.negotiation);
  return v;
}

ike::Subnet any_of_family(bool v6) {
  return *ike::Subnet::parse(v6 ? "::/0" : "0.0.0.0/0");
}

std::string id_text(const ike::Identity& id) {
  return id.type == ike::Identity::Type::Fqdn ? "@" + id.value : id.value;
}

std::string seconds(ike::Seconds s) { return fmt::format("{}s", s.count()); }

ike::Seconds rekey_at(ike::Seconds lifetime) { return lifetime - lifetime / 10; }

std::string section_name(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    if (c == '.') c = '_';
  return out;
}

std::string psk_hex(const ike::Secret& psk) {
  std::string out = "0x";
  for (const auto b : psk.view()) out += fmt::format("{:02x}", b);
  return out;
}

std::optional<std::string> psk_text(const ike::Secret& psk) {
  std::string out;
  for (const auto b : psk.view()) {
    if (b < 0x20 || b == 0x7f) return std::nullopt;
    out += static_cast<char>(b);
  }
  return out;
}

std::string comment_text(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

}  // namespace kite::exporter
