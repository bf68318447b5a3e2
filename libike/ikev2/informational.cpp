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

  // §1.4.1: the (empty) response completes the deletion.
  TaskOutcome process(Ikev2Sa& sa, const Message&, TimePoint now) override {
    sa.end(why_, now, false);
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
