// What RFC 2409 hashes, assembled from wire bytes. The codec never holds a
// key: these return the exact prf input, the engine applies
// prf(SKEYID, ...) / prf(SKEYID_a, ...).
//
// Phase 1 (RFC 2409 §5, Main and Aggressive Mode with PSK):
//   HASH_I = prf(SKEYID, hash_i_input(g^xi, g^xr, CKY-I, CKY-R, SAi_b, IDii_b))
//   HASH_R = prf(SKEYID, hash_r_input(g^xi, g^xr, CKY-I, CKY-R, SAi_b, IDir_b))
// with SAi_b = sa_body_for_hash(initiator's SA) and IDii_b/IDir_b =
// id_body_for_hash(id): payload bodies WITHOUT the 4-byte generic header,
// taken from the received bytes when the payload was decoded (a peer's
// encoding may differ from ours) and from our own encoding otherwise. Both
// sides use the initiator's SA as the initiator sent it.
//
// Quick Mode (§5.5) and Informational (§5.7): the HASH payload must be the
// first payload, and covers everything after it:
//   receive:  auto after = bytes_after_hash(msg);   // as received, no padding
//             expect prf(SKEYID_a, quick_hash1_input(msg.header.message_id, *after))
//   send:     msg.payloads = *prepend_hash(std::move(rest), [&](ByteView after) {
//               return prf.compute(skeyid_a, quick_hash1_input(mid, after)).reveal();
//             });
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "libike/common/bytes.hpp"
#include "libike/ikev1/codec/message.hpp"

namespace ike::v1 {

// The bytes of every payload after the HASH payload, generic headers
// included, padding excluded (RFC 2409 §5.5 "the entire message that
// follows the hash including all payload headers, but excluding any
// padding added for encryption"). For a decoded message these are the
// received bytes; for a built one, encode_payloads(rest). BadNesting when
// the first payload is not a HASH.
ParseResult<Bytes> bytes_after_hash(const Message& m);

// Builds [HASH(compute(encoded rest)), rest...]: `compute` gets the exact
// bytes that will follow the HASH payload on the wire and returns the hash
// value. Fails only when `rest` does not encode.
using HashOverFollowing = std::function<Bytes(ByteView following)>;
ParseResult<std::vector<Payload>> prepend_hash(std::vector<Payload> rest,
                                               const HashOverFollowing& compute);

// RFC 2409 §5: g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b.
Bytes hash_i_input(ByteView gxi, ByteView gxr, const Cookie& cky_i, const Cookie& cky_r,
                   ByteView sai_b, ByteView idii_b);
// RFC 2409 §5: g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b (arguments in
// the same order as hash_i_input; the function swaps).
Bytes hash_r_input(ByteView gxi, ByteView gxr, const Cookie& cky_i, const Cookie& cky_r,
                   ByteView sai_b, ByteView idir_b);

// RFC 2409 §5.5: HASH(1) = prf(SKEYID_a, M-ID | rest-after-HASH).
// Also Informational HASH(1) (§5.7: M-ID | N/D) and DPD (RFC 3706 §5.1).
Bytes quick_hash1_input(std::uint32_t message_id, ByteView following);
// HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest-after-HASH); Ni_b = nonce data.
Bytes quick_hash2_input(std::uint32_t message_id, ByteView ni_b, ByteView following);
// HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b).
Bytes quick_hash3_input(std::uint32_t message_id, ByteView ni_b, ByteView nr_b);
inline Bytes informational_hash_input(std::uint32_t message_id, ByteView following) {
  return quick_hash1_input(message_id, following);
}

// RFC 3947 §3.2: NAT-D = HASH(CKY-I | CKY-R | IP | Port); `ip` is 4 or 16
// address bytes, `port` in host order (written big-endian).
Bytes nat_d_input(const Cookie& cky_i, const Cookie& cky_r, ByteView ip, std::uint16_t port);

}  // namespace ike::v1
