// Byte buffers used throughout libike: owned (Bytes) and borrowed (ByteView).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ike {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

// Concatenates any number of byte ranges: concat(ni, nr, spi_i, spi_r).
template <typename... Views>
Bytes concat(const Views&... parts) {
  Bytes out;
  out.reserve((std::size(parts) + ... + 0));
  (out.insert(out.end(), std::begin(parts), std::end(parts)), ...);
  return out;
}

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Lower-case hex for logs and tests; never call this on secret material.
std::string to_hex(ByteView data);
// Parses hex (whitespace ignored); throws std::invalid_argument on bad input.
// For tests and config, not for the wire.
Bytes from_hex(std::string_view hex);

// Constant-time comparison for MACs and hashes (never std::memcmp).
bool equal_constant_time(ByteView a, ByteView b);

}  // namespace ike
