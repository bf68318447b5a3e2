// The top-level ISAKMP payloads other than SA (RFC 2408 §3.7-3.16, RFC 2407
// §4.6.2-4.6.3, RFC 3947 §3.2 and §5.2) and the Payload variant a Message
// is a list of. Each struct holds the body after the generic header; the
// chain (next payload, length) is the message codec's business.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev1/codec/constants.hpp"
#include "libike/ikev1/codec/error.hpp"
#include "libike/ikev1/codec/received.hpp"
#include "libike/ikev1/codec/sa.hpp"

namespace ike::v1 {

// RFC 2408 §3.7: the Diffie-Hellman public value.
struct KePayload {
  Bytes data;
  friend bool operator==(const KePayload&, const KePayload&) = default;
};

// RFC 2408 §3.8 with RFC 2407 §4.6.2: ID type | protocol | port | data.
// Phase 1 IDs usually carry protocol 0/port 0 or UDP(17)/500; Quick Mode
// IDci/IDcr carry the traffic selector's protocol and port.
struct IdPayload {
  IdType type = IdType::Ipv4Addr;
  std::uint8_t protocol = 0;
  std::uint16_t port = 0;
  Bytes data;  // address(es) for the IP types, the name for FQDN/USER_FQDN/KEY_ID
  // The body (ID type onwards, no generic header) as received: IDii_b /
  // IDir_b for HASH_I/HASH_R. Use id_body_for_hash().
  ReceivedBytes received_body;

  using Ipv4 = std::array<std::uint8_t, 4>;
  using Ipv6 = std::array<std::uint8_t, 16>;
  static IdPayload ipv4(const Ipv4& addr);
  static IdPayload ipv6(const Ipv6& addr);
  static IdPayload ipv4_subnet(const Ipv4& addr, const Ipv4& mask);
  static IdPayload ipv6_subnet(const Ipv6& addr, const Ipv6& mask);
  static IdPayload ipv4_range(const Ipv4& first, const Ipv4& last);
  static IdPayload ipv6_range(const Ipv6& first, const Ipv6& last);
  static IdPayload fqdn(std::string_view name);
  static IdPayload user_fqdn(std::string_view name);
  static IdPayload key_id(ByteView key);

  friend bool operator==(const IdPayload&, const IdPayload&) = default;
};

// RFC 2408 §3.11: HASH payload, the prf output.
struct HashPayload {
  Bytes data;
  friend bool operator==(const HashPayload&, const HashPayload&) = default;
};

// RFC 2408 §3.13: nonce data (Ni_b / Nr_b are exactly `data`).
struct NoncePayload {
  Bytes data;
  friend bool operator==(const NoncePayload&, const NoncePayload&) = default;
};

// RFC 2408 §3.14: DOI | Protocol-ID | SPI size | Notify type | SPI | data.
// The DOI is not checked: some peers send 0 in phase-1 notifies.
struct NotificationPayload {
  std::uint32_t doi = kDoiIpsec;
  ProtocolId protocol = ProtocolId::Isakmp;
  NotifyType type = NotifyType::PayloadMalformed;
  Bytes spi;   // 16 bytes (CKY-I | CKY-R) for ISAKMP DPD, 4 for ESP/AH
  Bytes data;  // e.g. the RFC 3706 sequence number, RESPONDER-LIFETIME attributes

  friend bool operator==(const NotificationPayload&, const NotificationPayload&) = default;
};

// RFC 3706 §5.1: R-U-THERE / R-U-THERE-ACK carry a 32-bit sequence number.
NotificationPayload make_dpd(NotifyType type, ByteView cookies, std::uint32_t sequence);
// The sequence of a DPD notify, nullopt when the data is not 4 bytes.
std::optional<std::uint32_t> dpd_sequence(const NotificationPayload& n);

// RFC 2408 §3.15: DOI | Protocol-Id | SPI size | # SPIs | SPIs.
struct DeletePayload {
  std::uint32_t doi = kDoiIpsec;
  ProtocolId protocol = ProtocolId::Esp;
  std::uint8_t spi_size = 4;  // all SPIs have this size (16 for ISAKMP)
  std::vector<Bytes> spis;

  friend bool operator==(const DeletePayload&, const DeletePayload&) = default;
};

// RFC 2408 §3.16: an opaque vendor identifier (usually an MD5 hash).
struct VendorIdPayload {
  Bytes data;
  friend bool operator==(const VendorIdPayload&, const VendorIdPayload&) = default;
};

// RFC 3947 §3.2: NAT-D, HASH(CKY-I | CKY-R | IP | Port). `draft` selects
// the pre-RFC payload number 130 (draft-ietf-ipsec-nat-t-ike-02/03).
struct NatDPayload {
  Bytes hash;
  bool draft = false;
  friend bool operator==(const NatDPayload&, const NatDPayload&) = default;
};

// RFC 3947 §5.2: NAT-OA, ID type (ID_IPV4_ADDR or ID_IPV6_ADDR) | RESERVED
// (3) | address. `draft` selects payload number 131.
struct NatOaPayload {
  IdType type = IdType::Ipv4Addr;
  Bytes address;  // 4 or 16 bytes, matching `type`
  bool draft = false;
  friend bool operator==(const NatOaPayload&, const NatOaPayload&) = default;
};

// CERT, CR, SIG (RFC 2408 §3.9, 3.10, 3.12): known, not used by a PSK-only
// gateway, kept opaque so that a message carrying them still parses.
struct OpaquePayload {
  PayloadType type = PayloadType::Certificate;
  Bytes body;
  friend bool operator==(const OpaquePayload&, const OpaquePayload&) = default;
};

using Payload = std::variant<SaPayload, KePayload, IdPayload, HashPayload, NoncePayload,
                             NotificationPayload, DeletePayload, VendorIdPayload, NatDPayload,
                             NatOaPayload, OpaquePayload>;

// The next-payload number that announces `p` on the wire.
PayloadType payload_type(const Payload& p);

// IDii_b / IDir_b (RFC 2409 §5): the ID body as received, or as encoded.
Bytes id_body_for_hash(const IdPayload& id);

// Body codecs (no generic header). `type` is the announcing next-payload
// number; unknown numbers are UnknownPayload, Proposal/Transform outside an
// SA are BadNesting. `base` = offset of the body in the message.
ParseResult<Payload> decode_payload_body(PayloadType type, ByteView body, std::size_t base);
ParseResult<void> encode_payload_body(const Payload& p, Writer& w);

// First payload of type T in a list, or nullptr (msg.payloads, T = IdPayload).
template <typename T>
const T* find_payload(const std::vector<Payload>& payloads) {
  for (const auto& p : payloads) {
    if (const T* v = std::get_if<T>(&p)) return v;
  }
  return nullptr;
}

// All payloads of type T, in order (vendor IDs, NAT-D hashes, IDci/IDcr).
template <typename T>
std::vector<const T*> find_payloads(const std::vector<Payload>& payloads) {
  std::vector<const T*> out;
  for (const auto& p : payloads) {
    if (const T* v = std::get_if<T>(&p)) out.push_back(v);
  }
  return out;
}

}  // namespace ike::v1
