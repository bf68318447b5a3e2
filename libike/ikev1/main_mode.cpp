// Main Mode with pre-shared keys (RFC 2409 §5.4), NAT-T per RFC 3947:
//   Initiator                          Responder
//   HDR, SA, VID...               -->
//                                 <--  HDR, SA, VID...
//   HDR, KE, Ni, NAT-D, NAT-D     -->
//                                 <--  HDR, KE, Nr, NAT-D, NAT-D
//   HDR*, IDii, HASH_I            -->                       (port 4500 behind NAT)
//                                 <--  HDR*, IDir, HASH_R
// The pre-shared key is found by the peer's address (the tunnel the
// engine matched), as Main Mode hides the ID until message 5.
#include "libike/ikev1/phase1.hpp"

namespace ike::v1 {
namespace {

std::vector<Payload> with(std::vector<Payload> a, std::vector<Payload> b) {
  for (auto& p : b) a.push_back(std::move(p));
  return a;
}

// MM1 -> MM2.
void answer_sa(Ikev1Sa& sa, const Message& m, TimePoint now) {
  auto reply = choose_phase1(sa, m, now);
  if (!reply) return;
  sa.state = SaState::MmSaAnswered;
  sa.send_phase1(with({std::move(*reply)}, our_vendor_ids()), false, true, now);
}

// MM2 -> MM3.
void send_ke(Ikev1Sa& sa, const Message& m, TimePoint now) {
  sa.cky_r = m.header.responder_cookie;
  if (!accept_phase1_reply(sa, m, now) || !make_keying_material(sa, sa.p1.suite->group, now)) return;
  sa.state = SaState::MmKeSent;
  sa.send_phase1(with(our_ke_and_nonce(sa), our_nat_d(sa)), false, true, now);
}

// MM3 -> MM4: after this both sides can compute the keys.
void answer_ke(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  if (!take_peer_ke_and_nonce(sa, m, now)) return;
  detect_nat(sa, m, d);
  if (!make_keying_material(sa, sa.p1.suite->group, now) || !derive_phase1_keys(sa, now)) return;
  sa.state = SaState::MmKeAnswered;
  sa.send_phase1(with(our_ke_and_nonce(sa), our_nat_d(sa)), false, true, now);
}

// MM4 -> MM5, the first encrypted message (Appendix B: IV from g^xi | g^xr).
void send_auth(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  if (!take_peer_ke_and_nonce(sa, m, now)) return;
  detect_nat(sa, m, d);
  if (!derive_phase1_keys(sa, now)) return;
  float_to_nat_t(sa);  // RFC 3947 §4: from MM5 on
  sa.state = SaState::MmAuthSent;
  sa.send_phase1(our_id_and_hash(sa), true, true, now);
}

// MM5 -> MM6: HASH_I first (it proves the key), then the identity.
void answer_auth(Ikev1Sa& sa, const Message& m, TimePoint now) {
  if (!take_peer_id(sa, m, now) || !verify_peer_hash(sa, m, now) || !verify_peer_identity(sa, now, false))
    return;
  sa.send_phase1(our_id_and_hash(sa), true, false, now);
  if (sa.state == SaState::Closed) return;
  complete_phase1(sa, m, now);
}

// MM6.
void finish(Ikev1Sa& sa, const Message& m, TimePoint now) {
  if (!take_peer_id(sa, m, now) || !verify_peer_hash(sa, m, now) || !verify_peer_identity(sa, now, false))
    return;
  complete_phase1(sa, m, now);
}

}  // namespace

void main_mode_start(Ikev1Sa& sa, TimePoint now) {
  auto offer = phase1_offer(sa.config().ike);
  if (offer.proposals.front().transforms.empty()) {
    sa.fail("no IKE proposal usable with IKEv1 (AEAD ciphers are IKEv2 only)", now);
    return;
  }
  // RFC 2409 §5: SAi_b, the SA body exactly as we send it.
  sa.p1.sai_b = sa_body_for_hash(offer);
  sa.state = SaState::MmSaSent;
  sa.send_phase1(with({std::move(offer)}, our_vendor_ids()), false, true, now);
}

void main_mode_process(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  switch (sa.state) {
    case SaState::Idle: answer_sa(sa, m, now); break;
    case SaState::MmSaSent: send_ke(sa, m, now); break;
    case SaState::MmSaAnswered: answer_ke(sa, m, d, now); break;
    case SaState::MmKeSent: send_auth(sa, m, d, now); break;
    case SaState::MmKeAnswered: answer_auth(sa, m, now); break;
    case SaState::MmAuthSent: finish(sa, m, now); break;
    default: break;
  }
}

}  // namespace ike::v1
