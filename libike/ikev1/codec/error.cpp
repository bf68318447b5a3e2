#include "libike/ikev1/codec/error.hpp"

#include <fmt/format.h>

namespace ike::v1 {

std::string_view to_string(ParseErrc code) {
  switch (code) {
    case ParseErrc::Truncated: return "truncated";
    case ParseErrc::BadLength: return "bad length";
    case ParseErrc::BadVersion: return "bad version";
    case ParseErrc::BadNesting: return "bad nesting";
    case ParseErrc::ZeroLength: return "zero length";
    case ParseErrc::Oversize: return "oversize";
    case ParseErrc::BadValue: return "bad value";
    case ParseErrc::UnknownPayload: return "unknown payload";
    case ParseErrc::BadDoi: return "unsupported DOI";
    case ParseErrc::BadSituation: return "unsupported situation";
    case ParseErrc::DecryptFailed: return "decryption failed";
    case ParseErrc::EncryptFailed: return "encryption failed";
  }
  return "unknown error";
}

std::string to_string(const ParseError& e) {
  std::string where = e.payload == PayloadType::None
                          ? std::string("header")
                          : fmt::format("{} payload (type {})", name(e.payload),
                                        static_cast<unsigned>(e.payload));
  return fmt::format("ikev1: {} in {} at offset {}: {}{}", to_string(e.code), where, e.offset,
                     e.detail, e.after_decryption ? " (after decryption: wrong key?)" : "");
}

NotifyType to_notify(const ParseError& e) {
  switch (e.code) {
    case ParseErrc::BadVersion: return NotifyType::InvalidMajorVersion;
    case ParseErrc::UnknownPayload: return NotifyType::InvalidPayloadType;
    case ParseErrc::BadDoi: return NotifyType::DoiNotSupported;
    case ParseErrc::BadSituation: return NotifyType::SituationNotSupported;
    default: break;
  }
  // RFC 2408 §5.4-5.5: malformed SA contents are BAD-PROPOSAL-SYNTAX,
  // malformed identities INVALID-ID-INFORMATION, the rest PAYLOAD-MALFORMED.
  switch (e.payload) {
    case PayloadType::SecurityAssociation:
    case PayloadType::Proposal:
    case PayloadType::Transform: return NotifyType::BadProposalSyntax;
    case PayloadType::Identification: return NotifyType::InvalidIdInformation;
    default: return NotifyType::PayloadMalformed;
  }
}

}  // namespace ike::v1
