// Pure rtnetlink builders and parsers for SPEC.md §2's spd-mode routes:
// a route to each peer subnet in kite's own table (default 220) through
// the device (and next hop) that reaches the peer's outer address, plus an
// `ip rule` that sends lookups to that table. Routes kite installs carry
// rtm_protocol kRouteProtocol, so kite finds and removes exactly its own
// (like the reqid range for XFRM, ownership.hpp).
#pragma once
#include <cstdint>
#include <optional>

#include "libike/common/address.hpp"
#include "libike/common/bytes.hpp"
#include "libike/common/result.hpp"

namespace kite::xfrm {

inline constexpr std::uint32_t kDefaultRouteTable = 220;
// `ip rule` priority: before the main table (32766), after local (0).
inline constexpr std::uint32_t kDefaultRulePriority = 220;
// rtm_protocol of kite's routes ('k'; unused in iproute2's rt_protos).
inline constexpr std::uint8_t kRouteProtocol = 0x6b;

// How the kernel reaches an address: RTM_GETROUTE's answer.
struct OuterRoute {
  std::uint32_t oif = 0;                  // output interface index
  std::optional<ike::IpAddress> gateway;  // next hop, if not on-link
  std::optional<ike::IpAddress> prefsrc;  // the source the kernel would pick
};

// A route kite installs: dst through oif, optionally via a next hop, with a
// preferred source (the gateway's own address in the local protected
// subnet, so its own traffic to the peer subnet matches the policy).
struct RouteSpec {
  ike::Subnet dst;
  std::uint32_t table = kDefaultRouteTable;
  std::uint32_t oif = 0;
  std::optional<ike::IpAddress> gateway;
  std::optional<ike::IpAddress> src;
  friend bool operator==(const RouteSpec&, const RouteSpec&) = default;
};

// A route from a dump: enough to decide ownership and delete it.
struct RouteEntry {
  ike::Subnet dst;
  std::uint32_t table = 0;
  std::uint8_t protocol = 0;
};

// An `ip rule ... lookup table` for one family.
struct RuleSpec {
  bool v6 = false;
  std::uint32_t table = kDefaultRouteTable;
  std::uint32_t priority = kDefaultRulePriority;
};

// RTM_GETROUTE for one destination (the peer's outer address).
ike::Bytes build_get_route(const ike::IpAddress& dst);
// RTM_NEWROUTE (create or replace) / RTM_DELROUTE. Refused when the
// next hop or source is not of the destination's family.
ike::Result<ike::Bytes> build_add_route(const RouteSpec& route);
ike::Bytes build_delete_route(const RouteEntry& route);
// RTM_GETROUTE dump of one family.
ike::Bytes build_dump_routes(bool v6);
// RTM_NEWRULE (fails with EEXIST if present) / RTM_DELRULE.
ike::Bytes build_add_rule(const RuleSpec& rule);
ike::Bytes build_delete_rule(const RuleSpec& rule);
// RTM_GETADDR dump (both families).
ike::Bytes build_dump_addresses();

// RTM_NEWROUTE payloads: the answer to build_get_route, or dump entries.
std::optional<OuterRoute> parse_outer_route(ike::ByteView payload);
std::optional<RouteEntry> parse_route_entry(ike::ByteView payload);
// RTM_NEWADDR payloads: the address (IFA_LOCAL, else IFA_ADDRESS).
std::optional<ike::IpAddress> parse_address(ike::ByteView payload);

}  // namespace kite::xfrm
