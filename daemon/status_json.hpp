// The stable JSON views of the engine's state (`kitectl status --json`,
// `kitectl show --json`, `kitectl monitor --json`); README.md "Control
// protocol" documents every member. Add members, never rename or retype.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/protocol.hpp"
#include "libike/tunnel/engine.hpp"

namespace kite::daemon {

std::string_view state_name(ike::TunnelState state);    // down connecting up rekeying
std::string_view version_name(ike::IkeVersion version);  // ikev1 ikev2
std::string_view event_name(ike::TunnelEvent::Kind kind);  // up down rekeyed ...

std::string spi_hex(std::uint32_t spi);      // 8 hex digits
std::string ike_spi_hex(std::uint64_t spi);  // 16 hex digits
std::string utc_timestamp(std::chrono::system_clock::time_point when);  // RFC 3339, ms

// One element of status.tunnels: name, peer, state, ike_version, uptime,
// bytes/packets in/out summed over the tunnel's CHILD SAs.
Json tunnel_summary(const ike::TunnelStatus& tunnel, ike::TimePoint now);
// The summary plus ike_sa, nat_detected, children and last_error.
Json tunnel_detail(const ike::TunnelStatus& tunnel, ike::TimePoint now);
Json counters_json(const ike::EngineCounters& counters);
// A monitor line: {"event":..., "time":..., "tunnel":..., "message":...}.
Json event_json(const ike::TunnelEvent& event, std::chrono::system_clock::time_point when);

}  // namespace kite::daemon
