// SPEC.md §2 "Routes": in spd mode kited puts a route to each peer CIDR
// into its own table (gateway.route_table, default 220) through the path
// to the peer, with an `ip rule` pointing at the table, so hosts behind the
// gateway need no manual routing; the routes go with their tunnel. Off
// with gateway.install_routes: false. Only routes kite marked as its own
// are ever removed (xfrm/route_table.hpp).
#pragma once
#include <map>
#include <optional>

#include "daemon/logger.hpp"
#include "libike/tunnel/tunnel_config.hpp"
#include "xfrm/route_table.hpp"

namespace kite::daemon {

class SpdRoutes {
 public:
  SpdRoutes(const ike::GatewayConfig& gateway, const Logger& logger);

  // Opens the rtnetlink socket and removes routes a crashed kited left in
  // the table. A failure disables routes (logged), never the daemon.
  void open();
  void add(const ike::TunnelConfig& tunnel);
  void remove(const ike::TunnelConfig& tunnel);
  // Shutdown: every kite route of the table and the rules go.
  void clear();

 private:
  bool wanted(const ike::TunnelConfig& tunnel) const;
  void ensure_rule(bool v6);

  std::uint32_t table_;
  bool enabled_;
  const Logger& logger_;
  std::optional<xfrm::RouteTable> routes_;
  // Two tunnels may reach the same peer CIDR from different local CIDRs.
  std::map<ike::Subnet, int> refs_;
  bool rule_v4_ = false, rule_v6_ = false;
};

}  // namespace kite::daemon
