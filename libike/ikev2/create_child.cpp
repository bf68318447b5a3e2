// CHILD SAs: the responder's negotiation shared by IKE_AUTH and
// CREATE_CHILD_SA (§1.2, §1.3.1), and CREATE_CHILD_SA for each further SPD
// mapping (one CHILD SA per mapping, with PFS when configured).
#include <fmt/format.h>

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

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint now) override {
    if (sa.state != SaState::Established || mapping_ >= sa.mapping_count()) return std::nullopt;
    if (rekey_ && !sa.child_by_inbound(*rekey_)) return std::nullopt;  // gone meanwhile
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
    auto why = install(sa, m, now);
    if (!why.empty()) {
      sa.owner.child_failed(sa, why, now);
      restore_old(sa);
      return TaskOutcome::Done;
    }
    if (rekey_ && sa.child_by_inbound(*rekey_)) {
      sa.child_by_inbound(*rekey_)->state = ChildState::Deleting;
      sa.enqueue(make_delete_child_task({*rekey_}), now);
    }
    return TaskOutcome::Done;
  }

  void abort(Ikev2Sa& sa) override {
    if (spi_in_) sa.owner.release_spi(spi_in_);
    spi_in_ = 0;
    restore_old(sa);
  }

 private:
  std::string text(const Ikev2Sa& sa) const {
    const auto& m = sa.config().mappings[mapping_];
    return m.local.to_string() + " === " + m.remote.to_string();
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
    if (auto st = sa.install_child(std::move(material), mapping_, now); !st) {
      // The peer installed its half: delete it (our SPI names the pair).
      sa.enqueue(make_delete_child_task({spi_in}), now);
      return fmt::format("CHILD_SA {}: kernel install failed: {}", text(sa), st.error().message);
    }
    return {};
  }

  // A failed rekey leaves the old CHILD SA as it was (a later expiry retries).
  void restore_old(Ikev2Sa& sa) {
    if (!rekey_) return;
    if (auto* old = sa.child_by_inbound(*rekey_); old && old->state == ChildState::Rekeying)
      old->state = ChildState::Installed;
  }

  std::size_t mapping_;
  std::optional<std::uint32_t> rekey_;
  std::uint32_t spi_in_ = 0;
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
  if (auto st = sa.install_child(std::move(material), narrowed->mapping_index, now); !st)
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

std::vector<Payload> respond_create_child(Ikev2Sa& sa, const Message& m, TimePoint now) {
  const auto* sap = m.find<SaPayload>();
  const auto* nonce = m.find<NoncePayload>();
  if (sap && !sap->proposals.empty() && sap->proposals.front().protocol == ProtocolId::Ike)
    return respond_ike_rekey(sa, m, now);  // §1.3.2
  const auto* tsi = m.find<TsiPayload>();
  const auto* tsr = m.find<TsrPayload>();
  if (!sap || !nonce || !tsi || !tsr) return {NotifyPayload::make(NotifyType::InvalidSyntax)};
  // §1.3.3: a CHILD SA rekey (REKEY_SA) is answered like a new CHILD SA
  // for the same selectors; the initiator deletes the old one afterwards.
  auto nr = sa.random().bytes(kNonceSize);
  ChildOffer offer{sap, tsi, tsr, m.find<KePayload>(), PfsUse::Config, nonce->data, nr,
                   m.has_notify(NotifyType::UseTransportMode)};
  auto child = respond_child(sa, offer, now);
  if (child.size() == 1 && std::holds_alternative<NotifyPayload>(child.front())) return child;
  std::vector<Payload> p;
  p.push_back(std::move(child.front()));  // SA
  p.emplace_back(NoncePayload{std::move(nr)});
  for (std::size_t i = 1; i < child.size(); ++i) p.push_back(std::move(child[i]));
  return p;
}

}  // namespace ike::v2
