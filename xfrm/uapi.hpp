// Conversions between kite's address types and the XFRM uapi structs,
// shared by the builders and the parsers. Internal to xfrm/.
#pragma once
#include <linux/xfrm.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <optional>

#include "libike/common/address.hpp"
#include "libike/tunnel/kernel.hpp"

namespace kite::xfrm::uapi {

inline std::uint16_t family_of(const ike::IpAddress& a) { return a.is_v6() ? AF_INET6 : AF_INET; }

// xfrm_address_t is a 16-byte union; IPv4 uses the first 4 bytes (a4).
inline xfrm_address_t to_xfrm(const ike::IpAddress& a) {
  xfrm_address_t out{};
  std::memcpy(&out, a.bytes().data(), a.size());
  return out;
}

inline std::optional<ike::IpAddress> from_xfrm(const xfrm_address_t& a, std::uint16_t family) {
  const auto* raw = reinterpret_cast<const std::uint8_t*>(&a);
  if (family == AF_INET) return ike::IpAddress::from_bytes({raw, 4});
  if (family == AF_INET6) return ike::IpAddress::from_bytes({raw, 16});
  return std::nullopt;
}

// A selector for all traffic src -> dst (any protocol and port).
inline xfrm_selector to_selector(const ike::Subnet& src, const ike::Subnet& dst) {
  xfrm_selector sel{};
  sel.family = family_of(dst.network);
  sel.saddr = to_xfrm(src.network);
  sel.daddr = to_xfrm(dst.network);
  sel.prefixlen_s = src.prefix;
  sel.prefixlen_d = dst.prefix;
  return sel;
}

// The (src, dst) subnets of a selector; nullopt for a family kite does not
// use or a prefix longer than the address.
struct SelectorSubnets {
  ike::Subnet src, dst;
};
inline std::optional<SelectorSubnets> from_selector(const xfrm_selector& sel) {
  auto src = from_xfrm(sel.saddr, sel.family);
  auto dst = from_xfrm(sel.daddr, sel.family);
  if (!src || !dst) return std::nullopt;
  unsigned bits = static_cast<unsigned>(src->size() * 8);
  if (sel.prefixlen_s > bits || sel.prefixlen_d > bits) return std::nullopt;
  return SelectorSubnets{{src->first_in_prefix(sel.prefixlen_s), sel.prefixlen_s},
                         {dst->first_in_prefix(sel.prefixlen_d), sel.prefixlen_d}};
}

inline std::uint8_t to_xfrm(ike::Direction dir) {
  switch (dir) {
    case ike::Direction::In: return XFRM_POLICY_IN;
    case ike::Direction::Out: return XFRM_POLICY_OUT;
    case ike::Direction::Fwd: return XFRM_POLICY_FWD;
  }
  return XFRM_POLICY_OUT;
}

inline std::optional<ike::Direction> direction_from_xfrm(std::uint8_t dir) {
  switch (dir) {
    case XFRM_POLICY_IN: return ike::Direction::In;
    case XFRM_POLICY_OUT: return ike::Direction::Out;
    case XFRM_POLICY_FWD: return ike::Direction::Fwd;
    default: return std::nullopt;
  }
}

}  // namespace kite::xfrm::uapi
