// The tunnel model libike works from: what conf/ produces after parsing and
// validating the YAML (SPEC.md §2), with every default applied. Plain data,
// shared by IKEv1 and IKEv2 and by the daemon; no yaml-cpp here.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libike/common/address.hpp"
#include "libike/common/secret.hpp"
#include "libike/crypto/algorithms.hpp"

namespace ike {

using Seconds = std::chrono::seconds;

enum class IkeVersion : std::uint8_t { V1, V2 };
enum class ExchangeMode : std::uint8_t { Main, Aggressive };  // IKEv1 only
enum class Negotiation : std::uint8_t { Active, Passive, Traffic };
enum class TunnelMode : std::uint8_t { Spd, Route };
enum class DpdAction : std::uint8_t { Restart, Clear };

struct Identity {
  enum class Type : std::uint8_t { Ip, Fqdn };
  Type type = Type::Ip;
  std::string value;  // an address for Ip, a host name for Fqdn
  friend bool operator==(const Identity&, const Identity&) = default;
};

// Phase 1 / IKE SA proposal: every combination of the lists is offered,
// most preferred first (order of the config lists).
struct IkeProposalConfig {
  std::vector<crypto::EncrAlg> encryption{crypto::EncrAlg::Aes128Cbc};
  std::vector<crypto::IntegAlg> integrity{crypto::IntegAlg::HmacSha256_128};  // empty for AEAD-only
  std::vector<crypto::DhGroup> dh_groups{crypto::DhGroup::Modp2048};
  Seconds lifetime{86400};
  friend bool operator==(const IkeProposalConfig&, const IkeProposalConfig&) = default;
};

// Phase 2 / CHILD SA (ESP) proposal.
struct EspProposalConfig {
  std::vector<crypto::EncrAlg> encryption{crypto::EncrAlg::Aes128Cbc};
  std::vector<crypto::IntegAlg> integrity{crypto::IntegAlg::HmacSha256_128};
  std::optional<crypto::DhGroup> pfs;  // none when empty
  Seconds lifetime{3600};
  std::uint64_t lifetime_kb = 1843200;
  friend bool operator==(const EspProposalConfig&, const EspProposalConfig&) = default;
};

// One SPD mapping: a local subnet to one peer subnet. A config rule with
// several peer CIDRs becomes several mappings.
struct SpdMapping {
  Subnet local;
  Subnet remote;
  friend bool operator==(const SpdMapping&, const SpdMapping&) = default;
};

struct RouteConfig {
  std::string interface;        // xfrm interface (or VTI fallback) name
  std::vector<Subnet> remote;   // routes installed through it
  friend bool operator==(const RouteConfig&, const RouteConfig&) = default;
};

struct DpdConfig {
  bool enabled = true;
  Seconds timeout{30};
  DpdAction action = DpdAction::Restart;
  friend bool operator==(const DpdConfig&, const DpdConfig&) = default;
};

// A probe sent through the tunnel from `local` to `remote` every
// `interval`; `retries` lost probes in a row mark the tunnel down.
struct HealthCheckConfig {
  bool enabled = false;
  std::optional<IpAddress> local;
  std::optional<IpAddress> remote;
  Seconds interval{2};
  std::uint32_t retries = 3;
  friend bool operator==(const HealthCheckConfig&, const HealthCheckConfig&) = default;
};

struct TunnelConfig {
  std::string name;
  std::string customer_gateway;  // its name
  IpAddress local_address;       // the gateway's IKE source address
  IpAddress peer_address;        // the customer gateway's address
  Secret psk;
  Negotiation negotiation = Negotiation::Active;
  TunnelMode mode = TunnelMode::Spd;
  std::vector<SpdMapping> mappings;  // mode spd
  std::optional<RouteConfig> route;  // mode route
  DpdConfig dpd;
  HealthCheckConfig health_check;
  IkeVersion version = IkeVersion::V2;
  ExchangeMode exchange_mode = ExchangeMode::Main;
  IkeProposalConfig ike;
  EspProposalConfig ipsec;
  std::optional<Identity> local_id;   // default: ID_IPV4/6_ADDR of local_address
  std::optional<Identity> remote_id;  // default: accept the peer address as ID
  friend bool operator==(const TunnelConfig&, const TunnelConfig&) = default;
};

struct GatewayConfig {
  std::string name;
  IpAddress local_address;
  std::uint16_t ike_port = 500;
  std::uint16_t nat_t_port = 4500;
  std::string control_socket = "/run/kite/kited.sock";
  std::string log_level = "info";
  std::uint32_t route_table = 220;
  bool install_routes = true;
  friend bool operator==(const GatewayConfig&, const GatewayConfig&) = default;
};

// The whole validated configuration. Immutable once built; the daemon diffs
// a new one against the running one on reload.
struct Config {
  GatewayConfig gateway;
  std::vector<TunnelConfig> tunnels;
  const TunnelConfig* find_tunnel(std::string_view name) const {
    for (const auto& t : tunnels)
      if (t.name == name) return &t;
    return nullptr;
  }
};

}  // namespace ike
