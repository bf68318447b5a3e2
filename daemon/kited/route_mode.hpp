// SPEC.md §2 `mode: route`: kited's side of a route-mode tunnel. The
// engine negotiates wildcard selectors and stamps the tunnel's binding
// (TunnelStatus::route: if_id or mark, from its reqid) on every SA and
// policy; this creates the matching interface — an xfrm interface with
// that if_id, or where the kernel has none a VTI whose ikey/okey is that
// mark — brings it up, and installs route.remote through it in the main
// table (where `ip route` shows them, proto 107). Interface and routes go
// with the tunnel (removal, reload, SIGTERM); interfaces a crashed kited
// left are removed at start. Only interfaces kite owns (xfrm/link.hpp:
// kind and id in kite's reqid range) are ever touched: one of the same
// name that is not kite's refuses the tunnel.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "daemon/logger.hpp"
#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/tunnel_config.hpp"
#include "xfrm/link_table.hpp"

namespace kite::daemon {

class RouteMode {
 public:
  explicit RouteMode(const Logger& logger) : logger_(logger) {}

  // Opens rtnetlink, removes interfaces a crashed kited left and finds out
  // whether the kernel has xfrm interfaces. A failure is logged; route-mode
  // tunnels are then refused, spd mode is unaffected.
  void open();
  // What the engine must bind SAs and policies with (EngineOptions).
  ike::InterfaceKind kind() const { return kind_; }

  // Before the engine gets a route-mode tunnel: the interface name is free
  // or kite's own. No-op for spd tunnels.
  ike::Status check(const ike::TunnelConfig& tunnel);
  // After the engine took it: the interface for `binding`, up, with routes.
  // All or nothing. No-op for spd tunnels.
  ike::Status add(const ike::TunnelConfig& tunnel, const ike::RouteBinding& binding);
  // Routes and interface of a tunnel added before; errors are logged.
  void remove(const ike::TunnelConfig& tunnel);
  // Shutdown: every interface of every tunnel, and any owned leftover.
  void clear();

 private:
  ike::Result<xfrm::LinkInfo> create(const ike::TunnelConfig& tunnel, const ike::RouteBinding& binding);

  const Logger& logger_;
  std::optional<xfrm::LinkTable> links_;
  ike::InterfaceKind kind_ = ike::InterfaceKind::Vti;
  std::map<std::string, std::string> interfaces_;  // tunnel name -> interface it created
};

}  // namespace kite::daemon
