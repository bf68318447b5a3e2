// Traffic Selector payloads (TSi/TSr), RFC 7296 §3.13: a count, then
// selectors of a fixed length per type (§3.13.1: 16 octets for
// TS_IPV4_ADDR_RANGE, 40 for TS_IPV6_ADDR_RANGE).
#include "libike/ikev2/codec/detail.hpp"

namespace ike::v2::detail {
namespace {

constexpr std::size_t kTsHeader = 4;        // number of TSs, 3 reserved
constexpr std::size_t kSelectorHeader = 8;  // type, protocol, length, ports

std::size_t address_size(TsType type) { return type == TsType::Ipv6AddrRange ? 16 : 4; }

ParseResult<TrafficSelector> decode_selector(const Body& b, Reader& r) {
  std::size_t at = r.offset();
  if (r.remaining() < kSelectorHeader)
    return b.fail(ParseErrc::BadNesting, at, "selector beyond payload");
  auto type = static_cast<TsType>(r.u8().value());
  TrafficSelector ts;
  ts.ip_protocol = r.u8().value();
  std::uint16_t length = r.u16().value();
  ts.start_port = r.u16().value();
  ts.end_port = r.u16().value();
  // Unknown TS types (RFC 9478's TS_SECLABEL...) are refused: kite offers
  // none of them, so a peer must not send them.
  if (type != TsType::Ipv4AddrRange && type != TsType::Ipv6AddrRange)
    return b.fail(ParseErrc::BadValue, at, "unknown TS type");
  std::size_t asize = address_size(type);
  if (length != kSelectorHeader + 2 * asize)
    return b.fail(ParseErrc::BadLength, at, "selector length for its TS type");
  if (r.remaining() < 2 * asize)
    return b.fail(ParseErrc::BadNesting, at, "selector beyond payload");
  ts.start_address = IpAddress::from_bytes(r.bytes(asize).value()).value();
  ts.end_address = IpAddress::from_bytes(r.bytes(asize).value()).value();
  return ts;
}

}  // namespace

ParseResult<TrafficSelectors> decode_ts(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < kTsHeader) return b.fail(ParseErrc::Truncated, 0, "TS payload header");
  std::uint8_t count = r.u8().value();
  r.skip(3);
  if (count == 0) return b.fail(ParseErrc::ZeroLength, 0, "no traffic selectors");
  TrafficSelectors out;
  for (unsigned i = 0; i < count; ++i) {
    auto ts = decode_selector(b, r);
    if (!ts) return fail(ts.error());
    out.selectors.push_back(std::move(*ts));
  }
  if (!r.empty()) return b.fail(ParseErrc::BadNesting, r.offset(), "bytes after the last selector");
  return out;
}

void encode_ts(const TrafficSelectors& ts, Writer& w) {
  w.u8(checked_u8(ts.selectors.size(), "traffic selector count"));
  w.zeros(3);
  for (const auto& s : ts.selectors) {
    w.u8(static_cast<std::uint8_t>(s.type()));
    w.u8(s.ip_protocol);
    w.u16(checked_u16(kSelectorHeader + s.start_address.size() + s.end_address.size(), "selector"));
    w.u16(s.start_port);
    w.u16(s.end_port);
    w.bytes(s.start_address.bytes());
    w.bytes(s.end_address.bytes());
  }
}

}  // namespace ike::v2::detail
