// Notification (RFC 2408 §3.14, RFC 3706 §5) and Delete (RFC 2408 §3.15)
// bodies.
#include "libike/common/reader.hpp"
#include "libike/ikev1/codec/payload_bodies.hpp"
#include "libike/ikev1/codec/payloads.hpp"

namespace ike::v1 {

namespace {
constexpr auto kN = PayloadType::Notification;
constexpr auto kD = PayloadType::Delete;
}  // namespace

NotificationPayload make_dpd(NotifyType type, ByteView cookies, std::uint32_t sequence) {
  // RFC 3706 §5.1: protocol ISAKMP, SPI = CKY-I | CKY-R, data = sequence.
  Writer w;
  w.u32(sequence);
  return NotificationPayload{kDoiIpsec, ProtocolId::Isakmp, type,
                             Bytes(cookies.begin(), cookies.end()), w.take()};
}

std::optional<std::uint32_t> dpd_sequence(const NotificationPayload& n) {
  if (n.data.size() != 4) return std::nullopt;
  Reader r(n.data);
  return r.u32();
}

namespace detail {

// DOI (4) | Protocol-ID (1) | SPI Size (1) | Notify Message Type (2) |
// SPI | Notification Data.
ParseResult<NotificationPayload> decode_notification(ByteView body, std::size_t base) {
  Reader r(body);
  auto doi = r.u32();
  auto protocol = r.u8();
  auto spi_size = r.u8();
  auto type = r.u16();
  if (!doi || !protocol || !spi_size || !type) {
    return parse_fail(ParseErrc::BadLength, base, kN, "notification shorter than its fixed fields");
  }
  auto spi = r.bytes(*spi_size);
  if (!spi) return parse_fail(ParseErrc::BadLength, base + 5, kN, "SPI runs past the notification");
  ByteView data = r.rest();
  return NotificationPayload{*doi, static_cast<ProtocolId>(*protocol), static_cast<NotifyType>(*type),
                             Bytes(spi->begin(), spi->end()), Bytes(data.begin(), data.end())};
}

ParseResult<void> encode_notification(const NotificationPayload& n, Writer& w) {
  if (n.spi.size() > 255) return parse_fail(ParseErrc::Oversize, w.size(), kN, "SPI over 255 bytes");
  w.u32(n.doi);
  w.u8(static_cast<std::uint8_t>(n.protocol));
  w.u8(static_cast<std::uint8_t>(n.spi.size()));
  w.u16(static_cast<std::uint16_t>(n.type));
  w.bytes(n.spi);
  w.bytes(n.data);
  return {};
}

// DOI (4) | Protocol-Id (1) | SPI Size (1) | # of SPIs (2) | SPIs; the
// body must hold exactly count * size SPI bytes.
ParseResult<DeletePayload> decode_delete(ByteView body, std::size_t base) {
  Reader r(body);
  auto doi = r.u32();
  auto protocol = r.u8();
  auto spi_size = r.u8();
  auto count = r.u16();
  if (!doi || !protocol || !spi_size || !count) {
    return parse_fail(ParseErrc::BadLength, base, kD, "delete shorter than its fixed fields");
  }
  if (*spi_size == 0 && *count != 0) {
    return parse_fail(ParseErrc::BadValue, base + 5, kD, "SPIs of size 0");
  }
  if (r.remaining() != std::size_t{*spi_size} * *count) {
    return parse_fail(ParseErrc::BadLength, base + 6, kD, "SPI count times size differs from the body");
  }
  DeletePayload d{*doi, static_cast<ProtocolId>(*protocol), *spi_size, {}};
  d.spis.reserve(*count);
  for (std::uint16_t i = 0; i < *count; ++i) {
    auto spi = r.bytes(*spi_size);
    d.spis.emplace_back(spi->begin(), spi->end());
  }
  return d;
}

ParseResult<void> encode_delete(const DeletePayload& d, Writer& w) {
  if (d.spis.size() > 0xffff) return parse_fail(ParseErrc::Oversize, w.size(), kD, "over 65535 SPIs");
  for (const auto& spi : d.spis) {
    if (spi.size() != d.spi_size) {
      return parse_fail(ParseErrc::BadValue, w.size(), kD, "SPI size differs from spi_size");
    }
  }
  if (d.spi_size == 0 && !d.spis.empty()) {
    return parse_fail(ParseErrc::BadValue, w.size(), kD, "SPIs of size 0");
  }
  w.u32(d.doi);
  w.u8(static_cast<std::uint8_t>(d.protocol));
  w.u8(d.spi_size);
  w.u16(static_cast<std::uint16_t>(d.spis.size()));
  for (const auto& spi : d.spis) w.bytes(spi);
  return {};
}

}  // namespace detail
}  // namespace ike::v1
