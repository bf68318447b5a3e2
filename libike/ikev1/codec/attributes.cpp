#include "libike/ikev1/codec/attributes.hpp"

#include <limits>

namespace ike::v1 {

namespace {
constexpr std::uint16_t kAttributeFormatBit = 0x8000;  // RFC 2408 §3.3 "AF"
constexpr std::uint16_t kMaxAttributeType = 0x7fff;
constexpr auto kInTransform = PayloadType::Transform;
}  // namespace

DataAttribute DataAttribute::tv(std::uint16_t type, std::uint16_t value) {
  return DataAttribute{type, true, value, {}};
}

DataAttribute DataAttribute::tlv(std::uint16_t type, Bytes value) {
  return DataAttribute{type, false, 0, std::move(value)};
}

DataAttribute DataAttribute::integer(std::uint16_t type, std::uint64_t value) {
  if (value <= std::numeric_limits<std::uint16_t>::max()) {
    return tv(type, static_cast<std::uint16_t>(value));
  }
  // Four bytes is what every implementation sends for lifetimes; wider
  // values take eight.
  std::size_t width = value <= std::numeric_limits<std::uint32_t>::max() ? 4 : 8;
  Bytes b(width);
  for (std::size_t i = 0; i < width; ++i) {
    b[width - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  return tlv(type, std::move(b));
}

std::optional<std::uint64_t> DataAttribute::as_integer() const {
  if (basic) return basic_value;
  if (variable_value.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (std::uint8_t b : variable_value) {
    if (v >> 56 != 0) return std::nullopt;  // would overflow 64 bits
    v = v << 8 | b;
  }
  return v;
}

const DataAttribute* find(const Attributes& attrs, std::uint16_t type) {
  for (const auto& a : attrs) {
    if (a.type == type) return &a;
  }
  return nullptr;
}

// RFC 2408 §3.3: one attribute, basic or variable.
static ParseResult<DataAttribute> decode_one(Reader& r, std::size_t base) {
  std::size_t at = base + r.offset();
  auto word = r.u16();
  auto second = r.u16();
  if (!word || !second) {
    return parse_fail(ParseErrc::Truncated, at, kInTransform, "data attribute header");
  }
  auto type = static_cast<std::uint16_t>(*word & kMaxAttributeType);
  if (*word & kAttributeFormatBit) return DataAttribute::tv(type, *second);
  auto value = r.bytes(*second);
  if (!value) {
    return parse_fail(ParseErrc::Truncated, at, kInTransform, "variable attribute value");
  }
  return DataAttribute::tlv(type, Bytes(value->begin(), value->end()));
}

ParseResult<Attributes> decode_attributes(ByteView data, std::size_t base) {
  Reader r(data);
  Attributes out;
  while (!r.empty()) {
    auto a = decode_one(r, base);
    if (!a) return fail(a.error());
    out.push_back(std::move(*a));
  }
  return out;
}

ParseResult<void> encode_attributes(const Attributes& attrs, Writer& w) {
  for (const auto& a : attrs) {
    if (a.type > kMaxAttributeType) {
      return parse_fail(ParseErrc::BadValue, w.size(), kInTransform, "attribute type over 15 bits");
    }
    if (a.basic) {
      w.u16(static_cast<std::uint16_t>(a.type | kAttributeFormatBit));
      w.u16(a.basic_value);
      continue;
    }
    if (a.variable_value.size() > std::numeric_limits<std::uint16_t>::max()) {
      return parse_fail(ParseErrc::Oversize, w.size(), kInTransform, "variable attribute value");
    }
    w.u16(a.type);
    w.u16(static_cast<std::uint16_t>(a.variable_value.size()));
    w.bytes(a.variable_value);
  }
  return {};
}

}  // namespace ike::v1
