// Typed codec errors (STYLE.md §9). A ParseError says what went wrong
// (ParseErrc), where (byte offset from the start of the ISAKMP header, or
// from the start of the payload chain for encode_payloads / decoding a
// bare chain), in which payload, and a short fixed detail for the log. It
// maps onto the NOTIFY a responder should send (RFC 2408 §5).
//
// Encoding reuses the same type: a value that does not fit its wire field
// is Oversize/BadValue, a cipher failure is EncryptFailed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "libike/common/result.hpp"
#include "libike/ikev1/codec/constants.hpp"

namespace ike::v1 {

enum class ParseErrc : std::uint8_t {
  Truncated,       // the buffer ends inside a header or a declared length
  BadLength,       // a length field contradicts the bytes or the structure
  BadVersion,      // ISAKMP version is not 1.0 (RFC 2408 §3.1)
  BadNesting,      // proposal/transform outside an SA, transform count wrong...
  ZeroLength,      // a payload declares length 0 (would loop forever)
  Oversize,        // over a codec limit (message, payload count, field width)
  BadValue,        // a field holds a value its context forbids
  UnknownPayload,  // next-payload type this codec does not know (RFC 2408 §5.2)
  BadDoi,          // SA/N/D payload DOI other than IPsec (RFC 2407 §2.1)
  BadSituation,    // situation other than SIT_IDENTITY_ONLY (RFC 2407 §4.2)
  DecryptFailed,   // E flag missing, ciphertext not block aligned, cipher error
  EncryptFailed,   // the cipher refused (bad key/IV size)
};

struct ParseError {
  ParseErrc code = ParseErrc::BadValue;
  std::size_t offset = 0;                         // byte offset of the problem
  PayloadType payload = PayloadType::None;        // payload being parsed, None = header
  std::string_view detail;                        // static text, never peer data
  bool after_decryption = false;                  // parsed from decrypted bytes

  friend bool operator==(const ParseError&, const ParseError&) = default;
};

template <typename T>
using ParseResult = Result<T, ParseError>;

std::string_view to_string(ParseErrc code);
// One log line: "truncated SA payload at offset 44: proposal header
// (after decryption: wrong key?)".
std::string to_string(const ParseError& e);

// RFC 2408 §5 / §3.14.1: the notify a responder sends for this error
// (PAYLOAD-MALFORMED, INVALID-PAYLOAD-TYPE, INVALID-MAJOR-VERSION,
// DOI-NOT-SUPPORTED...). After decryption of a Main Mode message a garbled
// body usually means a PSK mismatch; the engine decides whether to answer
// at all.
NotifyType to_notify(const ParseError& e);

// Shorthand used by the decoders.
inline Failure<ParseError> parse_fail(ParseErrc code, std::size_t offset, PayloadType payload,
                                      std::string_view detail) {
  return fail(ParseError{code, offset, payload, detail, false});
}

}  // namespace ike::v1
