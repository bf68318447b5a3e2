// Internal to the codec: the generic payload header (RFC 2408 §3.2)
//   | next payload (1) | reserved (1) | payload length (2, incl. header) |
// shared by top-level payloads and by the Proposal/Transform payloads that
// nest inside an SA.
#pragma once
#include <limits>

#include "libike/common/reader.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev1/codec/error.hpp"

namespace ike::v1::detail {

struct GenericHeader {
  PayloadType next = PayloadType::None;
  std::uint16_t length = 0;  // whole payload, header included
  std::size_t body_size() const { return length - kGenericHeaderSize; }
};

// Reads the header; `base` is the reader's offset in the message. The
// reserved byte is ignored on receipt (RFC 2408 §3.2 says MUST be zero,
// but rejecting it gains nothing and loses peers). Whether the body fits
// is checked by the caller, which knows the enclosing structure.
inline ParseResult<GenericHeader> read_generic(Reader& r, std::size_t base, PayloadType self) {
  std::size_t at = base + r.offset();
  auto next = r.u8();
  auto reserved = r.u8();
  auto length = r.u16();
  if (!next || !reserved || !length) {
    return parse_fail(ParseErrc::Truncated, at, self, "generic payload header");
  }
  if (*length == 0) return parse_fail(ParseErrc::ZeroLength, at, self, "payload length 0");
  if (*length < kGenericHeaderSize) {
    return parse_fail(ParseErrc::BadLength, at, self, "payload length below header size");
  }
  return GenericHeader{static_cast<PayloadType>(*next), *length};
}

// Writes a header with a placeholder length; returns where it starts.
inline std::size_t begin_generic(Writer& w, PayloadType next) {
  std::size_t at = w.size();
  w.u8(static_cast<std::uint8_t>(next));
  w.u8(0);
  w.u16(0);
  return at;
}

// Patches the length of the payload begun at `at`.
inline ParseResult<void> end_generic(Writer& w, std::size_t at, PayloadType self) {
  std::size_t length = w.size() - at;
  if (length > std::numeric_limits<std::uint16_t>::max()) {
    return parse_fail(ParseErrc::Oversize, at, self, "payload longer than 65535 bytes");
  }
  w.patch_u16(at + 2, static_cast<std::uint16_t>(length));
  return {};
}

}  // namespace ike::v1::detail
