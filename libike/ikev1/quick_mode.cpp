// Quick Mode (RFC 2409 §5.5), the initiator's side and what both sides
// share (hash checks, KEYMAT, installation):
//   Initiator                               Responder
//   HDR*, HASH(1), SA, Ni [, KE], IDci, IDcr  -->
//                              <--  HDR*, HASH(2), SA, Nr [, KE], IDci, IDcr
//                                   [, N(RESPONDER-LIFETIME)]
//   HDR*, HASH(3)                             -->
// HASH(1) = prf(SKEYID_a, M-ID | everything after HASH(1))
// HASH(2) = prf(SKEYID_a, M-ID | Ni_b | everything after HASH(2))
// HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
// One Quick Mode per configured SPD mapping; IDci/IDcr are its subnets.
#include <fmt/format.h>

#include "libike/ikev1/ikev1_sa.hpp"
#include "libike/ikev2/collision.hpp"
#include "libike/ikev1/selectors.hpp"
#include "libike/ikev2/child_sa.hpp"

namespace ike::v1 {
namespace {

constexpr std::size_t kNonceSize = 32;
constexpr std::uint8_t kProtoEsp = static_cast<std::uint8_t>(ProtocolId::Esp);

Bytes spi_bytes(std::uint32_t spi) {
  Bytes b;
  Writer(b).u32(spi);
  return b;
}

std::string qm_text(const QuickMode& qm) { return "quick mode " + to_string(qm.selectors); }

// Sends `body` as the next message of `qm`, HASH first (computed over
// what follows by `hash`), on the exchange's IV chain.
bool send_quick(Ikev1Sa& sa, QuickMode& qm, std::vector<Payload> body, const HashOverFollowing& hash,
                bool await, TimePoint now) {
  auto payloads = prepend_hash(std::move(body), hash);
  if (!payloads) return false;
  Message m;
  m.header = sa.header(ExchangeType::QuickMode, qm.message_id);
  m.payloads = std::move(*payloads);
  auto wire = sa.p1.crypto->seal(m, qm.iv);
  if (!wire) return false;
  qm.flight.sent(*wire, now, await, sa.retransmit_policy());
  sa.send_wire(*wire);
  return true;
}

std::optional<std::string> pfs_secret(QuickMode& qm, const Message& m) {
  if (!qm.suite->pfs) return std::nullopt;
  const auto* ke = find_payload<KePayload>(m.payloads);
  if (!qm.dh || !ke) return "the responder sent no KE for PFS";
  auto shared = qm.dh->shared_secret(ke->data);
  if (!shared) return "the responder's PFS value is invalid: " + shared.error().message;
  qm.pfs_shared = std::move(*shared);
  return std::nullopt;
}

// The responder echoes IDci/IDcr: IKEv1 has no narrowing, so they must be
// what we proposed (or absent when we sent none).
bool ids_echoed(const QuickMode& qm, const Message& m) {
  auto ids = find_payloads<IdPayload>(m.payloads);
  if (ids.empty()) return true;
  if (ids.size() != 2) return false;
  return subnet_of(*ids[0]) == qm.selectors.local && subnet_of(*ids[1]) == qm.selectors.remote;
}

void note_responder_lifetime(Ikev1Sa& sa, QuickMode& qm, const Message& m) {
  for (const auto* n : find_payloads<NotificationPayload>(m.payloads)) {
    if (n->type != NotifyType::ResponderLifetime) continue;
    // RFC 2407 §4.6.3.1: the responder's lifetime is the one in force.
    apply_responder_lifetime(*qm.suite, n->data);
    sa.event(TunnelEvent::Kind::Info, fmt::format("{}: peer set RESPONDER-LIFETIME to {}s / {} KB", qm_text(qm),
                                                  qm.suite->life_seconds, qm.suite->life_kb));
  }
}

Secret keymat(const Ikev1Sa& sa, const QuickMode& qm, std::uint32_t spi, std::size_t length) {
  const auto& c = *sa.p1.crypto;
  auto spi_b = spi_bytes(spi);
  // RFC 2409 §5.5: KEYMAT = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), expanded.
  if (qm.pfs_shared)
    return crypto::v1::quick_mode_keymat_pfs(c.prf(), c.skeyid_d(), *qm.pfs_shared, kProtoEsp, spi_b, qm.ni,
                                             qm.nr, length);
  return crypto::v1::quick_mode_keymat(c.prf(), c.skeyid_d(), kProtoEsp, spi_b, qm.ni, qm.nr, length);
}

SaLifetime lifetime_of(const EspSuite& suite, const EspProposalConfig& cfg, Random& random) {
  auto in_force = cfg;
  in_force.lifetime = Seconds{static_cast<Seconds::rep>(suite.life_seconds)};
  in_force.lifetime_kb = suite.life_kb;
  return v2::child_lifetime(in_force, random);
}

// As IKEv2 does when its first CHILD SA fails: an ISAKMP SA we set up
// that carries nothing and negotiates nothing goes, telling the peer.
void close_if_carrying_nothing(Ikev1Sa& sa, TimePoint now) {
  if (sa.initiator && sa.child_sas.empty() && !sa.first_quick_mode_pending()) sa.close(now);
}

}  // namespace

void quick_mode_start(Ikev1Sa& sa, std::size_t mapping_index, TimePoint now,
                      std::optional<std::uint32_t> replaces) {
  const auto& cfg = sa.config();
  auto qm = std::make_unique<QuickMode>();
  qm->mapping_index = mapping_index;
  qm->replaces = replaces;
  qm->selectors = cfg.mappings[mapping_index];
  qm->message_id = sa.new_message_id();
  qm->iv = sa.p1.crypto->exchange_iv(qm->message_id);
  auto offer = esp_offer(cfg.ipsec, 0, tunnel_encapsulation(sa.udp_encap(), sa.nat.draft()));
  if (offer.proposals.front().transforms.empty())
    return sa.owner.child_failed(sa, qm_text(*qm) + ": no ESP proposal usable with IKEv1", now);
  auto spi = sa.allocate_spi(mapping_index);
  if (!spi)
    return sa.owner.child_failed(sa, qm_text(*qm) + ": cannot allocate an inbound SPI: " + spi.error().message,
                                 now);
  qm->spi_in = *spi;
  offer.proposals.front().spi = spi_bytes(*spi);
  qm->ni = sa.random().bytes(kNonceSize);
  std::vector<Payload> body{std::move(offer), NoncePayload{qm->ni}};
  if (cfg.ipsec.pfs) {
    auto kx = crypto::make_key_exchange(*cfg.ipsec.pfs, sa.random());
    if (!kx) {
      sa.owner.release_spi(qm->spi_in);
      return sa.owner.child_failed(sa, qm_text(*qm) + ": PFS group unavailable", now);
    }
    qm->dh = std::move(*kx);
    body.emplace_back(KePayload{Bytes(qm->dh->public_value().begin(), qm->dh->public_value().end())});
  }
  body.emplace_back(subnet_identification(qm->selectors.local));   // IDci
  body.emplace_back(subnet_identification(qm->selectors.remote));  // IDcr
  auto id = qm->message_id;
  auto hash1 = [&](ByteView following) { return sa.p1.crypto->prf_a(quick_hash1_input(id, following)); };
  if (!send_quick(sa, *qm, std::move(body), hash1, true, now)) {
    sa.owner.release_spi(qm->spi_in);
    return sa.owner.child_failed(sa, qm_text(*qm) + ": cannot build QM1", now);
  }
  sa.quick_modes.push_back(std::move(qm));
}

bool quick_mode_hash_ok(const Ikev1Sa& sa, const QuickMode* qm, const Message& m) {
  auto following = bytes_after_hash(m);
  if (!following) return false;
  const auto& hash = std::get<HashPayload>(m.payloads.front()).data;
  auto id = m.header.message_id;
  const auto& c = *sa.p1.crypto;
  Bytes want;
  if (!qm)
    want = c.prf_a(quick_hash1_input(id, *following));
  else if (qm->initiator)
    want = c.prf_a(quick_hash2_input(id, qm->ni, *following));
  else
    want = c.prf_a(quick_hash3_input(id, qm->ni, qm->nr));
  return equal_constant_time(hash, want);
}

void quick_mode_response(Ikev1Sa& sa, QuickMode& qm, const Message& m, TimePoint now) {
  const auto& ipsec = sa.config().ipsec;
  const auto* sap = find_payload<SaPayload>(m.payloads);
  const auto* nonce = find_payload<NoncePayload>(m.payloads);
  auto choice = sap ? accept_esp(*sap, ipsec, sa.udp_encap()) : std::nullopt;
  if (!choice || !nonce)
    return quick_mode_failed(sa, qm, fmt::format("{}: peer answered {} (ours: {})", qm_text(qm),
                                                 sap ? describe_esp(*sap) : "without SA", describe_esp(ipsec)),
                             now);
  if (!ids_echoed(qm, m))
    return quick_mode_failed(sa, qm, qm_text(qm) + ": peer answered with other client IDs", now);
  qm.suite = choice->suite;
  qm.spi_out = choice->peer_spi;
  qm.nr = nonce->data;
  if (auto why = pfs_secret(qm, m)) return quick_mode_failed(sa, qm, qm_text(qm) + ": " + *why, now);
  note_responder_lifetime(sa, qm, m);
  auto id = qm.message_id;
  auto hash3 = [&](ByteView) { return sa.p1.crypto->prf_a(quick_hash3_input(id, qm.ni, qm.nr)); };
  if (!send_quick(sa, qm, {}, hash3, false, now))
    return quick_mode_failed(sa, qm, qm_text(qm) + ": cannot build QM3", now);
  if (auto st = install_quick_mode(sa, qm, now); !st) {
    // The peer installs on QM3; tell it ours did not happen.
    sa.send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {spi_bytes(qm.spi_in)}}});
    qm.spi_in = 0;  // install_child released it
    sa.owner.child_failed(sa, qm_text(qm) + ": kernel install failed: " + st.error().message, now);
    close_if_carrying_nothing(sa, now);
  }
}

Status install_quick_mode(Ikev1Sa& sa, QuickMode& qm, TimePoint now) {
  qm.state = QmState::Done;
  qm.forget_at = now + sa.owner.options().linger;
  auto cipher = crypto::make_cipher(qm.suite->encr);
  auto integ = qm.suite->integ ? crypto::make_integrity(*qm.suite->integ) : nullptr;
  if (!cipher || (qm.suite->integ && !integ)) return fail("ESP algorithms unavailable");
  auto ek = cipher->keymat_size();
  auto ik = integ ? integ->key_size() : 0;
  // RFC 2409 §5.5: the SA whose SPI we chose is the one we receive on.
  auto in = keymat(sa, qm, qm.spi_in, ek + ik);
  auto out = keymat(sa, qm, qm.spi_out, ek + ik);
  NegotiatedChild c;
  c.spi_in = qm.spi_in;
  c.spi_out = qm.spi_out;
  c.reqid = sa.owner.reqid(qm.mapping_index);
  c.local = sa.local.address;
  c.remote = sa.remote.address;
  c.encap = sa.child_encap();
  c.encryption = qm.suite->encr;
  c.integrity = qm.suite->integ;
  c.pfs_group = qm.suite->pfs;
  c.encr_key_in = in.slice(0, ek);
  c.integ_key_in = in.slice(ek, ik);
  c.encr_key_out = out.slice(0, ek);
  c.integ_key_out = out.slice(ek, ik);
  c.selectors = {qm.selectors};
  c.lifetime = lifetime_of(*qm.suite, sa.config().ipsec, sa.random());
  // A rekey (rekey.cpp): ours gets its outbound SA a moment later; one we
  // answer (another pair of the mapping exists) when the old pair goes.
  // After a phase-1 rekey the pair belongs to the heir, whatever ISAKMP
  // SA its Quick Mode ran on (phase1_rekey.cpp).
  Ikev1Sa& home = sa.carrier();
  std::optional<std::uint32_t> replaces = qm.replaces;
  if (!qm.initiator) replaces = home.replaced_by_peer(qm.mapping_index);
  bool rekey = replaces.has_value();
  c.defer_outbound = rekey;
  if (auto st = sa.owner.install_child(c, now); !st) return st;
  qm.spi_in = 0;  // owned by the installed child now
  home.child_sas.push_back({qm.mapping_index, c.spi_in, c.spi_out, *qm.suite, qm.selectors, now, c.encap.has_value()});
  auto& added = home.child_sas.back();
  added.we_initiated = qm.initiator;
  added.low_nonce = v2::nonce_lower(qm.ni, qm.nr) ? qm.ni : qm.nr;
  if (rekey) {
    added.outbound_at = now + (qm.initiator ? sa.outbound_delay() : sa.owner.options().retransmit_timeout * 5);
    added.replaces = replaces;
  }
  sa.event(TunnelEvent::Kind::Info, fmt::format("IPsec SA {} up: {}, SPIs {:08x}/{:08x}{}", to_string(qm.selectors),
                                                to_string(*qm.suite), c.spi_in, c.spi_out,
                                                c.encap ? ", UDP-encapsulated" : ""));
  // strongSwan deletes such a pair with the old ISAKMP SA (phase1_rekey.cpp).
  if (&home != &sa)
    sa.event(TunnelEvent::Kind::Debug,
             fmt::format("IPsec SA {:08x}/{:08x} came up on a superseded ISAKMP SA ({} Quick Mode), the heir carries it",
                         c.spi_in, c.spi_out, qm.initiator ? "our" : "the peer's"));
  return {};
}

void quick_mode_failed(Ikev1Sa& sa, QuickMode& qm, const std::string& reason, TimePoint now) {
  if (qm.replaces) sa.rekey_failed(*qm.replaces);
  if (qm.spi_in) sa.owner.release_spi(qm.spi_in);
  qm.spi_in = 0;
  qm.state = QmState::Done;
  qm.flight.stop();
  qm.forget_at = now + sa.owner.options().linger;
  sa.owner.child_failed(sa, reason, now);
  if (qm.initiator) close_if_carrying_nothing(sa, now);
}

}  // namespace ike::v1
