#include "libike/ikev1/codec/message.hpp"

#include "libike/common/reader.hpp"
#include "libike/ikev1/codec/generic.hpp"

namespace ike::v1 {

namespace {
constexpr auto kNone = PayloadType::None;

bool read_cookie(Reader& r, Cookie& out) {
  auto b = r.bytes(kCookieSize);
  if (!b) return false;
  std::copy(b->begin(), b->end(), out.begin());
  return true;
}
}  // namespace

// RFC 2408 §3.1: Initiator Cookie (8) | Responder Cookie (8) | Next
// Payload (1) | MjVer (4 bits) MnVer (4 bits) | Exchange Type (1) | Flags
// (1) | Message ID (4) | Length (4).
ParseResult<WireHeader> decode_header(ByteView wire) {
  if (wire.size() < kHeaderSize) return parse_fail(ParseErrc::Truncated, 0, kNone, "ISAKMP header");
  Reader r(wire);
  WireHeader out;
  read_cookie(r, out.header.initiator_cookie);
  read_cookie(r, out.header.responder_cookie);
  out.first_payload = static_cast<PayloadType>(*r.u8());
  auto version = *r.u8();
  out.header.exchange = static_cast<ExchangeType>(*r.u8());
  out.header.flags = *r.u8();
  out.header.message_id = *r.u32();
  out.length = *r.u32();
  // RFC 2408 §3.1: major 1, minor 0 (INVALID-MAJOR/MINOR-VERSION).
  if (version >> 4 != kMajorVersion || (version & 0x0f) != kMinorVersion) {
    return parse_fail(ParseErrc::BadVersion, 17, kNone, "ISAKMP version is not 1.0");
  }
  if (out.length != wire.size()) {
    return parse_fail(ParseErrc::BadLength, 24, kNone, "header length differs from the datagram");
  }
  if (out.length > kMaxMessageSize) {
    return parse_fail(ParseErrc::Oversize, 24, kNone, "message longer than 65535 bytes");
  }
  return out;
}

namespace {

struct ChainStep {
  Payload payload;
  PayloadType next;
};

// One payload of the chain: generic header, body inside the data.
ParseResult<ChainStep> decode_step(Reader& r, std::size_t base, PayloadType type) {
  std::size_t at = base + r.offset();
  auto h = detail::read_generic(r, base, type);
  if (!h) return fail(h.error());
  std::size_t body_at = base + r.offset();
  auto body = r.bytes(h->body_size());
  if (!body) return parse_fail(ParseErrc::Truncated, at, type, "payload length runs past the message");
  auto p = decode_payload_body(type, *body, body_at);
  if (!p) return fail(p.error());
  return ChainStep{std::move(*p), h->next};
}

}  // namespace

ParseResult<DecodedChain> decode_payload_chain(PayloadType first, ByteView data, std::size_t base,
                                               bool allow_trailing) {
  Reader r(data);
  DecodedChain out;
  for (PayloadType type = first; type != kNone;) {
    if (out.payloads.size() == kMaxPayloads) {
      return parse_fail(ParseErrc::Oversize, base + r.offset(), type, "too many payloads");
    }
    out.received.offsets.push_back(r.offset());
    auto step = decode_step(r, base, type);
    if (!step) return fail(step.error());
    out.payloads.push_back(std::move(step->payload));
    type = step->next;
  }
  if (!allow_trailing && !r.empty()) {
    return parse_fail(ParseErrc::BadLength, base + r.offset(), kNone, "bytes after the last payload");
  }
  auto used = data.first(r.offset());
  out.received.bytes.assign(used.begin(), used.end());
  return out;
}

ParseResult<Message> decode(ByteView wire) {
  auto h = decode_header(wire);
  if (!h) return fail(h.error());
  if (h->header.encrypted()) {
    return parse_fail(ParseErrc::BadValue, 19, kNone, "encrypted message: use decrypt_body");
  }
  auto chain = decode_payload_chain(h->first_payload, wire.subspan(kHeaderSize), kHeaderSize, false);
  if (!chain) return fail(chain.error());
  return Message{h->header, std::move(chain->payloads), std::move(chain->received)};
}

ParseResult<Bytes> encode_payloads(std::span<const Payload> payloads) {
  if (payloads.size() > kMaxPayloads) {
    return parse_fail(ParseErrc::Oversize, 0, kNone, "too many payloads");
  }
  Writer w;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto next = i + 1 < payloads.size() ? payload_type(payloads[i + 1]) : kNone;
    auto self = payload_type(payloads[i]);
    auto at = detail::begin_generic(w, next);
    if (auto st = encode_payload_body(payloads[i], w); !st) return fail(st.error());
    if (auto st = detail::end_generic(w, at, self); !st) return fail(st.error());
  }
  return w.take();
}

void write_header(const Header& h, PayloadType first, std::uint32_t length, Writer& w) {
  w.bytes(h.initiator_cookie);
  w.bytes(h.responder_cookie);
  w.u8(static_cast<std::uint8_t>(first));
  w.u8(static_cast<std::uint8_t>(kMajorVersion << 4 | kMinorVersion));
  w.u8(static_cast<std::uint8_t>(h.exchange));
  w.u8(h.flags);
  w.u32(h.message_id);
  w.u32(length);
}

ParseResult<Bytes> encode(const Message& m) {
  if (m.header.encrypted()) {
    return parse_fail(ParseErrc::BadValue, 19, kNone, "E flag set: use encrypt_message");
  }
  auto chain = encode_payloads(m.payloads);
  if (!chain) return fail(chain.error());
  std::size_t length = kHeaderSize + chain->size();
  if (length > kMaxMessageSize) {
    return parse_fail(ParseErrc::Oversize, 0, kNone, "message longer than 65535 bytes");
  }
  Writer w;
  auto first = m.payloads.empty() ? kNone : payload_type(m.payloads.front());
  write_header(m.header, first, static_cast<std::uint32_t>(length), w);
  w.bytes(*chain);
  return w.take();
}

}  // namespace ike::v1
