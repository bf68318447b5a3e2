// IKE_AUTH (RFC 7296 §1.2) with pre-shared keys (§2.15): identities,
// AUTH, INITIAL_CONTACT (§2.4), and the first CHILD_SA for the tunnel's
// first SPD mapping.
#include <fmt/format.h>

#include "libike/ikev2/identity.hpp"
#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/tasks.hpp"
#include "libike/ikev2/traffic_selectors.hpp"

namespace ike::v2 {
namespace {

std::string mapping_text(const SpdMapping& m) {
  return fmt::format("{} === {}", m.local.to_string(), m.remote.to_string());
}

// §2.15: the AUTH the other side must have computed.
bool auth_matches(const Ikev2Sa& sa, const AuthPayload& auth, const Identification& id,
                  bool from_initiator) {
  if (auth.method != AuthMethod::SharedKeyMic) return false;
  const auto& k = *sa.keys;
  auto expected = from_initiator
                      ? psk_auth(*k.prf, sa.config().psk, sa.init_request, sa.nr, k.keys.sk_pi, id.body())
                      : psk_auth(*k.prf, sa.config().psk, sa.init_response, sa.ni, k.keys.sk_pr, id.body());
  return equal_constant_time(expected, auth.data);
}

AuthPayload our_auth(const Ikev2Sa& sa, const Identification& id) {
  const auto& k = *sa.keys;
  auto data = sa.initiator
                  ? psk_auth(*k.prf, sa.config().psk, sa.init_request, sa.nr, k.keys.sk_pi, id.body())
                  : psk_auth(*k.prf, sa.config().psk, sa.init_response, sa.ni, k.keys.sk_pr, id.body());
  return {AuthMethod::SharedKeyMic, std::move(data)};
}

class AuthTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::IkeAuth; }
  std::string_view name() const override { return "IKE_AUTH"; }
  std::optional<std::size_t> mapping() const override { return std::size_t{0}; }

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint now) override {
    sa.state = SaState::AuthSent;
    auto id = local_identification(sa.config());
    std::vector<Payload> p;
    p.emplace_back(IdiPayload{id});
    p.emplace_back(our_auth(sa, id));
    // §2.4: we assert this is the only IKE SA with the peer.
    if (!sa.owner.has_other_ike_sa(sa)) p.emplace_back(NotifyPayload::make(NotifyType::InitialContact));
    if (sa.mapping_count() == 0) return p;
    auto spi = sa.allocate_spi(0);
    if (!spi) {
      sa.fail("cannot allocate an inbound SPI: " + spi.error().message, now);
      return std::nullopt;
    }
    spi_in_ = *spi;
    const auto& m = sa.config().mappings.front();
    p.emplace_back(esp_offer(sa.config().ipsec, spi_in_, PfsUse::Ignore));
    p.emplace_back(TsiPayload{{{TrafficSelector::subnet(m.local)}}});
    p.emplace_back(TsrPayload{{{TrafficSelector::subnet(m.remote)}}});
    return p;
  }

  TaskOutcome process(Ikev2Sa& sa, const Message& m, TimePoint now) override {
    if (auto st = authenticate(sa, m, now); !st) return TaskOutcome::Done;
    sa.establish(now);
    first_child(sa, m, now);
    if (sa.state != SaState::Established) return TaskOutcome::Done;
    // One CHILD_SA per further mapping, each by CREATE_CHILD_SA (§1.3.1).
    for (std::size_t i = 1; i < sa.mapping_count(); ++i) sa.create_child(i, now);
    return TaskOutcome::Done;
  }

  void abort(Ikev2Sa& sa) override {
    if (spi_in_) sa.owner.release_spi(spi_in_);
    spi_in_ = 0;
  }

 private:
  Status authenticate(Ikev2Sa& sa, const Message& m, TimePoint now) {
    const auto* idr = m.find<IdrPayload>();
    const auto* auth = m.find<AuthPayload>();
    if (!idr || !auth) {
      abort(sa);
      const auto* err = m.first_error();
      sa.fail(err ? fmt::format("{}: peer refused IKE_AUTH", to_string(err->type))
                  : "IKE_AUTH response lacks IDr or AUTH", now);
      return fail("refused");
    }
    std::string why;
    if (auto st = check_peer_identity(*idr, sa.config()); !st)
      why = st.error().message;
    else if (!auth_matches(sa, *auth, *idr, false))
      why = "peer's AUTH does not verify (pre-shared key mismatch?)";
    if (why.empty()) return {};
    // §2.21.2: the responder believes the SA is up; tell it and delete.
    abort(sa);
    for (auto& t : sa.queue) t->abort(sa);
    sa.queue.clear();
    sa.state = SaState::Deleting;
    sa.queue.push_front(make_delete_ike_task({true, "AUTHENTICATION_FAILED: " + why},
                                             NotifyType::AuthenticationFailed));
    return fail(why);
  }

  void first_child(Ikev2Sa& sa, const Message& m, TimePoint now) {
    if (!spi_in_) return;
    auto why = install_first_child(sa, m, now);
    if (why.empty()) return;
    // Without its first CHILD_SA the tunnel carries nothing: report,
    // then delete the IKE SA so the peer drops its half too.
    sa.owner.child_failed(sa, why, now);
    sa.close(now);
  }

  std::string install_first_child(Ikev2Sa& sa, const Message& m, TimePoint now) {
    const auto& mapping = sa.config().mappings.front();
    const auto* sap = m.find<SaPayload>();
    const auto* tsi = m.find<TsiPayload>();
    const auto* tsr = m.find<TsrPayload>();
    if (!sap || !tsi || !tsr) {
      abort(sa);
      const auto* err = m.first_error();
      return fmt::format("CHILD_SA {}: peer answered {} (ours: {})", mapping_text(mapping),
                         err ? to_string(err->type) : "without SA/TS",
                         describe(sa.config().ipsec, PfsUse::Ignore));
    }
    auto choice = ProposalMatcher::accept_esp(*sap, sa.config().ipsec, PfsUse::Ignore);
    auto pairs = accept_narrowed(*tsi, *tsr, mapping);
    if (!choice || !pairs) {
      abort(sa);
      return fmt::format("CHILD_SA {}: peer's answer is not acceptable ({})", mapping_text(mapping),
                         !choice ? "proposal " + describe(*sap) : "traffic selectors widened");
    }
    const auto& k = *sa.keys;
    auto keys = derive_child_keys(*k.prf, k.keys.sk_d, choice->suite, nullptr, sa.ni, sa.nr);
    if (!keys) {
      abort(sa);
      return fmt::format("CHILD_SA {}: {}", mapping_text(mapping), keys.error().message);
    }
    ChildMaterial material{choice->suite, std::move(*keys), true, spi_in_, choice->peer_spi, 0, *pairs};
    spi_in_ = 0;  // the owner frees it on failure from here on
    if (auto st = sa.install_child(std::move(material), 0, now); !st)
      return fmt::format("CHILD_SA {}: kernel install failed: {}", mapping_text(mapping), st.error().message);
    return {};
  }

  std::uint32_t spi_in_ = 0;
};

std::vector<Payload> auth_failed(Ikev2Sa& sa, const std::string& why, TimePoint now) {
  // §2.21.2: one notify, then the SA is gone (it lingers to repeat this
  // answer to retransmissions).
  sa.end({true, "AUTHENTICATION_FAILED: " + why}, now, true);
  return {NotifyPayload::make(NotifyType::AuthenticationFailed)};
}

}  // namespace

std::unique_ptr<Task> make_auth_task() { return std::make_unique<AuthTask>(); }

std::vector<Payload> respond_auth(Ikev2Sa& sa, const Message& m, TimePoint now) {
  const auto* idi = m.find<IdiPayload>();
  const auto* auth = m.find<AuthPayload>();
  if (!idi || !auth) {
    sa.end({true, "IKE_AUTH request lacks IDi or AUTH"}, now, true);
    return {NotifyPayload::make(NotifyType::InvalidSyntax)};
  }
  if (auto st = check_peer_identity(*idi, sa.config()); !st) return auth_failed(sa, st.error().message, now);
  if (!auth_matches(sa, *auth, *idi, true))
    return auth_failed(sa, fmt::format("AUTH from {} does not verify (pre-shared key mismatch?)", describe(*idi)), now);
  auto id = local_identification(sa.config());
  std::vector<Payload> reply;
  reply.emplace_back(IdrPayload{id});
  reply.emplace_back(our_auth(sa, id));
  if (m.has_notify(NotifyType::InitialContact)) sa.owner.initial_contact(sa, now);
  sa.establish(now);
  const auto* sap = m.find<SaPayload>();
  const auto* tsi = m.find<TsiPayload>();
  const auto* tsr = m.find<TsrPayload>();
  if (sap && tsi && tsr) {
    ChildOffer offer{sap, tsi, tsr, nullptr, PfsUse::Ignore, sa.ni, sa.nr,
                     m.has_notify(NotifyType::UseTransportMode)};
    for (auto& p : respond_child(sa, offer, now)) reply.push_back(std::move(p));
  }
  return reply;
}

}  // namespace ike::v2
