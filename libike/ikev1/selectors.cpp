#include "libike/ikev1/selectors.hpp"

#include <algorithm>
#include <array>

#include "libike/ikev2/traffic_selectors.hpp"

namespace ike::v1 {
namespace {

Bytes mask_bytes(std::size_t size, unsigned prefix) {
  Bytes mask(size, 0);
  for (unsigned bit = 0; bit < prefix; ++bit) mask[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
  return mask;
}

// The prefix length of a contiguous mask; nullopt for 255.0.255.0 and such.
std::optional<unsigned> prefix_of(ByteView mask) {
  unsigned prefix = 0;
  bool ended = false;
  for (auto byte : mask) {
    for (int bit = 7; bit >= 0; --bit) {
      bool set = (byte >> bit) & 1;
      if (set && ended) return std::nullopt;
      if (set) ++prefix;
      else ended = true;
    }
  }
  return prefix;
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteView b) {
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(N), out.begin());
  return out;
}

bool inside(const Subnet& inner, const Subnet& outer) {
  return inner.is_v6() == outer.is_v6() && outer.contains(inner.first()) && outer.contains(inner.last());
}

std::optional<Subnet> from_range(ByteView data) {
  auto half = data.size() / 2;
  auto first = IpAddress::from_bytes(data.first(half));
  auto last = IpAddress::from_bytes(data.subspan(half));
  if (!first || !last) return std::nullopt;
  auto blocks = v2::range_to_subnets(*first, *last, 1);
  if (blocks.size() != 1) return std::nullopt;
  return blocks.front();
}

}  // namespace

IdPayload subnet_identification(const Subnet& s) {
  auto mask = mask_bytes(s.network.size(), s.prefix);
  if (s.is_v6()) return IdPayload::ipv6_subnet(to_array<16>(s.network.bytes()), to_array<16>(mask));
  return IdPayload::ipv4_subnet(to_array<4>(s.network.bytes()), to_array<4>(mask));
}

std::optional<Subnet> subnet_of(const IdPayload& id) {
  if (id.protocol != 0 || id.port != 0) return std::nullopt;
  ByteView data = id.data;
  switch (id.type) {
    case IdType::Ipv4Addr:
    case IdType::Ipv6Addr: {
      auto a = IpAddress::from_bytes(data);
      if (!a) return std::nullopt;
      return Subnet::host(*a);
    }
    case IdType::Ipv4AddrSubnet:
    case IdType::Ipv6AddrSubnet: {
      auto half = data.size() / 2;
      auto a = IpAddress::from_bytes(data.first(half));
      auto prefix = prefix_of(data.subspan(half));
      if (!a || !prefix) return std::nullopt;
      return Subnet{a->first_in_prefix(*prefix), static_cast<std::uint8_t>(*prefix)};
    }
    case IdType::Ipv4AddrRange:
    case IdType::Ipv6AddrRange:
      return from_range(data);
    default:
      return std::nullopt;
  }
}

std::optional<std::size_t> find_mapping(const SpdMapping& proposed,
                                        const std::vector<SpdMapping>& mappings) {
  for (std::size_t i = 0; i < mappings.size(); ++i)
    if (inside(proposed.local, mappings[i].local) && inside(proposed.remote, mappings[i].remote)) return i;
  return std::nullopt;
}

std::string to_string(const SpdMapping& m) { return m.local.to_string() + " === " + m.remote.to_string(); }

}  // namespace ike::v1
