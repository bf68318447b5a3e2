// Internal to the IKEv2 codec: the per-payload body decoders and encoders
// that message.cpp dispatches to. Not installed, not for other modules.
#pragma once
#include <cstddef>
#include <string_view>

#include "libike/common/reader.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev2/codec/errors.hpp"
#include "libike/ikev2/codec/payloads.hpp"

namespace ike::v2::detail {

// A payload body being parsed: its bytes (generic header excluded), the
// absolute offset of its first byte, and its type, so that every error
// names the payload and the offset within the message (or plaintext).
struct Body {
  ByteView data;
  std::size_t base = 0;
  PayloadType type = PayloadType::None;
  bool inner = false;

  Failure<ParseError> fail(ParseErrc code, std::size_t rel, std::string_view detail) const {
    return ike::fail(ParseError{code, base + rel, type, detail, inner});
  }
};

// Whether this codec parses the type into a struct (§2.5 "understood").
bool is_known(PayloadType type);

// One payload body of a known type into its struct.
ParseResult<Payload> decode_body(const Body& body);
// One payload body (no generic header) onto `w`.
void encode_body(const Payload& payload, Writer& w);

// §3.3 (sa_payload.cpp).
ParseResult<SaPayload> decode_sa(const Body& body);
void encode_sa(const SaPayload& sa, Writer& w);

// §3.13 (ts_payload.cpp).
ParseResult<TrafficSelectors> decode_ts(const Body& body);
void encode_ts(const TrafficSelectors& ts, Writer& w);

// Length fields: a value that does not fit is a programming error.
// Throws std::length_error naming `what`.
std::uint16_t checked_u16(std::size_t n, const char* what);
std::uint8_t checked_u8(std::size_t n, const char* what);

}  // namespace ike::v2::detail
