// The IKE SA's lifetime and succession (RFC 7296 §2.8, §2.18): when to
// rekey (soft) and give up (hard), rekeying on demand, the heir that takes
// over a rekeyed SA's CHILD SAs and pending work, and CREATE_CHILD_SA
// exchanges retried after TEMPORARY_FAILURE (§2.25). The exchange itself
// is in ike_rekey.cpp.
#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev2/collision.hpp"
#include "libike/ikev2/ike_sa.hpp"
#include "libike/ikev2/tasks.hpp"

namespace ike::v2 {

bool Ikev2Sa::rekeying() const {
  auto rekey = [](const std::unique_ptr<Task>& t) { return t && (t->rekeys_ike() || t->rekeys_child()); };
  return rekey(active) || std::any_of(queue.begin(), queue.end(), rekey) ||
         std::any_of(child_sas.begin(), child_sas.end(), [](const ChildSa& c) { return c.state == ChildState::Rekeying; });
}

Bytes Ikev2Sa::lowest_nonce() const {
  if (ni.empty() || nr.empty()) return {};
  return nonce_lower(ni, nr) ? ni : nr;
}

bool Ikev2Sa::rekey(bool ike_sa, TimePoint now) {
  if (state != SaState::Established || superseded) return true;
  if (ike_sa) {
    auto rekey = [](const std::unique_ptr<Task>& t) { return t && t->rekeys_ike(); };
    if (rekey(active) || std::any_of(queue.begin(), queue.end(), rekey)) return true;
    rekey_at.reset();
    event(TunnelEvent::Kind::Info, fmt::format("rekeying IKE SA {:016x}/{:016x}", spi_i, spi_r));
    enqueue(make_ike_rekey_task(), now);
    return true;
  }
  std::vector<std::uint32_t> spis;
  for (const auto& c : child_sas)
    if (c.state == ChildState::Installed) spis.push_back(c.spi_in);  // unsettled ones a little later
  for (auto spi : spis) on_child_expire(spi, false, now);
  return true;
}

void Ikev2Sa::start_lifetime(TimePoint now) {
  auto life = std::chrono::duration_cast<std::chrono::milliseconds>(config().ike.lifetime);
  if (life.count() <= 0) return;
  // §2.8: rekey before the lifetime ends, at 90% minus up to 10% random
  // jitter, so that both ends rarely start at once (§2.8.2).
  auto span = static_cast<std::uint32_t>(std::min<std::int64_t>(life.count() / 10, 0xffffffff));
  rekey_at = now + life * 9 / 10 - std::chrono::milliseconds(random().uniform(span + 1));
  hard_expiry_at = now + life;
}

void Ikev2Sa::lifetime_timers(TimePoint now) {
  if (hold_requests_until && now >= *hold_requests_until) release_requests(now);
  bool live = state == SaState::Established && !superseded;
  if (hard_expiry_at && now >= *hard_expiry_at) {
    hard_expiry_at.reset();
    if (live) {
      event(TunnelEvent::Kind::Info, "IKE SA lifetime expired before a rekey succeeded, deleting it");
      close(now);
      return;
    }
  }
  if (!live) return;
  if (rekey_at && now >= *rekey_at) {
    rekey_at.reset();
    event(TunnelEvent::Kind::Info, fmt::format("rekeying IKE SA {:016x}/{:016x}", spi_i, spi_r));
    enqueue(make_ike_rekey_task(), now);
  }
  std::vector<Retry> due;
  std::erase_if(retries, [&](const Retry& r) {
    if (r.at > now) return false;
    due.push_back(r);
    return true;
  });
  for (const auto& r : due) {
    if (!r.rekey_spi_in) {
      create_child(r.mapping, now);
      continue;
    }
    auto* c = child_by_inbound(*r.rekey_spi_in);
    if (!c || c->state != ChildState::Installed) continue;
    on_child_expire(c->spi_in, false, now);  // rekeys it (or waits a little longer)
  }
}

Ikev2Sa* Ikev2Sa::heir() {
  if (!successor_spi) return nullptr;
  Ikev2Sa* at = this;
  for (int depth = 0; depth < 8 && at->successor_spi; ++depth) {
    auto* next = dynamic_cast<Ikev2Sa*>(owner.find_sa(*at->successor_spi));
    if (!next || next == at) break;
    at = next;
  }
  if (at != this && at->state != SaState::Closed && !at->superseded) return at;
  // The chain is broken (a successor was itself replaced and is gone):
  // whichever SA carries the tunnel now is the heir.
  auto* carrier = dynamic_cast<Ikev2Sa*>(owner.carrier());
  return carrier && carrier != this && carrier->state == SaState::Established && !carrier->superseded ? carrier : nullptr;
}

void Ikev2Sa::hand_over(TimePoint now) {
  if (!superseded) return;
  auto* next = heir();
  if (!next) return;
  for (auto& c : child_sas) next->child_sas.push_back(std::move(c));
  child_sas.clear();
  std::deque<std::unique_ptr<Task>> stay;
  for (auto& t : queue) {
    if (t->rekeys_ike()) continue;  // this SA is replaced already
    (t->closes_ike_sa() ? stay : next->queue).push_back(std::move(t));
  }
  queue = std::move(stay);
  next->retries.insert(next->retries.end(), retries.begin(), retries.end());
  retries.clear();
  next->pump(now);
}

}  // namespace ike::v2
