// The socket side of the spd-mode routes (route.hpp has the messages): a
// NETLINK_ROUTE request socket that finds the path to a peer and installs
// or removes routes and the rule for kite's table. Only routes with
// rtm_protocol kRouteProtocol are kite's; nothing else is ever deleted.
#pragma once
#include <cstdint>
#include <optional>

#include "libike/common/address.hpp"
#include "libike/common/result.hpp"
#include "xfrm/route.hpp"
#include "xfrm/socket.hpp"

namespace kite::xfrm {

class RouteTable {
 public:
  static ike::Result<RouteTable> open();

  // How the kernel reaches `peer` now (RTM_GETROUTE).
  ike::Result<OuterRoute> route_to(const ike::IpAddress& peer);
  // One of this host's addresses inside `subnet` (the gateway's address on
  // the protected side), if it has one: the preferred source for add_route.
  ike::Result<std::optional<ike::IpAddress>> local_address_in(const ike::Subnet& subnet);

  // A route to `dst` in `table` through the device (and next hop) that
  // reaches `peer`, as SPEC.md §2 wants for spd mode. Replaces an existing
  // route to dst in that table.
  ike::Status add_route(const ike::Subnet& dst, const ike::IpAddress& peer,
                        const std::optional<ike::IpAddress>& src,
                        std::uint32_t table = kDefaultRouteTable);
  // Deletes kite's route to dst; one that is already gone is success.
  ike::Status delete_route(const ike::Subnet& dst, std::uint32_t table = kDefaultRouteTable);

  // `ip rule add pref P lookup T` for one family; present already: success.
  ike::Status add_rule(const RuleSpec& rule);
  ike::Status delete_rule(const RuleSpec& rule);

  // Deletes every route of kite's protocol in `table`, both families
  // (daemon start after a crash, and shutdown).
  ike::Status flush_owned_routes(std::uint32_t table = kDefaultRouteTable);

 private:
  explicit RouteTable(NetlinkSocket socket) : socket_(std::move(socket)) {}
  NetlinkSocket socket_;
};

}  // namespace kite::xfrm
