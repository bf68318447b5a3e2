// Stage 1: a file's top level, the gateway block and customer gateways,
// and the readers shared by every block.
#include <array>

#include <fmt/format.h>

#include "conf/addresses.hpp"
#include "conf/parse.hpp"
#include "conf/values.hpp"

namespace kite::conf {

namespace {

constexpr std::array<std::string_view, 3> kMainKeys{"gateway", "customer_gateways", "tunnels"};
constexpr std::array<std::string_view, 8> kGatewayKeys{
    "name",           "local_address", "ike_port",    "nat_t_port",
    "control_socket", "log_level",     "route_table", "install_routes"};
constexpr std::array<std::string_view, 2> kCustomerGatewayKeys{"name", "address"};
constexpr std::array<std::string_view, 4> kLogLevels{"error", "warning", "info", "debug"};

// Tables the kernel reserves (rt_tables: 0 unspec, 253 default, 254 main, 255 local).
bool is_reserved_table(std::uint64_t t) { return t == 0 || (t >= 253 && t <= 255); }

void read_ports(FileCtx& ctx, const Fields& f, ike::GatewayConfig& g) {
  auto ike_port = f.get("ike_port");
  auto nat_port = f.get("nat_t_port");
  if (ike_port)
    if (auto p = read_uint(ctx, *ike_port, 1, 65535, "port-range")) g.ike_port = static_cast<std::uint16_t>(*p);
  if (nat_port)
    if (auto p = read_uint(ctx, *nat_port, 1, 65535, "port-range")) g.nat_t_port = static_cast<std::uint16_t>(*p);
  if (g.ike_port == g.nat_t_port)
    ctx.error(nat_port ? nat_port->where : ike_port ? ike_port->where : f.where(), "port-range",
              fmt::format("gateway.ike_port and gateway.nat_t_port must differ (both {})", g.ike_port));
}

void read_route_table(FileCtx& ctx, const Fields& f, ike::GatewayConfig& g) {
  auto v = f.get("route_table");
  if (!v) return;
  auto t = read_uint(ctx, *v, 1, 0xFFFFFFFF, "route-table");
  if (t && is_reserved_table(*t))
    ctx.error(v->where, "route-table",
              fmt::format("gateway.route_table {} is reserved by the kernel (253 default, 254 main, 255 local)", *t));
  else if (t)
    g.route_table = static_cast<std::uint32_t>(*t);
}

void read_local_address(FileCtx& ctx, const Fields& f, GatewayEntry& e) {
  auto v = require(ctx, f, "local_address", "gateway");
  if (!v) return;
  e.local_address_at = v->where;
  auto a = read_address(ctx, *v);
  if (!a) return;
  if (auto problem = local_address_problem(*a)) {
    ctx.error(v->where, "gateway-address", fmt::format("gateway.local_address {} is {}", a->to_string(), *problem));
    return;
  }
  e.config.local_address = *a;
  e.has_local_address = true;
}

void read_control_socket(FileCtx& ctx, const Fields& f, ike::GatewayConfig& g) {
  auto v = f.get("control_socket");
  if (!v) return;
  auto path = read_string(ctx, *v);
  if (!path) return;
  // sockaddr_un.sun_path holds 108 bytes with the NUL.
  if (path->empty() || path->front() != '/' || path->size() > 107)
    ctx.error(v->where, "control-socket",
              fmt::format("gateway.control_socket must be an absolute path of at most 107 bytes, got '{}'", *path));
  else
    g.control_socket = *path;
}

template <typename F>
void for_each_item(FileCtx& ctx, const std::optional<Value>& list, F&& f) {
  if (!list || list->node.IsNull()) return;  // "tunnels:" with nothing yet
  for (const auto& item : read_list(ctx, *list)) f(item);
}

}  // namespace

std::optional<Value> require(FileCtx& ctx, const Fields& f, std::string_view key, std::string_view what) {
  auto v = f.get(key);
  if (!v && f.is_map()) ctx.error(f.where(), "required", fmt::format("{} needs '{}'", what, key));
  return v;
}

std::optional<std::string> read_name(FileCtx& ctx, const Value& v) {
  auto name = read_string(ctx, v);
  if (!name) return std::nullopt;
  if (!is_valid_name(*name)) {
    ctx.error(v.where, "name",
              fmt::format("{} '{}' must be 1..{} characters of A-Z a-z 0-9 . _ -", v.name, *name, kMaxNameLength));
    return std::nullopt;
  }
  return name;
}

std::optional<ike::IpAddress> read_address(FileCtx& ctx, const Value& v) {
  auto text = read_string(ctx, v);
  if (!text) return std::nullopt;
  auto a = ike::IpAddress::parse(*text);
  if (!a) ctx.error(v.where, "address", fmt::format("{} '{}' is not an IPv4 or IPv6 address", v.name, *text));
  return a;
}

std::optional<ike::Subnet> read_cidr(FileCtx& ctx, const Value& v) {
  auto text = read_string(ctx, v);
  if (!text) return std::nullopt;
  auto cidr = parse_cidr(*text);
  if (!cidr) {
    ctx.error(v.where, "cidr", fmt::format("{} '{}' is not a CIDR (10.1.0.0/16, fd00::/64)", v.name, *text));
    return std::nullopt;
  }
  if (cidr->host_bits_set) {
    ctx.error(v.where, "cidr-host-bits",
              fmt::format("{} '{}' has host bits set; did you mean {}?", v.name, *text, cidr->subnet.to_string()));
    return std::nullopt;
  }
  return cidr->subnet;
}

std::optional<GatewayEntry> parse_gateway(FileCtx& ctx, const Value& v) {
  Fields f(ctx, v, kGatewayKeys);
  if (!f.is_map()) return std::nullopt;
  GatewayEntry e;
  e.at = v.where;
  if (auto name = f.get("name"))
    if (auto n = read_name(ctx, *name)) e.config.name = *n;
  read_local_address(ctx, f, e);
  read_ports(ctx, f, e.config);
  read_control_socket(ctx, f, e.config);
  if (auto level = f.get("log_level"))
    if (auto i = read_choice(ctx, *level, kLogLevels)) e.config.log_level = kLogLevels[*i];
  read_route_table(ctx, f, e.config);
  if (auto install = f.get("install_routes"))
    if (auto b = read_bool(ctx, *install)) e.config.install_routes = *b;
  return e;
}

std::optional<CustomerGatewayEntry> parse_customer_gateway(FileCtx& ctx, const Value& v) {
  Fields f(ctx, v, kCustomerGatewayKeys);
  if (!f.is_map()) return std::nullopt;
  CustomerGatewayEntry e;
  auto name = require(ctx, f, "name", "a customer gateway");
  auto address = require(ctx, f, "address", "a customer gateway");
  if (name) e.name_at = name->where;
  if (name) e.name = read_name(ctx, *name).value_or("");
  if (!address) return e;
  e.address_at = address->where;
  auto a = read_address(ctx, *address);
  if (!a) return e;
  if (auto problem = customer_gateway_address_problem(*a))
    ctx.error(address->where, "customer-gateway-address",
              fmt::format("{} {} is {}", address->name, a->to_string(), *problem));
  else
    e.address = *a;
  return e;
}

void parse_file(FileCtx& ctx, const YAML::Node& root, bool is_main, const ParseOptions& opts, Model& model) {
  if (root.IsNull()) {
    if (is_main) ctx.error(ctx.start(), "required", "the main config needs a 'gateway' block");
    return;
  }
  Where at = ctx.at(root.Mark(), ctx.start());
  Fields f(ctx, Value{root, at, "", at}, kMainKeys);
  if (!f.is_map()) return;
  auto gateway = f.get("gateway");
  if (gateway && !is_main)
    ctx.error(gateway->key_at, "main-only", "'gateway' belongs in the main config, not in a tunnels.d drop-in");
  else if (is_main && require(ctx, f, "gateway", "the main config"))
    model.gateway = parse_gateway(ctx, *gateway);
  for_each_item(ctx, f.get("customer_gateways"), [&](const Value& item) {
    if (auto e = parse_customer_gateway(ctx, item)) model.customer_gateways.push_back(std::move(*e));
  });
  for_each_item(ctx, f.get("tunnels"), [&](const Value& item) {
    if (auto e = parse_tunnel(ctx, item, opts)) model.tunnels.push_back(std::move(*e));
  });
}

}  // namespace kite::conf
