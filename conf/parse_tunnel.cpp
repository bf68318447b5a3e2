// Stage 1: one tunnel: name, customer gateway, PSK, negotiation, mode with
// its spd/route block, DPD and health check. IKE/IPsec are parse_proposal.cpp.
#include <array>

#include <fmt/format.h>

#include "conf/parse.hpp"
#include "conf/psk.hpp"
#include "conf/values.hpp"

namespace kite::conf {

namespace {

constexpr std::array<std::string_view, 12> kTunnelKeys{
    "name", "customer_gateway", "pre_shared_key", "pre_shared_key_file", "negotiation", "mode",
    "spd",  "route",            "dpd",            "health_check",        "ike",         "ipsec"};
constexpr std::array<std::string_view, 2> kSpdRuleKeys{"local", "remote"};
constexpr std::array<std::string_view, 2> kRouteKeys{"interface", "remote"};
// kited creates and deletes an xfrm interface of this name at start to
// learn whether the kernel has them (xfrm/link_table.cpp).
constexpr std::string_view kReservedInterface = "kite-probe";
constexpr std::array<std::string_view, 3> kDpdKeys{"enabled", "timeout", "action"};
constexpr std::array<std::string_view, 5> kHealthKeys{"enabled", "local", "remote", "interval", "retries"};
constexpr std::array<std::string_view, 3> kNegotiations{"active", "passive", "traffic"};
constexpr std::array<std::string_view, 2> kModes{"spd", "route"};
constexpr std::array<std::string_view, 2> kDpdActions{"restart", "clear"};

// Ranges: DPD timeout per SPEC.md §2; health check like cloud VPNs (probe
// every 1..60 s, declare the tunnel down after 1..10 lost probes).
constexpr std::chrono::seconds kMinDpdTimeout{30}, kMaxDpdTimeout{60};
constexpr std::chrono::seconds kMinProbeInterval{1}, kMaxProbeInterval{60};

void read_psk_inline(FileCtx& ctx, const Value& v, ike::TunnelConfig& t) {
  if (!v.node.IsScalar()) {
    // Not read_string: its message would be harmless, but keep PSK errors uniform.
    ctx.error(v.where, "type", fmt::format("{} must be a string", v.name));
    return;
  }
  t.psk = ike::Secret::from_string(v.node.Scalar());
  if (auto problem = check_psk(t.psk, v.name)) ctx.error(v.where, problem->rule, problem->detail);
}

void read_psk_file_key(FileCtx& ctx, const Value& v, const ParseOptions& opts, ike::TunnelConfig& t) {
  auto text = read_string(ctx, v);
  if (!text) return;
  std::filesystem::path path(*text);
  if (path.is_relative()) path = opts.base_dir / path;
  auto psk = read_psk_file(path);
  if (psk) t.psk = std::move(*psk);
  else ctx.error(v.where, psk.error().rule, psk.error().detail);
}

void read_psk(FileCtx& ctx, const Fields& f, const ParseOptions& opts, ike::TunnelConfig& t) {
  auto inline_key = f.get("pre_shared_key");
  auto file_key = f.get("pre_shared_key_file");
  if (inline_key && file_key)
    ctx.error(file_key->key_at, "psk-source", "give pre_shared_key or pre_shared_key_file, not both");
  else if (inline_key)
    read_psk_inline(ctx, *inline_key, t);
  else if (file_key)
    read_psk_file_key(ctx, *file_key, opts, t);
  else
    ctx.error(f.where(), "psk-source", "a tunnel needs pre_shared_key or pre_shared_key_file");
}

// One rule: `local: CIDR`, `remote: CIDR or [CIDR...]`, expanded to one
// mapping per remote; overlaps inside the rule are reported here.
void read_spd_rule(FileCtx& ctx, const Value& v, std::size_t index, TunnelEntry& e) {
  Fields f(ctx, v, kSpdRuleKeys);
  auto local_v = require(ctx, f, "local", "an spd rule");
  auto remote_v = require(ctx, f, "remote", "an spd rule");
  if (local_v && local_v->node.IsSequence()) {
    ctx.error(local_v->where, "spd-rule", "an spd rule has exactly one local CIDR; write one rule per local CIDR");
    local_v.reset();
  }
  auto local = local_v ? read_cidr(ctx, *local_v) : std::nullopt;
  auto remotes = remote_v ? read_scalar_list(ctx, *remote_v) : std::vector<Value>{};
  if (remote_v && remotes.empty() && remote_v->node.IsSequence())
    ctx.error(remote_v->where, "spd-rule", "an spd rule needs at least one remote CIDR");
  std::vector<std::pair<ike::Subnet, Where>> seen;
  for (const auto& r : remotes) {
    auto remote = read_cidr(ctx, r);
    if (!remote) continue;
    for (const auto& [other, other_at] : seen)
      if (remote->overlaps(other))
        ctx.error(r.where, "spd-remote-overlap",
                  fmt::format("remote {} overlaps remote {} of the same rule", remote->to_string(),
                              other.to_string()));
    seen.emplace_back(*remote, r.where);
    if (!local) continue;
    if (local->is_v6() != remote->is_v6())
      ctx.error(r.where, "address-family",
                fmt::format("remote {} and local {} are of different address families", remote->to_string(),
                            local->to_string()));
    else if (local->overlaps(*remote))
      ctx.error(r.where, "spd-local-remote-overlap",
                fmt::format("remote {} overlaps local {}", remote->to_string(), local->to_string()));
    else {
      e.config.mappings.push_back({*local, *remote});
      e.mapping_origins.push_back({index, r.where});
    }
  }
}

void read_spd(FileCtx& ctx, const Value& v, TunnelEntry& e) {
  auto rules = read_list(ctx, v);
  if (rules.empty() && v.node.IsSequence())
    ctx.error(v.where, "spd-rule", "spd needs at least one rule");
  for (std::size_t i = 0; i < rules.size(); ++i) read_spd_rule(ctx, rules[i], i, e);
}

void read_route(FileCtx& ctx, const Value& v, TunnelEntry& e) {
  Fields f(ctx, v, kRouteKeys);
  ike::RouteConfig route;
  if (auto iface = require(ctx, f, "interface", "route")) {
    e.interface_at = iface->where;
    auto name = read_string(ctx, *iface);
    if (name && !is_valid_interface_name(*name))
      ctx.error(iface->where, "route-interface",
                fmt::format("route.interface '{}' is not a valid interface name (1..15 characters of "
                            "A-Z a-z 0-9 . _ -)", *name));
    else if (name && *name == kReservedInterface)
      ctx.error(iface->where, "route-interface",
                fmt::format("route.interface '{}' is reserved: kited probes the kernel with it", *name));
    else if (name)
      route.interface = *name;
  }
  if (auto remote = require(ctx, f, "remote", "route")) {
    auto items = read_scalar_list(ctx, *remote);
    if (items.empty() && remote->node.IsSequence())
      ctx.error(remote->where, "route-remote", "route.remote needs at least one CIDR");
    for (const auto& item : items)
      if (auto cidr = read_cidr(ctx, item)) {
        route.remote.push_back(*cidr);
        e.route_at.push_back(item.where);
      }
  }
  e.config.route = std::move(route);
}

// `mode` picks the block that must be present; the other one must not be.
void read_mode(FileCtx& ctx, const Fields& f, TunnelEntry& e) {
  if (auto mode = f.get("mode"))
    if (auto i = read_choice(ctx, *mode, kModes)) e.config.mode = static_cast<ike::TunnelMode>(*i);
  bool spd = e.config.mode == ike::TunnelMode::Spd;
  std::string_view wanted = spd ? "spd" : "route", other = spd ? "route" : "spd";
  if (auto extra = f.get(other))
    ctx.error(extra->key_at, "mode-block",
              fmt::format("'{}' is given but the tunnel's mode is {}", other, wanted));
  auto block = f.get(wanted);
  if (!block)
    ctx.error(f.where(), "mode-block", fmt::format("mode {} needs a '{}' block", wanted, wanted));
  else if (spd)
    read_spd(ctx, *block, e);
  else
    read_route(ctx, *block, e);
}

void read_dpd(FileCtx& ctx, const Value& v, ike::DpdConfig& dpd) {
  Fields f(ctx, v, kDpdKeys);
  if (auto enabled = f.get("enabled"))
    if (auto b = read_bool(ctx, *enabled)) dpd.enabled = *b;
  if (auto timeout = f.get("timeout")) {
    auto d = read_duration(ctx, *timeout);
    if (d && (*d < kMinDpdTimeout || *d > kMaxDpdTimeout))
      ctx.error(timeout->where, "dpd-timeout-range",
                fmt::format("{} {}s is out of range {}s..{}s", timeout->name, d->count(), kMinDpdTimeout.count(),
                            kMaxDpdTimeout.count()));
    else if (d)
      dpd.timeout = *d;
  }
  if (auto action = f.get("action"))
    if (auto i = read_choice(ctx, *action, kDpdActions)) dpd.action = static_cast<ike::DpdAction>(*i);
}

void read_probe_timing(FileCtx& ctx, const Fields& f, ike::HealthCheckConfig& hc) {
  if (auto interval = f.get("interval")) {
    auto d = read_duration(ctx, *interval);
    if (d && (*d < kMinProbeInterval || *d > kMaxProbeInterval))
      ctx.error(interval->where, "health-check",
                fmt::format("{} {}s is out of range {}s..{}s", interval->name, d->count(),
                            kMinProbeInterval.count(), kMaxProbeInterval.count()));
    else if (d)
      hc.interval = *d;
  }
  if (auto retries = f.get("retries"))
    if (auto n = read_uint(ctx, *retries, 1, 10, "health-check")) hc.retries = static_cast<std::uint32_t>(*n);
}

void read_health_check(FileCtx& ctx, const Value& v, ike::HealthCheckConfig& hc) {
  Fields f(ctx, v, kHealthKeys);
  if (auto enabled = f.get("enabled"))
    if (auto b = read_bool(ctx, *enabled)) hc.enabled = *b;
  auto local = f.get("local");
  auto remote = f.get("remote");
  if (local) hc.local = read_address(ctx, *local);
  if (remote) hc.remote = read_address(ctx, *remote);
  read_probe_timing(ctx, f, hc);
  if (!hc.enabled || !f.is_map()) return;
  if (!local || !remote)
    ctx.error(f.where(), "required", "an enabled health_check needs 'local' and 'remote' addresses");
  else if (hc.local && hc.remote && hc.local->is_v6() != hc.remote->is_v6())
    ctx.error(remote->where, "address-family",
              "health_check.local and health_check.remote are of different address families");
}

void read_options(FileCtx& ctx, const Fields& f, TunnelEntry& e) {
  if (auto n = f.get("negotiation"))
    if (auto i = read_choice(ctx, *n, kNegotiations)) e.config.negotiation = static_cast<ike::Negotiation>(*i);
  read_mode(ctx, f, e);
  if (auto dpd = f.get("dpd")) read_dpd(ctx, *dpd, e.config.dpd);
  if (auto hc = f.get("health_check")) read_health_check(ctx, *hc, e.config.health_check);
  // ike first: ipsec checks depend on the IKE version.
  if (auto ike = f.get("ike")) parse_ike(ctx, *ike, e.config);
  if (auto ipsec = f.get("ipsec")) parse_ipsec(ctx, *ipsec, e.config);
}

}  // namespace

std::optional<TunnelEntry> parse_tunnel(FileCtx& ctx, const Value& v, const ParseOptions& opts) {
  Fields f(ctx, v, kTunnelKeys);
  if (!f.is_map()) return std::nullopt;
  TunnelEntry e;
  e.at = v.where;
  if (auto name = require(ctx, f, "name", "a tunnel")) {
    e.name_at = name->where;
    e.config.name = read_name(ctx, *name).value_or("");
  }
  if (auto cgw = require(ctx, f, "customer_gateway", "a tunnel")) {
    e.customer_gateway_at = cgw->where;
    e.config.customer_gateway = read_string(ctx, *cgw).value_or("");
  }
  read_psk(ctx, f, opts, e.config);
  read_options(ctx, f, e);
  return e;
}

}  // namespace kite::conf
