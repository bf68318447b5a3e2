#include "libike/engine/tunnel.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev1/ikev1.hpp"
#include "libike/engine/route_mode.hpp"
#include "libike/ikev2/ikev2.hpp"

namespace ike {

std::string_view to_string(TunnelState state) {
  switch (state) {
    case TunnelState::Down: return "down";
    case TunnelState::Connecting: return "connecting";
    case TunnelState::Up: return "up";
    case TunnelState::Rekeying: return "rekeying";
  }
  return "unknown";
}

namespace {

// EngineOptions::lifetime_divisor (test only).
TunnelConfig scaled(TunnelConfig c, unsigned divisor) {
  if (divisor <= 1) return c;
  auto div = [&](Seconds s) { return std::max(Seconds(1), s / divisor); };
  c.ike.lifetime = div(c.ike.lifetime);
  c.ipsec.lifetime = div(c.ipsec.lifetime);
  c.ipsec.lifetime_kb = c.ipsec.lifetime_kb ? std::max<std::uint64_t>(1, c.ipsec.lifetime_kb / divisor) : 0;
  return c;
}

}  // namespace

Tunnel::Tunnel(TunnelHost& host, TunnelConfig config, std::vector<std::uint32_t> reqids)
    : host_(host),
      config_(scaled(std::move(config), host.options().lifetime_divisor)),
      reqids_(std::move(reqids)),
      kernel_(host.env().kernel(), config_.name, config_.local_address),
      dpd_(config_.dpd) {
  if (config_.mode == TunnelMode::Route && !reqids_.empty()) {
    route_ = route_binding(config_, host.options().route_interface, reqids_.front());
    const bool vti = route_->kind == InterfaceKind::Vti;
    kernel_.bind(vti ? 0 : route_->id, vti ? route_->id : 0);
  }
}

Tunnel::~Tunnel() = default;

void Tunnel::event(TunnelEvent::Kind kind, const std::string& message) {
  host_.env().event({kind, config_.name, message});
}

// ---- engine side ------------------------------------------------------------------

// Fail closed: from load until removal every spd mapping has its policy
// triple in the kernel, whatever the negotiation type. While no CHILD SA
// serves a mapping the policies are traps (a template with no SA), so the
// kernel drops the traffic (and sends an ACQUIRE) instead of routing it to
// the peer unencrypted through kite's spd route (SPEC.md §2 "Routes").
// CHILD SA policies replace the traps in place and hand back to them.
Status Tunnel::start(TimePoint now) {
  if (auto st = kernel_.install_traps(config_.mappings, reqids_, config_.local_address,
                                      config_.peer_address);
      !st)
    return st;
  if (config_.negotiation == Negotiation::Active) initiate(now);
  return {};
}

void Tunnel::up(TimePoint now) {
  admin_down_ = false;
  dpd_cleared_ = false;
  if (!negotiating_or_up()) initiate(now);
}

void Tunnel::down(TimePoint now) {
  admin_down_ = true;
  retry_at_.reset();
  for (auto& sa : sas_) sa->close(now);
}

Status Tunnel::rekey(bool ike_sa, TimePoint now) {
  auto* sa = current();
  if (!sa || sa->phase() != IkeSaPhase::Established) return fail(config_.name + " is not up");
  if (!sa->rekey(ike_sa, now)) return fail(config_.name + ": rekeying is not supported by this IKE SA");
  return {};
}

void Tunnel::remove(TimePoint now) {
  removed_ = true;
  down(now);
  kernel_.remove_all();
}

// The kernel's ACQUIRE: a packet hit a trap. Only `traffic` tunnels
// negotiate on it; an `active` one does so unless the operator (down) or
// DPD `clear` took it down, as it would keep the tunnel up anyway; a
// `passive` one only responds, so its traps just keep traffic in.
void Tunnel::on_acquire(std::uint32_t reqid, TimePoint now) {
  auto it = std::find(reqids_.begin(), reqids_.end(), reqid);
  if (it == reqids_.end() || removed_) return;
  if (config_.negotiation == Negotiation::Passive) return;
  if (config_.negotiation == Negotiation::Active && (admin_down_ || dpd_cleared_)) return;
  auto index = static_cast<std::size_t>(it - reqids_.begin());
  dpd_cleared_ = false;
  if (auto* sa = current()) {
    sa->create_child(index, now);
    return;
  }
  initiate(now);
}

bool Tunnel::on_expire(const Expire& expire, TimePoint now) {
  for (auto& sa : sas_) {
    if (!sa->owns_child_spi(expire.sa.spi)) continue;
    sa->on_child_expire(expire.sa.spi, expire.hard, now);
    return true;
  }
  return false;
}

void Tunnel::on_timer(TimePoint now) {
  std::vector<IkeSa*> snapshot;
  for (auto& sa : sas_) snapshot.push_back(sa.get());
  for (auto* sa : snapshot) {
    auto d = sa->next_deadline();
    if (d && *d <= now) sa->on_timer(now);
  }
  if (retry_at_ && *retry_at_ <= now) {
    retry_at_.reset();
    if (!negotiating_or_up() && !admin_down_ && !removed_ && !dpd_cleared_) initiate(now);
  }
  if (duplicate_check_at_ && *duplicate_check_at_ <= now) {
    duplicate_check_at_.reset();
    drop_duplicate(now);
  }
  if (auto d = dpd_.deadline(); d && *d <= now) {
    auto up = established();
    if (up.empty())
      dpd_.stop();
    else
      dpd_.check(up, *current(), kernel_, now);
  }
}

std::optional<TimePoint> Tunnel::next_deadline() const {
  auto best = retry_at_;
  for (auto d : {dpd_.deadline(), duplicate_check_at_})
    if (d && (!best || *d < *best)) best = d;
  for (const auto& sa : sas_) {
    auto d = sa->next_deadline();
    if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

void Tunnel::initiate(TimePoint now) {
  if (removed_) return;
  auto spi = host_.new_ike_spi();
  auto sa = make_sa(true, spi, nullptr, now);
  if (!sa) return;
  auto* raw = sa.get();
  sas_.push_back(std::move(sa));
  host_.register_sa(*this, *raw);
  event(TunnelEvent::Kind::Info, fmt::format("initiating IKEv{} to {}", config_.version == IkeVersion::V1 ? 1 : 2,
                                             config_.peer_address.to_string()));
  raw->start(now);
}

IkeSa* Tunnel::add_responder(std::uint64_t spi, const Datagram& request, TimePoint now) {
  if (removed_) return nullptr;
  auto sa = make_sa(false, spi, &request, now);
  if (!sa) return nullptr;
  auto* raw = sa.get();
  sas_.push_back(std::move(sa));
  host_.register_sa(*this, *raw);
  return raw;
}

std::unique_ptr<IkeSa> Tunnel::make_sa(bool initiator, std::uint64_t spi, const Datagram* request,
                                       TimePoint now) {
  // The only version-specific line of the tunnel layer.
  if (config_.version == IkeVersion::V1)
    return initiator ? v1::make_initiator(*this, spi, now) : v1::make_responder(*this, spi, *request, now);
  return initiator ? v2::make_initiator(*this, spi, now) : v2::make_responder(*this, spi, *request, now);
}

std::vector<IkeSa*> Tunnel::finished_sas() const {
  std::vector<IkeSa*> out;
  for (const auto& sa : sas_)
    if (sa->finished()) out.push_back(sa.get());
  return out;
}

void Tunnel::destroy(IkeSa* sa) {
  std::erase_if(sas_, [&](const std::unique_ptr<IkeSa>& p) { return p.get() == sa; });
}

IkeSa* Tunnel::current() const {
  IkeSa* connecting = nullptr;
  for (const auto& sa : sas_) {
    if (sa->phase() == IkeSaPhase::Established) return sa.get();
    if (sa->phase() == IkeSaPhase::Connecting && !connecting) connecting = sa.get();
  }
  return connecting;
}

bool Tunnel::negotiating_or_up() const { return current() != nullptr; }

std::vector<IkeSa*> Tunnel::established() const {
  std::vector<IkeSa*> out;
  for (const auto& sa : sas_)
    if (sa->phase() == IkeSaPhase::Established) out.push_back(sa.get());
  return out;
}

std::size_t Tunnel::half_open() const {
  return static_cast<std::size_t>(std::count_if(sas_.begin(), sas_.end(), [](const auto& sa) {
    return !sa->is_initiator() && sa->phase() == IkeSaPhase::Connecting;
  }));
}

// ---- IkeSaOwner --------------------------------------------------------------------

std::uint32_t Tunnel::reqid(std::size_t mapping_index) const {
  return mapping_index < reqids_.size() ? reqids_[mapping_index] : 0;
}

Status Tunnel::install_child(const NegotiatedChild& child, TimePoint) {
  return kernel_.install_child(child);
}

void Tunnel::remove_child(std::uint32_t spi_in) { kernel_.remove_child(spi_in); }

void Tunnel::release_spi(std::uint32_t spi_in) { kernel_.release_spi(spi_in); }

bool Tunnel::has_other_ike_sa(const IkeSa& self) const {
  return std::any_of(sas_.begin(), sas_.end(), [&](const auto& sa) {
    return sa.get() != &self && sa->phase() != IkeSaPhase::Closed;
  });
}

void Tunnel::initial_contact(const IkeSa& self, TimePoint now) {
  // RFC 7296 §2.4: the peer has no other IKE SA with us; ours that were
  // up before this one began are stale (the peer restarted). One that came
  // up meanwhile is a simultaneous initiation, not stale.
  for (auto& sa : sas_) {
    auto up_since = sa->established_at();
    // (Deleting too: an IKEv1 SA retiring after a phase-1 rekey.)
    auto phase = sa->phase();
    if (sa.get() != &self && (phase == IkeSaPhase::Established || phase == IkeSaPhase::Deleting) && up_since &&
        *up_since < self.created_at())
      sa->abandon("replaced: peer sent INITIAL_CONTACT", now);
  }
}

void Tunnel::ike_established(IkeSa& sa, TimePoint now) {
  ++host_.counters().ike_sas_established;
  last_error_.clear();
  dpd_cleared_ = false;
  dpd_.start(now);
  // Checked once the IKE SA's own exchange is done (not from inside it).
  duplicate_check_at_ = now;
  // An IKE SA that was up before this one's negotiation began is its
  // predecessor (an IKEv1 phase-1 rekey, either end's): it may hand over.
  // One that came up meanwhile is a simultaneous initiation instead.
  bool succeeded = false;
  for (auto* other : established()) {
    auto up_since = other->established_at();
    if (other != &sa && up_since && *up_since < sa.created_at()) succeeded |= other->succeeded_by(sa, now);
  }
  event(succeeded ? TunnelEvent::Kind::Info : TunnelEvent::Kind::Up,
        fmt::format("IKE SA with {} established", sa.remote_endpoint().to_string()));
}

void Tunnel::adopt(std::unique_ptr<IkeSa> successor, TimePoint now) {
  auto* raw = successor.get();
  sas_.push_back(std::move(successor));
  host_.register_sa(*this, *raw);
  dpd_.start(now);
}

IkeSa* Tunnel::find_sa(std::uint64_t local_spi) {
  for (auto& sa : sas_)
    if (sa->local_spi() == local_spi) return sa.get();
  return nullptr;
}

void Tunnel::ike_ended(IkeSa& ended, const IkeSaEnd& end, TimePoint now) {
  if (end.peer_dead) return peer_dead(ended, end.reason, now);
  if (end.failed) {
    ++host_.counters().ike_sas_failed;
    last_error_ = end.reason;
    event(TunnelEvent::Kind::NegotiationFailed, end.reason);
  } else if (!end.reason.empty()) {
    // Down only if no other IKE SA carries the tunnel.
    bool carried = std::any_of(sas_.begin(), sas_.end(),
                               [](const auto& sa) { return sa->phase() == IkeSaPhase::Established; });
    event(carried ? TunnelEvent::Kind::Info : TunnelEvent::Kind::Down, "IKE SA " + end.reason);
  }
  // An `active` tunnel stays up: negotiate again after a pause.
  bool keep_up = config_.negotiation == Negotiation::Active && !admin_down_ && !removed_ && !dpd_cleared_;
  if (keep_up && !retry_at_ && !current()) retry_at_ = now + host_.options().retry_interval;
}

// Two `active` ends that initiated at once hold two IKE SAs, both
// working, each with its CHILD SAs. RFC 7296 settles no such case; kite
// treats it like simultaneous rekeys (§2.8.2): of two established IKE SAs
// of one tunnel, the one holding the lowest of the four nonces is deleted
// by whoever created it, with its CHILD SAs. Both ends reach the same
// verdict once both SAs are up at both, so exactly one DELETE is sent;
// the survivor's CHILD SAs carry on. (A peer that re-authenticates make-
// before-break deletes its old SA itself; deleting it first is harmless.)
void Tunnel::drop_duplicate(TimePoint now) {
  auto up = established();
  for (std::size_t i = 0; i < up.size(); ++i) {
    for (std::size_t j = i + 1; j < up.size(); ++j) {
      auto *x = up[i], *y = up[j];
      auto nx = x->lowest_nonce(), ny = y->lowest_nonce();
      if (nx.empty() || ny.empty()) continue;
      auto* loser = std::lexicographical_compare(nx.begin(), nx.end(), ny.begin(), ny.end()) ? x : y;
      if (!loser->is_initiator()) continue;  // the peer deletes it
      event(TunnelEvent::Kind::Info,
            fmt::format("both ends initiated: deleting the duplicate IKE SA {:016x} (lowest nonce)", loser->local_spi()));
      loser->close(now);
      return;
    }
  }
}

void Tunnel::peer_dead(IkeSa& dead, const std::string& reason, TimePoint now) {
  // Another IKE SA that heard from the peer lately proves it alive: the
  // dead one was stale (a peer that restarted without INITIAL_CONTACT).
  for (auto* other : established()) {
    auto heard = other->last_heard();
    if (other != &dead && heard && now - *heard < config_.dpd.timeout) {
      event(TunnelEvent::Kind::Info, "stale IKE SA dropped: " + reason);
      return;
    }
  }
  bool clear = config_.dpd.action == DpdAction::Clear;
  last_error_ = reason;
  event(TunnelEvent::Kind::DpdTimeout, fmt::format("{}; dpd action {}", reason, clear ? "clear" : "restart"));
  // The peer is gone for every IKE SA we share with it; their CHILD SAs
  // leave the kernel (a `traffic` tunnel's traps come back in their place).
  for (auto& sa : sas_)
    if (sa.get() != &dead && sa->phase() != IkeSaPhase::Closed) sa->abandon("peer is dead (DPD)", now);
  event(TunnelEvent::Kind::Down, "IKE SA with " + dead.remote_endpoint().to_string() + " is dead");
  dpd_.stop();
  retry_at_.reset();
  if (clear) {
    dpd_cleared_ = true;
    return;
  }
  // restart: negotiate again at once; `passive` tunnels wait for the peer.
  if (config_.negotiation != Negotiation::Passive && !admin_down_ && !removed_) initiate(now);
}

void Tunnel::child_failed(IkeSa&, const std::string& reason, TimePoint) {
  last_error_ = reason;
  event(TunnelEvent::Kind::NegotiationFailed, reason);
}

// ---- status -----------------------------------------------------------------------

TunnelStatus Tunnel::status() const {
  TunnelStatus s;
  s.name = config_.name;
  s.peer = config_.peer_address;
  s.version = config_.version;
  s.last_error = last_error_;
  s.route = route_;
  s.ike_sas = static_cast<std::size_t>(
      std::count_if(sas_.begin(), sas_.end(), [](const auto& x) { return x->phase() != IkeSaPhase::Closed; }));
  auto* sa = current();
  if (!sa) return s;
  s.state = sa->phase() != IkeSaPhase::Established ? TunnelState::Connecting
            : sa->rekeying()                        ? TunnelState::Rekeying
                                                    : TunnelState::Up;
  sa->fill_status(s);
  for (const auto& c : sa->children()) {
    ChildSaStatus cs;
    cs.spi_in = c.spi_in;
    cs.spi_out = c.spi_out;
    cs.mappings = c.selectors;
    cs.encryption = crypto::name(c.encryption);
    cs.integrity = c.integrity ? std::string(crypto::name(*c.integrity)) : "";
    if (c.pfs_group) cs.pfs_group = static_cast<std::uint16_t>(*c.pfs_group);
    cs.udp_encap = c.udp_encap;
    cs.established = c.established;
    cs.lifetime = c.lifetime;
    if (auto t = kernel_.traffic(c.spi_in)) {
      cs.bytes_in = t->in.bytes;
      cs.packets_in = t->in.packets;
      cs.bytes_out = t->out.bytes;
      cs.packets_out = t->out.packets;
    }
    s.children.push_back(std::move(cs));
  }
  return s;
}

}  // namespace ike
