// A kite tunnel turned around: the customer gateway's view of it, shared
// by the swanctl and libreswan writers. Every "local" here is the
// customer gateway's, every "remote" is kited's.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libike/common/result.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::exporter {

// What the customer gateway does about bringing the tunnel up, from
// kited's negotiation type.
enum class PeerRole {
  Responder,  // kited is active: it initiates and keeps the tunnel up
  Initiator,  // kited is passive: the customer gateway must initiate
  OnDemand,   // kited negotiates on traffic: both sides trap
};

struct PeerView {
  const ike::TunnelConfig* tunnel = nullptr;  // proposals, lifetimes, DPD, PSK
  std::string gateway_name;                   // kite's gateway
  ike::IpAddress local_address;               // the customer gateway (our peer)
  ike::IpAddress remote_address;              // kited (our local_address)
  std::uint16_t remote_ike_port = 500;
  std::uint16_t remote_nat_t_port = 4500;
  ike::Identity local_id;   // our remote_id, else their address
  ike::Identity remote_id;  // our local_id, else our address
  // Mirrored SPD mappings (local = their subnet). In route mode: each
  // routed subnet against the wildcard of its family.
  std::vector<ike::SpdMapping> pairs;
  PeerRole role = PeerRole::Responder;
};

ike::Result<PeerView> mirror(const ike::TunnelConfig& tunnel, const ike::GatewayConfig& gateway);

// The wildcard selector of a family: 0.0.0.0/0 or ::/0.
ike::Subnet any_of_family(bool v6);

// "192.0.2.1", or "@vpn.example" for a host name (strongSwan and
// libreswan both read '@' as "an FQDN, do not resolve it").
std::string id_text(const ike::Identity& id);

// Seconds as "3600s".
std::string seconds(ike::Seconds s);
// The time to start rekeying: 90% of a lifetime (kited rekeys at
// 85-90% of its own, so neither side lets an SA run out).
ike::Seconds rekey_at(ike::Seconds lifetime);

// A name for a config section: swanctl.conf splits keys at '.', so
// "tom.vpn" becomes "tom_vpn".
std::string section_name(std::string_view name);

// The pre-shared key as "0x" and lower-case hex: both peers read that
// form for keys their quoted strings cannot carry. Printing a secret is
// the point of an export (see exporter.hpp).
std::string psk_hex(const ike::Secret& psk);
// The key as text, if it is printable (no control characters).
std::optional<std::string> psk_text(const ike::Secret& psk);

// Text safe inside a '#' comment: no line breaks or other controls.
std::string comment_text(std::string_view text);

}  // namespace kite::exporter
