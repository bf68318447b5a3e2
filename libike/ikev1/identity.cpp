#include "libike/ikev1/identity.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ike::v1 {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

IdPayload address_id(const IpAddress& a) {
  auto raw = a.bytes();
  if (a.is_v6()) {
    IdPayload::Ipv6 v6{};
    std::copy(raw.begin(), raw.end(), v6.begin());
    return IdPayload::ipv6(v6);
  }
  IdPayload::Ipv4 v4{};
  std::copy(raw.begin(), raw.end(), v4.begin());
  return IdPayload::ipv4(v4);
}

bool matches(const Identity& got, const Identity& want) {
  if (got.type != want.type) return false;
  if (want.type == Identity::Type::Fqdn) return iequals(got.value, want.value);
  auto a = IpAddress::parse(got.value);
  auto b = IpAddress::parse(want.value);
  return a && b && *a == *b;
}

}  // namespace

IdPayload local_identification(const TunnelConfig& cfg) {
  if (cfg.local_id) {
    if (cfg.local_id->type == Identity::Type::Fqdn) return IdPayload::fqdn(cfg.local_id->value);
    if (auto ip = IpAddress::parse(cfg.local_id->value)) return address_id(*ip);
  }
  return address_id(cfg.local_address);
}

std::optional<Identity> to_identity(const IdPayload& id) {
  switch (id.type) {
    case IdType::Ipv4Addr:
    case IdType::Ipv6Addr:
      if (auto ip = IpAddress::from_bytes(id.data)) return Identity{Identity::Type::Ip, ip->to_string()};
      return std::nullopt;
    case IdType::Fqdn:
      return Identity{Identity::Type::Fqdn, std::string(id.data.begin(), id.data.end())};
    default:
      return std::nullopt;
  }
}

Status check_peer_identity(const IdPayload& id, const TunnelConfig& cfg) {
  Identity want = cfg.remote_id.value_or(Identity{Identity::Type::Ip, cfg.peer_address.to_string()});
  auto got = to_identity(id);
  if (got && matches(*got, want)) return {};
  return fail(fmt::format("peer identity {} does not match the expected {}", describe(id), describe(want)));
}

std::string describe(const IdPayload& id) {
  if (auto got = to_identity(id)) return describe(*got);
  return fmt::format("id-type#{}", static_cast<unsigned>(id.type));
}

std::string describe(const Identity& id) {
  if (id.type == Identity::Type::Fqdn) return fmt::format("fqdn:{}", id.value);
  return id.value;
}

}  // namespace ike::v1
