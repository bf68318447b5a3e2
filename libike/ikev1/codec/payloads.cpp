// Dispatch between next-payload numbers and payload structs (RFC 2408 §3.1
// "Next Payload", RFC 3947 §3.2/§5.2), and the opaque-data payloads.
#include "libike/ikev1/codec/payloads.hpp"

#include "libike/ikev1/codec/payload_bodies.hpp"

namespace ike::v1 {

namespace {

Bytes copy(ByteView v) { return Bytes(v.begin(), v.end()); }

template <typename T>
ParseResult<Payload> lift(ParseResult<T>&& r) {
  if (!r) return fail(r.error());
  return Payload(std::move(*r));
}

// KE, HASH, Nonce, VID, NAT-D: the whole body is the value.
std::optional<Payload> decode_opaque_data(PayloadType type, ByteView body) {
  switch (type) {
    case PayloadType::KeyExchange: return KePayload{copy(body)};
    case PayloadType::Hash: return HashPayload{copy(body)};
    case PayloadType::Nonce: return NoncePayload{copy(body)};
    case PayloadType::VendorId: return VendorIdPayload{copy(body)};
    case PayloadType::NatD: return NatDPayload{copy(body), false};
    case PayloadType::NatDDraft: return NatDPayload{copy(body), true};
    case PayloadType::Certificate:
    case PayloadType::CertificateRequest:
    case PayloadType::Signature: return OpaquePayload{type, copy(body)};
    default: return std::nullopt;
  }
}

}  // namespace

ParseResult<Payload> decode_payload_body(PayloadType type, ByteView body, std::size_t base) {
  if (auto p = decode_opaque_data(type, body)) return std::move(*p);
  switch (type) {
    case PayloadType::SecurityAssociation: return lift(decode_sa_body(body, base));
    case PayloadType::Identification: return lift(detail::decode_id(body, base));
    case PayloadType::Notification: return lift(detail::decode_notification(body, base));
    case PayloadType::Delete: return lift(detail::decode_delete(body, base));
    case PayloadType::NatOa: return lift(detail::decode_nat_oa(body, base, false));
    case PayloadType::NatOaDraft: return lift(detail::decode_nat_oa(body, base, true));
    case PayloadType::Proposal:
    case PayloadType::Transform:
      // RFC 2408 §3.4: these live only inside an SA payload.
      return parse_fail(ParseErrc::BadNesting, base, type, "proposal/transform outside an SA");
    default:
      return parse_fail(ParseErrc::UnknownPayload, base, type, "unknown next payload type");
  }
}

namespace {

struct TypeOf {
  PayloadType operator()(const SaPayload&) const { return PayloadType::SecurityAssociation; }
  PayloadType operator()(const KePayload&) const { return PayloadType::KeyExchange; }
  PayloadType operator()(const IdPayload&) const { return PayloadType::Identification; }
  PayloadType operator()(const HashPayload&) const { return PayloadType::Hash; }
  PayloadType operator()(const NoncePayload&) const { return PayloadType::Nonce; }
  PayloadType operator()(const NotificationPayload&) const { return PayloadType::Notification; }
  PayloadType operator()(const DeletePayload&) const { return PayloadType::Delete; }
  PayloadType operator()(const VendorIdPayload&) const { return PayloadType::VendorId; }
  PayloadType operator()(const NatDPayload& p) const {
    return p.draft ? PayloadType::NatDDraft : PayloadType::NatD;
  }
  PayloadType operator()(const NatOaPayload& p) const {
    return p.draft ? PayloadType::NatOaDraft : PayloadType::NatOa;
  }
  PayloadType operator()(const OpaquePayload& p) const { return p.type; }
};

struct EncodeBody {
  Writer& w;
  ParseResult<void> bytes(ByteView v) const {
    w.bytes(v);
    return {};
  }
  ParseResult<void> operator()(const SaPayload& p) const { return encode_sa_body(p, w); }
  ParseResult<void> operator()(const KePayload& p) const { return bytes(p.data); }
  ParseResult<void> operator()(const IdPayload& p) const { return detail::encode_id(p, w); }
  ParseResult<void> operator()(const HashPayload& p) const { return bytes(p.data); }
  ParseResult<void> operator()(const NoncePayload& p) const { return bytes(p.data); }
  ParseResult<void> operator()(const NotificationPayload& p) const {
    return detail::encode_notification(p, w);
  }
  ParseResult<void> operator()(const DeletePayload& p) const { return detail::encode_delete(p, w); }
  ParseResult<void> operator()(const VendorIdPayload& p) const { return bytes(p.data); }
  ParseResult<void> operator()(const NatDPayload& p) const { return bytes(p.hash); }
  ParseResult<void> operator()(const NatOaPayload& p) const { return detail::encode_nat_oa(p, w); }
  ParseResult<void> operator()(const OpaquePayload& p) const {
    bool known = p.type == PayloadType::Certificate || p.type == PayloadType::CertificateRequest ||
                 p.type == PayloadType::Signature;
    if (!known) return parse_fail(ParseErrc::BadValue, w.size(), p.type, "opaque payload type not CERT/CR/SIG");
    return bytes(p.body);
  }
};

}  // namespace

PayloadType payload_type(const Payload& p) { return std::visit(TypeOf{}, p); }

ParseResult<void> encode_payload_body(const Payload& p, Writer& w) {
  return std::visit(EncodeBody{w}, p);
}

}  // namespace ike::v1
