// Names for logs (RFC 7296 §3 spelling) and the error descriptions.
#include <string>

#include "libike/ikev2/codec/errors.hpp"

namespace ike::v2 {

std::string_view name(PayloadType t) {
  switch (t) {
    case PayloadType::None: return "NONE";
    case PayloadType::Sa: return "SA";
    case PayloadType::Ke: return "KE";
    case PayloadType::IdI: return "IDi";
    case PayloadType::IdR: return "IDr";
    case PayloadType::Cert: return "CERT";
    case PayloadType::CertReq: return "CERTREQ";
    case PayloadType::Auth: return "AUTH";
    case PayloadType::Nonce: return "Nonce";
    case PayloadType::Notify: return "Notify";
    case PayloadType::Delete: return "Delete";
    case PayloadType::VendorId: return "VID";
    case PayloadType::TsI: return "TSi";
    case PayloadType::TsR: return "TSr";
    case PayloadType::Sk: return "SK";
    case PayloadType::Cp: return "CP";
    case PayloadType::Eap: return "EAP";
    case PayloadType::Skf: return "SKF";
  }
  return {};
}

std::string_view name(ExchangeType t) {
  switch (t) {
    case ExchangeType::IkeSaInit: return "IKE_SA_INIT";
    case ExchangeType::IkeAuth: return "IKE_AUTH";
    case ExchangeType::CreateChildSa: return "CREATE_CHILD_SA";
    case ExchangeType::Informational: return "INFORMATIONAL";
  }
  return {};
}

std::string_view name(ProtocolId p) {
  switch (p) {
    case ProtocolId::None: return "NONE";
    case ProtocolId::Ike: return "IKE";
    case ProtocolId::Ah: return "AH";
    case ProtocolId::Esp: return "ESP";
  }
  return {};
}

std::string_view name(NotifyType t) {
  using N = NotifyType;
  switch (t) {
    case N::UnsupportedCriticalPayload: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case N::InvalidIkeSpi: return "INVALID_IKE_SPI";
    case N::InvalidMajorVersion: return "INVALID_MAJOR_VERSION";
    case N::InvalidSyntax: return "INVALID_SYNTAX";
    case N::InvalidMessageId: return "INVALID_MESSAGE_ID";
    case N::InvalidSpi: return "INVALID_SPI";
    case N::NoProposalChosen: return "NO_PROPOSAL_CHOSEN";
    case N::InvalidKePayload: return "INVALID_KE_PAYLOAD";
    case N::AuthenticationFailed: return "AUTHENTICATION_FAILED";
    case N::SinglePairRequired: return "SINGLE_PAIR_REQUIRED";
    case N::NoAdditionalSas: return "NO_ADDITIONAL_SAS";
    case N::InternalAddressFailure: return "INTERNAL_ADDRESS_FAILURE";
    case N::FailedCpRequired: return "FAILED_CP_REQUIRED";
    case N::TsUnacceptable: return "TS_UNACCEPTABLE";
    case N::InvalidSelectors: return "INVALID_SELECTORS";
    case N::TemporaryFailure: return "TEMPORARY_FAILURE";
    case N::ChildSaNotFound: return "CHILD_SA_NOT_FOUND";
    case N::InitialContact: return "INITIAL_CONTACT";
    case N::SetWindowSize: return "SET_WINDOW_SIZE";
    case N::AdditionalTsPossible: return "ADDITIONAL_TS_POSSIBLE";
    case N::IpcompSupported: return "IPCOMP_SUPPORTED";
    case N::NatDetectionSourceIp: return "NAT_DETECTION_SOURCE_IP";
    case N::NatDetectionDestinationIp: return "NAT_DETECTION_DESTINATION_IP";
    case N::Cookie: return "COOKIE";
    case N::UseTransportMode: return "USE_TRANSPORT_MODE";
    case N::HttpCertLookupSupported: return "HTTP_CERT_LOOKUP_SUPPORTED";
    case N::RekeySa: return "REKEY_SA";
    case N::EspTfcPaddingNotSupported: return "ESP_TFC_PADDING_NOT_SUPPORTED";
    case N::NonFirstFragmentsAlso: return "NON_FIRST_FRAGMENTS_ALSO";
    case N::MobikeSupported: return "MOBIKE_SUPPORTED";
    case N::RedirectSupported: return "REDIRECT_SUPPORTED";
    case N::ChildlessIkev2Supported: return "CHILDLESS_IKEV2_SUPPORTED";
    case N::Ikev2FragmentationSupported: return "IKEV2_FRAGMENTATION_SUPPORTED";
    case N::SignatureHashAlgorithms: return "SIGNATURE_HASH_ALGORITHMS";
  }
  return {};
}

namespace {
template <typename E>
std::string name_or_number(E value) {
  auto n = name(value);
  if (!n.empty()) return std::string(n);
  return std::to_string(static_cast<unsigned>(value));
}
}  // namespace

std::string to_string(PayloadType t) { return name_or_number(t); }
std::string to_string(ExchangeType t) { return name_or_number(t); }
std::string to_string(NotifyType t) { return name_or_number(t); }

std::string_view to_string(ParseErrc code) {
  switch (code) {
    case ParseErrc::Truncated: return "truncated";
    case ParseErrc::BadLength: return "bad length";
    case ParseErrc::BadVersion: return "bad version";
    case ParseErrc::UnsupportedCritical: return "unsupported critical payload";
    case ParseErrc::BadNesting: return "bad nesting";
    case ParseErrc::ZeroLength: return "zero length";
    case ParseErrc::Oversize: return "oversize";
    case ParseErrc::BadValue: return "bad value";
    case ParseErrc::IntegrityFailed: return "integrity check failed";
    case ParseErrc::DecryptFailed: return "decryption failed";
    case ParseErrc::BadPadding: return "bad padding";
  }
  return "unknown error";
}

std::string to_string(const ParseError& e) {
  std::string out(to_string(e.code));
  out += e.payload == PayloadType::None ? std::string(" in IKE header") : " in " + to_string(e.payload) + " payload";
  out += " at offset " + std::to_string(e.offset);
  if (e.inner) out += " of the SK plaintext";
  if (!e.detail.empty()) out += ": " + std::string(e.detail);
  return out;
}

std::optional<NotifyType> error_notify(const ParseError& e) {
  switch (e.code) {
    case ParseErrc::UnsupportedCritical: return NotifyType::UnsupportedCriticalPayload;
    case ParseErrc::BadVersion: return NotifyType::InvalidMajorVersion;
    // §2.21.2: nothing is sent for a message that did not authenticate.
    case ParseErrc::IntegrityFailed:
    case ParseErrc::DecryptFailed:
    case ParseErrc::BadPadding: return std::nullopt;
    default: return NotifyType::InvalidSyntax;
  }
}

Bytes error_notify_data(const ParseError& e) {
  // §3.10.1: UNSUPPORTED_CRITICAL_PAYLOAD carries the one-octet type.
  if (e.code == ParseErrc::UnsupportedCritical) return {static_cast<std::uint8_t>(e.payload)};
  return {};
}

}  // namespace ike::v2
