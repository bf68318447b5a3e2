// ISAKMP SA rekeying (issue 6). RFC 2409 has no exchange that rekeys
// phase 1: a new Main (or Aggressive) Mode with the same peer creates a
// fresh ISAKMP SA, and IPsec SAs do not belong to the ISAKMP SA that
// negotiated them (RFC 2408 §2.4 keeps the two independent). So, make-
// before-break, as strongSwan and Libreswan do: before the lifetime ends
// an heir is negotiated; once it is established at an end, the old SA
// hands its IPsec SAs to it at once (their later Quick Mode rekeys, DPD
// and DELETEs go over the heir), carries on two retransmission timeouts
// for what the peer sent on it before it saw the heir, and is deleted
// (ISAKMP DELETE only: no IPsec SA goes).
//
// strongSwan moves the IPsec SAs to the new ISAKMP SA the moment it is
// established ("adopting children") and deletes whatever is still on the
// old one when its DELETE comes. So no Quick Mode of ours may straddle the
// change: a new phase 1 waits for our Quick Modes to finish, and a pair
// due for a rekey meanwhile is rekeyed by the heir (rekey_deferred).
//
// Who rekeys: the end that initiated the ISAKMP SA, at 80-90% of the
// lifetime (random jitter); the responder only at 95-98%, in case the
// initiator does not (a peer without phase-1 rekeying). So both ends do
// not normally start at once; if they do, two heirs come up and the later
// one at each end takes over (Tunnel::ike_established: an SA is an heir
// only of SAs established before its negotiation began). At 100% an SA
// that found no heir is deleted with its IPsec SAs (an `active` tunnel
// negotiates again), as IKEv2's hard lifetime does.
#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev1/ikev1.hpp"
#include "libike/ikev1/ikev1_sa.hpp"
#include "libike/ikev2/collision.hpp"

namespace ike::v1 {
namespace {

// "CKY-I/CKY-R" as 16 hex digits each, as the other ISAKMP SA events say.
std::string cookies(const Ikev1Sa& sa) {
  auto i = sa.initiator ? sa.local_spi() : sa.remote_spi();
  auto r = sa.initiator ? sa.remote_spi() : sa.local_spi();
  return fmt::format("{:016x}/{:016x}", i, r);
}

}  // namespace

void Ikev1Sa::start_lifetime(TimePoint now) {
  auto life = std::chrono::duration_cast<std::chrono::milliseconds>(p1.suite && p1.suite->lifetime.count() > 0
                                                                        ? p1.suite->lifetime
                                                                        : config().ike.lifetime);
  if (life.count() <= 0) return;
  hard_expiry_at = now + life;
  auto jitter = [&](std::int64_t permille) {
    auto span = static_cast<std::uint32_t>(std::min<std::int64_t>(life.count() * permille / 1000, 0xffffffff));
    return std::chrono::milliseconds(random().uniform(span + 1));
  };
  rekey_at = initiator ? now + life * 9 / 10 - jitter(100) : now + life * 98 / 100 - jitter(30);
}

void Ikev1Sa::lifetime_timers(TimePoint now) {
  if (state != SaState::Established) return;
  if (heir_negotiating && !heir_spi && !kin(heir_negotiating)) heir_failed(now);
  if (heir_spi) {
    if (auto d = retire_deadline(); d && now >= *d) retire(now);
    return;
  }
  if (hard_expiry_at && now >= *hard_expiry_at) {
    hard_expiry_at.reset();
    event(TunnelEvent::Kind::Info, "ISAKMP SA lifetime expired before a new phase 1 took over, deleting it");
    return close(now);
  }
  if (rekey_at && now >= *rekey_at) {
    rekey_at.reset();
    start_heir(now);
  }
}

void Ikev1Sa::start_heir(TimePoint now) {
  if (heir_started || heir_spi || state != SaState::Established) return;
  if (quick_mode_pending()) {
    rekey_at = now + outbound_delay();  // see above: after the Quick Modes
    return;
  }
  auto cookie = owner.new_ike_spi();
  if (cookie == 0) return;  // an owner that cannot host a second SA
  heir_started = true;
  heir_negotiating = cookie;
  event(TunnelEvent::Kind::Info,
        fmt::format("rekeying ISAKMP SA {}: new phase 1", cookies(*this)));
  auto heir = make_initiator(owner, cookie, now);
  auto* raw = static_cast<Ikev1Sa*>(heir.get());  // make_initiator makes an Ikev1Sa
  raw->is_heir = true;
  owner.adopt(std::move(heir), now);
  raw->start(now);
}

void Ikev1Sa::heir_failed(TimePoint now) {
  heir_negotiating.reset();
  heir_started = false;
  rekey_at = now + retransmit_policy().timeout;
  for (auto& c : child_sas)
    if (c.rekey_deferred) {
      c.rekey_deferred = false;
      rekey_child(c, now);
    }
}

bool Ikev1Sa::rekey(bool ike_sa, TimePoint now) {
  if (state != SaState::Established) return false;
  if (heir_spi) return true;  // rekeyed already; the heir takes over in a moment
  if (ike_sa) {
    start_heir(now);
    return true;
  }
  std::vector<std::uint32_t> spis;
  for (const auto& c : child_sas)
    if (!c.rekeying && !c.outbound_at && !c.gone_at) spis.push_back(c.spi_in);
  for (auto spi : spis) on_child_expire(spi, false, now);
  return true;
}

// The heir is up at this end: our IPsec SAs are its from now on. We stay
// a moment longer: what the peer sent on this SA before it saw the heir
// (a Quick Mode, a DELETE) must still land.
bool Ikev1Sa::succeeded_by(ike::IkeSa& heir_sa, TimePoint now) {
  auto* heir = dynamic_cast<Ikev1Sa*>(&heir_sa);
  if (!heir || state != SaState::Established) return false;
  if (heir_spi) return settle_heirs(*heir, now);
  heir_spi = heir->local_spi();
  heir_negotiating.reset();
  heir->predecessor_spi = local_spi();
  retire_at = now + retransmit_policy().timeout * 2;
  rekey_at.reset();
  event(TunnelEvent::Kind::Rekeyed,
        fmt::format("ISAKMP SA rekeyed: cookies {} -> {}, {} IPsec SA(s) carried over", cookies(*this),
                    cookies(*heir), child_sas.size()));
  give_children_to(*heir, now, false);
  return true;
}

// Both ends started a new phase 1 at once: two heirs. As for IKEv2's
// simultaneous rekeys (RFC 7296 §2.8.2), the one whose phase 1 holds the
// lowest of the four nonces goes, deleted by the end that initiated it;
// both ends choose alike, before our IPsec SAs move (retire_at).
bool Ikev1Sa::settle_heirs(Ikev1Sa& rival, TimePoint now) {
  auto* first = dynamic_cast<Ikev1Sa*>(owner.find_sa(*heir_spi));
  if (!first || first == &rival || first->state != SaState::Established) {
    heir_spi = rival.local_spi();
    return true;
  }
  auto lowest = [](const Ikev1Sa& sa) { return v2::nonce_lower(sa.p1.ni, sa.p1.nr) ? sa.p1.ni : sa.p1.nr; };
  bool rival_loses = v2::nonce_lower(lowest(rival), lowest(*first));
  auto* loser = rival_loses ? &rival : first;
  auto* winner = rival_loses ? first : &rival;
  heir_spi = winner->local_spi();
  winner->predecessor_spi = local_spi();
  event(TunnelEvent::Kind::Info, fmt::format("both ends started a new phase 1: ISAKMP SA {} goes (lowest nonce)",
                                             cookies(*loser)));
  loser->heir_spi = winner->local_spi();  // what its Quick Modes still bring goes to the winner
  loser->give_children_to(*winner, now, loser->initiator);  // the first heir took them over already
  if (loser->initiator) loser->close(now);
  return true;
}

// Quick Modes the peer began here finish first (their keys are ours), for
// at most four more retransmission timeouts.
std::optional<TimePoint> Ikev1Sa::retire_deadline() const {
  if (!retire_at) return std::nullopt;
  return quick_mode_pending() ? *retire_at + retransmit_policy().timeout * 4 : *retire_at;
}

bool Ikev1Sa::quick_mode_pending() const {
  return std::any_of(quick_modes.begin(), quick_modes.end(),
                     [](const auto& qm) { return qm->state != QmState::Done; });
}

bool Ikev1Sa::hand_over_children(TimePoint now) {
  auto* heir = kin(heir_spi);
  if (!heir || heir->state != SaState::Established) return false;
  give_children_to(*heir, now, true);
  return true;
}

// The pairs move; a rekey that waited for the heir starts on it. A Quick
// Mode still under way here lands its pair at the heir (carrier()) unless
// we go first (`ending`): then the heir starts that rekey again.
void Ikev1Sa::give_children_to(Ikev1Sa& heir, TimePoint now, bool ending) {
  if (&heir == this) return;
  std::vector<std::uint32_t> rekey;
  for (const auto& qm : quick_modes)
    if (ending && qm->state != QmState::Done && qm->initiator && qm->replaces) rekey.push_back(*qm->replaces);
  for (auto& c : child_sas) {
    if (c.rekey_deferred) rekey.push_back(c.spi_in);
    c.rekey_deferred = false;
    heir.child_sas.push_back(std::move(c));
  }
  child_sas.clear();
  for (auto m : waiting) heir.create_child(m, now);
  waiting.clear();
  for (auto spi : rekey)
    for (auto& c : heir.child_sas)
      if (c.spi_in == spi) {
        c.rekeying = false;
        heir.rekey_child(c, now);
        break;
      }
}

// Another live ISAKMP SA of this tunnel, by our cookie for it.
Ikev1Sa* Ikev1Sa::kin(std::optional<std::uint64_t> cookie) {
  auto* sa = cookie ? dynamic_cast<Ikev1Sa*>(owner.find_sa(*cookie)) : nullptr;
  return sa && sa != this && sa->state != SaState::Closed ? sa : nullptr;
}

Ikev1Sa& Ikev1Sa::carrier() {
  auto* heir = kin(heir_spi);
  return heir && heir->state == SaState::Established ? *heir : *this;
}

Ikev1Child* Ikev1Sa::family_child_by_outbound(std::uint32_t spi, Ikev1Sa*& holder) {
  holder = this;
  if (auto* c = child_by_outbound(spi)) return c;
  for (auto cookie : {heir_spi, predecessor_spi}) {
    auto* sa = kin(cookie);
    if (!sa) continue;
    holder = sa;
    if (auto* c = sa->child_by_outbound(spi)) return c;
  }
  return nullptr;
}

void Ikev1Sa::retire(TimePoint now) {
  retire_at.reset();
  if (!hand_over_children(now)) {
    // The heir is gone already: we stay the carrier and rekey again soon.
    heir_spi.reset();
    heir_started = false;
    rekey_at = now + retransmit_policy().timeout;
    return;
  }
  // RFC 2408 §3.15: only the ISAKMP SA goes; the IPsec SAs live on.
  send_informational({isakmp_delete()});
  end({false, ""}, now);
}

void Ikev1Sa::drop_adopted(TimePoint now) {
  std::vector<std::uint32_t> stale;
  for (const auto& c : child_sas)
    if (c.established < created) stale.push_back(c.spi_in);
  if (stale.empty()) return;
  event(TunnelEvent::Kind::Info,
        fmt::format("peer sent INITIAL-CONTACT: dropping {} IPsec SA(s) of the ISAKMP SA it replaces", stale.size()));
  for (auto spi : stale) remove_child(spi);
  // The mappings get fresh pairs (the restarted peer has none).
  if (initiator)
    for (std::size_t i = 0; i < config().mappings.size(); ++i) create_child(i, now);
}

}  // namespace ike::v1
