// The IKE header and the payload chain (RFC 7296 §3.1, §3.2, §2.5).
#include "libike/ikev2/codec/message.hpp"

#include "libike/ikev2/codec/detail.hpp"

namespace ike::v2 {
namespace {

void write_header(const Header& h, PayloadType first, Writer& w) {
  w.u64(h.spi_i);
  w.u64(h.spi_r);
  w.u8(static_cast<std::uint8_t>(first));
  w.u8(static_cast<std::uint8_t>(kMajorVersion << 4 | kMinorVersion));
  w.u8(static_cast<std::uint8_t>(h.exchange));
  std::uint8_t flags = 0;
  if (h.initiator) flags |= kFlagInitiator;
  if (h.higher_version) flags |= kFlagVersion;
  if (h.response) flags |= kFlagResponse;
  w.u8(flags);
  w.u32(h.message_id);
  w.u32(0);  // length, patched by the caller
}

// §3.2 generic payload header, then one payload. Returns false when the
// chain ends here (an SK payload ends the outer chain, §3.14).
struct ChainParser {
  Reader r;
  std::size_t base;
  bool inner;
  std::vector<Payload> out;

  Failure<ParseError> fail_at(ParseErrc code, std::size_t rel, PayloadType type,
                              std::string_view detail) const {
    return fail(ParseError{code, base + rel, type, detail, inner});
  }

  // Parses the payload of type `type` at the reader; sets `next` to its
  // Next Payload field.
  ParseResult<bool> one(PayloadType type, PayloadType& next) {
    std::size_t at = r.offset();
    if (out.size() >= kMaxPayloads) return fail_at(ParseErrc::Oversize, at, type, "too many payloads");
    if (r.remaining() < kGenericHeaderSize)
      return fail_at(ParseErrc::Truncated, at, type, "generic payload header");
    next = static_cast<PayloadType>(r.u8().value());
    bool critical = (r.u8().value() & kCriticalBit) != 0;
    std::uint16_t length = r.u16().value();
    if (length < kGenericHeaderSize) return fail_at(ParseErrc::BadLength, at, type, "payload length below 4");
    auto body = r.bytes(length - kGenericHeaderSize);
    if (!body) return fail_at(ParseErrc::BadLength, at, type, "payload length beyond message");
    detail::Body b{*body, base + at + kGenericHeaderSize, type, inner};
    if (type == PayloadType::Sk) return sk(b, next);
    if (!detail::is_known(type)) {
      // §2.5: an unknown critical payload fails the message (the engine
      // answers UNSUPPORTED_CRITICAL_PAYLOAD); otherwise it is skipped.
      if (critical) return fail_at(ParseErrc::UnsupportedCritical, at, type, "unknown critical payload");
      out.emplace_back(UnknownPayload{type, false, Bytes(body->begin(), body->end())});
      return true;
    }
    auto p = detail::decode_body(b);
    if (!p) return fail(p.error());
    out.push_back(std::move(*p));
    return true;
  }

  // §3.14: "the Encrypted payload, if present in a message, MUST be the
  // last payload"; its Next Payload names the first inner payload.
  ParseResult<bool> sk(const detail::Body& b, PayloadType first_inner) {
    if (inner) return b.fail(ParseErrc::BadNesting, 0, "SK payload inside SK");
    if (!r.empty()) return b.fail(ParseErrc::BadNesting, 0, "SK payload not last");
    if (b.data.empty()) return b.fail(ParseErrc::ZeroLength, 0, "empty SK payload");
    out.emplace_back(EncryptedPayload{first_inner, Bytes(b.data.begin(), b.data.end())});
    return false;
  }
};

}  // namespace

Header response_header(const Header& request, bool we_are_initiator) {
  Header h = request;
  h.response = true;
  h.initiator = we_are_initiator;
  h.higher_version = false;
  return h;
}

ParseResult<WireHeader> decode_header(ByteView wire) {
  Reader r(wire);
  if (wire.size() < kHeaderSize) return parse_fail(ParseErrc::Truncated, 0, PayloadType::None, "IKE header");
  WireHeader out;
  Header& h = out.header;
  h.spi_i = r.u64().value();
  h.spi_r = r.u64().value();
  out.first_payload = static_cast<PayloadType>(r.u8().value());
  std::uint8_t version = r.u8().value();
  h.exchange = static_cast<ExchangeType>(r.u8().value());
  std::uint8_t flags = r.u8().value();
  h.message_id = r.u32().value();
  out.length = r.u32().value();
  // §3.1: a different major version is refused; the minor version and the
  // unassigned flag bits are ignored on receipt.
  if (version >> 4 != kMajorVersion)
    return parse_fail(ParseErrc::BadVersion, 17, PayloadType::None, "major version not 2");
  h.initiator = (flags & kFlagInitiator) != 0;
  h.higher_version = (flags & kFlagVersion) != 0;
  h.response = (flags & kFlagResponse) != 0;
  if (wire.size() > kMaxMessageSize || out.length > kMaxMessageSize)
    return parse_fail(ParseErrc::Oversize, 24, PayloadType::None, "message above 64 KiB");
  if (out.length < kHeaderSize)
    return parse_fail(ParseErrc::BadLength, 24, PayloadType::None, "length below the header size");
  if (out.length > wire.size())
    return parse_fail(ParseErrc::Truncated, wire.size(), PayloadType::None, "message shorter than its length");
  if (out.length < wire.size())
    return parse_fail(ParseErrc::BadLength, 24, PayloadType::None, "bytes after the message length");
  return out;
}

ParseResult<std::vector<Payload>> decode_chain(ByteView data, PayloadType first, std::size_t base,
                                               bool inner) {
  ChainParser p{Reader(data), base, inner, {}};
  PayloadType type = first;
  while (type != PayloadType::None) {
    PayloadType next = PayloadType::None;
    auto more = p.one(type, next);
    if (!more) return fail(more.error());
    if (!*more) return std::move(p.out);
    type = next;
  }
  if (!p.r.empty())
    return p.fail_at(ParseErrc::BadLength, p.r.offset(), PayloadType::None, "bytes after the last payload");
  return std::move(p.out);
}

ParseResult<Message> decode(ByteView wire) {
  auto h = decode_header(wire);
  if (!h) return fail(h.error());
  auto payloads = decode_chain(wire.subspan(kHeaderSize), h->first_payload, kHeaderSize, false);
  if (!payloads) return fail(payloads.error());
  return Message{h->header, std::move(*payloads)};
}

Bytes encode_chain(const std::vector<Payload>& payloads, PayloadType& first) {
  first = payloads.empty() ? PayloadType::None : payload_type(payloads.front());
  Writer w;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    // §3.14: the SK payload's Next Payload is its first inner payload.
    PayloadType next = PayloadType::None;
    if (const auto* sk = std::get_if<EncryptedPayload>(&p)) next = sk->first_inner;
    else if (i + 1 < payloads.size()) next = payload_type(payloads[i + 1]);
    const auto* unknown = std::get_if<UnknownPayload>(&p);
    w.u8(static_cast<std::uint8_t>(next));
    w.u8(unknown && unknown->critical ? kCriticalBit : 0);
    std::size_t len_at = w.reserve_u16();
    detail::encode_body(p, w);
    w.patch_u16(len_at, detail::checked_u16(w.size() - len_at + 2, "payload"));
  }
  return w.take();
}

Bytes encode(const Message& message) {
  PayloadType first = PayloadType::None;
  Bytes chain = encode_chain(message.payloads, first);
  Writer w;
  write_header(message.header, first, w);
  w.bytes(chain);
  w.patch_u32(24, static_cast<std::uint32_t>(w.size()));
  return w.take();
}

const NotifyPayload* Message::find_notify(NotifyType type) const {
  for (const auto* n : find_all<NotifyPayload>())
    if (n->type == type) return n;
  return nullptr;
}

std::vector<const NotifyPayload*> Message::find_notifies(NotifyType type) const {
  std::vector<const NotifyPayload*> out;
  for (const auto* n : find_all<NotifyPayload>())
    if (n->type == type) out.push_back(n);
  return out;
}

const NotifyPayload* Message::first_error() const {
  for (const auto* n : find_all<NotifyPayload>())
    if (n->is_error()) return n;
  return nullptr;
}

}  // namespace ike::v2
