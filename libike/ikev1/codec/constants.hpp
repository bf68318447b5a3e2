// ISAKMP / IKEv1 / IPsec DOI numbers (RFC 2408, 2409, 2407, 3947, 3706).
//
// Every enum has a fixed underlying type so that values the enum does not
// name (a peer's private-use transform, a newer notify type) still fit and
// survive a decode/encode round trip: the codec never rejects a number just
// because it has no name here; policy decides what it accepts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ike::v1 {

// RFC 2408 §3.1: the fixed ISAKMP header.
inline constexpr std::size_t kHeaderSize = 28;
// RFC 2408 §3.2: next payload, reserved, 16-bit payload length.
inline constexpr std::size_t kGenericHeaderSize = 4;
inline constexpr std::size_t kCookieSize = 8;
inline constexpr std::uint8_t kMajorVersion = 1;
inline constexpr std::uint8_t kMinorVersion = 0;

// RFC 2408 §3.1 "Next Payload" and §3.2; RFC 3947 §3.2/§5.2 (NAT-D,
// NAT-OA); draft-ietf-ipsec-nat-t-ike-02/03 used private numbers 130/131.
enum class PayloadType : std::uint8_t {
  None = 0,
  SecurityAssociation = 1,
  Proposal = 2,
  Transform = 3,
  KeyExchange = 4,
  Identification = 5,
  Certificate = 6,
  CertificateRequest = 7,
  Hash = 8,
  Signature = 9,
  Nonce = 10,
  Notification = 11,
  Delete = 12,
  VendorId = 13,
  NatD = 20,
  NatOa = 21,
  NatDDraft = 130,
  NatOaDraft = 131,
};

// RFC 2408 §3.1 "Exchange Type", RFC 2409 §5 (Main = Identity Protection,
// Aggressive), §5.5 (Quick Mode = 32), §5.6 (New Group = 33).
enum class ExchangeType : std::uint8_t {
  None = 0,
  Base = 1,
  IdentityProtection = 2,  // Main Mode
  AuthenticationOnly = 3,
  Aggressive = 4,
  Informational = 5,
  Transaction = 6,  // draft-ietf-ipsec-isakmp-mode-cfg (XAUTH / mode config)
  QuickMode = 32,
  NewGroupMode = 33,
};
inline constexpr ExchangeType kMainMode = ExchangeType::IdentityProtection;

// RFC 2408 §3.1 "Flags".
namespace flags {
inline constexpr std::uint8_t kEncryption = 0x01;
inline constexpr std::uint8_t kCommit = 0x02;
inline constexpr std::uint8_t kAuthenticationOnly = 0x04;
}  // namespace flags

// RFC 2407 §2.1: the IPsec Domain of Interpretation.
inline constexpr std::uint32_t kDoiIsakmp = 0;
inline constexpr std::uint32_t kDoiIpsec = 1;

// RFC 2407 §4.2 situation bits.
namespace situation {
inline constexpr std::uint32_t kIdentityOnly = 0x01;
inline constexpr std::uint32_t kSecrecy = 0x02;
inline constexpr std::uint32_t kIntegrity = 0x04;
}  // namespace situation

// RFC 2407 §4.4.1 protocol identifiers.
enum class ProtocolId : std::uint8_t {
  Reserved = 0,
  Isakmp = 1,
  Ah = 2,
  Esp = 3,
  IpComp = 4,
};

// RFC 2407 §4.4.2: the only ISAKMP transform.
inline constexpr std::uint8_t kTransformKeyIke = 1;

// RFC 2407 §4.4.4 ESP transform identifiers (plus RFC 3602 AES-CBC, RFC
// 4106 GCM, RFC 4309 CCM, RFC 3686 CTR).
enum class EspTransform : std::uint8_t {
  DesIv64 = 1,
  Des = 2,
  TripleDes = 3,
  Rc5 = 4,
  Idea = 5,
  Cast = 6,
  Blowfish = 7,
  TripleIdea = 8,
  DesIv32 = 9,
  Rc4 = 10,
  Null = 11,
  AesCbc = 12,
  AesCtr = 13,
  AesCcm8 = 14,
  AesCcm12 = 15,
  AesCcm16 = 16,
  AesGcm8 = 18,
  AesGcm12 = 19,
  AesGcm16 = 20,
};

// RFC 2407 §4.4.3 AH transform identifiers (RFC 4868 §2.4 for SHA-2).
enum class AhTransform : std::uint8_t {
  Md5 = 2,
  Sha = 3,
  Des = 4,
  Sha2_256 = 5,
  Sha2_384 = 6,
  Sha2_512 = 7,
};

// RFC 2409 Appendix A: phase-1 (ISAKMP SA) attribute classes. B = basic
// only, V = variable; Life Duration may be either (a basic attribute when
// the value fits 16 bits, otherwise variable, §5 "Life Duration").
enum class Phase1Attr : std::uint16_t {
  EncryptionAlgorithm = 1,  // B
  HashAlgorithm = 2,        // B
  AuthenticationMethod = 3, // B
  GroupDescription = 4,     // B
  GroupType = 5,            // B
  GroupPrime = 6,           // V
  GroupGeneratorOne = 7,    // V
  GroupGeneratorTwo = 8,    // V
  GroupCurveA = 9,          // V
  GroupCurveB = 10,         // V
  LifeType = 11,            // B
  LifeDuration = 12,        // V (or B)
  Prf = 13,                 // B
  KeyLength = 14,           // B
  FieldSize = 15,           // B
  GroupOrder = 16,          // V
};

// RFC 2409 Appendix A "Encryption Algorithm" (+ RFC 3602 AES-CBC = 7).
enum class Phase1Encryption : std::uint16_t {
  DesCbc = 1,
  IdeaCbc = 2,
  BlowfishCbc = 3,
  Rc5Cbc = 4,
  TripleDesCbc = 5,
  CastCbc = 6,
  AesCbc = 7,
  CamelliaCbc = 8,
};

// RFC 2409 Appendix A "Hash Algorithm" (+ RFC 4878 / IANA for SHA-2).
enum class Phase1Hash : std::uint16_t {
  Md5 = 1,
  Sha = 2,
  Tiger = 3,
  Sha2_256 = 4,
  Sha2_384 = 5,
  Sha2_512 = 6,
};

// RFC 2409 Appendix A "Authentication Method"; XAUTH (draft) in the
// private range.
enum class AuthMethod : std::uint16_t {
  PreSharedKey = 1,
  Dss = 2,
  RsaSignature = 3,
  RsaEncryption = 4,
  RsaRevisedEncryption = 5,
  XauthInitPreShared = 65001,
};

// RFC 2409 Appendix A "Life Type" and RFC 2407 §4.5 "SA Life Type".
enum class LifeType : std::uint16_t { Seconds = 1, Kilobytes = 2 };

// RFC 2407 §4.5: IPsec DOI (phase-2) SA attributes.
enum class IpsecAttr : std::uint16_t {
  SaLifeType = 1,              // B
  SaLifeDuration = 2,          // V (or B)
  GroupDescription = 3,        // B
  EncapsulationMode = 4,       // B
  AuthenticationAlgorithm = 5, // B
  KeyLength = 6,               // B
  KeyRounds = 7,               // B
  CompressDictionarySize = 8,  // B
  CompressPrivateAlgorithm = 9,// V
};

// RFC 2407 §4.5 "Encapsulation Mode"; RFC 3947 §5.1 adds the UDP
// encapsulated modes; draft-ietf-ipsec-nat-t-ike used 61443/61444, which
// many peers (older Cisco, racoon) still send.
enum class EncapsulationMode : std::uint16_t {
  Tunnel = 1,
  Transport = 2,
  UdpTunnel = 3,
  UdpTransport = 4,
  UdpTunnelDraft = 61443,
  UdpTransportDraft = 61444,
};

// RFC 2407 §4.5 "Authentication Algorithm" (RFC 4868 §2.4 for SHA-2).
enum class IpsecAuthAlg : std::uint16_t {
  HmacMd5 = 1,
  HmacSha = 2,
  DesMac = 3,
  Kpdk = 4,
  HmacSha2_256 = 5,
  HmacSha2_384 = 6,
  HmacSha2_512 = 7,
  HmacRipemd = 8,
  AesXcbcMac = 9,
};

// RFC 2407 §4.6.2.1 identification types.
enum class IdType : std::uint8_t {
  Ipv4Addr = 1,
  Fqdn = 2,
  UserFqdn = 3,
  Ipv4AddrSubnet = 4,
  Ipv6Addr = 5,
  Ipv6AddrSubnet = 6,
  Ipv4AddrRange = 7,
  Ipv6AddrRange = 8,
  DerAsn1Dn = 9,
  DerAsn1Gn = 10,
  KeyId = 11,
};

// RFC 2408 §3.14.1 notify message types (errors 1..8191, status
// 16384..); RFC 2407 §4.6.3 IPsec DOI status; RFC 3706 §5 DPD.
enum class NotifyType : std::uint16_t {
  InvalidPayloadType = 1,
  DoiNotSupported = 2,
  SituationNotSupported = 3,
  InvalidCookie = 4,
  InvalidMajorVersion = 5,
  InvalidMinorVersion = 6,
  InvalidExchangeType = 7,
  InvalidFlags = 8,
  InvalidMessageId = 9,
  InvalidProtocolId = 10,
  InvalidSpi = 11,
  InvalidTransformId = 12,
  AttributesNotSupported = 13,
  NoProposalChosen = 14,
  BadProposalSyntax = 15,
  PayloadMalformed = 16,
  InvalidKeyInformation = 17,
  InvalidIdInformation = 18,
  InvalidCertEncoding = 19,
  InvalidCertificate = 20,
  CertTypeUnsupported = 21,
  InvalidCertAuthority = 22,
  InvalidHashInformation = 23,
  AuthenticationFailed = 24,
  InvalidSignature = 25,
  AddressNotification = 26,
  NotifySaLifetime = 27,
  CertificateUnavailable = 28,
  UnsupportedExchangeType = 29,
  UnequalPayloadLengths = 30,
  Connected = 16384,
  ResponderLifetime = 24576,
  ReplayStatus = 24577,
  InitialContact = 24578,
  RUThere = 36136,
  RUThereAck = 36137,
};

// RFC 2408 §3.14.1: types below 8192 are errors; the rest are status.
constexpr bool is_error(NotifyType t) { return static_cast<std::uint16_t>(t) < 8192; }

// Names for logs ("SA", "QUICK", "NO-PROPOSAL-CHOSEN"); numbers without a
// name print as "UNKNOWN".
std::string_view name(PayloadType t);
std::string_view name(ExchangeType t);
std::string_view name(NotifyType t);
std::string_view name(IdType t);
std::string_view name(ProtocolId p);

}  // namespace ike::v1
