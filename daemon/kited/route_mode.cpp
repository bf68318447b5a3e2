#include "daemon/kited/route_mode.hpp"

#include <fmt/format.h>

namespace kite::daemon {

void RouteMode::open() {
  auto links = xfrm::LinkTable::open();
  if (!links) {
    logger_.warning("route mode unavailable: " + links.error().message);
    return;
  }
  links_.emplace(std::move(*links));
  if (auto stale = links_->flush_owned(); !stale)
    logger_.warning("removing stale route-mode interfaces: " + stale.error().message);
  else if (!stale->empty())
    logger_.warning(fmt::format("removed {} interface(s) a previous kited left behind", stale->size()));
  auto xfrmi = links_->supports_xfrm_interfaces();
  if (!xfrmi) logger_.warning(xfrmi.error().message + "; route mode will use VTIs");
  kind_ = xfrmi && *xfrmi ? ike::InterfaceKind::Xfrm : ike::InterfaceKind::Vti;
}

ike::Status RouteMode::check(const ike::TunnelConfig& tunnel) {
  if (tunnel.mode != ike::TunnelMode::Route) return {};
  if (!links_) return ike::fail("route mode unavailable (no rtnetlink socket)");
  if (!tunnel.route) return ike::fail("mode route without a route block");
  const auto& name = tunnel.route->interface;
  auto link = links_->find(name);
  if (!link) return ike::fail(link.error());
  if (*link && !xfrm::is_owned_link(**link))
    return ike::fail(fmt::format("interface {} exists and is not kite's ({}); not touching it", name,
                                 (*link)->kind.empty() ? "no kind" : "kind " + (*link)->kind));
  return {};
}

ike::Result<xfrm::LinkInfo> RouteMode::create(const ike::TunnelConfig& tunnel,
                                              const ike::RouteBinding& binding) {
  const auto& name = binding.interface;
  // A leftover of ours under this name (a tunnel re-added on reload whose
  // id changed): replace it.
  if (auto st = links_->remove(name); !st) return ike::fail(st.error());
  if (binding.kind == ike::InterfaceKind::Xfrm)
    return links_->create_xfrm({name, binding.id, 0});
  logger_.log(LogLevel::Info, tunnel.name,
              fmt::format("interface {}: no xfrm interface support in this kernel; using a VTI with mark {:#x}",
                          name, binding.id));
  return links_->create_vti({name, tunnel.local_address, tunnel.peer_address, binding.id, 0});
}

ike::Status RouteMode::add(const ike::TunnelConfig& tunnel, const ike::RouteBinding& binding) {
  if (tunnel.mode != ike::TunnelMode::Route) return {};
  if (!links_) return ike::fail("route mode unavailable (no rtnetlink socket)");
  auto link = create(tunnel, binding);
  if (!link) return ike::fail(link.error());
  interfaces_[tunnel.name] = link->name;
  for (const auto& dst : tunnel.route->remote) {
    if (auto st = links_->add_route(dst, link->index); !st) {
      remove(tunnel);
      return ike::fail(fmt::format("interface {}: {}", link->name, st.error().message));
    }
  }
  logger_.log(LogLevel::Info, tunnel.name,
              fmt::format("interface {} ({} {} {:#x}) up, {} route(s) through it", link->name,
                          ike::to_string(binding.kind),
                          binding.kind == ike::InterfaceKind::Xfrm ? "if_id" : "mark", binding.id,
                          tunnel.route->remote.size()));
  return {};
}

void RouteMode::remove(const ike::TunnelConfig& tunnel) {
  auto it = interfaces_.find(tunnel.name);
  if (it == interfaces_.end() || !links_) return;
  const std::string name = it->second;
  interfaces_.erase(it);
  // Deleting the interface takes its routes too; deleting them first keeps
  // a route that is somehow not via the interface from staying behind.
  if (tunnel.route)
    for (const auto& dst : tunnel.route->remote)
      if (auto st = links_->delete_route(dst); !st) logger_.log(LogLevel::Warning, tunnel.name, st.error().message);
  if (auto st = links_->remove(name); !st) logger_.log(LogLevel::Warning, tunnel.name, st.error().message);
}

void RouteMode::clear() {
  if (!links_) return;
  for (const auto& [tunnel, name] : interfaces_)
    if (auto st = links_->remove(name); !st) logger_.log(LogLevel::Warning, tunnel, st.error().message);
  interfaces_.clear();
  if (auto rest = links_->flush_owned(); !rest) logger_.warning("final interface flush: " + rest.error().message);
}

}  // namespace kite::daemon
