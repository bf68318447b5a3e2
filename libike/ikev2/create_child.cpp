// CHILD SAs: the responder's negotiation shared by IKE_AUTH and
// CREATE_CHILD_SA (§1.2, §1.3.1), CREATE_CHILD_SA for each further SPD
// mapping (one CHILD SA per mapping, with PFS when configured), and CHILD
// SA rekeying (§1.3.3) with its collisions (§2.8.1, §2.25.1):
// - a rekey we answer installs the new pair with its outbound SA held
//   back until the initiator deletes the old one (make-before-break in
//   both directions);
// - both ends rekeyed the same CHILD SA: each answered the other as usual
//   and noted it; the new SA of the exchange with the lowest nonce is
//   deleted by its creator (its outbound SA is never installed), the
//   survivor's creator deletes the old one;
// - a rekey of a CHILD SA we are deleting gets TEMPORARY_FAILURE, one we
//   do not know CHILD_SA_NOT_FOUND; TEMPORARY_FAILURE to ours means retry
//   a little later, unless the peer's rekey replaced it meanwhile.
#include <fmt/format.h>

#include "libike/ikev2/collision.hpp"
#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/tasks.hpp"
#include "libike/ikev2/traffic_selectors.hpp"

namespace ike::v2 {
namespace {

constexpr std::size_t kNonceSize = 32;

std::string ts_text(const TrafficSelectors& ts) {
  std::vector<std::string> out;
  for (const auto& t : ts.selectors) {
    auto subnets = range_to_subnets(t.start_address, t.end_address);
    std::string s = subnets.size() == 1 ? subnets.front().to_string()
                                        : t.start_address.to_string() + "-" + t.end_address.to_string();
    if (!is_any_protocol(t)) s += fmt::format("[{}/{}-{}]", t.ip_protocol, t.start_port, t.end_port);
    out.push_back(std::move(s));
  }
  return fmt::format("{}", fmt::join(out, ","));
}

std::string mappings_text(const std::vector<SpdMapping>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.local.to_string() + " === " + m.remote.to_string());
  return fmt::format("{}", fmt::join(out, ", "));
}

std::vector<Payload> child_error(Ikev2Sa& sa, NotifyType type, const std::string& why, TimePoint now) {
  sa.owner.child_failed(sa, why, now);
  return {NotifyPayload::make(type)};
}

// PFS (§1.3.1): the peer's KE must be in the chosen group.
struct PfsResult {
  std::optional<Secret> shared;
  std::optional<KePayload> reply;
  std::optional<NotifyPayload> error;
};
PfsResult pfs_exchange(Ikev2Sa& sa, const ChildSuite& suite, const KePayload* ke) {
  PfsResult r;
  if (!suite.dh) return r;
  auto group = static_cast<std::uint16_t>(*suite.dh);
  if (!ke || ke->group != group) {
    r.error = NotifyPayload::invalid_ke(group);
    return r;
  }
  auto kx = crypto::make_key_exchange(*suite.dh, sa.random());
  if (!kx) {
    r.error = NotifyPayload::make(NotifyType::NoProposalChosen);
    return r;
  }
  auto shared = (*kx)->shared_secret(ke->data);
  if (!shared) {
    r.error = NotifyPayload::make(NotifyType::InvalidSyntax);
    return r;
  }
  r.shared = std::move(*shared);
  auto pub = (*kx)->public_value();
  r.reply = KePayload{group, Bytes(pub.begin(), pub.end())};
  return r;
}

class CreateChildTask final : public Task {
 public:
  CreateChildTask(std::size_t mapping_index, std::optional<std::uint32_t> rekey)
      : mapping_(mapping_index), rekey_(rekey) {}
  ExchangeType exchange() const override { return ExchangeType::CreateChildSa; }
  std::string_view name() const override { return "CREATE_CHILD_SA"; }
  std::optional<std::size_t> mapping() const override {
    return rekey_ ? std::nullopt : std::optional<std::size_t>(mapping_);
  }
  std::optional<std::uint32_t> rekeys_child() const override { return rekey_; }
  void collided(std::uint32_t peer_spi_in, ByteView ni, ByteView nr) override {
    collision_ = Collision{peer_spi_in, Bytes(ni.begin(), ni.end()), Bytes(nr.begin(), nr.end())};
  }

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint now) override {
    if (sa.state != SaState::Established || mapping_ >= sa.mapping_count()) return std::nullopt;
    // Gone meanwhile, or replaced by the peer's rekey before ours was sent.
    const auto* old = rekey_ ? sa.child_by_inbound(*rekey_) : nullptr;
    if (rekey_ && (!old || old->state != ChildState::Rekeying)) return std::nullopt;
    peer_had_it_ = !old || sa.settled(*old, now);
    auto spi = sa.allocate_spi(mapping_);
    if (!spi) {
      sa.owner.child_failed(sa, fmt::format("CHILD_SA {}: cannot allocate an inbound SPI: {}", text(sa),
                                            spi.error().message), now);
      return std::nullopt;
    }
    spi_in_ = *spi;
    ni_ = sa.random().bytes(kNonceSize);
    const auto& ipsec = sa.config().ipsec;
    std::vector<Payload> p;
    // §1.3.3: REKEY_SA names the SA being replaced by our inbound SPI.
    if (rekey_) p.emplace_back(NotifyPayload::child(NotifyType::RekeySa, ProtocolId::Esp, *rekey_));
    p.emplace_back(esp_offer(ipsec, spi_in_, PfsUse::Config));
    p.emplace_back(NoncePayload{ni_});
    if (ipsec.pfs) {
      auto kx = crypto::make_key_exchange(*ipsec.pfs, sa.random());
      if (!kx) {
        abort(sa);
        sa.owner.child_failed(sa, "PFS group unavailable: " + kx.error().message, now);
        return std::nullopt;
      }
      dh_ = std::move(*kx);
      p.emplace_back(KePayload{static_cast<std::uint16_t>(*ipsec.pfs),
                               Bytes(dh_->public_value().begin(), dh_->public_value().end())});
    }
    const auto& m = sa.config().mappings[mapping_];
    p.emplace_back(TsiPayload{{{TrafficSelector::subnet(m.local)}}});
    p.emplace_back(TsrPayload{{{TrafficSelector::subnet(m.remote)}}});
    return p;
  }

  TaskOutcome process(Ikev2Sa& sa, const Message& m, TimePoint now) override {
    if (const auto* err = m.first_error(); err && !m.has<SaPayload>()) {
      if (err->type == NotifyType::TemporaryFailure) return busy(sa, now);
      if (err->type == NotifyType::ChildSaNotFound && rekey_) return unknown_to_peer(sa, now);
    }
    auto why = install(sa, m, now);
    if (!why.empty()) {
      sa.owner.child_failed(sa, why, now);
      restore_old(sa);
      return TaskOutcome::Done;
    }
    if (rekey_) replaced(sa, now);
    return TaskOutcome::Done;
  }

  void abort(Ikev2Sa& sa) override {
    release(sa);
    restore_old(sa);
    // Cut short because the IKE SA was rekeyed and goes: its heir tries again.
    if (auto* heir = sa.heir(); heir && rekey_ && sa.superseded) heir->retries.push_back({TimePoint{}, mapping_, rekey_});
  }

 private:
  std::string text(const Ikev2Sa& sa) const {
    const auto& m = sa.config().mappings[mapping_];
    return m.local.to_string() + " === " + m.remote.to_string();
  }

  void release(Ikev2Sa& sa) {
    if (spi_in_) sa.owner.release_spi(spi_in_);
    spi_in_ = 0;
  }

  // TEMPORARY_FAILURE (§2.25): the peer is busy (rekeying the IKE SA or
  // deleting this CHILD SA); try again shortly unless it is settled.
  TaskOutcome busy(Ikev2Sa& sa, TimePoint now) {
    release(sa);
    auto* old = rekey_ ? sa.child_by_inbound(*rekey_) : nullptr;
    if (rekey_ && (!old || old->state != ChildState::Rekeying)) return TaskOutcome::Done;
    if (old && collision_) {
      old->state = ChildState::Rekeyed;
      sa.event(TunnelEvent::Kind::Debug, "CHILD_SA rekey collision: the peer's rekey replaced ours");
      return TaskOutcome::Done;
    }
    if (old) old->state = ChildState::Installed;
    auto delay = std::chrono::milliseconds(1000 + sa.random().uniform(4000));
    sa.retries.push_back({now + delay, mapping_, rekey_});
    sa.event(TunnelEvent::Kind::Debug, fmt::format("CHILD_SA {}: peer busy (TEMPORARY_FAILURE), retrying in {} ms",
                                                   text(sa), delay.count()));
    return TaskOutcome::Done;
  }

  // CHILD_SA_NOT_FOUND (§2.25): the peer does not have the pair. One we
  // answered lately may simply not have reached it yet (our answer was
  // lost or overtaken): try again shortly. Otherwise ours is useless, and
  // the mapping gets a fresh CHILD SA.
  TaskOutcome unknown_to_peer(Ikev2Sa& sa, TimePoint now) {
    release(sa);
    if (auto* old = sa.child_by_inbound(*rekey_); old && !peer_had_it_) {
      if (old->state == ChildState::Rekeying) old->state = ChildState::Installed;
      sa.retries.push_back({now + std::chrono::seconds(1), mapping_, rekey_});
      return TaskOutcome::Done;
    }
    if (sa.child_by_inbound(*rekey_)) sa.remove_child(*rekey_);
    sa.event(TunnelEvent::Kind::Info, fmt::format("CHILD_SA {:08x} unknown to the peer, negotiating a new one", *rekey_));
    sa.create_child(mapping_, now);
    return TaskOutcome::Done;
  }

  // Our rekey is through: the old CHILD SA goes, or (§2.8.1) ours does.
  // The old one may be gone already (the peer deleted it); the collision
  // is settled all the same.
  void replaced(Ikev2Sa& sa, TimePoint now) {
    auto* old = sa.child_by_inbound(*rekey_);
    if (lost_) {
      if (old && old->state == ChildState::Rekeying) old->state = ChildState::Rekeyed;
      if (auto* ours = sa.child_by_inbound(new_spi_)) {
        ours->redundant = true;
        ours->state = ChildState::Deleting;
      }
      sa.event(TunnelEvent::Kind::Info,
               fmt::format("CHILD_SA rekey collision: ours ({:08x}) is redundant, deleting it", new_spi_));
      sa.enqueue(make_delete_child_task({new_spi_}), now);
      return;
    }
    if (collision_)
      if (auto* theirs = sa.child_by_inbound(collision_->spi_in)) theirs->redundant = true;
    if (!old) return;  // deleted by the peer meanwhile: the new one stays
    auto old_spi = old->spi_in;
    old->state = ChildState::Deleting;
    sa.event(TunnelEvent::Kind::Rekeyed,
             fmt::format("CHILD_SA {:08x}/{:08x} rekeyed, now {:08x}", old_spi, old->spi_out, new_spi_));
    sa.enqueue(make_delete_child_task({old_spi}), now);
  }

  std::string install(Ikev2Sa& sa, const Message& m, TimePoint now) {
    const auto& ipsec = sa.config().ipsec;
    const auto* sap = m.find<SaPayload>();
    const auto* nonce = m.find<NoncePayload>();
    const auto* tsi = m.find<TsiPayload>();
    const auto* tsr = m.find<TsrPayload>();
    const auto* ke = m.find<KePayload>();
    if (!sap || !nonce || !tsi || !tsr) {
      abort(sa);
      const auto* err = m.first_error();
      return fmt::format("CHILD_SA {}: peer answered {} (ours: {})", text(sa),
                         err ? to_string(err->type) : "without SA/Nonce/TS", describe(ipsec, PfsUse::Config));
    }
    auto choice = ProposalMatcher::accept_esp(*sap, ipsec, PfsUse::Config);
    auto pairs = accept_narrowed(*tsi, *tsr, sa.config().mappings[mapping_]);
    std::optional<Secret> shared;
    if (choice && choice->suite.dh && dh_ && ke && ke->group == static_cast<std::uint16_t>(*choice->suite.dh)) {
      auto s = dh_->shared_secret(ke->data);
      if (s) shared = std::move(*s);
    }
    if (!choice || !pairs || (choice->suite.dh && !shared)) {
      abort(sa);
      return fmt::format("CHILD_SA {}: peer's answer is not acceptable", text(sa));
    }
    const auto& k = *sa.keys;
    auto keys = derive_child_keys(*k.prf, k.keys.sk_d, choice->suite, shared ? &*shared : nullptr, ni_,
                                  nonce->data);
    if (!keys) {
      abort(sa);
      return fmt::format("CHILD_SA {}: {}", text(sa), keys.error().message);
    }
    ChildMaterial material{choice->suite, std::move(*keys), true, spi_in_, choice->peer_spi, 0, *pairs};
    auto spi_in = spi_in_;
    spi_in_ = 0;
    // §2.8.1: we answered the peer's rekey of the same CHILD SA; if ours
    // holds the lowest nonce it is redundant: its outbound SA never goes in.
    lost_ = collision_ && lowest_nonce_in_first(ni_, nonce->data, collision_->ni, collision_->nr);
    new_spi_ = spi_in;
    if (auto st = sa.install_child(std::move(material), mapping_, now, lost_ ? rekey_ : std::nullopt); !st) {
      // The peer installed its half: delete it (our SPI names the pair).
      sa.enqueue(make_delete_child_task({spi_in}), now);
      return fmt::format("CHILD_SA {}: kernel install failed: {}", text(sa), st.error().message);
    }
    return {};
  }

  // A failed rekey leaves the old CHILD SA as it was (a later expiry
  // retries), unless the peer's rekey replaced it meanwhile.
  void restore_old(Ikev2Sa& sa) {
    if (!rekey_) return;
    if (auto* old = sa.child_by_inbound(*rekey_); old && old->state == ChildState::Rekeying)
      old->state = collision_ ? ChildState::Rekeyed : ChildState::Installed;
  }

  std::size_t mapping_;
  std::optional<std::uint32_t> rekey_;
  std::uint32_t spi_in_ = 0;
  std::uint32_t new_spi_ = 0;
  bool lost_ = false;
  bool peer_had_it_ = true;  // when the request went out, the peer surely had the old CHILD SA
  struct Collision {
    std::uint32_t spi_in = 0;  // the CHILD SA the peer's rekey made
    Bytes ni, nr;
  };
  // Kept here, not with the old CHILD SA: the peer may delete that one
  // before our answer arrives, and the decision still has to be made.
  std::optional<Collision> collision_;
  Bytes ni_;
  std::unique_ptr<crypto::KeyExchange> dh_;
};

}  // namespace

std::unique_ptr<Task> make_create_child_task(std::size_t mapping_index,
                                             std::optional<std::uint32_t> rekey_spi_in) {
  return std::make_unique<CreateChildTask>(mapping_index, rekey_spi_in);
}

std::vector<Payload> respond_child(Ikev2Sa& sa, const ChildOffer& offer, TimePoint now) {
  const auto& cfg = sa.config();
  auto choice = ProposalMatcher::select_esp(*offer.sa, cfg.ipsec, offer.pfs);
  if (!choice)
    return child_error(sa, NotifyType::NoProposalChosen,
                       fmt::format("NO_PROPOSAL_CHOSEN for CHILD_SA: ours: {}, theirs: {}",
                                   describe(cfg.ipsec, offer.pfs), describe(*offer.sa)), now);
  auto narrowed = narrow(*offer.tsr, *offer.tsi, cfg.mappings);
  if (!narrowed)
    return child_error(sa, NotifyType::TsUnacceptable,
                       fmt::format("TS_UNACCEPTABLE: theirs: {} === {}, ours: {}", ts_text(*offer.tsr),
                                   ts_text(*offer.tsi), mappings_text(cfg.mappings)), now);
  auto pfs = pfs_exchange(sa, choice->suite, offer.ke);
  if (pfs.error) return {std::move(*pfs.error)};
  if (offer.transport_requested)
    sa.event(TunnelEvent::Kind::Warning, "peer asked for transport mode; kite runs tunnel mode only");
  auto spi = sa.allocate_spi(narrowed->mapping_index);
  if (!spi)
    return child_error(sa, NotifyType::NoProposalChosen,
                       "CHILD_SA: cannot allocate an inbound SPI: " + spi.error().message, now);
  const auto& k = *sa.keys;
  auto keys = derive_child_keys(*k.prf, k.keys.sk_d, choice->suite, pfs.shared ? &*pfs.shared : nullptr,
                                offer.ni, offer.nr);
  if (!keys) {
    sa.owner.release_spi(*spi);
    return child_error(sa, NotifyType::NoProposalChosen, "CHILD_SA: " + keys.error().message, now);
  }
  ChildMaterial material{choice->suite, std::move(*keys), false, *spi, choice->peer_spi, 0, narrowed->pairs};
  if (auto st = sa.install_child(std::move(material), narrowed->mapping_index, now, offer.replaces); !st)
    return child_error(sa, NotifyType::NoProposalChosen,
                       "CHILD_SA: kernel install failed: " + st.error().message, now);
  choice->reply.spi = Proposal::spi32(*spi);
  std::vector<Payload> p;
  p.emplace_back(SaPayload{{choice->reply}});
  if (pfs.reply) p.emplace_back(std::move(*pfs.reply));
  p.emplace_back(TsiPayload{narrowed->remote});
  p.emplace_back(TsrPayload{narrowed->local});
  return p;
}

namespace {

// The CHILD SA a REKEY_SA notify names (by the peer's inbound SPI, our
// outbound), or the error to answer (§2.25.1).
std::variant<std::uint32_t, NotifyPayload> rekeyed_child(Ikev2Sa& sa, const NotifyPayload& rekey) {
  auto spi = rekey.spi_u32();
  auto* old = spi && rekey.protocol == ProtocolId::Esp ? sa.child_by_outbound(*spi) : nullptr;
  if (!old) return NotifyPayload::child(NotifyType::ChildSaNotFound, ProtocolId::Esp, spi.value_or(0));
  if (old->state == ChildState::Deleting) return NotifyPayload::make(NotifyType::TemporaryFailure);
  return old->spi_in;
}

// We answered the peer's rekey of `old_spi` with the pair `new_spi`.
void note_peer_rekey(Ikev2Sa& sa, std::uint32_t old_spi, std::uint32_t new_spi, ByteView ni, ByteView nr) {
  auto* old = sa.child_by_inbound(old_spi);
  if (!old) return;
  bool ours_in_flight = sa.active && sa.active->rekeys_child() == old_spi;
  if (old->state == ChildState::Rekeying && ours_in_flight) {
    // §2.8.1: "note the situation and respond as usual"; settled when
    // our response arrives.
    sa.active->collided(new_spi, ni, nr);
    return;
  }
  // Ours was not sent yet (it is dropped) or there is none: the peer
  // replaced this one and deletes it.
  old->state = ChildState::Rekeyed;
}

}  // namespace

std::vector<Payload> respond_create_child(Ikev2Sa& sa, const Message& m, TimePoint now) {
  const auto* sap = m.find<SaPayload>();
  const auto* nonce = m.find<NoncePayload>();
  if (sap && !sap->proposals.empty() && sap->proposals.front().protocol == ProtocolId::Ike)
    return respond_ike_rekey(sa, m, now);  // §1.3.2
  // §2.25: no new or rekeyed CHILD SA while the IKE SA is being rekeyed
  // or closed; the peer retries on the successor.
  if (sa.superseded || sa.state != SaState::Established || (sa.active && sa.active->rekeys_ike()))
    return {NotifyPayload::make(NotifyType::TemporaryFailure)};
  const auto* tsi = m.find<TsiPayload>();
  const auto* tsr = m.find<TsrPayload>();
  if (!sap || !nonce || !tsi || !tsr) return {NotifyPayload::make(NotifyType::InvalidSyntax)};
  // §1.3.3: a CHILD SA rekey (REKEY_SA) is answered like a new CHILD SA
  // for the same selectors; the initiator deletes the old one afterwards.
  std::optional<std::uint32_t> replaces;
  if (const auto* rekey = m.find_notify(NotifyType::RekeySa)) {
    auto found = rekeyed_child(sa, *rekey);
    if (auto* err = std::get_if<NotifyPayload>(&found)) return {std::move(*err)};
    replaces = std::get<std::uint32_t>(found);
  }
  auto nr = sa.random().bytes(kNonceSize);
  ChildOffer offer{sap, tsi, tsr, m.find<KePayload>(), PfsUse::Config, nonce->data, nr,
                   m.has_notify(NotifyType::UseTransportMode), replaces};
  auto child = respond_child(sa, offer, now);
  if (child.size() == 1 && std::holds_alternative<NotifyPayload>(child.front())) return child;
  if (replaces) {
    const auto& reply = std::get<SaPayload>(child.front());
    if (auto spi = reply.proposals.front().spi_u32()) note_peer_rekey(sa, *replaces, *spi, nonce->data, nr);
  }
  std::vector<Payload> p;
  p.push_back(std::move(child.front()));  // SA
  p.emplace_back(NoncePayload{std::move(nr)});
  for (std::size_t i = 1; i < child.size(); ++i) p.push_back(std::move(child[i]));
  return p;
}

}  // namespace ike::v2
