#include "libike/ikev2/retransmit.hpp"

namespace ike::v2 {
namespace {

// RFC 7296 §2.1: exponential backoff; the wait after transmission n
// (1-based) is timeout * 2^(n-1).
std::chrono::milliseconds wait_after(unsigned transmission, const RetransmitPolicy& policy) {
  auto shift = transmission > 0 ? std::min(transmission - 1, 16u) : 0u;
  return policy.timeout * (1LL << shift);
}

}  // namespace

void RequestWindow::sent(std::uint32_t id, Bytes wire, TimePoint now,
                         const RetransmitPolicy& policy) {
  pending_ = Pending{id, std::move(wire), 1, now + wait_after(1, policy)};
}

void RequestWindow::completed() {
  if (pending_) next_id_ = pending_->id + 1;
  pending_.reset();
}

void RequestWindow::restart() { pending_.reset(); }

RequestWindow::Due RequestWindow::on_timer(TimePoint now, const RetransmitPolicy& policy) {
  if (!pending_ || now < pending_->deadline) return Due::Nothing;
  if (pending_->transmissions >= policy.tries) return Due::GiveUp;
  ++pending_->transmissions;
  pending_->deadline = now + wait_after(pending_->transmissions, policy);
  return Due::Resend;
}

ResponseWindow::Verdict ResponseWindow::classify(std::uint32_t id) const {
  if (id == expected_) return Verdict::New;
  if (last_id_ && id == *last_id_) return Verdict::Retransmit;
  return Verdict::Drop;
}

void ResponseWindow::answered(std::uint32_t id, Bytes wire) {
  last_id_ = id;
  expected_ = id + 1;
  last_response_ = std::move(wire);
}

}  // namespace ike::v2
