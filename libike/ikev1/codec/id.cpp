// ID (RFC 2408 §3.8, RFC 2407 §4.6.2) and NAT-OA (RFC 3947 §5.2) bodies.
#include "libike/common/reader.hpp"
#include "libike/ikev1/codec/payload_bodies.hpp"
#include "libike/ikev1/codec/payloads.hpp"

namespace ike::v1 {

namespace {

constexpr auto kId = PayloadType::Identification;

// RFC 2407 §4.6.2.2-4.6.2.12: the fixed data sizes of the address types;
// nullopt for the variable ones (names, key IDs, DER).
std::optional<std::size_t> fixed_id_size(IdType t) {
  switch (t) {
    case IdType::Ipv4Addr: return 4;
    case IdType::Ipv4AddrSubnet:
    case IdType::Ipv4AddrRange: return 8;
    case IdType::Ipv6Addr: return 16;
    case IdType::Ipv6AddrSubnet:
    case IdType::Ipv6AddrRange: return 32;
    default: return std::nullopt;
  }
}

template <std::size_t N>
IdPayload id_of(IdType type, const std::array<std::uint8_t, N>& a) {
  return IdPayload{type, 0, 0, Bytes(a.begin(), a.end()), {}};
}

template <std::size_t N>
IdPayload id_of(IdType type, const std::array<std::uint8_t, N>& a,
                const std::array<std::uint8_t, N>& b) {
  return IdPayload{type, 0, 0, concat(a, b), {}};
}

IdPayload id_of(IdType type, ByteView data) {
  return IdPayload{type, 0, 0, Bytes(data.begin(), data.end()), {}};
}

}  // namespace

IdPayload IdPayload::ipv4(const Ipv4& addr) { return id_of(IdType::Ipv4Addr, addr); }
IdPayload IdPayload::ipv6(const Ipv6& addr) { return id_of(IdType::Ipv6Addr, addr); }
IdPayload IdPayload::ipv4_subnet(const Ipv4& addr, const Ipv4& mask) {
  return id_of(IdType::Ipv4AddrSubnet, addr, mask);
}
IdPayload IdPayload::ipv6_subnet(const Ipv6& addr, const Ipv6& mask) {
  return id_of(IdType::Ipv6AddrSubnet, addr, mask);
}
IdPayload IdPayload::ipv4_range(const Ipv4& first, const Ipv4& last) {
  return id_of(IdType::Ipv4AddrRange, first, last);
}
IdPayload IdPayload::ipv6_range(const Ipv6& first, const Ipv6& last) {
  return id_of(IdType::Ipv6AddrRange, first, last);
}
IdPayload IdPayload::fqdn(std::string_view name) { return id_of(IdType::Fqdn, as_bytes(name)); }
IdPayload IdPayload::user_fqdn(std::string_view name) {
  return id_of(IdType::UserFqdn, as_bytes(name));
}
IdPayload IdPayload::key_id(ByteView key) { return id_of(IdType::KeyId, key); }

namespace detail {

// ID Type (1) | Protocol ID (1) | Port (2) | Identification Data.
ParseResult<IdPayload> decode_id(ByteView body, std::size_t base) {
  Reader r(body);
  auto type = r.u8();
  auto protocol = r.u8();
  auto port = r.u16();
  if (!type || !protocol || !port) {
    return parse_fail(ParseErrc::BadLength, base, kId, "ID shorter than its fixed fields");
  }
  auto id_type = static_cast<IdType>(*type);
  ByteView data = r.rest();
  auto want = fixed_id_size(id_type);
  if (want && data.size() != *want) {
    return parse_fail(ParseErrc::BadLength, base + 4, kId, "ID data size does not match its type");
  }
  return IdPayload{id_type, *protocol, *port, Bytes(data.begin(), data.end()),
                   ReceivedBytes{Bytes(body.begin(), body.end())}};
}

ParseResult<void> encode_id(const IdPayload& id, Writer& w) {
  auto want = fixed_id_size(id.type);
  if (want && id.data.size() != *want) {
    return parse_fail(ParseErrc::BadValue, w.size(), kId, "ID data size does not match its type");
  }
  w.u8(static_cast<std::uint8_t>(id.type));
  w.u8(id.protocol);
  w.u16(id.port);
  w.bytes(id.data);
  return {};
}

// ID Type (1) | RESERVED (3) | NAT-OA IPv4 (4) or IPv6 (16) address.
ParseResult<NatOaPayload> decode_nat_oa(ByteView body, std::size_t base, bool draft) {
  auto self = draft ? PayloadType::NatOaDraft : PayloadType::NatOa;
  Reader r(body);
  auto type = r.u8();
  if (!type || !r.skip(3)) {
    return parse_fail(ParseErrc::BadLength, base, self, "NAT-OA shorter than its fixed fields");
  }
  auto id_type = static_cast<IdType>(*type);
  if (id_type != IdType::Ipv4Addr && id_type != IdType::Ipv6Addr) {
    return parse_fail(ParseErrc::BadValue, base, self, "NAT-OA ID type is not an address");
  }
  ByteView addr = r.rest();
  if (addr.size() != *fixed_id_size(id_type)) {
    return parse_fail(ParseErrc::BadLength, base + 4, self, "NAT-OA address size does not match its type");
  }
  return NatOaPayload{id_type, Bytes(addr.begin(), addr.end()), draft};
}

ParseResult<void> encode_nat_oa(const NatOaPayload& oa, Writer& w) {
  bool v4 = oa.type == IdType::Ipv4Addr && oa.address.size() == 4;
  bool v6 = oa.type == IdType::Ipv6Addr && oa.address.size() == 16;
  if (!v4 && !v6) {
    return parse_fail(ParseErrc::BadValue, w.size(), PayloadType::NatOa, "NAT-OA is not one address");
  }
  w.u8(static_cast<std::uint8_t>(oa.type));
  w.zeros(3);
  w.bytes(oa.address);
  return {};
}

}  // namespace detail

Bytes id_body_for_hash(const IdPayload& id) {
  if (!id.received_body.empty()) return id.received_body.bytes;
  Writer w;
  if (!detail::encode_id(id, w)) return {};
  return w.take();
}

}  // namespace ike::v1
