// INFORMATIONAL (RFC 7296 §1.4): DELETE of CHILD SAs and of the IKE SA,
// error notifies about the IKE SA, and the empty liveness check (§2.4).
#include <fmt/format.h>

#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/tasks.hpp"

namespace ike::v2 {
namespace {

class DeleteIkeTask final : public Task {
 public:
  DeleteIkeTask(IkeSaEnd why, std::optional<NotifyType> notify) : why_(std::move(why)), notify_(notify) {}
  ExchangeType exchange() const override { return ExchangeType::Informational; }
  std::string_view name() const override { return "INFORMATIONAL (delete IKE SA)"; }
  bool closes_ike_sa() const override { return true; }

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint) override {
    sa.state = SaState::Deleting;
    std::vector<Payload> p;
    if (notify_) p.emplace_back(NotifyPayload::make(*notify_));
    p.emplace_back(DeletePayload{ProtocolId::Ike, {}});
    return p;
  }

  // §1.4.1: the (empty) response completes the deletion. The SA lingers
  // to repeat its last answers to the peer's retransmissions.
  TaskOutcome process(Ikev2Sa& sa, const Message&, TimePoint now) override {
    sa.end(why_, now, true);
    return TaskOutcome::Done;
  }

 private:
  IkeSaEnd why_;
  std::optional<NotifyType> notify_;
};

class DeleteChildTask final : public Task {
 public:
  explicit DeleteChildTask(std::vector<std::uint32_t> spis) : spis_(std::move(spis)) {}
  ExchangeType exchange() const override { return ExchangeType::Informational; }
  std::string_view name() const override { return "INFORMATIONAL (delete CHILD_SA)"; }
  bool resend_on_successor() const override { return true; }

  std::optional<std::vector<Payload>> build(Ikev2Sa& sa, TimePoint) override {
    for (auto spi : spis_)
      if (auto* c = sa.child_by_inbound(spi)) c->state = ChildState::Deleting;
    return std::vector<Payload>{DeletePayload{ProtocolId::Esp, spis_}};
  }

  // §1.4.1: the peer answers with its SPIs of the same pairs; both
  // directions go now.
  TaskOutcome process(Ikev2Sa& sa, const Message&, TimePoint) override {
    for (auto spi : spis_)
      if (sa.child_by_inbound(spi)) sa.remove_child(spi);
    return TaskOutcome::Done;
  }

  void abort(Ikev2Sa& sa) override {
    for (auto spi : spis_)
      if (sa.child_by_inbound(spi)) sa.remove_child(spi);
  }

 private:
  std::vector<std::uint32_t> spis_;
};

class LivenessTask final : public Task {
 public:
  ExchangeType exchange() const override { return ExchangeType::Informational; }
  std::string_view name() const override { return "INFORMATIONAL (liveness)"; }
  bool liveness() const override { return true; }
  std::optional<std::vector<Payload>> build(Ikev2Sa&, TimePoint) override {
    return std::vector<Payload>{};
  }
  TaskOutcome process(Ikev2Sa&, const Message&, TimePoint) override { return TaskOutcome::Done; }
};

// §1.4.1: for every CHILD SA the peer deletes (named by its inbound SPI,
// our outbound), answer with our inbound SPI and remove the pair.
std::vector<std::uint32_t> delete_children(Ikev2Sa& sa, const DeletePayload& d) {
  std::vector<std::uint32_t> ours;
  for (auto spi : d.spis) {
    auto* c = sa.child_by_outbound(spi);
    if (!c) continue;
    auto in = c->spi_in;
    // A pair we are deleting ourselves already (simultaneous delete) is
    // not repeated in the answer.
    if (c->state != ChildState::Deleting) ours.push_back(in);
    sa.event(TunnelEvent::Kind::Info, fmt::format("CHILD_SA {:08x}/{:08x} deleted by peer", in, spi));
    sa.remove_child(in);
  }
  return ours;
}

}  // namespace

std::unique_ptr<Task> make_delete_ike_task(IkeSaEnd why, std::optional<NotifyType> notify) {
  return std::make_unique<DeleteIkeTask>(std::move(why), notify);
}
std::unique_ptr<Task> make_delete_child_task(std::vector<std::uint32_t> spis_in) {
  return std::make_unique<DeleteChildTask>(std::move(spis_in));
}
std::unique_ptr<Task> make_liveness_task() { return std::make_unique<LivenessTask>(); }

std::vector<Payload> respond_informational(Ikev2Sa& sa, const Message& m, TimePoint now) {
  bool delete_ike = false;
  std::vector<std::uint32_t> esp;
  for (const auto* d : m.find_all<DeletePayload>()) {
    if (d->protocol == ProtocolId::Ike) delete_ike = true;
    if (d->protocol == ProtocolId::Esp) {
      auto ours = delete_children(sa, *d);
      esp.insert(esp.end(), ours.begin(), ours.end());
    }
  }
  const auto* err = m.first_error();
  if (err && err->type == NotifyType::AuthenticationFailed) {
    // §2.21.2: the initiator could not verify us.
    sa.end({true, "AUTHENTICATION_FAILED: peer rejected our authentication"}, now, true);
    return {};
  }
  bool creating = sa.active && (sa.active->rekeys_ike() || sa.active->rekeys_child() || sa.active->mapping());
  if (delete_ike && creating && sa.state == SaState::Established) {
    // A request of ours is in flight and the peer may have answered it
    // before deleting the SA (the answer can be overtaken): what it
    // created there (a CHILD SA, or a new IKE SA in a rekey collision,
    // §2.8.2) must not be left behind unknown to us, so the SA ends once
    // that answer is in (the peer's lingering SA repeats it to our
    // retransmissions). The CHILD SAs still here go now.
    while (!sa.child_sas.empty()) sa.remove_child(sa.child_sas.back().spi_in, false);
    sa.state = SaState::Deleting;
    sa.end_when_answered = true;
    return {};
  }
  if (delete_ike && sa.predecessor_spi && !sa.superseded) {
    // §2.8.2: this SA came from the peer's rekey, and our own rekey of the
    // same SA is still waiting for its answer: the peer found its SA
    // redundant (ours holds no lowest nonce) and deletes it before we
    // know ours survives. Its CHILD SAs and pending work go back to the
    // old SA, which hands them to ours when the answer comes.
    auto* old = dynamic_cast<Ikev2Sa*>(sa.owner.find_sa(*sa.predecessor_spi));
    if (old && old->active && old->active->rekeys_ike() && old->peer_ike_rekey &&
        old->peer_ike_rekey->successor_spi == sa.local_spi()) {
      for (auto& c : sa.child_sas) old->child_sas.push_back(std::move(c));
      sa.child_sas.clear();
      if (sa.active && sa.active->resend_on_successor()) {
        sa.requests.restart();
        old->queue.push_back(std::move(sa.active));
      }
      for (auto& t : sa.queue)
        if (!t->closes_ike_sa()) old->queue.push_back(std::move(t));
      sa.queue.clear();
      old->retries.insert(old->retries.end(), sa.retries.begin(), sa.retries.end());
      sa.retries.clear();
      sa.superseded = true;
    }
  }
  if (delete_ike) {
    // §1.4.1: answer empty; the SA and its children are gone.
    // A rekeyed SA goes quietly: its successor carries the tunnel.
    sa.end({false, sa.superseded ? "" : "deleted by peer"}, now, true);
    return {};
  }
  if (err && err->protocol == ProtocolId::None) {
    sa.end({true, fmt::format("peer reported {}", to_string(err->type))}, now, true);
    return {};
  }
  if (esp.empty()) return {};
  return {DeletePayload{ProtocolId::Esp, std::move(esp)}};
}

}  // namespace ike::v2
