// Address rules of SPEC.md §2, pure (no YAML): what a customer gateway or
// the gateway's own IKE address may be, and canonical CIDRs.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "libike/common/address.hpp"

namespace kite::conf {

// Why `a` cannot be a customer gateway (a peer's public address), or nullopt:
// IPv4 multicast 224/4, reserved 240/4 (and broadcast), 0/8, loopback 127/8,
// link-local 169.254/16, the network or broadcast address of its class A/B/C
// network; IPv6 unspecified, loopback, multicast ff00::/8, link-local fe80::/10.
std::optional<std::string> customer_gateway_address_problem(const ike::IpAddress& a);

// Why `a` cannot be the gateway's IKE source address (unspecified, multicast,
// limited broadcast), or nullopt. Private addresses are fine (NAT).
std::optional<std::string> local_address_problem(const ike::IpAddress& a);

struct CidrParse {
  ike::Subnet subnet;   // host bits cleared
  bool host_bits_set = false;  // the text had bits set beyond the prefix
};
// "10.1.0.0/24", "fd00::/64", or a bare address (a host, /32 or /128).
std::optional<CidrParse> parse_cidr(std::string_view text);

}  // namespace kite::conf
