// Rekeying the IKE SA (RFC 7296 §1.3.2, §2.18) in both roles. The rekey
// initiator proposes new SPIs, a nonce and a fresh DH exchange in
// CREATE_CHILD_SA; both ends then hold a successor SA keyed from
// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), the CHILD SAs move to
// it, and the initiator deletes the old SA (make-before-break: its
// CHILD SAs never leave the kernel).
//
// Collisions (§2.8.2, §2.25.2): a peer's rekey that arrives while ours is
// in flight is answered as usual and noted. When our response comes, the
// new SA made by the exchange holding the lowest of the four nonces is
// deleted by its creator; the other new SA inherits every CHILD SA, and
// whoever initiated it deletes the old SA. A peer's rekey of an SA we
// have rekeyed (or are deleting) already gets TEMPORARY_FAILURE: it did
// not notice the collision, we did, and its DELETE of the old SA (or our
// TEMPORARY_FAILURE) tells the other side to forget its attempt.
#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev2/collision.hpp"
#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/tasks.hpp"

namespace ike::v2 {
namespace {

constexpr std::size_t kNonceSize = 32;
constexpr auto kRetryAfter = std::chrono::seconds(10);

std::optional<std::uint64_t> proposal_spi(const SaPayload& sa, std::optional<std::uint8_t> number) {
  for (const auto& p : sa.proposals)
    if ((!number || p.number == *number) && p.protocol == ProtocolId::Ike) return p.spi_u64();
  return std::nullopt;
}

// The successor as both ends derive it; `we_initiated`: we sent the rekey
// request, so we are the new SA's original initiator (§2.18).
std::unique_ptr<Ikev2Sa> make_successor(Ikev2Sa& old, bool we_initiated, std::uint64_t our_spi,
                                        std::uint64_t their_spi, IkeSuite suite, IkeCrypto keys, Bytes ni,
                                        Bytes nr, TimePoint now) {
  auto next = std::make_unique<Ikev2Sa>(old.owner, we_initiated, our_spi, now);
  (we_initiated ? next->spi_r : next->spi_i) = their_spi;
  next->local = old.local;
  next->remote = old.remote;
  next->nat = old.nat;
  next->suite = suite;
  next->keys = std::move(keys);
  next->ni = std::move(ni);
  next->nr = std::move(nr);
  next->state = SaState::Established;
  next->established = now;
  next->heard = now;
  next->start_lifetime(now);
  return next;
}

// Children, queued work and retries go from `from` to `to`.
void move_children(Ikev2Sa& from, Ikev2Sa& to) {
  for (auto& c : from.child_sas) to.child_sas.push_back(std::move(c));
  from.child_sas.clear();
}

class IkeRekeyTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::CreateChildSa; }
  std::string_view name() const override { return "CREATE_CHILD_SA (IKE SA rekey)"; }
  bool rekeys_ike() const override { return true; }

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint now) override {
    if (sa.state != SaState::Established || sa.superseded || !sa.suite) return std::nullopt;
    if (!spi_) spi_ = sa.owner.new_ike_spi();
    if (spi_ == 0) return std::nullopt;  // the owner cannot host a successor
    if (!group_) group_ = sa.suite->dh;
    if (!dh_ || dh_->group() != *group_) {
      auto kx = crypto::make_key_exchange(*group_, sa.random());
      if (!kx) {
        sa.event(TunnelEvent::Kind::Warning, "IKE SA rekey: " + kx.error().message);
        retry(sa, now);
        return std::nullopt;
      }
      dh_ = std::move(*kx);
    }
    if (ni_.empty()) ni_ = sa.random().bytes(kNonceSize);
    auto offer = ike_offer(sa.config().ike);
    for (auto& p : offer.proposals) p.spi = Proposal::spi64(spi_);
    std::vector<Payload> p;
    p.emplace_back(std::move(offer));
    p.emplace_back(NoncePayload{ni_});
    p.emplace_back(KePayload{static_cast<std::uint16_t>(*group_),
                             Bytes(dh_->public_value().begin(), dh_->public_value().end())});
    return p;
  }

  TaskOutcome process(Ikev2Sa& sa, const Message& m, TimePoint now) override {
    if (const auto* n = m.find_notify(NotifyType::InvalidKePayload)) return on_invalid_ke(sa, *n, now);
    if (const auto* err = m.first_error()) {
      // TEMPORARY_FAILURE (§2.25): the peer is busy (rekeying too); try
      // again unless its rekey has replaced this SA meanwhile.
      if (sa.superseded) {
        sa.event(TunnelEvent::Kind::Debug, "IKE SA rekey collision: the peer's rekey replaced ours");
        return TaskOutcome::Done;
      }
      sa.event(err->type == NotifyType::TemporaryFailure ? TunnelEvent::Kind::Debug : TunnelEvent::Kind::Warning,
               fmt::format("IKE SA rekey refused by peer: {}", to_string(err->type)));
      retry(sa, now);
      return TaskOutcome::Done;
    }
    if (auto why = complete(sa, m, now); !why.empty()) {
      sa.event(TunnelEvent::Kind::Warning, "IKE SA rekey failed: " + why);
      retry(sa, now);
    }
    return TaskOutcome::Done;
  }

 private:
  void retry(Ikev2Sa& sa, TimePoint now) {
    if (sa.superseded || sa.state != SaState::Established) return;
    auto at = now + kRetryAfter;
    if (!sa.hard_expiry_at || at < *sa.hard_expiry_at) sa.rekey_at = at;
  }

  TaskOutcome on_invalid_ke(Ikev2Sa& sa, const NotifyPayload& n, TimePoint now) {
    auto wanted = n.invalid_ke_group();
    auto group = wanted ? crypto::dh_group_from_number(*wanted) : std::nullopt;
    const auto& ours = sa.config().ike.dh_groups;
    if (group && *group == *group_) return TaskOutcome::Ignore;  // a duplicate we followed already
    if (!group || std::find(ours.begin(), ours.end(), *group) == ours.end() || ++ke_rounds_ > ours.size()) {
      sa.event(TunnelEvent::Kind::Warning, "IKE SA rekey: peer wants a DH group we do not offer");
      retry(sa, now);
      return TaskOutcome::Done;
    }
    group_ = *group;
    return TaskOutcome::Again;
  }

  // Returns why the answer is unusable, or empty once the successor is in.
  std::string complete(Ikev2Sa& sa, const Message& m, TimePoint now) {
    const auto* sap = m.find<SaPayload>();
    const auto* nonce = m.find<NoncePayload>();
    const auto* ke = m.find<KePayload>();
    if (!sap || !nonce || !ke) return "the answer lacks SA, Nonce or KE";
    auto suite = ProposalMatcher::accept_ike(*sap, sa.config().ike);
    auto their_spi = proposal_spi(*sap, std::nullopt);
    if (!suite || !their_spi || *their_spi == 0) return "peer chose a proposal we did not offer: " + describe(*sap);
    if (suite->dh != *group_ || ke->group != static_cast<std::uint16_t>(*group_))
      return "peer's KE group does not match the chosen proposal";
    auto shared = dh_->shared_secret(ke->data);
    if (!shared) return "invalid KE from peer: " + shared.error().message;
    // §2.18: we initiated the rekey, so SPIi is ours.
    auto keys = derive_rekeyed_ike_crypto(*sa.keys, *suite, *shared, ni_, nonce->data, spi_, *their_spi);
    if (!keys) return keys.error().message;
    auto next = make_successor(sa, true, spi_, *their_spi, *suite, std::move(*keys), ni_, nonce->data, now);
    settle(sa, std::move(next), nonce->data, now);
    return {};
  }

  // Who keeps what (§2.8.2), then the successor goes to the owner.
  void settle(Ikev2Sa& old, std::unique_ptr<Ikev2Sa> ours, ByteView nr, TimePoint now) {
    auto* raw = ours.get();
    auto spis = fmt::format("{:016x}/{:016x}", raw->spi_i, raw->spi_r);
    Ikev2Sa* theirs = old.peer_ike_rekey ? dynamic_cast<Ikev2Sa*>(old.owner.find_sa(old.peer_ike_rekey->successor_spi))
                                         : nullptr;
    bool lost = theirs && lowest_nonce_in_first(ni_, nr, old.peer_ike_rekey->ni, old.peer_ike_rekey->nr);
    old.owner.adopt(std::move(ours), now);
    if (theirs && lost) {
      // Our new SA holds the lowest nonce: we created it, we delete it;
      // the peer's keeps the CHILD SAs and the peer deletes the old SA.
      old.event(TunnelEvent::Kind::Info, fmt::format("IKE SA rekey collision: ours ({}) is redundant, deleting it", spis));
      raw->superseded = true;
      raw->successor_spi = theirs->local_spi();
      raw->enqueue(make_delete_ike_task({false, ""}), now);
      return;
    }
    if (theirs) {
      // The peer's new SA is redundant (it deletes it); ours inherits.
      old.event(TunnelEvent::Kind::Info, fmt::format("IKE SA rekey collision: ours ({}) survives", spis));
      move_children(*theirs, *raw);
      theirs->superseded = true;
      theirs->successor_spi = raw->local_spi();
      theirs->hand_over(now);
    }
    move_children(old, *raw);
    old.superseded = true;
    old.successor_spi = raw->local_spi();
    old.hand_over(now);
    old.event(TunnelEvent::Kind::Rekeyed, fmt::format("IKE SA rekeyed: SPIs {:016x}/{:016x} -> {}, {}", old.spi_i,
                                                      old.spi_r, spis, to_string(*raw->suite)));
    // §2.18: the DELETE is the last request on the old SA (unless the
    // peer deleted it already).
    if (!old.end_when_answered) old.enqueue(make_delete_ike_task({false, ""}), now);
  }

  std::uint64_t spi_ = 0;
  std::optional<crypto::DhGroup> group_;
  std::unique_ptr<crypto::KeyExchange> dh_;
  Bytes ni_;
  std::size_t ke_rounds_ = 0;
};

}  // namespace

std::unique_ptr<Task> make_ike_rekey_task() { return std::make_unique<IkeRekeyTask>(); }

std::vector<Payload> respond_ike_rekey(Ikev2Sa& sa, const Message& m, TimePoint now) {
  // §2.25.2 / §2.8.2: an SA we have rekeyed or are closing is not rekeyed again.
  if (sa.superseded || sa.state != SaState::Established) return {NotifyPayload::make(NotifyType::TemporaryFailure)};
  const auto* sap = m.find<SaPayload>();
  const auto* nonce = m.find<NoncePayload>();
  const auto* ke = m.find<KePayload>();
  // §2.18: a new DH exchange is mandatory.
  if (!sap || !nonce || !ke) return {NotifyPayload::make(NotifyType::InvalidSyntax)};
  const auto& ours = sa.config().ike;
  auto choice = ProposalMatcher::select_ike(*sap, ours, ke->group);
  auto their_spi = choice ? proposal_spi(*sap, choice->reply.number) : std::nullopt;
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
  // Our own rekey of this SA is in flight: a collision, settled when our
  // response arrives (§2.8.2).
  if (sa.active && sa.active->rekeys_ike()) sa.peer_ike_rekey = Ikev2Sa::PeerIkeRekey{our_spi, nonce->data, nr};
  auto next = make_successor(sa, false, our_spi, *their_spi, choice->suite, std::move(*keys), nonce->data,
                             std::move(nr), now);
  next->predecessor_spi = sa.local_spi();
  auto p = sa.retransmit_policy();
  next->hold_requests_until = now + p.timeout * ((std::int64_t{1} << std::min(p.tries, 16u)) - 1);
  move_children(sa, *next);
  sa.superseded = true;
  sa.successor_spi = our_spi;
  sa.event(TunnelEvent::Kind::Rekeyed, fmt::format("IKE SA rekeyed by peer: SPIs {:016x}/{:016x} -> {:016x}/{:016x}, {}",
                                                   sa.spi_i, sa.spi_r, *their_spi, our_spi, to_string(choice->suite)));
  sa.owner.adopt(std::move(next), now);
  // Queued work follows once our answer is out (Ikev2Sa::hand_over).
  return reply;
}

}  // namespace ike::v2
