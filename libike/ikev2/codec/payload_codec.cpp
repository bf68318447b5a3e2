// Payload bodies other than SA and TS (RFC 7296 §3.4-§3.16), and the
// dispatch from a payload type to its decoder/encoder.
#include <stdexcept>
#include <string>

#include "libike/ikev2/codec/detail.hpp"

namespace ike::v2::detail {
namespace {

Bytes copy(ByteView v) { return Bytes(v.begin(), v.end()); }

// §3.4: DH Group Num, RESERVED, Key Exchange Data.
ParseResult<Payload> decode_ke(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < 4) return b.fail(ParseErrc::Truncated, 0, "KE header");
  KePayload ke;
  ke.group = r.u16().value();
  r.skip(2);
  if (r.empty()) return b.fail(ParseErrc::ZeroLength, 4, "empty key exchange data");
  ke.data = copy(r.rest());
  return Payload{std::move(ke)};
}

// §3.5: ID Type, RESERVED, Identification Data; address IDs have the
// address length, the others must not be empty.
ParseResult<Identification> decode_id(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < 4) return b.fail(ParseErrc::Truncated, 0, "ID header");
  Identification id;
  id.type = static_cast<IdType>(r.u8().value());
  for (auto& octet : id.reserved) octet = r.u8().value();
  id.data = copy(r.rest());
  if (id.type == IdType::Ipv4Addr && id.data.size() != 4)
    return b.fail(ParseErrc::BadLength, 4, "ID_IPV4_ADDR not 4 octets");
  if (id.type == IdType::Ipv6Addr && id.data.size() != 16)
    return b.fail(ParseErrc::BadLength, 4, "ID_IPV6_ADDR not 16 octets");
  // RFC 7619: ID_NULL carries no data; every other type needs some.
  if (id.type != IdType::Null && id.data.empty())
    return b.fail(ParseErrc::ZeroLength, 4, "empty identification data");
  return id;
}

// §3.6 / §3.7: Cert Encoding, then opaque data.
template <typename T>
ParseResult<Payload> decode_cert(const Body& b) {
  Reader r(b.data);
  if (r.empty()) return b.fail(ParseErrc::Truncated, 0, "certificate encoding");
  T c;
  c.encoding = r.u8().value();
  c.data = copy(r.rest());
  return Payload{std::move(c)};
}

// §3.8: Auth Method, RESERVED, Authentication Data.
ParseResult<Payload> decode_auth(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < 4) return b.fail(ParseErrc::Truncated, 0, "AUTH header");
  AuthPayload a;
  a.method = static_cast<AuthMethod>(r.u8().value());
  r.skip(3);
  if (r.empty()) return b.fail(ParseErrc::ZeroLength, 4, "empty authentication data");
  a.data = copy(r.rest());
  return Payload{std::move(a)};
}

// §3.9: "at least 128 bits in size... MUST NOT exceed 256 octets" (and
// §2.10: at least 16 octets).
ParseResult<Payload> decode_nonce(const Body& b) {
  if (b.data.size() < kMinNonceSize) return b.fail(ParseErrc::BadLength, 0, "nonce below 16 octets");
  if (b.data.size() > kMaxNonceSize) return b.fail(ParseErrc::Oversize, 0, "nonce above 256 octets");
  return Payload{NoncePayload{copy(b.data)}};
}

// Notification data sizes the RFC fixes for the types kite acts on.
std::string_view notify_data_problem(const NotifyPayload& n) {
  switch (n.type) {
    case NotifyType::InvalidKePayload:  // §3.10.1: the accepted group
      return n.data.size() == 2 ? "" : "INVALID_KE_PAYLOAD data not 2 octets";
    case NotifyType::Cookie:  // §2.6: 1..64 octets
      return !n.data.empty() && n.data.size() <= kMaxCookieSize ? "" : "COOKIE not 1..64 octets";
    case NotifyType::NatDetectionSourceIp:  // §2.23: a SHA-1 digest
    case NotifyType::NatDetectionDestinationIp:
      return n.data.size() == 20 ? "" : "NAT_DETECTION data not 20 octets";
    case NotifyType::RekeySa:  // §1.3.3: names the CHILD SA being rekeyed
      return n.spi.size() == 4 ? "" : "REKEY_SA without a 4-octet SPI";
    default: return "";
  }
}

// §3.10: Protocol ID, SPI Size, Notify Message Type, SPI, data.
ParseResult<Payload> decode_notify(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < 4) return b.fail(ParseErrc::Truncated, 0, "Notify header");
  NotifyPayload n;
  n.protocol = static_cast<ProtocolId>(r.u8().value());
  std::uint8_t spi_size = r.u8().value();
  n.type = static_cast<NotifyType>(r.u16().value());
  if (spi_size != 0 && spi_size != 4 && spi_size != 8)
    return b.fail(ParseErrc::BadValue, 1, "notify SPI size not 0, 4 or 8");
  auto spi = r.bytes(spi_size);
  if (!spi) return b.fail(ParseErrc::BadLength, 4, "notify SPI beyond payload");
  n.spi = copy(*spi);
  n.data = copy(r.rest());
  if (auto problem = notify_data_problem(n); !problem.empty())
    return b.fail(ParseErrc::BadLength, 4 + spi_size, problem);
  return Payload{std::move(n)};
}

// §3.11: Protocol ID, SPI Size, Num of SPIs, SPIs. For IKE the SPI size is
// 0 (the header names the SA); for AH and ESP it is 4.
ParseResult<Payload> decode_delete(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < 4) return b.fail(ParseErrc::Truncated, 0, "Delete header");
  DeletePayload d;
  d.protocol = static_cast<ProtocolId>(r.u8().value());
  std::uint8_t spi_size = r.u8().value();
  std::uint16_t count = r.u16().value();
  bool ike = d.protocol == ProtocolId::Ike;
  if (!ike && d.protocol != ProtocolId::Ah && d.protocol != ProtocolId::Esp)
    return b.fail(ParseErrc::BadValue, 0, "delete protocol not IKE, AH or ESP");
  if (spi_size != (ike ? 0 : 4)) return b.fail(ParseErrc::BadValue, 1, "delete SPI size");
  if (ike && count != 0) return b.fail(ParseErrc::BadValue, 2, "IKE delete with SPIs");
  if (r.remaining() != std::size_t{count} * spi_size)
    return b.fail(ParseErrc::BadLength, 4, "SPI count does not match the payload length");
  for (unsigned i = 0; i < count; ++i) d.spis.push_back(r.u32().value());
  return Payload{std::move(d)};
}

// §3.12.
ParseResult<Payload> decode_vendor(const Body& b) {
  if (b.data.empty()) return b.fail(ParseErrc::ZeroLength, 0, "empty vendor ID");
  return Payload{VendorIdPayload{copy(b.data)}};
}

// §3.15: CFG Type, RESERVED, attributes (R bit, type, length, value).
ParseResult<Payload> decode_cp(const Body& b) {
  Reader r(b.data);
  if (r.remaining() < 4) return b.fail(ParseErrc::Truncated, 0, "CP header");
  ConfigPayload cp;
  cp.type = static_cast<CfgType>(r.u8().value());
  r.skip(3);
  while (!r.empty()) {
    std::size_t at = r.offset();
    if (r.remaining() < 4) return b.fail(ParseErrc::BadNesting, at, "config attribute header");
    ConfigAttribute a;
    a.type = static_cast<std::uint16_t>(r.u16().value() & 0x7fff);
    auto value = r.bytes(r.u16().value());
    if (!value) return b.fail(ParseErrc::BadNesting, at, "config attribute beyond payload");
    a.value = copy(*value);
    cp.attributes.push_back(std::move(a));
  }
  return Payload{std::move(cp)};
}

ParseResult<Payload> decode_ts_payload(const Body& b) {
  auto ts = decode_ts(b);
  if (!ts) return fail(ts.error());
  if (b.type == PayloadType::TsI) return Payload{TsiPayload{std::move(*ts)}};
  return Payload{TsrPayload{std::move(*ts)}};
}

ParseResult<Payload> decode_id_payload(const Body& b) {
  auto id = decode_id(b);
  if (!id) return fail(id.error());
  if (b.type == PayloadType::IdI) return Payload{IdiPayload{std::move(*id)}};
  return Payload{IdrPayload{std::move(*id)}};
}

ParseResult<Payload> decode_sa_payload(const Body& b) {
  auto sa = decode_sa(b);
  if (!sa) return fail(sa.error());
  return Payload{std::move(*sa)};
}

}  // namespace

bool is_known(PayloadType type) {
  auto t = static_cast<unsigned>(type);
  return t >= static_cast<unsigned>(PayloadType::Sa) && t <= static_cast<unsigned>(PayloadType::Eap);
}

ParseResult<Payload> decode_body(const Body& b) {
  switch (b.type) {
    case PayloadType::Sa: return decode_sa_payload(b);
    case PayloadType::Ke: return decode_ke(b);
    case PayloadType::IdI:
    case PayloadType::IdR: return decode_id_payload(b);
    case PayloadType::Cert: return decode_cert<CertPayload>(b);
    case PayloadType::CertReq: return decode_cert<CertReqPayload>(b);
    case PayloadType::Auth: return decode_auth(b);
    case PayloadType::Nonce: return decode_nonce(b);
    case PayloadType::Notify: return decode_notify(b);
    case PayloadType::Delete: return decode_delete(b);
    case PayloadType::VendorId: return decode_vendor(b);
    case PayloadType::TsI:
    case PayloadType::TsR: return decode_ts_payload(b);
    case PayloadType::Cp: return decode_cp(b);
    case PayloadType::Eap: return Payload{EapPayload{copy(b.data)}};
    default: return b.fail(ParseErrc::BadValue, 0, "payload type not decodable");
  }
}

std::uint16_t checked_u16(std::size_t n, const char* what) {
  if (n > 0xffff) throw std::length_error(std::string("IKEv2 encode: too long: ") + what);
  return static_cast<std::uint16_t>(n);
}

std::uint8_t checked_u8(std::size_t n, const char* what) {
  if (n > 0xff) throw std::length_error(std::string("IKEv2 encode: too many: ") + what);
  return static_cast<std::uint8_t>(n);
}

}  // namespace ike::v2::detail
