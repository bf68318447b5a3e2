// Route mode (SPEC.md §2 `mode: route`, issue 5 item 5) in the engine.
//
// A route-mode tunnel negotiates one CHILD SA per inner family with
// wildcard traffic selectors (0.0.0.0/0 <-> 0.0.0.0/0, ::/0 <-> ::/0), as
// route-based cloud VPN gateways do: which traffic enters the tunnel is
// decided by routes through its interface, not by selectors. The engine
// stays sans-I/O: it only stamps the interface binding (if_id or mark,
// derived from the tunnel's reqid) on every SA and policy it installs and
// reports it in TunnelStatus::route; the daemon creates the interface with
// that id (daemon/kited/route_mode.cpp). Deriving the id here keeps one
// source of truth: the reqid pool already guarantees uniqueness and kite's
// ownership range, so a crashed kited's interfaces are recognisable too.
#pragma once
#include <cstdint>
#include <vector>

#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike {

// The synthetic SPD mappings of a route-mode tunnel: one wildcard pair for
// each inner family among route.remote (IPv4 when it names none).
std::vector<SpdMapping> wildcard_mappings(const TunnelConfig& tunnel);

// The tunnel's interface binding: id = the reqid of its first mapping.
RouteBinding route_binding(const TunnelConfig& tunnel, InterfaceKind kind, std::uint32_t reqid);

}  // namespace ike
