#include "libike/ikev2/identity.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace ike::v2 {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool matches(const Identification& id, const Identity& want) {
  if (want.type == Identity::Type::Ip) {
    auto want_ip = IpAddress::parse(want.value);
    auto got = id.ip();
    return want_ip && got && *want_ip == *got;
  }
  return id.type == IdType::Fqdn && iequals(id.text(), want.value);
}

}  // namespace

Identification local_identification(const TunnelConfig& cfg) {
  if (cfg.local_id) {
    if (cfg.local_id->type == Identity::Type::Fqdn) return Identification::fqdn(cfg.local_id->value);
    if (auto ip = IpAddress::parse(cfg.local_id->value)) return Identification::address(*ip);
  }
  return Identification::address(cfg.local_address);
}

Status check_peer_identity(const Identification& id, const TunnelConfig& cfg) {
  Identity want = cfg.remote_id.value_or(Identity{Identity::Type::Ip, cfg.peer_address.to_string()});
  if (matches(id, want)) return {};
  return fail(fmt::format("peer identity {} does not match the expected {}{}", describe(id),
                          want.type == Identity::Type::Fqdn ? "fqdn:" : "", want.value));
}

std::string describe(const Identification& id) {
  if (auto ip = id.ip()) return ip->to_string();
  if (id.type == IdType::Fqdn) return fmt::format("fqdn:{}", id.text());
  if (id.type == IdType::Rfc822Addr) return fmt::format("email:{}", id.text());
  return fmt::format("id-type#{}", static_cast<unsigned>(id.type));
}

}  // namespace ike::v2
