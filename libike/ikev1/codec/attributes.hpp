// ISAKMP data attributes (RFC 2408 §3.3): the values inside a Transform
// payload. Two encodings share one header word:
//   AF=1 (basic, TV):     |1| type (15 bits) | value (16 bits)
//   AF=0 (variable, TLV): |0| type (15 bits) | length (16) | value (length)
// The codec keeps the form it received so that re-encoding reproduces the
// bytes exactly (the SA body is hashed, RFC 2409 §5).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/common/reader.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev1/codec/error.hpp"

namespace ike::v1 {

struct DataAttribute {
  std::uint16_t type = 0;  // 15 bits; the AF bit is `basic`
  bool basic = true;
  std::uint16_t basic_value = 0;  // when basic
  Bytes variable_value;           // when !basic

  static DataAttribute tv(std::uint16_t type, std::uint16_t value);
  static DataAttribute tlv(std::uint16_t type, Bytes value);
  // Life Duration (RFC 2409 Appendix A, RFC 2407 §4.5): basic when the
  // value fits 16 bits, else a 4-byte (or 8-byte) variable attribute.
  static DataAttribute integer(std::uint16_t type, std::uint64_t value);
  template <typename Enum>
  static DataAttribute tv(Enum type, std::uint16_t value) {
    return tv(static_cast<std::uint16_t>(type), value);
  }
  template <typename Enum>
  static DataAttribute integer(Enum type, std::uint64_t value) {
    return integer(static_cast<std::uint16_t>(type), value);
  }

  // The value as an unsigned integer whichever form it came in: basic, or
  // variable of any length whose value fits 64 bits (leading zero bytes
  // allowed). nullopt for an empty or wider variable value.
  std::optional<std::uint64_t> as_integer() const;

  friend bool operator==(const DataAttribute&, const DataAttribute&) = default;
};

using Attributes = std::vector<DataAttribute>;

// First attribute of `type`, or nullptr.
const DataAttribute* find(const Attributes& attrs, std::uint16_t type);
template <typename Enum>
const DataAttribute* find(const Attributes& attrs, Enum type) {
  return find(attrs, static_cast<std::uint16_t>(type));
}

// Parses attributes until `data` is exhausted; `base` is the offset of
// `data` in the message (for errors). A declared TLV length past the end
// is Truncated.
ParseResult<Attributes> decode_attributes(ByteView data, std::size_t base);
ParseResult<void> encode_attributes(const Attributes& attrs, Writer& w);

}  // namespace ike::v1
