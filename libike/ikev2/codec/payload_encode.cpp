// Payload bodies onto the wire (RFC 7296 §3.3-§3.16): the inverse of
// payload_codec.cpp. The generic header is message.cpp's job.
#include "libike/ikev2/codec/detail.hpp"

namespace ike::v2::detail {
namespace {

struct BodyWriter {
  Writer& w;

  void operator()(const SaPayload& p) { encode_sa(p, w); }
  void operator()(const KePayload& p) {  // §3.4
    w.u16(p.group);
    w.zeros(2);
    w.bytes(p.data);
  }
  void id(const Identification& p) {  // §3.5
    w.u8(static_cast<std::uint8_t>(p.type));
    for (auto octet : p.reserved) w.u8(octet);
    w.bytes(p.data);
  }
  void operator()(const IdiPayload& p) { id(p); }
  void operator()(const IdrPayload& p) { id(p); }
  void operator()(const CertPayload& p) {  // §3.6
    w.u8(p.encoding);
    w.bytes(p.data);
  }
  void operator()(const CertReqPayload& p) {  // §3.7
    w.u8(p.encoding);
    w.bytes(p.data);
  }
  void operator()(const AuthPayload& p) {  // §3.8
    w.u8(static_cast<std::uint8_t>(p.method));
    w.zeros(3);
    w.bytes(p.data);
  }
  void operator()(const NoncePayload& p) { w.bytes(p.data); }  // §3.9
  void operator()(const NotifyPayload& p) {                    // §3.10
    w.u8(static_cast<std::uint8_t>(p.protocol));
    w.u8(checked_u8(p.spi.size(), "notify SPI"));
    w.u16(static_cast<std::uint16_t>(p.type));
    w.bytes(p.spi);
    w.bytes(p.data);
  }
  void operator()(const DeletePayload& p) {  // §3.11
    bool ike = p.protocol == ProtocolId::Ike;
    w.u8(static_cast<std::uint8_t>(p.protocol));
    w.u8(ike ? 0 : 4);
    w.u16(ike ? 0 : checked_u16(p.spis.size(), "delete SPIs"));
    if (!ike)
      for (auto spi : p.spis) w.u32(spi);
  }
  void operator()(const VendorIdPayload& p) { w.bytes(p.data); }  // §3.12
  void operator()(const TsiPayload& p) { encode_ts(p, w); }       // §3.13
  void operator()(const TsrPayload& p) { encode_ts(p, w); }
  void operator()(const EncryptedPayload& p) { w.bytes(p.data); }  // §3.14
  void operator()(const ConfigPayload& p) {                        // §3.15
    w.u8(static_cast<std::uint8_t>(p.type));
    w.zeros(3);
    for (const auto& a : p.attributes) {
      w.u16(static_cast<std::uint16_t>(a.type & 0x7fff));
      w.u16(checked_u16(a.value.size(), "config attribute"));
      w.bytes(a.value);
    }
  }
  void operator()(const EapPayload& p) { w.bytes(p.data); }  // §3.16
  void operator()(const UnknownPayload& p) { w.bytes(p.data); }
};

}  // namespace

void encode_body(const Payload& payload, Writer& w) { std::visit(BodyWriter{w}, payload); }

}  // namespace ike::v2::detail
