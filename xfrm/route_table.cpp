#include "xfrm/route_table.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <fmt/format.h>

#include <cerrno>
#include <vector>

namespace kite::xfrm {

using ike::fail;

namespace {

std::string rule_text(const RuleSpec& rule) {
  return fmt::format("IPv{} rule priority {} lookup table {}", rule.v6 ? 6 : 4, rule.priority, rule.table);
}

}  // namespace

ike::Result<RouteTable> RouteTable::open() {
  auto socket = NetlinkSocket::open(NETLINK_ROUTE);
  if (!socket) return fail(fmt::format("rtnetlink: {}", socket.error().message));
  return RouteTable(std::move(*socket));
}

ike::Result<OuterRoute> RouteTable::route_to(const ike::IpAddress& peer) {
  std::optional<OuterRoute> route;
  auto done = socket_.request(build_get_route(peer), [&](const NetlinkMessage& m) {
    if (m.type == RTM_NEWROUTE) route = parse_outer_route(m.payload);
  });
  if (!done)
    return fail(fmt::format("no route to {}: {}", peer.to_string(), done.error().describe()));
  if (!route) return fail(fmt::format("no route to {}: malformed answer", peer.to_string()));
  return *route;
}

ike::Result<std::optional<ike::IpAddress>> RouteTable::local_address_in(const ike::Subnet& subnet) {
  std::optional<ike::IpAddress> found;
  auto done = socket_.dump(build_dump_addresses(), [&](const NetlinkMessage& m) {
    if (m.type != RTM_NEWADDR || found) return;
    if (auto a = parse_address(m.payload); a && subnet.contains(*a)) found = a;
  });
  if (!done) return fail(fmt::format("cannot list addresses: {}", done.error().describe()));
  return found;
}

ike::Status RouteTable::add_route(const ike::Subnet& dst, const ike::IpAddress& peer,
                                  const std::optional<ike::IpAddress>& src, std::uint32_t table) {
  auto outer = route_to(peer);
  if (!outer) return fail(fmt::format("cannot route {} to peer: {}", dst.to_string(), outer.error().message));
  RouteSpec spec{dst, table, outer->oif, outer->gateway, src};
  // An on-link peer is its own next hop; across families (IPv6 inside
  // IPv4) the route can only name the device.
  if (!spec.gateway && peer.is_v6() == dst.is_v6()) spec.gateway = peer;
  if (spec.gateway && spec.gateway->is_v6() != dst.is_v6()) spec.gateway.reset();
  auto message = build_add_route(spec);
  if (!message) return fail(fmt::format("cannot add route to {}: {}", dst.to_string(), message.error().message));
  auto done = socket_.request(std::move(*message));
  if (!done)
    return fail(fmt::format("cannot add route to {} in table {}: {}", dst.to_string(), table,
                            done.error().describe()));
  return {};
}

ike::Status RouteTable::delete_route(const ike::Subnet& dst, std::uint32_t table) {
  auto done = socket_.request(build_delete_route({dst, table, kRouteProtocol}));
  if (!done && done.error().error != ESRCH)
    return fail(fmt::format("cannot delete route to {} in table {}: {}", dst.to_string(), table,
                            done.error().describe()));
  return {};
}

ike::Status RouteTable::add_rule(const RuleSpec& rule) {
  auto done = socket_.request(build_add_rule(rule));
  if (!done && done.error().error != EEXIST)
    return fail(fmt::format("cannot add {}: {}", rule_text(rule), done.error().describe()));
  return {};
}

ike::Status RouteTable::delete_rule(const RuleSpec& rule) {
  auto done = socket_.request(build_delete_rule(rule));
  if (!done && done.error().error != ENOENT)
    return fail(fmt::format("cannot delete {}: {}", rule_text(rule), done.error().describe()));
  return {};
}

ike::Status RouteTable::flush_owned_routes(std::uint32_t table) {
  std::vector<RouteEntry> owned;
  for (bool v6 : {false, true}) {
    auto done = socket_.dump(build_dump_routes(v6), [&](const NetlinkMessage& m) {
      if (m.type != RTM_NEWROUTE) return;
      auto r = parse_route_entry(m.payload);
      if (r && r->table == table && r->protocol == kRouteProtocol) owned.push_back(*r);
    });
    if (!done) return fail(fmt::format("cannot list routes: {}", done.error().describe()));
  }
  for (const auto& r : owned)
    if (auto ok = delete_route(r.dst, r.table); !ok) return ok;
  return {};
}

}  // namespace kite::xfrm
