// RFC 2409 §5 steps shared by Main and Aggressive Mode.
#include "libike/ikev1/phase1.hpp"

#include <fmt/format.h>

#include "libike/crypto/key_exchange.hpp"
#include "libike/ikev1/identity.hpp"

namespace ike::v1 {
namespace {

constexpr std::size_t kNonceSize = 32;  // RFC 2409 §5: 8..256 bytes
constexpr std::size_t kMinNonce = 8, kMaxNonce = 256;

Bytes copy_of(ByteView v) { return Bytes(v.begin(), v.end()); }

}  // namespace

std::optional<SaPayload> choose_phase1(Ikev1Sa& sa, const Message& m, TimePoint now) {
  const auto* offer = find_payload<SaPayload>(m.payloads);
  if (!offer) {
    sa.reject(NotifyType::PayloadMalformed, "peer's first phase-1 message has no SA payload", now, true);
    return std::nullopt;
  }
  sa.nat.peer = read_vendor_ids(m.payloads);
  const auto& ours = sa.config().ike;
  auto choice = select_phase1(*offer, ours);
  if (!choice) {
    sa.reject(NotifyType::NoProposalChosen,
              fmt::format("no matching IKE proposal: peer offered {}; ours: {}", describe_phase1(*offer),
                          describe_phase1(ours)),
              now, true);
    return std::nullopt;
  }
  // RFC 2409 §5: SAi_b is the initiator's SA body exactly as received.
  sa.p1.sai_b = sa_body_for_hash(*offer);
  sa.p1.suite = choice->suite;
  if (choice->suite.peer_lifetime > choice->suite.lifetime)
    sa.event(TunnelEvent::Kind::Info,
             fmt::format("peer proposed an ISAKMP SA lifetime of {}s; ours, {}s, applies",
                         choice->suite.peer_lifetime.count(), choice->suite.lifetime.count()));
  return std::move(choice->reply);
}

bool accept_phase1_reply(Ikev1Sa& sa, const Message& m, TimePoint now) {
  const auto* reply = find_payload<SaPayload>(m.payloads);
  auto suite = reply ? accept_phase1(*reply, sa.config().ike) : std::nullopt;
  if (!suite) {
    sa.fail(fmt::format("responder chose {}, which we did not offer (ours: {})",
                        reply ? describe_phase1(*reply) : "no SA", describe_phase1(sa.config().ike)),
            now);
    return false;
  }
  sa.p1.suite = suite;
  sa.nat.peer = read_vendor_ids(m.payloads);
  return true;
}

bool make_keying_material(Ikev1Sa& sa, crypto::DhGroup group, TimePoint now) {
  auto kx = crypto::make_key_exchange(group, sa.random());
  if (!kx) {
    sa.fail(fmt::format("DH group {} unavailable: {}", crypto::name(group), kx.error().message), now);
    return false;
  }
  sa.p1.dh = std::move(*kx);
  auto pub = copy_of(sa.p1.dh->public_value());
  auto nonce = sa.random().bytes(kNonceSize);
  (sa.initiator ? sa.p1.gxi : sa.p1.gxr) = std::move(pub);
  (sa.initiator ? sa.p1.ni : sa.p1.nr) = std::move(nonce);
  return true;
}

std::vector<Payload> our_ke_and_nonce(const Ikev1Sa& sa) {
  const auto& p1 = sa.p1;
  return {KePayload{sa.initiator ? p1.gxi : p1.gxr}, NoncePayload{sa.initiator ? p1.ni : p1.nr}};
}

bool take_peer_ke_and_nonce(Ikev1Sa& sa, const Message& m, TimePoint now) {
  const auto* ke = find_payload<KePayload>(m.payloads);
  const auto* nonce = find_payload<NoncePayload>(m.payloads);
  bool ke_ok = ke && ke->data.size() == crypto::public_value_size(sa.p1.suite->group);
  bool nonce_ok = nonce && nonce->data.size() >= kMinNonce && nonce->data.size() <= kMaxNonce;
  if (!ke_ok || !nonce_ok) {
    sa.reject(NotifyType::PayloadMalformed,
              fmt::format("peer's {} is missing or has the wrong size", !ke_ok ? "KE" : "nonce"), now, true);
    return false;
  }
  (sa.initiator ? sa.p1.gxr : sa.p1.gxi) = ke->data;
  (sa.initiator ? sa.p1.nr : sa.p1.ni) = nonce->data;
  return true;
}

bool derive_phase1_keys(Ikev1Sa& sa, TimePoint now) {
  auto& p1 = sa.p1;
  auto gxy = p1.dh->shared_secret(sa.initiator ? p1.gxr : p1.gxi);
  if (!gxy) {
    sa.reject(NotifyType::InvalidKeyInformation, "peer's DH value rejected: " + gxy.error().message, now, true);
    return false;
  }
  Phase1Inputs in{&sa.config().psk, &*gxy, p1.ni, p1.nr, sa.cky_i, sa.cky_r, p1.gxi, p1.gxr};
  auto c = Phase1Crypto::derive(*p1.suite, in);
  if (!c) {
    sa.fail("phase-1 keys: " + c.error().message, now);
    return false;
  }
  p1.crypto = std::move(*c);
  return true;
}

IdPayload our_id(Ikev1Sa& sa) {
  auto id = local_identification(sa.config());
  (sa.initiator ? sa.p1.idii_b : sa.p1.idir_b) = id_body_for_hash(id);
  return id;
}

Bytes our_hash(const Ikev1Sa& sa) {
  const auto& p1 = sa.p1;
  return sa.initiator ? p1.crypto->hash_i(p1.sai_b, p1.idii_b) : p1.crypto->hash_r(p1.sai_b, p1.idir_b);
}

std::vector<Payload> our_id_and_hash(Ikev1Sa& sa) {
  auto id = our_id(sa);
  return {std::move(id), HashPayload{our_hash(sa)}};
}

bool take_peer_id(Ikev1Sa& sa, const Message& m, TimePoint now) {
  const auto* id = find_payload<IdPayload>(m.payloads);
  if (!id) {
    sa.reject(NotifyType::PayloadMalformed, "peer's phase-1 message has no ID payload", now, !sa.p1.crypto);
    return false;
  }
  sa.p1.peer_id = *id;
  // RFC 2409 §5: IDii_b/IDir_b are the ID bodies as the peer sent them.
  (sa.initiator ? sa.p1.idir_b : sa.p1.idii_b) = id_body_for_hash(*id);
  return true;
}

bool verify_peer_hash(Ikev1Sa& sa, const Message& m, TimePoint now) {
  const auto& p1 = sa.p1;
  const auto* hash = find_payload<HashPayload>(m.payloads);
  Bytes want = sa.initiator ? p1.crypto->hash_r(p1.sai_b, p1.idir_b) : p1.crypto->hash_i(p1.sai_b, p1.idii_b);
  if (hash && equal_constant_time(hash->data, want)) return true;
  // Plaintext: with different pre-shared keys the peer could not read it.
  sa.reject(NotifyType::AuthenticationFailed,
            fmt::format("authentication failed: the peer's {} does not verify (pre-shared keys differ?)",
                        sa.initiator ? "HASH_R" : "HASH_I"),
            now, true);
  return false;
}

bool verify_peer_identity(Ikev1Sa& sa, TimePoint now, bool plaintext) {
  auto st = check_peer_identity(*sa.p1.peer_id, sa.config());
  if (st) return true;
  sa.reject(NotifyType::InvalidIdInformation, st.error().message, now, plaintext);
  return false;
}

std::vector<Payload> our_nat_d(const Ikev1Sa& sa) {
  if (!sa.nat.supported()) return {};
  return nat_d_payloads(sa.p1.suite->hash(), sa.cky_i, sa.cky_r, sa.local, sa.remote, sa.nat.draft());
}

void detect_nat(Ikev1Sa& sa, const Message& m, const Datagram& d) {
  if (!sa.nat.supported()) return;
  v1::detect_nat(sa.nat, m.payloads, sa.p1.suite->hash(), sa.cky_i, sa.cky_r, d.local, d.remote);
}

void float_to_nat_t(Ikev1Sa& sa) {
  if (!sa.nat.any() || !sa.initiator) return;
  auto port = sa.owner.gateway().nat_t_port;
  sa.local.port = port;
  sa.remote.port = port;
}

void complete_phase1(Ikev1Sa& sa, const Message& last, TimePoint now) {
  sa.establish(now);
  if (sa.state != SaState::Established) return;
  // RFC 2407 §4.6.3.3: a peer may send INITIAL-CONTACT inside phase 1.
  for (const auto* n : find_payloads<NotificationPayload>(last.payloads))
    if (n->type == NotifyType::InitialContact) {
      sa.owner.initial_contact(sa, now);
      sa.drop_adopted(now);
    }
}

}  // namespace ike::v1
