// IP addresses, subnets (CIDR) and UDP endpoints, IPv4 and IPv6 alike.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libike/common/bytes.hpp"

namespace ike {

class IpAddress {
 public:
  IpAddress() = default;  // 0.0.0.0
  static IpAddress v4(std::uint32_t host_order);
  static std::optional<IpAddress> parse(std::string_view text);
  // 4 or 16 network-order bytes.
  static std::optional<IpAddress> from_bytes(ByteView raw);

  bool is_v6() const { return v6_; }
  std::size_t size() const { return v6_ ? 16 : 4; }
  ByteView bytes() const { return {raw_.data(), size()}; }
  std::uint32_t v4_host_order() const;  // only for IPv4
  std::string to_string() const;
  // Highest address sharing the first `prefix` bits (end of a CIDR range).
  IpAddress last_in_prefix(unsigned prefix) const;
  IpAddress first_in_prefix(unsigned prefix) const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  std::array<std::uint8_t, 16> raw_{};
  bool v6_ = false;
};

struct Subnet {
  IpAddress network;  // host bits cleared
  std::uint8_t prefix = 0;

  // "10.1.0.0/24", "fd01::/64", or a bare address (a host route).
  static std::optional<Subnet> parse(std::string_view text);
  static Subnet host(const IpAddress& a) { return {a, static_cast<std::uint8_t>(a.size() * 8)}; }
  bool is_v6() const { return network.is_v6(); }
  IpAddress first() const { return network; }
  IpAddress last() const { return network.last_in_prefix(prefix); }
  bool contains(const IpAddress& a) const;
  bool overlaps(const Subnet& other) const;
  std::string to_string() const;
  friend auto operator<=>(const Subnet&, const Subnet&) = default;
};

struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;
  std::string to_string() const;  // "192.0.2.1:500", "[2001:db8::1]:4500"
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

}  // namespace ike
