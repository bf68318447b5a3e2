#include "libike/common/address.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace ike {

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  for (int i = 0; i < 4; ++i) a.raw_[i] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.raw_.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.raw_.data()) == 1) {
    a.v6_ = true;
    return a;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_bytes(ByteView raw) {
  if (raw.size() != 4 && raw.size() != 16) return std::nullopt;
  IpAddress a;
  std::memcpy(a.raw_.data(), raw.data(), raw.size());
  a.v6_ = raw.size() == 16;
  return a;
}

std::uint32_t IpAddress::v4_host_order() const {
  return std::uint32_t(raw_[0]) << 24 | std::uint32_t(raw_[1]) << 16 |
         std::uint32_t(raw_[2]) << 8 | raw_[3];
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, raw_.data(), buf, sizeof buf);
  return buf;
}

static IpAddress with_host_bits(IpAddress a, unsigned prefix, bool ones) {
  auto raw = a.bytes();
  Bytes out(raw.begin(), raw.end());
  for (std::size_t bit = prefix; bit < out.size() * 8; ++bit) {
    auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if (ones) out[bit / 8] |= mask; else out[bit / 8] &= static_cast<std::uint8_t>(~mask);
  }
  return *IpAddress::from_bytes(out);
}

IpAddress IpAddress::last_in_prefix(unsigned prefix) const { return with_host_bits(*this, prefix, true); }
IpAddress IpAddress::first_in_prefix(unsigned prefix) const { return with_host_bits(*this, prefix, false); }

std::optional<Subnet> Subnet::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  unsigned max = static_cast<unsigned>(addr->size() * 8);
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty() || prefix > max) return std::nullopt;
  }
  return Subnet{addr->first_in_prefix(prefix), static_cast<std::uint8_t>(prefix)};
}

bool Subnet::contains(const IpAddress& a) const {
  return a.is_v6() == is_v6() && first() <= a && a <= last();
}

bool Subnet::overlaps(const Subnet& o) const {
  return o.is_v6() == is_v6() && first() <= o.last() && o.first() <= last();
}

std::string Subnet::to_string() const { return fmt::format("{}/{}", network.to_string(), prefix); }

std::string Endpoint::to_string() const {
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), port);
  return fmt::format("{}:{}", address.to_string(), port);
}

}  // namespace ike
