// IKEv2 payloads as typed structs (RFC 7296 §3.3-§3.16). Decoding fills
// them from the wire (payload_decode.cpp, sa_payload.cpp, ts_payload.cpp);
// encoding writes them back. Fields hold exactly what the wire holds, so
// decode -> encode is lossless except for reserved bits the RFC tells a
// receiver to ignore.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "libike/common/address.hpp"
#include "libike/common/bytes.hpp"
#include "libike/ikev2/codec/constants.hpp"

namespace ike::v2 {

// ---- SA (RFC 7296 §3.3) -------------------------------------------------

// §3.3.5. AF=1 (TV): the value sits in `value`; AF=0 (TLV): in `data`.
struct TransformAttribute {
  std::uint16_t type = 0;  // without the AF bit
  bool tv = true;
  std::uint16_t value = 0;
  Bytes data;

  static TransformAttribute key_length(std::uint16_t bits) { return {kAttrKeyLength, true, bits, {}}; }
  friend bool operator==(const TransformAttribute&, const TransformAttribute&) = default;
};

// §3.3.2.
struct Transform {
  TransformType type = TransformType::Encr;
  std::uint16_t id = 0;
  std::vector<TransformAttribute> attributes;

  // Builders; key_bits 0 omits the Key Length attribute (§3.3.5: only for
  // variable-length ciphers such as AES).
  static Transform encr(EncrId id, std::uint16_t key_bits = 0);
  static Transform prf(PrfId id);
  static Transform integ(IntegId id);
  static Transform dh(std::uint16_t group);
  static Transform esn(EsnId id);
  // The Key Length attribute (§3.3.5), if present.
  std::optional<std::uint16_t> key_length() const;

  friend bool operator==(const Transform&, const Transform&) = default;
};

// §3.3.1. SPI size: 0 (IKE, initial), 8 (IKE, rekey), 4 (AH/ESP).
struct Proposal {
  std::uint8_t number = 1;  // 1, 2, 3... in an offer; the chosen one's in a reply
  ProtocolId protocol = ProtocolId::Ike;
  Bytes spi;
  std::vector<Transform> transforms;

  // AH/ESP SPI (4 bytes, network order) and IKE rekey SPI (8 bytes).
  static Bytes spi32(std::uint32_t spi);
  static Bytes spi64(std::uint64_t spi);
  std::optional<std::uint32_t> spi_u32() const;
  std::optional<std::uint64_t> spi_u64() const;
  // Transforms of one type, in wire order.
  std::vector<const Transform*> of_type(TransformType type) const;

  friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct SaPayload {
  std::vector<Proposal> proposals;
  friend bool operator==(const SaPayload&, const SaPayload&) = default;
};

// ---- KE, ID, CERT, AUTH, Nonce ---------------------------------------------

// §3.4: DH group number and public value.
struct KePayload {
  std::uint16_t group = 0;
  Bytes data;
  friend bool operator==(const KePayload&, const KePayload&) = default;
};

// §3.5. `reserved` keeps the three RESERVED octets as received: the AUTH
// computation (§2.15) covers the ID payload body including them.
struct Identification {
  IdType type = IdType::Fqdn;
  Bytes data;
  std::array<std::uint8_t, 3> reserved{};

  // ID_IPV4_ADDR or ID_IPV6_ADDR, after the address family.
  static Identification address(const IpAddress& a);
  static Identification fqdn(std::string_view name);
  static Identification rfc822(std::string_view addr);
  static Identification key_id(ByteView id);
  // ID_IPV4_ADDR / ID_IPV6_ADDR as an address.
  std::optional<IpAddress> ip() const;
  // ID_FQDN / ID_RFC822_ADDR as text.
  std::string_view text() const;
  // §2.15: the payload body (ID Type, RESERVED, data) that the AUTH
  // octets cover as RestOfInitIDPayload / RestOfRespIDPayload.
  Bytes body() const;

  friend bool operator==(const Identification&, const Identification&) = default;
};
struct IdiPayload : Identification {};
struct IdrPayload : Identification {};

// §3.6 / §3.7: kite authenticates with PSKs only; these round-trip opaque.
struct CertPayload {
  std::uint8_t encoding = 0;
  Bytes data;
  friend bool operator==(const CertPayload&, const CertPayload&) = default;
};
struct CertReqPayload {
  std::uint8_t encoding = 0;
  Bytes data;
  friend bool operator==(const CertReqPayload&, const CertReqPayload&) = default;
};

// §3.8.
struct AuthPayload {
  AuthMethod method = AuthMethod::SharedKeyMic;
  Bytes data;
  friend bool operator==(const AuthPayload&, const AuthPayload&) = default;
};

// §3.9: 16..256 octets.
struct NoncePayload {
  Bytes data;
  friend bool operator==(const NoncePayload&, const NoncePayload&) = default;
};

// ---- Notify, Delete, Vendor ID -------------------------------------------

// §3.10. SPI empty (protocol None) unless the notify concerns an SA.
struct NotifyPayload {
  ProtocolId protocol = ProtocolId::None;
  Bytes spi;
  NotifyType type = NotifyType::InitialContact;
  Bytes data;

  static NotifyPayload make(NotifyType type, Bytes data = {});
  // A notify about a CHILD SA (REKEY_SA, INVALID_SPI...): 4-byte SPI.
  static NotifyPayload child(NotifyType type, ProtocolId protocol, std::uint32_t spi,
                             Bytes data = {});
  // INVALID_KE_PAYLOAD (§3.10.1): the 2-byte group the responder wants.
  static NotifyPayload invalid_ke(std::uint16_t group);
  std::optional<std::uint16_t> invalid_ke_group() const;
  std::optional<std::uint32_t> spi_u32() const;
  bool is_error() const { return v2::is_error(type); }

  friend bool operator==(const NotifyPayload&, const NotifyPayload&) = default;
};

// §3.11. IKE: no SPIs (the header names the SA); AH/ESP: 4-byte SPIs.
struct DeletePayload {
  ProtocolId protocol = ProtocolId::Ike;
  std::vector<std::uint32_t> spis;
  friend bool operator==(const DeletePayload&, const DeletePayload&) = default;
};

// §3.12.
struct VendorIdPayload {
  Bytes data;
  friend bool operator==(const VendorIdPayload&, const VendorIdPayload&) = default;
};

// ---- Traffic selectors (§3.13) ----------------------------------------------

// §3.13.1. The TS Type follows the address family (TS_IPV4_ADDR_RANGE or
// TS_IPV6_ADDR_RANGE); both addresses must be of one family. Ports: 0..65535
// is "any"; start 65535 / end 0 is OPAQUE (§3.13.1).
struct TrafficSelector {
  std::uint8_t ip_protocol = 0;  // 0 = any
  std::uint16_t start_port = 0;
  std::uint16_t end_port = 65535;
  IpAddress start_address;
  IpAddress end_address;

  TsType type() const { return start_address.is_v6() ? TsType::Ipv6AddrRange : TsType::Ipv4AddrRange; }
  // All ports and protocols of one subnet.
  static TrafficSelector subnet(const Subnet& s, std::uint8_t ip_protocol = 0);
  friend bool operator==(const TrafficSelector&, const TrafficSelector&) = default;
};
struct TrafficSelectors {
  std::vector<TrafficSelector> selectors;
  friend bool operator==(const TrafficSelectors&, const TrafficSelectors&) = default;
};
struct TsiPayload : TrafficSelectors {};
struct TsrPayload : TrafficSelectors {};

// ---- SK, CP, EAP, unknown ----------------------------------------------------

// §3.14 as received by decode(): opaque IV || ciphertext || ICV. Use
// decode_protected (protected.hpp) to verify and open it.
struct EncryptedPayload {
  PayloadType first_inner = PayloadType::None;  // the SK payload's Next Payload
  Bytes data;
  friend bool operator==(const EncryptedPayload&, const EncryptedPayload&) = default;
};

// §3.15.1: R bit is reserved; values kept raw (0 length = a request).
struct ConfigAttribute {
  std::uint16_t type = 0;  // 15 bits
  Bytes value;
  friend bool operator==(const ConfigAttribute&, const ConfigAttribute&) = default;
};
struct ConfigPayload {
  CfgType type = CfgType::Request;
  std::vector<ConfigAttribute> attributes;
  friend bool operator==(const ConfigPayload&, const ConfigPayload&) = default;
};

// §3.16: EAP is not used by kite; kept opaque.
struct EapPayload {
  Bytes data;
  friend bool operator==(const EapPayload&, const EapPayload&) = default;
};

// §2.5: a payload type this codec does not know, without the critical bit
// (with it the decode fails with UnsupportedCritical). Kept so that
// re-encoding preserves it; also SKF (RFC 7383), which kite does not use.
struct UnknownPayload {
  PayloadType type = PayloadType::None;
  bool critical = false;
  Bytes data;
  friend bool operator==(const UnknownPayload&, const UnknownPayload&) = default;
};

using Payload =
    std::variant<SaPayload, KePayload, IdiPayload, IdrPayload, CertPayload, CertReqPayload,
                 AuthPayload, NoncePayload, NotifyPayload, DeletePayload, VendorIdPayload,
                 TsiPayload, TsrPayload, EncryptedPayload, ConfigPayload, EapPayload,
                 UnknownPayload>;

// The wire type of a payload (UnknownPayload: its own `type`).
PayloadType payload_type(const Payload& p);

}  // namespace ike::v2
