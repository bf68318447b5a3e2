#include "daemon/kited/spd_routes.hpp"

#include <fmt/format.h>

namespace kite::daemon {

SpdRoutes::SpdRoutes(const ike::GatewayConfig& gateway, const Logger& logger)
    : table_(gateway.route_table), enabled_(gateway.install_routes), logger_(logger) {}

void SpdRoutes::open() {
  if (!enabled_) return;
  auto routes = xfrm::RouteTable::open();
  if (!routes) {
    logger_.warning("spd routes disabled: " + routes.error().message);
    return;
  }
  routes_.emplace(std::move(*routes));
  if (auto st = routes_->flush_owned_routes(table_); !st)
    logger_.warning(fmt::format("removing stale routes of table {}: {}", table_, st.error().message));
}

bool SpdRoutes::wanted(const ike::TunnelConfig& tunnel) const {
  return routes_ && tunnel.mode == ike::TunnelMode::Spd;
}

void SpdRoutes::ensure_rule(bool v6) {
  bool& done = v6 ? rule_v6_ : rule_v4_;
  if (done) return;
  if (auto st = routes_->add_rule({v6, table_, xfrm::kDefaultRulePriority}); !st) {
    logger_.warning(fmt::format("ip rule for table {}: {}", table_, st.error().message));
    return;
  }
  done = true;
}

void SpdRoutes::add(const ike::TunnelConfig& tunnel) {
  if (!wanted(tunnel)) return;
  for (const auto& m : tunnel.mappings) {
    if (refs_[m.remote]++ > 0) continue;
    ensure_rule(m.remote.is_v6());
    // The gateway's own address on the protected side as source, so its
    // own packets to the peer CIDR match the policy too.
    auto src = routes_->local_address_in(m.local);
    const std::optional<ike::IpAddress> source = src ? *src : std::nullopt;
    auto st = routes_->add_route(m.remote, tunnel.peer_address, source, table_);
    if (!st)
      logger_.log(LogLevel::Warning, tunnel.name,
                  fmt::format("route to {}: {}", m.remote.to_string(), st.error().message));
  }
}

void SpdRoutes::remove(const ike::TunnelConfig& tunnel) {
  if (!wanted(tunnel)) return;
  for (const auto& m : tunnel.mappings) {
    auto it = refs_.find(m.remote);
    if (it == refs_.end() || --it->second > 0) continue;
    refs_.erase(it);
    if (auto st = routes_->delete_route(m.remote, table_); !st)
      logger_.log(LogLevel::Warning, tunnel.name,
                  fmt::format("route to {}: {}", m.remote.to_string(), st.error().message));
  }
}

void SpdRoutes::clear() {
  if (!routes_) return;
  if (auto st = routes_->flush_owned_routes(table_); !st)
    logger_.warning(fmt::format("removing routes of table {}: {}", table_, st.error().message));
  for (bool v6 : {false, true}) {
    bool& done = v6 ? rule_v6_ : rule_v4_;
    if (done) (void)routes_->delete_rule({v6, table_, xfrm::kDefaultRulePriority});
    done = false;
  }
  refs_.clear();
}

}  // namespace kite::daemon
