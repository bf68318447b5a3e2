// Stage 2: rules across tunnels and files (SPEC.md §2), and the final model.
#include <map>

#include <fmt/format.h>

#include "conf/parse.hpp"
#include "conf/values.hpp"

namespace kite::conf {

namespace {

// SPEC.md §2: at most 200 SPD mappings per gateway.
constexpr std::size_t kMaxMappings = 200;

void error(Diagnostics& d, const Where& w, std::string rule, std::string detail) {
  d.add({Severity::Error, w.file, w.line, w.column, std::move(rule), std::move(detail)});
}

std::string at(const Where& w) { return fmt::format("{}:{}:{}", w.file, w.line, w.column); }

void check_customer_gateways(const Model& m, Diagnostics& d) {
  std::map<std::string, const CustomerGatewayEntry*> seen;
  for (const auto& c : m.customer_gateways) {
    if (c.name.empty()) continue;
    auto [it, fresh] = seen.emplace(c.name, &c);
    if (!fresh)
      error(d, c.name_at, "duplicate-name",
            fmt::format("customer gateway '{}' is already defined at {}", c.name, at(it->second->name_at)));
    if (m.gateway && m.gateway->has_local_address && c.address == m.gateway->config.local_address)
      error(d, c.address_at, "customer-gateway-address",
            fmt::format("customer gateway '{}' has the gateway's own local_address {}", c.name,
                        c.address->to_string()));
  }
}

void check_tunnel_names(const Model& m, Diagnostics& d) {
  std::map<std::string, const TunnelEntry*> seen;
  for (const auto& t : m.tunnels) {
    if (t.config.name.empty()) continue;
    auto [it, fresh] = seen.emplace(t.config.name, &t);
    if (!fresh)
      error(d, t.name_at, "duplicate-name",
            fmt::format("tunnel '{}' is already defined at {}", t.config.name, at(it->second->name_at)));
  }
}

// The tunnel's customer gateway exists, and its address is of the same
// family as the gateway's IKE address; then both go into the tunnel.
void resolve_peer(const Model& m, TunnelEntry& t, Diagnostics& d) {
  const auto& ref = t.config.customer_gateway;
  if (ref.empty()) return;
  std::vector<std::string_view> names;
  const CustomerGatewayEntry* found = nullptr;
  for (const auto& c : m.customer_gateways) {
    names.push_back(c.name);
    if (c.name == ref) found = &c;
  }
  if (!found) {
    error(d, t.customer_gateway_at, "unknown-customer-gateway",
          fmt::format("customer gateway '{}' is not defined{}", ref, did_you_mean(ref, names)));
    return;
  }
  if (!found->address || !m.gateway || !m.gateway->has_local_address) return;
  const auto& local = m.gateway->config.local_address;
  if (local.is_v6() != found->address->is_v6()) {
    error(d, t.customer_gateway_at, "address-family",
          fmt::format("customer gateway '{}' ({}) and gateway.local_address ({}) are of different address families",
                      ref, found->address->to_string(), local.to_string()));
    return;
  }
  t.config.local_address = local;
  t.config.peer_address = *found->address;
}

struct MappingRef {
  const TunnelEntry* tunnel;
  std::size_t index;
  const ike::SpdMapping& mapping() const { return tunnel->config.mappings[index]; }
  const MappingOrigin& origin() const { return tunnel->mapping_origins[index]; }
};

std::string describe(const MappingRef& r) {
  return fmt::format("{} -> {}", r.mapping().local.to_string(), r.mapping().remote.to_string());
}

// Two mappings whose local and remote ranges both overlap would select the
// same packets for two SAs. Pairs within one rule were already reported as
// spd-remote-overlap.
void check_mappings(const Model& m, Diagnostics& d) {
  std::vector<MappingRef> all;
  for (const auto& t : m.tunnels)
    if (t.config.mode == ike::TunnelMode::Spd)
      for (std::size_t i = 0; i < t.config.mappings.size(); ++i) all.push_back({&t, i});
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const auto &a = all[j], &b = all[i];
      if (a.tunnel == b.tunnel && a.origin().rule == b.origin().rule) continue;
      if (!a.mapping().local.overlaps(b.mapping().local) || !a.mapping().remote.overlaps(b.mapping().remote))
        continue;
      error(d, b.origin().remote_at, "spd-mapping-overlap",
            fmt::format("mapping {} of tunnel '{}' overlaps mapping {} of tunnel '{}' at {}", describe(b),
                        b.tunnel->config.name, describe(a), a.tunnel->config.name, at(a.origin().remote_at)));
      break;  // one report per mapping is enough
    }
  }
  if (all.size() > kMaxMappings)
    error(d, all[kMaxMappings].origin().remote_at, "spd-mapping-limit",
          fmt::format("the gateway has {} SPD mappings; at most {} are allowed", all.size(), kMaxMappings));
}

void check_routes(const Model& m, Diagnostics& d) {
  std::map<std::string, const TunnelEntry*> interfaces;
  std::vector<std::pair<const TunnelEntry*, std::size_t>> seen;
  for (const auto& t : m.tunnels) {
    if (t.config.mode != ike::TunnelMode::Route || !t.config.route) continue;
    const auto& route = *t.config.route;
    if (!route.interface.empty()) {
      auto [it, fresh] = interfaces.emplace(route.interface, &t);
      if (!fresh)
        error(d, t.interface_at, "duplicate-interface",
              fmt::format("interface '{}' is already used by tunnel '{}'", route.interface, it->second->config.name));
    }
    for (std::size_t i = 0; i < route.remote.size(); ++i) {
      for (const auto& [other, k] : seen) {
        const auto& o = other->config.route->remote[k];
        if (!o.overlaps(route.remote[i])) continue;
        error(d, t.route_at[i], "route-overlap",
              fmt::format("route {} overlaps route {} of tunnel '{}' at {}", route.remote[i].to_string(),
                          o.to_string(), other->config.name, at(other->route_at[k])));
        break;
      }
      seen.emplace_back(&t, i);
    }
  }
}

}  // namespace

ike::Config check_model(Model& model, Diagnostics& diags) {
  check_customer_gateways(model, diags);
  check_tunnel_names(model, diags);
  for (auto& t : model.tunnels) resolve_peer(model, t, diags);
  check_mappings(model, diags);
  check_routes(model, diags);
  ike::Config config;
  if (model.gateway) config.gateway = model.gateway->config;
  for (auto& t : model.tunnels) config.tunnels.push_back(std::move(t.config));
  return config;
}

}  // namespace kite::conf
