// Typed codec errors (STYLE.md §9). A ParseError says what went wrong
// (ParseErrc), where (byte offset from the start of the IKE header, or of
// the decrypted plaintext when `inner` is set), in which payload, and a
// short fixed detail for the log. error_notify() maps it onto the NOTIFY a
// responder sends (RFC 7296 §2.21).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libike/common/bytes.hpp"
#include "libike/common/result.hpp"
#include "libike/ikev2/codec/constants.hpp"

namespace ike::v2 {

enum class ParseErrc : std::uint8_t {
  Truncated,            // the buffer ends inside a header or a declared length
  BadLength,            // a length field contradicts the bytes or the structure
  BadVersion,           // major version is not 2 (RFC 7296 §2.5)
  UnsupportedCritical,  // unknown payload with the critical bit (§2.5); payload = its type
  BadNesting,           // substructure outside its parent, wrong counts, SK not last
  ZeroLength,           // empty where the RFC needs content (no proposals, empty KE...)
  Oversize,             // over a codec limit (message size, payload count, nonce)
  BadValue,             // a field holds a value its context forbids
  IntegrityFailed,      // ICV / AEAD tag did not verify (§2.21: drop silently)
  DecryptFailed,        // cipher error, ciphertext not block aligned, bad keys
  BadPadding,           // pad length byte larger than the plaintext (§3.14)
};

struct ParseError {
  ParseErrc code = ParseErrc::BadValue;
  std::size_t offset = 0;                   // byte offset of the problem
  PayloadType payload = PayloadType::None;  // payload being parsed; None = IKE header
  std::string_view detail;                  // static text, never peer data
  bool inner = false;                       // offset is into the SK plaintext

  friend bool operator==(const ParseError&, const ParseError&) = default;
};

template <typename T>
using ParseResult = Result<T, ParseError>;

std::string_view to_string(ParseErrc code);
// One log line: "bad length in SA payload at offset 44: transform beyond
// proposal".
std::string to_string(const ParseError& e);

// RFC 7296 §2.21: what to tell the peer about a request that failed to
// parse. UnsupportedCritical -> UNSUPPORTED_CRITICAL_PAYLOAD (data: the
// one-octet payload type, see error_notify_data), BadVersion ->
// INVALID_MAJOR_VERSION, IntegrityFailed/DecryptFailed/BadPadding ->
// nullopt (drop silently: the sender is not authenticated), everything
// else -> INVALID_SYNTAX.
std::optional<NotifyType> error_notify(const ParseError& e);
// The Notification Data that goes with error_notify (RFC 7296 §3.10.1).
Bytes error_notify_data(const ParseError& e);

inline Failure<ParseError> parse_fail(ParseErrc code, std::size_t offset, PayloadType payload,
                                      std::string_view detail) {
  return fail(ParseError{code, offset, payload, detail, false});
}

}  // namespace ike::v2
