// Rekeying the IKE SA (RFC 7296 §1.3.2, §2.18), responder side: the peer
// proposes new SPIs and a fresh DH exchange in CREATE_CHILD_SA; the
// successor SA takes over every CHILD SA and the peer then deletes the
// old one. Initiating IKE rekeys (and collisions, §2.8.1) come with
// issue 6.
#include <fmt/format.h>

#include "libike/ikev2/ike_sa.hpp"

namespace ike::v2 {
namespace {

constexpr std::size_t kNonceSize = 32;

std::optional<std::uint64_t> peer_spi(const SaPayload& offer, std::uint8_t number) {
  for (const auto& p : offer.proposals)
    if (p.number == number && p.protocol == ProtocolId::Ike) return p.spi_u64();
  return std::nullopt;
}

std::unique_ptr<Ikev2Sa> successor(Ikev2Sa& old, std::uint64_t our_spi, std::uint64_t their_spi,
                                   IkeSuite suite, IkeCrypto keys, Bytes ni, Bytes nr, TimePoint now) {
  // §2.18: the peer that started the rekey is the new SA's initiator.
  auto next = std::make_unique<Ikev2Sa>(old.owner, false, our_spi, now);
  next->spi_i = their_spi;
  next->local = old.local;
  next->remote = old.remote;
  next->nat = old.nat;
  next->suite = suite;
  next->keys = std::move(keys);
  next->ni = std::move(ni);
  next->nr = std::move(nr);
  next->state = SaState::Established;
  next->established = now;
  next->child_sas = std::move(old.child_sas);
  old.child_sas.clear();
  return next;
}

}  // namespace

std::vector<Payload> respond_ike_rekey(Ikev2Sa& sa, const Message& m, TimePoint now) {
  const auto* sap = m.find<SaPayload>();
  const auto* nonce = m.find<NoncePayload>();
  const auto* ke = m.find<KePayload>();
  // §2.18: a new DH exchange is mandatory.
  if (!sap || !nonce || !ke) return {NotifyPayload::make(NotifyType::InvalidSyntax)};
  const auto& ours = sa.config().ike;
  auto choice = ProposalMatcher::select_ike(*sap, ours, ke->group);
  auto their_spi = choice ? peer_spi(*sap, choice->reply.number) : std::nullopt;
  if (!choice || !their_spi || *their_spi == 0) {
    sa.event(TunnelEvent::Kind::Warning, fmt::format("NO_PROPOSAL_CHOSEN for IKE SA rekey: ours: {}, theirs: {}",
                                                     describe(ours), describe(*sap)));
    return {NotifyPayload::make(NotifyType::NoProposalChosen)};
  }
  auto group = static_cast<std::uint16_t>(choice->suite.dh);
  if (ke->group != group) return {NotifyPayload::invalid_ke(group)};
  auto our_spi = sa.owner.new_ike_spi();
  if (our_spi == 0) return {NotifyPayload::make(NotifyType::NoProposalChosen)};
  auto kx = crypto::make_key_exchange(choice->suite.dh, sa.random());
  if (!kx) return {NotifyPayload::make(NotifyType::NoProposalChosen)};
  auto shared = (*kx)->shared_secret(ke->data);
  if (!shared) return {NotifyPayload::make(NotifyType::InvalidSyntax)};
  auto nr = sa.random().bytes(kNonceSize);
  auto keys = derive_rekeyed_ike_crypto(*sa.keys, choice->suite, *shared, nonce->data, nr, *their_spi, our_spi);
  if (!keys) return {NotifyPayload::make(NotifyType::NoProposalChosen)};
  choice->reply.spi = Proposal::spi64(our_spi);
  auto pub = (*kx)->public_value();
  std::vector<Payload> reply;
  reply.emplace_back(SaPayload{{choice->reply}});
  reply.emplace_back(NoncePayload{nr});
  reply.emplace_back(KePayload{group, Bytes(pub.begin(), pub.end())});
  sa.superseded = true;
  sa.event(TunnelEvent::Kind::Info, fmt::format("IKE SA rekeyed by peer: SPIs {:016x}/{:016x}, {}", *their_spi,
                                                our_spi, to_string(choice->suite)));
  sa.owner.adopt(successor(sa, our_spi, *their_spi, choice->suite, std::move(*keys), nonce->data, std::move(nr), now),
                 now);
  return reply;
}

}  // namespace ike::v2
