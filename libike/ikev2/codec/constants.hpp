// IKEv2 numbers (RFC 7296 §3 and the IANA "IKEv2 Parameters" registry).
//
// Every enum has a fixed underlying type so that values it does not name
// (a private-use transform, a newer notify type) still fit and survive a
// decode/encode round trip: the codec rejects a number only where the RFC
// makes it malformed; policy decides what it accepts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ike::v2 {

// RFC 7296 §3.1: the fixed IKE header.
inline constexpr std::size_t kHeaderSize = 28;
// RFC 7296 §3.2: next payload, critical bit + reserved, payload length.
inline constexpr std::size_t kGenericHeaderSize = 4;
inline constexpr std::uint8_t kMajorVersion = 2;
inline constexpr std::uint8_t kMinorVersion = 0;

// Codec limits (Oversize beyond them). IKE runs over UDP, so a message
// never exceeds 64 KiB; real messages carry a few dozen payloads at most.
inline constexpr std::size_t kMaxMessageSize = 65535;
inline constexpr std::size_t kMaxPayloads = 64;
// RFC 7296 §3.9: a nonce is 16..256 octets.
inline constexpr std::size_t kMinNonceSize = 16;
inline constexpr std::size_t kMaxNonceSize = 256;
// RFC 7296 §2.6: a cookie is 1..64 octets.
inline constexpr std::size_t kMaxCookieSize = 64;

// RFC 7296 §3.2 "Next Payload" (IANA IKEv2 Payload Types); 53 is RFC 7383.
enum class PayloadType : std::uint8_t {
  None = 0,
  Sa = 33,
  Ke = 34,
  IdI = 35,
  IdR = 36,
  Cert = 37,
  CertReq = 38,
  Auth = 39,
  Nonce = 40,
  Notify = 41,
  Delete = 42,
  VendorId = 43,
  TsI = 44,
  TsR = 45,
  Sk = 46,
  Cp = 47,
  Eap = 48,
  Skf = 53,
};

// RFC 7296 §3.1 "Exchange Type".
enum class ExchangeType : std::uint8_t {
  IkeSaInit = 34,
  IkeAuth = 35,
  CreateChildSa = 36,
  Informational = 37,
};

// RFC 7296 §3.1 "Flags": R (response), V (higher version), I (initiator).
inline constexpr std::uint8_t kFlagInitiator = 0x08;
inline constexpr std::uint8_t kFlagVersion = 0x10;
inline constexpr std::uint8_t kFlagResponse = 0x20;
// RFC 7296 §3.2: the critical bit in the generic payload header.
inline constexpr std::uint8_t kCriticalBit = 0x80;

// RFC 7296 §3.3.1 "Protocol ID" (also Notify §3.10 and Delete §3.11,
// where 0 means "no SA").
enum class ProtocolId : std::uint8_t { None = 0, Ike = 1, Ah = 2, Esp = 3 };

// RFC 7296 §3.3.2 "Transform Type".
enum class TransformType : std::uint8_t { Encr = 1, Prf = 2, Integ = 3, Dh = 4, Esn = 5 };

// Transform type 1 IDs (IANA; RFC 7296 §3.3.2, RFC 5282, RFC 7634).
enum class EncrId : std::uint16_t {
  DesIv64 = 1,
  Des = 2,
  TripleDes = 3,
  Null = 11,
  AesCbc = 12,
  AesCtr = 13,
  AesCcm8 = 14,
  AesCcm12 = 15,
  AesCcm16 = 16,
  AesGcm8 = 18,
  AesGcm12 = 19,
  AesGcm16 = 20,
  NullAuthAesGmac = 21,
  CamelliaCbc = 23,
  ChaCha20Poly1305 = 28,
  // kite private use (IANA range 1024-65535): SM4-CBC for kite-to-kite.
  KiteSm4Cbc = 1031,
};

// Transform type 2 IDs (IANA; RFC 7296 §3.3.2, RFC 4868).
enum class PrfId : std::uint16_t {
  HmacMd5 = 1,
  HmacSha1 = 2,
  AesXcbc = 4,
  HmacSha256 = 5,
  HmacSha384 = 6,
  HmacSha512 = 7,
  AesCmac = 8,
  KiteHmacSm3 = 1031,  // kite private use
};

// Transform type 3 IDs (IANA; RFC 7296 §3.3.2, RFC 4868).
enum class IntegId : std::uint16_t {
  None = 0,
  HmacMd5_96 = 1,
  HmacSha1_96 = 2,
  AesXcbc96 = 5,
  AesCmac96 = 8,
  HmacSha256_128 = 12,
  HmacSha384_192 = 13,
  HmacSha512_256 = 14,
  KiteHmacSm3_128 = 1031,  // kite private use
};

// Transform type 4 IDs are the DH group numbers (crypto::DhGroup); 0 = none.
// Transform type 5 (RFC 7296 §3.3.2): extended sequence numbers.
enum class EsnId : std::uint16_t { No = 0, Yes = 1 };

// RFC 7296 §3.3.5: the only IKEv2 transform attribute, always TV format.
inline constexpr std::uint16_t kAttrKeyLength = 14;
inline constexpr std::uint16_t kAttrFormatTv = 0x8000;  // AF bit

// RFC 7296 §3.5 "ID Type".
enum class IdType : std::uint8_t {
  Ipv4Addr = 1,
  Fqdn = 2,
  Rfc822Addr = 3,
  Ipv6Addr = 5,
  DerAsn1Dn = 9,
  DerAsn1Gn = 10,
  KeyId = 11,
  FcName = 12,
  Null = 13,  // RFC 7619
};

// RFC 7296 §3.8 "Auth Method" (and RFC 7427 for 14).
enum class AuthMethod : std::uint8_t {
  RsaSig = 1,
  SharedKeyMic = 2,
  DssSig = 3,
  EcdsaSha256P256 = 9,
  EcdsaSha384P384 = 10,
  EcdsaSha512P521 = 11,
  Null = 13,              // RFC 7619
  DigitalSignature = 14,  // RFC 7427
};

// RFC 7296 §3.10.1 "Notify Message Types" (IANA), plus the few extension
// status types kite meets in the wild.
enum class NotifyType : std::uint16_t {
  // Errors (0..16383).
  UnsupportedCriticalPayload = 1,
  InvalidIkeSpi = 4,
  InvalidMajorVersion = 5,
  InvalidSyntax = 7,
  InvalidMessageId = 9,
  InvalidSpi = 11,
  NoProposalChosen = 14,
  InvalidKePayload = 17,
  AuthenticationFailed = 24,
  SinglePairRequired = 34,
  NoAdditionalSas = 35,
  InternalAddressFailure = 36,
  FailedCpRequired = 37,
  TsUnacceptable = 38,
  InvalidSelectors = 39,
  TemporaryFailure = 43,
  ChildSaNotFound = 44,
  // Status (16384..65535).
  InitialContact = 16384,
  SetWindowSize = 16385,
  AdditionalTsPossible = 16386,
  IpcompSupported = 16387,
  NatDetectionSourceIp = 16388,
  NatDetectionDestinationIp = 16389,
  Cookie = 16390,
  UseTransportMode = 16391,
  HttpCertLookupSupported = 16392,
  RekeySa = 16393,
  EspTfcPaddingNotSupported = 16394,
  NonFirstFragmentsAlso = 16395,
  MobikeSupported = 16396,          // RFC 4555
  RedirectSupported = 16406,        // RFC 5685
  ChildlessIkev2Supported = 16418,  // RFC 6023
  Ikev2FragmentationSupported = 16430,  // RFC 7383
  SignatureHashAlgorithms = 16431,      // RFC 7427
};
// RFC 7296 §3.10.1: types below 16384 are errors.
inline constexpr bool is_error(NotifyType t) { return static_cast<std::uint16_t>(t) < 16384; }

// RFC 7296 §3.13.1 "TS Type".
enum class TsType : std::uint8_t { Ipv4AddrRange = 7, Ipv6AddrRange = 8 };

// RFC 7296 §3.15 "CFG Type" and §3.15.1 attribute types.
enum class CfgType : std::uint8_t { Request = 1, Reply = 2, Set = 3, Ack = 4 };
enum class CfgAttrType : std::uint16_t {
  InternalIp4Address = 1,
  InternalIp4Netmask = 2,
  InternalIp4Dns = 3,
  InternalIp4Nbns = 4,
  InternalIp4Dhcp = 6,
  ApplicationVersion = 7,
  InternalIp6Address = 8,
  InternalIp6Dns = 10,
  InternalIp6Dhcp = 12,
  InternalIp4Subnet = 13,
  SupportedAttributes = 14,
  InternalIp6Subnet = 15,
};

// Names for logs ("SA", "IKE_SA_INIT", "NO_PROPOSAL_CHOSEN"); an empty
// view for numbers the enum does not name. to_string gives the name or,
// failing that, the decimal value.
std::string_view name(PayloadType t);
std::string_view name(ExchangeType t);
std::string_view name(NotifyType t);
std::string_view name(ProtocolId p);
std::string to_string(PayloadType t);
std::string to_string(ExchangeType t);
std::string to_string(NotifyType t);

}  // namespace ike::v2
