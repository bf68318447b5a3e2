// IKE_SA_INIT (RFC 7296 §1.2): SA, KE, Nonce and NAT detection, with the
// two ways a responder sends the initiator back: COOKIE (§2.6) and
// INVALID_KE_PAYLOAD (§1.2, §3.4).
#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/tasks.hpp"

namespace ike::v2 {
namespace {

constexpr std::size_t kNonceSize = 32;
constexpr unsigned kMaxCookieRounds = 3;

std::vector<Payload> single_notify(NotifyPayload n) { return {std::move(n)}; }

class InitTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::IkeSaInit; }
  std::string_view name() const override { return "IKE_SA_INIT"; }

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint now) override {
    if (!group_) {
      if (sa.config().ike.dh_groups.empty()) {
        sa.fail("no DH group configured", now);
        return std::nullopt;
      }
      group_ = sa.config().ike.dh_groups.front();
    }
    if (!sa.dh || sa.dh->group() != *group_) {
      auto kx = crypto::make_key_exchange(*group_, sa.random());
      if (!kx) {
        sa.fail(fmt::format("DH group {}: {}", crypto::name(*group_), kx.error().message), now);
        return std::nullopt;
      }
      sa.dh = std::move(*kx);
    }
    if (sa.ni.empty()) sa.ni = sa.random().bytes(kNonceSize);
    sa.state = SaState::InitSent;
    std::vector<Payload> p;
    // §2.6: the cookie goes first.
    if (!cookie_.empty()) p.emplace_back(NotifyPayload::make(NotifyType::Cookie, cookie_));
    p.emplace_back(ike_offer(sa.config().ike));
    p.emplace_back(KePayload{static_cast<std::uint16_t>(*group_),
                             Bytes(sa.dh->public_value().begin(), sa.dh->public_value().end())});
    p.emplace_back(NoncePayload{sa.ni});
    for (auto& n : nat_detection_notifies(sa.spi_i, 0, sa.local, sa.remote)) p.emplace_back(std::move(n));
    return p;
  }

  TaskOutcome process(Ikev2Sa& sa, const Message& m, TimePoint now) override {
    if (const auto* c = m.find_notify(NotifyType::Cookie); c && !m.has<SaPayload>())
      return on_cookie(sa, *c, now);
    if (const auto* ke = m.find_notify(NotifyType::InvalidKePayload)) return on_invalid_ke(sa, *ke, now);
    if (const auto* err = m.first_error()) {
      on_error(sa, *err, now);
      return TaskOutcome::Done;
    }
    if (auto st = accept(sa, m, now); !st) sa.fail(st.error().message, now);
    return TaskOutcome::Done;
  }

 private:
  TaskOutcome on_cookie(Ikev2Sa& sa, const NotifyPayload& c, TimePoint now) {
    if (++cookie_rounds_ > kMaxCookieRounds || c.data.empty()) {
      sa.fail("peer keeps demanding cookies", now);
      return TaskOutcome::Done;
    }
    cookie_ = c.data;
    return TaskOutcome::Again;
  }

  // §1.2: retry with the group the responder asks for, if we offer it.
  TaskOutcome on_invalid_ke(Ikev2Sa& sa, const NotifyPayload& n, TimePoint now) {
    auto wanted = n.invalid_ke_group();
    auto group = wanted ? crypto::dh_group_from_number(*wanted) : std::nullopt;
    const auto& ours = sa.config().ike.dh_groups;
    // A duplicate of the answer we already followed: our retry is on its way.
    if (group && *group == *group_ && ke_rounds_ > 0) return TaskOutcome::Ignore;
    if (!group || *group == *group_ || std::find(ours.begin(), ours.end(), *group) == ours.end() ||
        ++ke_rounds_ > ours.size()) {
      sa.fail(fmt::format("INVALID_KE_PAYLOAD: peer wants DH group {}, ours: {}",
                          wanted ? std::to_string(*wanted) : "?", describe(sa.config().ike)),
              now);
      return TaskOutcome::Done;
    }
    sa.event(TunnelEvent::Kind::Debug, fmt::format("peer asked for DH group {}, retrying", crypto::name(*group)));
    group_ = *group;
    return TaskOutcome::Again;
  }

  void on_error(Ikev2Sa& sa, const NotifyPayload& err, TimePoint now) {
    if (err.type == NotifyType::NoProposalChosen) {
      sa.fail(fmt::format("NO_PROPOSAL_CHOSEN for IKE SA: peer accepted none of ours: {}",
                          describe(sa.config().ike)), now);
      return;
    }
    sa.fail(fmt::format("IKE_SA_INIT refused by peer: {}", to_string(err.type)), now);
  }

  Status accept(Ikev2Sa& sa, const Message& m, TimePoint now) {
    (void)now;
    const auto* sap = m.find<SaPayload>();
    const auto* ke = m.find<KePayload>();
    const auto* nonce = m.find<NoncePayload>();
    if (!sap || !ke || !nonce || m.header.spi_r == 0) return fail("IKE_SA_INIT response lacks SA, KE or Nonce");
    auto suite = ProposalMatcher::accept_ike(*sap, sa.config().ike);
    if (!suite) return fail(fmt::format("peer chose a proposal we did not offer: {}", describe(*sap)));
    if (suite->dh != *group_ || ke->group != static_cast<std::uint16_t>(*group_))
      return fail("peer's KE group does not match the chosen proposal");
    sa.spi_r = m.header.spi_r;
    sa.suite = suite;
    sa.nr = nonce->data;
    sa.nat = detect_nat(m, sa.spi_i, sa.spi_r, sa.local, sa.remote);
    auto shared = sa.dh->shared_secret(ke->data);
    if (!shared) return fail("invalid KE from peer: " + shared.error().message);
    auto keys = derive_ike_crypto(*suite, *shared, sa.ni, sa.nr, sa.spi_i, sa.spi_r);
    if (!keys) return fail(keys.error().message);
    sa.keys = std::move(*keys);
    sa.dh.reset();
    if (sa.nat.any()) {
      // §2.23: with a NAT, everything after IKE_SA_INIT goes over 4500.
      sa.local.port = sa.owner.gateway().nat_t_port;
      sa.remote.port = sa.owner.gateway().nat_t_port;
    }
    sa.queue.push_front(make_auth_task());
    return {};
  }

  std::optional<crypto::DhGroup> group_;
  Bytes cookie_;
  unsigned cookie_rounds_ = 0;
  std::size_t ke_rounds_ = 0;
};

// A responder error that keeps no state (§2.6 spirit): answer and forget.
std::vector<Payload> stateless_error(Ikev2Sa& sa, NotifyPayload n, IkeSaEnd why, TimePoint now) {
  sa.end(std::move(why), now, false);
  return single_notify(std::move(n));
}

}  // namespace

std::unique_ptr<Task> make_init_task() { return std::make_unique<InitTask>(); }

std::vector<Payload> respond_init(Ikev2Sa& sa, const Message& m, const Datagram& d, TimePoint now) {
  sa.spi_i = m.header.spi_i;
  const auto* sap = m.find<SaPayload>();
  const auto* ke = m.find<KePayload>();
  const auto* nonce = m.find<NoncePayload>();
  if (!sap || !ke || !nonce)
    return stateless_error(sa, NotifyPayload::make(NotifyType::InvalidSyntax),
                           {true, "IKE_SA_INIT request lacks SA, KE or Nonce"}, now);
  const auto& ours = sa.config().ike;
  auto choice = ProposalMatcher::select_ike(*sap, ours, ke->group);
  if (!choice)
    return stateless_error(sa, NotifyPayload::make(NotifyType::NoProposalChosen),
                           {true, fmt::format("NO_PROPOSAL_CHOSEN for IKE SA: ours: {}, theirs: {}",
                                              describe(ours), describe(*sap))},
                           now);
  if (static_cast<std::uint16_t>(choice->suite.dh) != ke->group) {
    // §1.2: tell the initiator which group we want; no state kept.
    sa.event(TunnelEvent::Kind::Debug, fmt::format("asking peer for DH group {}", crypto::name(choice->suite.dh)));
    return stateless_error(sa, NotifyPayload::invalid_ke(static_cast<std::uint16_t>(choice->suite.dh)),
                           {false, ""}, now);
  }
  auto kx = crypto::make_key_exchange(choice->suite.dh, sa.random());
  if (!kx) return stateless_error(sa, NotifyPayload::make(NotifyType::NoProposalChosen), {true, kx.error().message}, now);
  auto shared = (*kx)->shared_secret(ke->data);
  if (!shared)
    return stateless_error(sa, NotifyPayload::make(NotifyType::InvalidSyntax),
                           {true, "invalid KE from peer: " + shared.error().message}, now);
  sa.suite = choice->suite;
  sa.ni = nonce->data;
  sa.nr = sa.random().bytes(kNonceSize);
  sa.nat = detect_nat(m, sa.spi_i, 0, d.local, d.remote);
  auto keys = derive_ike_crypto(*sa.suite, *shared, sa.ni, sa.nr, sa.spi_i, sa.spi_r);
  if (!keys) return stateless_error(sa, NotifyPayload::make(NotifyType::NoProposalChosen), {true, keys.error().message}, now);
  sa.keys = std::move(*keys);
  sa.state = SaState::InitDone;
  std::vector<Payload> p;
  p.emplace_back(SaPayload{{choice->reply}});
  auto pub = (*kx)->public_value();
  p.emplace_back(KePayload{ke->group, Bytes(pub.begin(), pub.end())});
  p.emplace_back(NoncePayload{sa.nr});
  if (sa.nat.supported)
    for (auto& n : nat_detection_notifies(sa.spi_i, sa.spi_r, d.local, d.remote)) p.emplace_back(std::move(n));
  return p;
}

}  // namespace ike::v2
