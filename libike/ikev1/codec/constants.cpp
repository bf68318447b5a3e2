// Log names for ISAKMP numbers, spelled as the RFCs spell them.
#include "libike/ikev1/codec/constants.hpp"

namespace ike::v1 {

std::string_view name(PayloadType t) {
  switch (t) {
    case PayloadType::None: return "NONE";
    case PayloadType::SecurityAssociation: return "SA";
    case PayloadType::Proposal: return "P";
    case PayloadType::Transform: return "T";
    case PayloadType::KeyExchange: return "KE";
    case PayloadType::Identification: return "ID";
    case PayloadType::Certificate: return "CERT";
    case PayloadType::CertificateRequest: return "CR";
    case PayloadType::Hash: return "HASH";
    case PayloadType::Signature: return "SIG";
    case PayloadType::Nonce: return "NONCE";
    case PayloadType::Notification: return "N";
    case PayloadType::Delete: return "D";
    case PayloadType::VendorId: return "VID";
    case PayloadType::NatD: return "NAT-D";
    case PayloadType::NatOa: return "NAT-OA";
    case PayloadType::NatDDraft: return "NAT-D (draft)";
    case PayloadType::NatOaDraft: return "NAT-OA (draft)";
  }
  return "UNKNOWN";
}

std::string_view name(ExchangeType t) {
  switch (t) {
    case ExchangeType::None: return "NONE";
    case ExchangeType::Base: return "BASE";
    case ExchangeType::IdentityProtection: return "MAIN";
    case ExchangeType::AuthenticationOnly: return "AUTH-ONLY";
    case ExchangeType::Aggressive: return "AGGRESSIVE";
    case ExchangeType::Informational: return "INFORMATIONAL";
    case ExchangeType::Transaction: return "TRANSACTION";
    case ExchangeType::QuickMode: return "QUICK";
    case ExchangeType::NewGroupMode: return "NEW-GROUP";
  }
  return "UNKNOWN";
}

std::string_view name(NotifyType t) {
  switch (t) {
    case NotifyType::InvalidPayloadType: return "INVALID-PAYLOAD-TYPE";
    case NotifyType::DoiNotSupported: return "DOI-NOT-SUPPORTED";
    case NotifyType::SituationNotSupported: return "SITUATION-NOT-SUPPORTED";
    case NotifyType::InvalidCookie: return "INVALID-COOKIE";
    case NotifyType::InvalidMajorVersion: return "INVALID-MAJOR-VERSION";
    case NotifyType::InvalidMinorVersion: return "INVALID-MINOR-VERSION";
    case NotifyType::InvalidExchangeType: return "INVALID-EXCHANGE-TYPE";
    case NotifyType::InvalidFlags: return "INVALID-FLAGS";
    case NotifyType::InvalidMessageId: return "INVALID-MESSAGE-ID";
    case NotifyType::InvalidProtocolId: return "INVALID-PROTOCOL-ID";
    case NotifyType::InvalidSpi: return "INVALID-SPI";
    case NotifyType::InvalidTransformId: return "INVALID-TRANSFORM-ID";
    case NotifyType::AttributesNotSupported: return "ATTRIBUTES-NOT-SUPPORTED";
    case NotifyType::NoProposalChosen: return "NO-PROPOSAL-CHOSEN";
    case NotifyType::BadProposalSyntax: return "BAD-PROPOSAL-SYNTAX";
    case NotifyType::PayloadMalformed: return "PAYLOAD-MALFORMED";
    case NotifyType::InvalidKeyInformation: return "INVALID-KEY-INFORMATION";
    case NotifyType::InvalidIdInformation: return "INVALID-ID-INFORMATION";
    case NotifyType::InvalidCertEncoding: return "INVALID-CERT-ENCODING";
    case NotifyType::InvalidCertificate: return "INVALID-CERTIFICATE";
    case NotifyType::CertTypeUnsupported: return "CERT-TYPE-UNSUPPORTED";
    case NotifyType::InvalidCertAuthority: return "INVALID-CERT-AUTHORITY";
    case NotifyType::InvalidHashInformation: return "INVALID-HASH-INFORMATION";
    case NotifyType::AuthenticationFailed: return "AUTHENTICATION-FAILED";
    case NotifyType::InvalidSignature: return "INVALID-SIGNATURE";
    case NotifyType::AddressNotification: return "ADDRESS-NOTIFICATION";
    case NotifyType::NotifySaLifetime: return "NOTIFY-SA-LIFETIME";
    case NotifyType::CertificateUnavailable: return "CERTIFICATE-UNAVAILABLE";
    case NotifyType::UnsupportedExchangeType: return "UNSUPPORTED-EXCHANGE-TYPE";
    case NotifyType::UnequalPayloadLengths: return "UNEQUAL-PAYLOAD-LENGTHS";
    case NotifyType::Connected: return "CONNECTED";
    case NotifyType::ResponderLifetime: return "RESPONDER-LIFETIME";
    case NotifyType::ReplayStatus: return "REPLAY-STATUS";
    case NotifyType::InitialContact: return "INITIAL-CONTACT";
    case NotifyType::RUThere: return "R-U-THERE";
    case NotifyType::RUThereAck: return "R-U-THERE-ACK";
  }
  return "UNKNOWN";
}

std::string_view name(IdType t) {
  switch (t) {
    case IdType::Ipv4Addr: return "ID_IPV4_ADDR";
    case IdType::Fqdn: return "ID_FQDN";
    case IdType::UserFqdn: return "ID_USER_FQDN";
    case IdType::Ipv4AddrSubnet: return "ID_IPV4_ADDR_SUBNET";
    case IdType::Ipv6Addr: return "ID_IPV6_ADDR";
    case IdType::Ipv6AddrSubnet: return "ID_IPV6_ADDR_SUBNET";
    case IdType::Ipv4AddrRange: return "ID_IPV4_ADDR_RANGE";
    case IdType::Ipv6AddrRange: return "ID_IPV6_ADDR_RANGE";
    case IdType::DerAsn1Dn: return "ID_DER_ASN1_DN";
    case IdType::DerAsn1Gn: return "ID_DER_ASN1_GN";
    case IdType::KeyId: return "ID_KEY_ID";
  }
  return "UNKNOWN";
}

std::string_view name(ProtocolId p) {
  switch (p) {
    case ProtocolId::Reserved: return "RESERVED";
    case ProtocolId::Isakmp: return "PROTO_ISAKMP";
    case ProtocolId::Ah: return "PROTO_IPSEC_AH";
    case ProtocolId::Esp: return "PROTO_IPSEC_ESP";
    case ProtocolId::IpComp: return "PROTO_IPCOMP";
  }
  return "UNKNOWN";
}

}  // namespace ike::v1
