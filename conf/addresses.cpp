#include "conf/addresses.hpp"

#include <cstdint>

#include <fmt/format.h>

namespace kite::conf {

namespace {

bool in_v4(std::uint32_t a, std::uint32_t net, unsigned prefix) {
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (a & mask) == net;
}

// RFC 791 classes: A 0/1 (/8), B 128/2 (/16), C 192/3 (/24).
unsigned classful_prefix(std::uint32_t a) {
  if ((a >> 31) == 0) return 8;
  if ((a >> 30) == 0b10) return 16;
  return 24;
}

std::optional<std::string> v4_problem(std::uint32_t a) {
  if (in_v4(a, 0xE0000000, 4)) return "a multicast address (224.0.0.0/4)";
  if (in_v4(a, 0xF0000000, 4)) return "a reserved or broadcast address (240.0.0.0/4)";
  if (in_v4(a, 0x00000000, 8)) return "in 0.0.0.0/8 (this network)";
  if (in_v4(a, 0x7F000000, 8)) return "a loopback address (127.0.0.0/8)";
  if (in_v4(a, 0xA9FE0000, 16)) return "a link-local address (169.254.0.0/16)";
  unsigned prefix = classful_prefix(a);
  std::uint32_t host_mask = ~std::uint32_t{0} >> prefix;
  char cls = prefix == 8 ? 'A' : prefix == 16 ? 'B' : 'C';
  std::uint32_t net = a & ~host_mask;
  std::string net_text = fmt::format("{}.{}.{}.{}/{}", net >> 24, (net >> 16) & 0xFF,
                                     (net >> 8) & 0xFF, net & 0xFF, prefix);
  if ((a & host_mask) == 0)
    return fmt::format("the network address of class {} network {}", cls, net_text);
  if ((a & host_mask) == host_mask)
    return fmt::format("the broadcast address of class {} network {}", cls, net_text);
  return std::nullopt;
}

std::optional<std::string> v6_problem(const ike::IpAddress& a) {
  auto b = a.bytes();
  bool zero_prefix = true;
  for (std::size_t i = 0; i < 15; ++i) zero_prefix = zero_prefix && b[i] == 0;
  if (zero_prefix && b[15] == 0) return "the unspecified address (::)";
  if (zero_prefix && b[15] == 1) return "the loopback address (::1)";
  if (b[0] == 0xFF) return "a multicast address (ff00::/8)";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "a link-local address (fe80::/10)";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> customer_gateway_address_problem(const ike::IpAddress& a) {
  return a.is_v6() ? v6_problem(a) : v4_problem(a.v4_host_order());
}

std::optional<std::string> local_address_problem(const ike::IpAddress& a) {
  if (a.is_v6()) {
    auto b = a.bytes();
    if (b[0] == 0xFF) return "a multicast address (ff00::/8)";
    if (a == ike::IpAddress::parse("::")) return "the unspecified address (::)";
    return std::nullopt;
  }
  std::uint32_t v = a.v4_host_order();
  if (v == 0) return "the unspecified address (0.0.0.0)";
  if (in_v4(v, 0xE0000000, 4)) return "a multicast address (224.0.0.0/4)";
  if (v == 0xFFFFFFFF) return "the broadcast address";
  return std::nullopt;
}

std::optional<CidrParse> parse_cidr(std::string_view text) {
  auto subnet = ike::Subnet::parse(text);
  if (!subnet) return std::nullopt;
  auto given = ike::IpAddress::parse(text.substr(0, text.find('/')));
  return CidrParse{*subnet, given && *given != subnet->network};
}

}  // namespace kite::conf
