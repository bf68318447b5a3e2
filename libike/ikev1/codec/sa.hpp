// The Security Association payload and what nests in it (RFC 2408 §3.4-3.6,
// RFC 2407 §4.6.1):
//   SA: DOI (4) | Situation (4) | Proposal payloads...
//   Proposal: # | Protocol-ID | SPI size | # transforms | SPI | Transforms...
//   Transform: # | Transform-ID | reserved (2) | data attributes...
// Proposals and transforms carry their own generic headers whose
// next-payload fields chain them (2 = another proposal, 3 = another
// transform, 0 = last). Proposals sharing a number form one AND-bundle
// (e.g. AH+ESP, RFC 2408 §4.2); the list keeps the wire order.
#pragma once
#include <cstdint>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/common/writer.hpp"
#include "libike/ikev1/codec/attributes.hpp"
#include "libike/ikev1/codec/constants.hpp"
#include "libike/ikev1/codec/error.hpp"
#include "libike/ikev1/codec/received.hpp"

namespace ike::v1 {

// Codec limit: real SAs carry a handful of proposals.
inline constexpr std::size_t kMaxProposals = 64;

struct Transform {
  std::uint8_t number = 1;
  // KEY_IKE (1) for ISAKMP, an EspTransform or AhTransform value otherwise.
  std::uint8_t id = kTransformKeyIke;
  Attributes attributes;

  friend bool operator==(const Transform&, const Transform&) = default;
};

struct Proposal {
  std::uint8_t number = 1;
  ProtocolId protocol = ProtocolId::Isakmp;
  Bytes spi;  // empty for phase 1 (RFC 2409 §5), 4 bytes for ESP/AH
  std::vector<Transform> transforms;

  friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct SaPayload {
  std::uint32_t doi = kDoiIpsec;
  std::uint32_t situation = situation::kIdentityOnly;
  std::vector<Proposal> proposals;
  // The body (DOI onwards, no generic header) as received: SAi_b for
  // HASH_I/HASH_R. Use sa_body_for_hash(), which falls back to encoding.
  // Clear it when editing a decoded SA (e.g. trimming it into a reply), or
  // sa_body_for_hash() keeps returning the bytes that arrived.
  ReceivedBytes received_body;

  friend bool operator==(const SaPayload&, const SaPayload&) = default;
};

// Body only (no generic header); `base` = offset of the body in the message.
// Accepts DOI 1 (IPsec) with SIT_IDENTITY_ONLY only: other DOIs are BadDoi,
// secrecy/integrity situations (labelled, RFC 2407 §4.2) BadSituation.
ParseResult<SaPayload> decode_sa_body(ByteView body, std::size_t base);
ParseResult<void> encode_sa_body(const SaPayload& sa, Writer& w);

// SAi_b (RFC 2409 §5): the SA body as it went on the wire, i.e. the
// received bytes for a decoded SA, else this codec's encoding (which is
// exactly what encode() sends). Empty on an encode error.
Bytes sa_body_for_hash(const SaPayload& sa);

}  // namespace ike::v1
