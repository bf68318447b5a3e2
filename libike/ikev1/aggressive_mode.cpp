// Aggressive Mode with pre-shared keys (RFC 2409 §5.4), NAT-T per RFC 3947:
//   Initiator                              Responder
//   HDR, SA, KE, Ni, IDii, VID...     -->
//                                     <--  HDR, SA, KE, Nr, IDir, HASH_R,
//                                          VID..., NAT-D, NAT-D
//   HDR, HASH_I, NAT-D, NAT-D         -->  (port 4500 behind NAT)
// The identity arrives in the clear with the first message, so the
// responder checks it against remote_id before it answers (the engine
// found the tunnel, and with it the pre-shared key). The group cannot be
// negotiated (RFC 2409 §4): the initiator offers its first configured
// group only. The third message goes in the clear as the RFC's figure
// shows; an encrypted one is accepted too.
#include "libike/ikev1/phase1.hpp"

namespace ike::v1 {
namespace {

void append(std::vector<Payload>& to, std::vector<Payload> more) {
  for (auto& p : more) to.push_back(std::move(p));
}

// AM1 -> AM2.
void answer(Ikev1Sa& sa, const Message& m, TimePoint now) {
  auto reply = choose_phase1(sa, m, now);
  if (!reply || !take_peer_ke_and_nonce(sa, m, now) || !take_peer_id(sa, m, now)) return;
  if (!verify_peer_identity(sa, now, true)) return;
  if (!make_keying_material(sa, sa.p1.suite->group, now) || !derive_phase1_keys(sa, now)) return;
  std::vector<Payload> out{std::move(*reply)};
  append(out, our_ke_and_nonce(sa));
  append(out, our_id_and_hash(sa));
  append(out, our_vendor_ids());
  append(out, our_nat_d(sa));
  sa.state = SaState::AmAnswered;
  sa.send_phase1(std::move(out), false, true, now);
}

// AM2 -> AM3.
void finish_initiator(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  sa.cky_r = m.header.responder_cookie;
  if (!accept_phase1_reply(sa, m, now)) return;
  if (sa.p1.suite->group != sa.p1.dh->group()) {
    sa.fail("responder chose a group other than the one of our KE", now);
    return;
  }
  if (!take_peer_ke_and_nonce(sa, m, now)) return;
  if (!derive_phase1_keys(sa, now) || !take_peer_id(sa, m, now)) return;
  if (!verify_peer_hash(sa, m, now) || !verify_peer_identity(sa, now, false)) return;
  detect_nat(sa, m, d);
  float_to_nat_t(sa);  // RFC 3947 §4: from AM3 on
  std::vector<Payload> out{HashPayload{our_hash(sa)}};
  append(out, our_nat_d(sa));
  sa.send_phase1(std::move(out), false, false, now);
  if (sa.state == SaState::Closed) return;
  complete_phase1(sa, m, now);
}

// AM3.
void finish_responder(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  if (!verify_peer_hash(sa, m, now)) return;
  detect_nat(sa, m, d);
  complete_phase1(sa, m, now);
}

}  // namespace

void aggressive_mode_start(Ikev1Sa& sa, TimePoint now) {
  const auto& ike = sa.config().ike;
  auto offer = ike.dh_groups.empty() ? SaPayload{} : phase1_offer(ike, ike.dh_groups.front());
  if (offer.proposals.empty() || offer.proposals.front().transforms.empty()) {
    sa.fail("no IKE proposal usable with IKEv1 (AEAD ciphers are IKEv2 only)", now);
    return;
  }
  sa.p1.sai_b = sa_body_for_hash(offer);
  if (!make_keying_material(sa, ike.dh_groups.front(), now)) return;
  std::vector<Payload> out{std::move(offer)};
  append(out, our_ke_and_nonce(sa));
  out.emplace_back(our_id(sa));
  append(out, our_vendor_ids());
  sa.state = SaState::AmSent;
  sa.send_phase1(std::move(out), false, true, now);
}

void aggressive_mode_process(Ikev1Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  switch (sa.state) {
    case SaState::Idle: answer(sa, m, now); break;
    case SaState::AmSent: finish_initiator(sa, m, d, now); break;
    case SaState::AmAnswered: finish_responder(sa, m, d, now); break;
    default: break;
  }
}

}  // namespace ike::v1
