// Quick Mode (RFC 2409 §5.5), the responder's side: QM1 is checked
// (client IDs inside a configured mapping, an acceptable ESP transform,
// PFS), answered with QM2, and the SAs are installed when QM3 proves the
// initiator got it. Errors go back as NO-PROPOSAL-CHOSEN,
// INVALID-ID-INFORMATION or PAYLOAD-MALFORMED in an Informational
// exchange (§5.7), with the initiator's SPI so it knows which offer failed.
#include <fmt/format.h>

#include "libike/ikev1/ikev1_sa.hpp"
#include "libike/ikev1/selectors.hpp"

namespace ike::v1 {
namespace {

constexpr std::size_t kNonceSize = 32;

Bytes spi_bytes(std::uint32_t spi) {
  Bytes b;
  Writer(b).u32(spi);
  return b;
}

std::string mappings_text(const std::vector<SpdMapping>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(to_string(m));
  return out.empty() ? "none" : fmt::format("{}", fmt::join(out, ", "));
}

// The peer's SPI in its first ESP proposal, for error notifies.
Bytes offered_spi(const SaPayload* sa) {
  if (sa)
    for (const auto& p : sa->proposals)
      if (p.protocol == ProtocolId::Esp && p.spi.size() == 4) return p.spi;
  return {};
}

void refuse(Ikev1Sa& sa, NotifyType type, const SaPayload* offer, const std::string& why, TimePoint now) {
  auto spi = offered_spi(offer);
  auto proto = spi.empty() ? ProtocolId::Isakmp : ProtocolId::Esp;
  sa.send_informational({NotificationPayload{kDoiIpsec, proto, type, std::move(spi), {}}});
  sa.owner.child_failed(sa, fmt::format("{}; sent {}", why, name(type)), now);
}

// IDci is the initiator's side (our remote), IDcr ours. Without IDs the
// phase-1 addresses are meant (§5.5).
std::optional<SpdMapping> proposed_selectors(const Ikev1Sa& sa, const Message& m) {
  auto ids = find_payloads<IdPayload>(m.payloads);
  if (ids.empty()) return SpdMapping{Subnet::host(sa.local.address), Subnet::host(sa.remote.address)};
  if (ids.size() != 2) return std::nullopt;
  auto remote = subnet_of(*ids[0]);
  auto local = subnet_of(*ids[1]);
  if (!remote || !local) return std::nullopt;
  return SpdMapping{*local, *remote};
}

std::string ids_text(const Message& m) {
  std::vector<std::string> out;
  for (const auto* id : find_payloads<IdPayload>(m.payloads)) {
    auto s = subnet_of(*id);
    out.push_back(s ? s->to_string() : fmt::format("{}[{}/{}]", name(id->type), id->protocol, id->port));
  }
  return out.empty() ? "(none)" : fmt::format("{}", fmt::join(out, " === "));
}

// PFS (§5.5): a fresh KE of the chosen group, answered with ours.
std::optional<KePayload> pfs_answer(Ikev1Sa& sa, QuickMode& qm, const Message& m) {
  const auto* ke = find_payload<KePayload>(m.payloads);
  if (!ke) return std::nullopt;
  auto kx = crypto::make_key_exchange(*qm.suite->pfs, sa.random());
  if (!kx) return std::nullopt;
  auto shared = (*kx)->shared_secret(ke->data);
  if (!shared) return std::nullopt;
  qm.pfs_shared = std::move(*shared);
  auto pub = (*kx)->public_value();
  return KePayload{Bytes(pub.begin(), pub.end())};
}

std::vector<Payload> answer_body(const QuickMode& qm, EspChoice& choice, const Message& m,
                                 std::optional<KePayload> ke) {
  choice.reply.proposals.front().spi = spi_bytes(qm.spi_in);
  std::vector<Payload> body{std::move(choice.reply), NoncePayload{qm.nr}};
  if (ke) body.emplace_back(std::move(*ke));
  for (const auto* id : find_payloads<IdPayload>(m.payloads)) body.emplace_back(*id);
  if (!choice.responder_lifetime.empty()) {
    // RFC 2407 §4.6.3.1: our lower lifetime, SPI = our inbound SPI.
    Bytes data;
    Writer w(data);
    if (encode_attributes(choice.responder_lifetime, w))
      body.emplace_back(NotificationPayload{kDoiIpsec, ProtocolId::Esp, NotifyType::ResponderLifetime,
                                            spi_bytes(qm.spi_in), std::move(data)});
  }
  return body;
}

// Allocates our SPI and sends QM2 with HASH(2) = prf(SKEYID_a, M-ID | Ni_b |
// everything after HASH(2)); false when that failed (reported).
bool send_answer(Ikev1Sa& sa, QuickMode& qm, EspChoice& choice, const Message& m, std::optional<KePayload> ke,
                 TimePoint now) {
  auto spi = sa.allocate_spi(qm.mapping_index);
  if (!spi) {
    sa.owner.child_failed(sa, "quick mode: cannot allocate an inbound SPI: " + spi.error().message, now);
    return false;
  }
  qm.spi_in = *spi;
  auto id = qm.message_id;
  auto payloads = prepend_hash(answer_body(qm, choice, m, std::move(ke)), [&](ByteView following) {
    return sa.p1.crypto->prf_a(quick_hash2_input(id, qm.ni, following));
  });
  Message out;
  out.header = sa.header(ExchangeType::QuickMode, id);
  if (payloads) out.payloads = std::move(*payloads);
  auto wire = payloads ? sa.p1.crypto->seal(out, qm.iv) : Result<Bytes>(fail("cannot encode QM2"));
  if (!wire) {
    sa.owner.release_spi(qm.spi_in);
    sa.owner.child_failed(sa, "quick mode: cannot build QM2: " + wire.error().message, now);
    return false;
  }
  qm.state = QmState::Sent2;
  qm.flight.sent(*wire, now, true, sa.retransmit_policy());
  sa.send_wire(*wire);
  return true;
}

}  // namespace

void quick_mode_request(Ikev1Sa& sa, const Message& m, std::uint32_t message_id, Bytes iv, ByteView wire,
                        TimePoint now) {
  const auto& cfg = sa.config();
  const auto* offer = find_payload<SaPayload>(m.payloads);
  const auto* nonce = find_payload<NoncePayload>(m.payloads);
  if (!offer || !nonce)
    return refuse(sa, NotifyType::PayloadMalformed, offer, "quick mode: peer's QM1 has no SA or nonce", now);
  auto proposed = proposed_selectors(sa, m);
  auto mapping = proposed ? find_mapping(*proposed, cfg.mappings) : std::nullopt;
  if (!mapping)
    return refuse(sa, NotifyType::InvalidIdInformation, offer,
                  fmt::format("quick mode: peer's client IDs {} fit no configured mapping (ours: {})",
                              ids_text(m), mappings_text(cfg.mappings)),
                  now);
  auto choice = select_esp(*offer, cfg.ipsec, sa.udp_encap());
  if (!choice)
    return refuse(sa, NotifyType::NoProposalChosen, offer,
                  fmt::format("quick mode {}: no matching ESP proposal: peer offered {}; ours: {}",
                              to_string(*proposed), describe_esp(*offer), describe_esp(cfg.ipsec)),
                  now);
  auto qm = std::make_unique<QuickMode>();
  qm->initiator = false;
  qm->message_id = message_id;
  qm->iv = std::move(iv);
  qm->flight.received(wire);
  qm->mapping_index = *mapping;
  qm->selectors = *proposed;
  qm->suite = choice->suite;
  qm->spi_out = choice->peer_spi;
  qm->ni = nonce->data;
  qm->nr = sa.random().bytes(kNonceSize);
  std::optional<KePayload> ke;
  if (choice->suite.pfs && !(ke = pfs_answer(sa, *qm, m)))
    return refuse(sa, NotifyType::InvalidKeyInformation, offer,
                  fmt::format("quick mode {}: PFS without a valid KE", to_string(*proposed)), now);
  if (send_answer(sa, *qm, *choice, m, std::move(ke), now)) sa.quick_modes.push_back(std::move(qm));
}

void quick_mode_final(Ikev1Sa& sa, QuickMode& qm, TimePoint now) {
  auto mapping = qm.mapping_index;
  auto st = install_quick_mode(sa, qm, now);
  if (st) {
    (void)sa.settle_rivals(mapping, now);  // both ends rekeyed it at once (rekey.cpp)
    return;
  }
  sa.send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {spi_bytes(qm.spi_in)}}});
  qm.spi_in = 0;  // install_child released it
  sa.owner.child_failed(sa, fmt::format("quick mode {}: kernel install failed: {}", to_string(qm.selectors),
                                        st.error().message),
                        now);
}

}  // namespace ike::v1
