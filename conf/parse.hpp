// Stage 1 of loading (internal): each file's YAML read into model pieces
// that remember where they came from, so that stage 2 (checks.cpp) can
// point at the right line when rules span tunnels and files.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "conf/yaml_reader.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::conf {

struct GatewayEntry {
  ike::GatewayConfig config;
  bool has_local_address = false;
  Where at;
  Where local_address_at;
};

struct CustomerGatewayEntry {
  std::string name;
  std::optional<ike::IpAddress> address;
  Where name_at;
  Where address_at;
};

// Where each expanded SPD mapping came from: its rule and its peer CIDR.
struct MappingOrigin {
  std::size_t rule = 0;
  Where remote_at;
};

struct TunnelEntry {
  ike::TunnelConfig config;
  Where at;
  Where name_at;
  Where customer_gateway_at;
  std::vector<MappingOrigin> mapping_origins;  // parallel to config.mappings
  std::vector<Where> route_at;                 // parallel to config.route->remote
  Where interface_at;
};

struct Model {
  std::optional<GatewayEntry> gateway;
  std::vector<CustomerGatewayEntry> customer_gateways;
  std::vector<TunnelEntry> tunnels;
};

struct ParseOptions {
  std::filesystem::path base_dir;  // relative pre_shared_key_file paths start here
};

// One file's top level: `gateway` (main file only), `customer_gateways`, `tunnels`.
void parse_file(FileCtx& ctx, const YAML::Node& root, bool is_main, const ParseOptions& opts,
                Model& model);

// Pieces, each in its own file.
std::optional<GatewayEntry> parse_gateway(FileCtx& ctx, const Value& v);
std::optional<CustomerGatewayEntry> parse_customer_gateway(FileCtx& ctx, const Value& v);
std::optional<TunnelEntry> parse_tunnel(FileCtx& ctx, const Value& v, const ParseOptions& opts);
void parse_ike(FileCtx& ctx, const Value& v, ike::TunnelConfig& t);
void parse_ipsec(FileCtx& ctx, const Value& v, ike::TunnelConfig& t);

// Shared readers.
std::optional<ike::IpAddress> read_address(FileCtx& ctx, const Value& v);
std::optional<ike::Subnet> read_cidr(FileCtx& ctx, const Value& v);
// A required key: reports "required" at the mapping when missing.
std::optional<Value> require(FileCtx& ctx, const Fields& f, std::string_view key,
                             std::string_view what);
// A name by the tunnel naming rule ([A-Za-z0-9._-], at most 60).
std::optional<std::string> read_name(FileCtx& ctx, const Value& v);

}  // namespace kite::conf

namespace kite::conf {

// Stage 2 (checks.cpp): rules that span entries and files (unique names,
// references, address families, SPD overlaps and the mapping limit, route
// interfaces), then the ike::Config with the gateway's address filled in.
ike::Config check_model(Model& model, Diagnostics& diags);

}  // namespace kite::conf
