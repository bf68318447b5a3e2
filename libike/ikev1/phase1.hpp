// Steps Main Mode and Aggressive Mode share (RFC 2409 §5, pre-shared
// keys): choosing the proposal, the DH pair and nonces, the keys, the
// identities and HASH_I/HASH_R, NAT-D and the move to port 4500. Each
// step that can fail has already told the peer and ended the SA when it
// returns false.
#pragma once
#include <vector>

#include "libike/ikev1/ikev1_sa.hpp"

namespace ike::v1 {

// Responder: picks from the peer's SA (MM1/AM1) and returns the SA to
// answer with; rejects with NO-PROPOSAL-CHOSEN, naming both offers.
std::optional<SaPayload> choose_phase1(Ikev1Sa& sa, const Message& m, TimePoint now);
// Initiator: the responder's SA (MM2/AM2) must be one we offered.
bool accept_phase1_reply(Ikev1Sa& sa, const Message& m, TimePoint now);

// Our DH pair (in `group`) and nonce: g^xi/Ni or g^xr/Nr.
bool make_keying_material(Ikev1Sa& sa, crypto::DhGroup group, TimePoint now);
// KE and Nonce payloads carrying them.
std::vector<Payload> our_ke_and_nonce(const Ikev1Sa& sa);
// The peer's KE (of the negotiated group's size) and nonce (8..256 bytes).
bool take_peer_ke_and_nonce(Ikev1Sa& sa, const Message& m, TimePoint now);
// g^xy, SKEYID..., the encryption key and the phase-1 IV.
bool derive_phase1_keys(Ikev1Sa& sa, TimePoint now);

// Our ID payload and its HASH_I/HASH_R.
std::vector<Payload> our_id_and_hash(Ikev1Sa& sa);
IdPayload our_id(Ikev1Sa& sa);  // also records IDii_b/IDir_b
Bytes our_hash(const Ikev1Sa& sa);
// Records the peer's ID (IDii_b/IDir_b for its hash).
bool take_peer_id(Ikev1Sa& sa, const Message& m, TimePoint now);
// The peer's HASH_I/HASH_R; AUTHENTICATION-FAILED otherwise.
bool verify_peer_hash(Ikev1Sa& sa, const Message& m, TimePoint now);
// The peer's ID against remote_id; INVALID-ID-INFORMATION otherwise.
bool verify_peer_identity(Ikev1Sa& sa, TimePoint now, bool plaintext);

// NAT-D payloads for a message we send now (none if the peer has no NAT-T).
std::vector<Payload> our_nat_d(const Ikev1Sa& sa);
// RFC 3947 §3.2 on a received MM3/MM4/AM2/AM3.
void detect_nat(Ikev1Sa& sa, const Message& m, const Datagram& d);
// RFC 3947 §4: with a NAT in between the initiator moves to port 4500.
void float_to_nat_t(Ikev1Sa& sa);

// Phase 1 done: INITIAL-CONTACT in the last message is honoured, the SA
// established.
void complete_phase1(Ikev1Sa& sa, const Message& last, TimePoint now);

}  // namespace ike::v1
