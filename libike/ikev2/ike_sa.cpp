#include "libike/ikev2/ike_sa.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "libike/ikev2/ikev2.hpp"
#include "libike/ikev2/tasks.hpp"

namespace ike::v2 {

std::string_view to_string(SaState s) {
  switch (s) {
    case SaState::Idle: return "idle";
    case SaState::InitSent: return "init-sent";
    case SaState::InitDone: return "init-done";
    case SaState::AuthSent: return "auth-sent";
    case SaState::Established: return "established";
    case SaState::Deleting: return "deleting";
    case SaState::Closed: return "closed";
  }
  return "unknown";
}

Ikev2Sa::Ikev2Sa(IkeSaOwner& o, bool is_init, std::uint64_t local_spi_value, TimePoint now)
    : owner(o), initiator(is_init), created(now) {
  (initiator ? spi_i : spi_r) = local_spi_value;
  local = {o.config().local_address, o.gateway().ike_port};
  remote = {o.config().peer_address, o.gateway().ike_port};
}

Ikev2Sa::~Ikev2Sa() = default;

std::unique_ptr<ike::IkeSa> make_initiator(IkeSaOwner& owner, std::uint64_t local_spi,
                                           TimePoint now) {
  return std::make_unique<Ikev2Sa>(owner, true, local_spi, now);
}

std::unique_ptr<ike::IkeSa> make_responder(IkeSaOwner& owner, std::uint64_t local_spi,
                                           const Datagram& request, TimePoint now) {
  auto sa = std::make_unique<Ikev2Sa>(owner, false, local_spi, now);
  sa->local = request.local;
  sa->remote = request.remote;
  // RFC 7296 §2.6 spirit: a half-open SA does not live forever.
  sa->expires_at = now + owner.options().half_open_timeout;
  return sa;
}

IkeSaPhase Ikev2Sa::phase() const {
  // A rekeyed SA only waits for its DELETE: the successor carries the tunnel.
  if (superseded && state == SaState::Established) return IkeSaPhase::Deleting;
  switch (state) {
    case SaState::Established: return IkeSaPhase::Established;
    case SaState::Deleting: return IkeSaPhase::Deleting;
    case SaState::Closed: return IkeSaPhase::Closed;
    default: return IkeSaPhase::Connecting;
  }
}

RetransmitPolicy Ikev2Sa::retransmit_policy() const {
  RetransmitPolicy p{owner.options().retransmit_timeout, std::max(1u, owner.options().retransmit_tries)};
  if (active && active->liveness() && dpd_budget.count() > 0) {
    // DPD: every transmission and the last wait fit into the probe budget
    // (waits of 1, 2, 4, ... timeouts: 2^tries - 1 of them in all).
    auto slots = (std::int64_t{1} << std::min(p.tries, 16u)) - 1;
    p.timeout = std::max(std::chrono::milliseconds(1), dpd_budget / slots);
  }
  return p;
}

void Ikev2Sa::event(TunnelEvent::Kind kind, const std::string& message) {
  owner.env().event({kind, config().name, message});
}

// ---- messages ---------------------------------------------------------------

Header Ikev2Sa::header_for(ExchangeType exchange, std::uint32_t id, bool response) const {
  Header h;
  h.spi_i = spi_i;
  h.spi_r = spi_r;
  h.exchange = exchange;
  h.initiator = initiator;
  h.response = response;
  h.message_id = id;
  return h;
}

Result<Bytes> Ikev2Sa::seal(const Message& m) {
  if (m.header.exchange == ExchangeType::IkeSaInit) return encode(m);
  if (!keys) return ike::fail("no IKE keys to protect the message");
  return encode_protected(m, keys->outbound(initiator), random());
}

ParseResult<Message> Ikev2Sa::open(const Datagram& d, const WireHeader& h) const {
  if (h.header.exchange == ExchangeType::IkeSaInit) return decode(d.payload);
  if (!keys) return parse_fail(ParseErrc::DecryptFailed, 0, PayloadType::Sk, "no IKE keys yet");
  return decode_protected(d.payload, keys->inbound(initiator));
}

void Ikev2Sa::send_wire(const Bytes& wire, const Endpoint& from, const Endpoint& to) {
  owner.env().send({from, to, wire});
}

void Ikev2Sa::on_datagram(const Datagram& d, TimePoint now) {
  auto h = decode_header(d.payload);
  if (!h) {
    event(TunnelEvent::Kind::Debug, "dropped: " + to_string(h.error()));
    return;
  }
  // §3.1: the I flag names the sender's role; ours is the opposite.
  if (h->header.initiator == initiator) {
    event(TunnelEvent::Kind::Debug, "dropped: message with our own initiator flag");
    return;
  }
  if (h->header.response)
    handle_response(d, *h, now);
  else
    handle_request(d, *h, now);
}

void Ikev2Sa::handle_request(const Datagram& d, const WireHeader& h, TimePoint now) {
  auto id = h.header.message_id;
  switch (responses.classify(id)) {
    case ResponseWindow::Verdict::Retransmit:
      // §2.1: a retransmitted request gets the stored response, unprocessed.
      if (!responses.last_response().empty()) send_wire(responses.last_response(), d.local, d.remote);
      return;
    case ResponseWindow::Verdict::Drop:
      event(TunnelEvent::Kind::Debug, fmt::format("dropped request with message ID {} (expected {})",
                                                  id, responses.expected()));
      return;
    case ResponseWindow::Verdict::New:
      break;
  }
  // A closed SA that lingers still tells the peer it is gone: a request
  // sent before our DELETE reached it (a crossing rekey) gets an answer
  // instead of retransmitting into the void (§2.25).
  if (state == SaState::Closed && (!keys || h.header.exchange == ExchangeType::IkeSaInit)) return;
  auto m = open(d, h);
  std::optional<std::vector<Payload>> payloads;
  if (m && h.header.exchange != ExchangeType::IkeSaInit) {
    // A new request: the peer has our previous answers on this SA (§2.3,
    // window 1), and with them the CHILD SAs they created.
    auto confirm = [&](std::vector<ChildSa>& list) {
      for (auto& c : list)
        if (c.made_on == local_spi() && id > c.made_by) c.confirmed = true;
    };
    confirm(child_sas);
    if (auto* next = heir()) confirm(next->child_sas);
  }
  if (!m) {
    event(TunnelEvent::Kind::Debug, fmt::format("dropped {} request: {}",
                                                to_string(h.header.exchange), to_string(m.error())));
    // §2.21.2: only authenticated content earns an error answer.
    auto notify = m.error().inner ? error_notify(m.error()) : std::nullopt;
    if (!notify) {
      if (h.header.exchange == ExchangeType::IkeSaInit && !initiator) end({true, "malformed IKE_SA_INIT"}, now, false);
      return;
    }
    payloads = std::vector<Payload>{NotifyPayload::make(*notify, error_notify_data(m.error()))};
  } else {
    if (h.header.exchange == ExchangeType::IkeSaInit)
      init_request = d.payload;  // §2.15: AUTH signs the real message
    else
      maybe_float(d);
    alive(now);
    payloads = respond(*m, d, now);
  }
  if (!payloads) return;
  Message reply;
  reply.header = header_for(h.header.exchange, id, true);
  // §2.6: an IKE_SA_INIT answer that keeps no state (COOKIE-like errors:
  // INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN) names no responder SPI.
  if (h.header.exchange == ExchangeType::IkeSaInit && state == SaState::Closed) reply.header.spi_r = 0;
  reply.payloads = std::move(*payloads);
  auto wire = seal(reply);
  if (!wire) {
    event(TunnelEvent::Kind::Warning, "cannot build response: " + wire.error().message);
    return;
  }
  if (h.header.exchange == ExchangeType::IkeSaInit) init_response = *wire;
  responses.answered(id, *wire);
  send_wire(*wire, d.local, d.remote);
  pump(now);
  hand_over(now);
}

std::optional<std::vector<Payload>> Ikev2Sa::respond(const Message& m, const Datagram& d,
                                                     TimePoint now) {
  auto ex = m.header.exchange;
  if (state == SaState::Closed) {
    if (ex == ExchangeType::CreateChildSa) return std::vector<Payload>{NotifyPayload::make(NotifyType::TemporaryFailure)};
    if (ex == ExchangeType::Informational) return std::vector<Payload>{};
    return std::nullopt;
  }
  if (ex == ExchangeType::IkeSaInit && !initiator && state == SaState::Idle)
    return respond_init(*this, m, d, now);
  if (ex == ExchangeType::IkeAuth && !initiator && state == SaState::InitDone)
    return respond_auth(*this, m, now);
  bool up = state == SaState::Established || state == SaState::Deleting;
  if (ex == ExchangeType::CreateChildSa && up) return respond_create_child(*this, m, now);
  if (ex == ExchangeType::Informational && up) return respond_informational(*this, m, now);
  // Not now (e.g. the peer is established before our IKE_AUTH response
  // arrived): no answer, the window does not move, the peer retransmits.
  event(TunnelEvent::Kind::Debug, fmt::format("ignored {} request in state {}", to_string(ex),
                                              to_string(state)));
  return std::nullopt;
}

void Ikev2Sa::handle_response(const Datagram& d, const WireHeader& h, TimePoint now) {
  if (!active || requests.pending_id() != h.header.message_id ||
      h.header.exchange != active->exchange()) {
    event(TunnelEvent::Kind::Debug, fmt::format("dropped response to unknown request {}",
                                                h.header.message_id));
    return;
  }
  auto m = open(d, h);
  if (!m) {
    event(TunnelEvent::Kind::Debug, fmt::format("dropped {} response: {}",
                                                to_string(h.header.exchange), to_string(m.error())));
    return;
  }
  if (h.header.exchange == ExchangeType::IkeSaInit)
    init_response = d.payload;
  else
    maybe_float(d);
  alive(now);
  auto outcome = active->process(*this, *m, now);
  if (outcome == TaskOutcome::Ignore) return;
  if (outcome == TaskOutcome::Again && state != SaState::Closed) {
    requests.restart();
    send_active(now);
    return;
  }
  requests.completed();
  active.reset();
  if (end_when_answered) return end({false, superseded ? "" : "deleted by peer"}, now, true);
  pump(now);
  hand_over(now);
}

void Ikev2Sa::alive(TimePoint now) {
  heard = now;
  dpd_deadline.reset();
  // The peer talks to us here: it has the SA. Held requests go out once
  // this message is dealt with (it may be the DELETE of this very SA).
  hold_requests_until.reset();
}

void Ikev2Sa::release_requests(TimePoint now) {
  hold_requests_until.reset();
  pump(now);
}

void Ikev2Sa::maybe_float(const Datagram& d) {
  // RFC 7296 §2.23: with a NAT in between, follow the peer's address and
  // port as seen on authenticated messages.
  if (!nat.any() && d.local.port != owner.gateway().nat_t_port) return;
  remote = d.remote;
  local = d.local;
}

void Ikev2Sa::enqueue(std::unique_ptr<Task> task, TimePoint now) {
  queue.push_back(std::move(task));
  pump(now);
}

void Ikev2Sa::pump(TimePoint now) {
  if (state == SaState::Closed || hold_requests_until) return;
  while (!active && !requests.busy() && !queue.empty()) {
    active = std::move(queue.front());
    queue.pop_front();
    send_active(now);
  }
}

void Ikev2Sa::send_active(TimePoint now) {
  auto payloads = active->build(*this, now);
  if (!payloads || state == SaState::Closed) {
    active.reset();
    return;
  }
  auto ex = active->exchange();
  auto id = ex == ExchangeType::IkeSaInit ? 0 : requests.next_id();
  Message m;
  m.header = header_for(ex, id, false);
  m.payloads = std::move(*payloads);
  auto wire = seal(m);
  if (!wire) {
    active->abort(*this);
    active.reset();
    fail("cannot build " + to_string(ex) + " request: " + wire.error().message, now);
    return;
  }
  if (ex == ExchangeType::IkeSaInit) init_request = *wire;
  requests.sent(id, *wire, now, retransmit_policy());
  send_wire(*wire, local, remote);
}

// ---- timers -------------------------------------------------------------------

void Ikev2Sa::on_timer(TimePoint now) {
  if (done) return;
  if (expires_at && now >= *expires_at) {
    if (state == SaState::Closed) {
      done = true;
      return;
    }
    // Only half-open responder SAs carry a deadline besides lingering.
    end({true, "half-open IKE SA timed out waiting for IKE_AUTH"}, now, false);
    return;
  }
  if (dpd_deadline && now >= *dpd_deadline) {
    if (state == SaState::Established && !superseded) return peer_dead(now);
    dpd_deadline.reset();  // the SA is going anyway
  }
  lifetime_timers(now);
  if (state == SaState::Closed) return;
  switch (requests.on_timer(now, retransmit_policy())) {
    case RequestWindow::Due::Nothing: break;
    case RequestWindow::Due::Resend:
      ++owner.counters().retransmits;
      event(TunnelEvent::Kind::Debug, fmt::format("retransmitting {} (try {})", active ? active->name() : "request",
                                                  requests.transmissions()));
      send_wire(requests.wire(), local, remote);
      break;
    case RequestWindow::Due::GiveUp:
      give_up(now);
      break;
  }
}

void Ikev2Sa::peer_dead(TimePoint now) {
  dpd_deadline.reset();
  end({true,
       fmt::format("DPD: no answer from {} to liveness checks ({}s timeout)", remote.to_string(),
                   config().dpd.timeout.count()),
       true},
      now, false);
}

bool Ikev2Sa::probe_liveness(TimePoint now, std::chrono::milliseconds budget) {
  if (state != SaState::Established || superseded || dpd_deadline) return true;
  dpd_deadline = now + budget;
  dpd_budget = budget;
  event(TunnelEvent::Kind::Debug, "DPD: nothing from the peer lately, checking liveness");
  // RFC 7296 §2.4: an empty INFORMATIONAL; an exchange in flight (or
  // queued) asks the same question, so nothing more is needed then.
  if (!active && queue.empty()) enqueue(make_liveness_task(), now);
  if (hold_requests_until) release_requests(now);  // the question cannot wait
  return true;
}

void Ikev2Sa::give_up(TimePoint now) {
  if (active && active->liveness() && state == SaState::Established) return peer_dead(now);
  std::string name = active ? std::string(active->name()) : "request";
  auto tries = requests.transmissions();
  if (state == SaState::Deleting) {
    // end() passes a CHILD SA DELETE on to the heir and aborts the rest.
    end({false, "deleted (the peer did not confirm)"}, now, false);
    return;
  }
  if (active) active->abort(*this);
  requests.restart();
  active.reset();
  fail(fmt::format("no response to {} after {} transmissions, giving up", name, tries), now);
}

std::optional<TimePoint> Ikev2Sa::next_deadline() const {
  if (done) return std::nullopt;
  std::optional<TimePoint> best;
  auto consider = [&](std::optional<TimePoint> d) {
    if (d && (!best || *d < *best)) best = d;
  };
  for (auto d : {requests.deadline(), expires_at, dpd_deadline, hard_expiry_at, hold_requests_until}) consider(d);
  if (state == SaState::Established && !superseded) {
    consider(rekey_at);
    for (const auto& r : retries) consider(r.at);
  }
  return best;
}

// ---- lifecycle ------------------------------------------------------------------

void Ikev2Sa::start(TimePoint now) {
  if (state != SaState::Idle || !initiator) return;
  queue.push_front(make_init_task());
  pump(now);
}

void Ikev2Sa::establish(TimePoint now) {
  state = SaState::Established;
  established = now;
  expires_at.reset();
  start_lifetime(now);
  event(TunnelEvent::Kind::Info,
        fmt::format("IKE SA established as {} with {} ({}), SPIs {:016x}/{:016x}{}",
                    initiator ? "initiator" : "responder", remote.to_string(),
                    suite ? to_string(*suite) : "?", spi_i, spi_r, nat.any() ? ", NAT detected" : ""));
  owner.ike_established(*this, now);
}

void Ikev2Sa::end(IkeSaEnd why, TimePoint now, bool linger) {
  if (state == SaState::Closed) return;
  hand_over(now);  // a rekeyed SA's pending work lives on in its heir
  retries.clear();
  // The peer deleted (or we dropped) the SA it rekeyed: it has our answer.
  if (auto* next = superseded ? heir() : nullptr; next && next->hold_requests_until) next->release_requests(now);
  if (auto* next = superseded && active && active->resend_on_successor() ? heir() : nullptr) {
    requests.restart();
    next->queue.push_front(std::move(active));
    next->pump(now);
  }
  for (auto& t : queue) t->abort(*this);
  queue.clear();
  if (active) active->abort(*this);
  requests.restart();
  while (!child_sas.empty()) remove_child(child_sas.back().spi_in, false);
  state = SaState::Closed;
  done = !linger;
  expires_at = linger ? std::optional<TimePoint>(now + owner.options().linger) : std::nullopt;
  owner.ike_ended(*this, why, now);
}

void Ikev2Sa::close(TimePoint now) {
  if (state == SaState::Established) {
    for (auto& t : queue) t->abort(*this);
    queue.clear();
    // Our side stops at once: children leave the kernel now, the DELETE
    // (§1.4.1) tells the peer and its response ends the SA.
    while (!child_sas.empty()) remove_child(child_sas.back().spi_in, false);
    state = SaState::Deleting;
    enqueue(make_delete_ike_task({false, "deleted"}), now);
    return;
  }
  if (state != SaState::Deleting && state != SaState::Closed)
    end({false, "closed before it was established"}, now, false);
}

void Ikev2Sa::abandon(const std::string& reason, TimePoint now) { end({false, reason}, now, false); }

bool Ikev2Sa::finished() const { return done; }

// ---- children -----------------------------------------------------------------

void Ikev2Sa::create_child(std::size_t mapping_index, TimePoint now) {
  if (state == SaState::Closed || state == SaState::Deleting || has_child_for(mapping_index)) return;
  enqueue(make_create_child_task(mapping_index), now);
}

bool Ikev2Sa::has_child_for(std::size_t mapping_index) const {
  for (const auto& c : child_sas)
    if (c.mapping_index == mapping_index && c.state != ChildState::Deleting) return true;
  if (active && active->mapping() == mapping_index) return true;
  for (const auto& t : queue)
    if (t->mapping() == mapping_index) return true;
  return false;
}

bool Ikev2Sa::owns_child_spi(std::uint32_t spi) const {
  return std::any_of(child_sas.begin(), child_sas.end(),
                     [&](const ChildSa& c) { return c.spi_in == spi || c.spi_out == spi; });
}

void Ikev2Sa::on_child_expire(std::uint32_t spi, bool hard, TimePoint now) {
  auto* c = child_by_inbound(spi);
  if (!c) c = child_by_outbound(spi);
  if (!c || state != SaState::Established) return;
  auto spi_in = c->spi_in;
  auto mapping = c->mapping_index;
  if (!hard) {
    // Make before break (§1.3.3): the replacement first, then the DELETE.
    // Both SAs of the pair expire; the first event starts the rekey.
    if (c->state != ChildState::Installed) return;
    c->state = ChildState::Rekeying;
    event(TunnelEvent::Kind::Info, fmt::format("rekeying CHILD_SA {:08x}/{:08x}", c->spi_in, c->spi_out));
    enqueue(make_create_child_task(mapping, spi_in), now);
    return;
  }
  if (c->state == ChildState::Deleting) return;
  event(TunnelEvent::Kind::Info, fmt::format("CHILD_SA {:08x}/{:08x} expired", c->spi_in, c->spi_out));
  c->state = ChildState::Deleting;
  // The mapping gets a fresh CHILD SA (unless a replacement is there
  // already), then the peer hears of the dead one (§1.4.1); in this order
  // the mapping's policies never leave the kernel.
  create_child(mapping, now);
  enqueue(make_delete_child_task({spi_in}), now);
}

std::size_t Ikev2Sa::mapping_count() const { return config().mappings.size(); }

std::optional<UdpEncap> Ikev2Sa::child_encap() const {
  if (!nat.any()) return std::nullopt;
  return UdpEncap{local.port, remote.port};
}

Result<std::uint32_t> Ikev2Sa::allocate_spi(std::size_t mapping_index) {
  return owner.env().kernel().allocate_spi(remote.address, local.address, owner.reqid(mapping_index));
}

Status Ikev2Sa::install_child(ChildMaterial material, std::size_t mapping_index, TimePoint now,
                              std::optional<std::uint32_t> replaces) {
  ChildSa record;
  record.confirmed = material.we_initiated;
  record.made_on = local_spi();
  record.made_by = responses.expected();  // the request being answered
  record.replaces = replaces;
  record.outbound_installed = !replaces;
  record.mapping_index = mapping_index;
  record.spi_in = material.spi_in;
  record.spi_out = material.spi_out;
  record.suite = material.suite;
  record.selectors = material.selectors;
  record.established = now;
  record.lifetime = config().ipsec.lifetime;
  record.udp_encap = nat.any();
  material.reqid = owner.reqid(mapping_index);
  auto child = to_negotiated(std::move(material), local.address, remote.address, child_encap(),
                             child_lifetime(config().ipsec, random()));
  child.defer_outbound = replaces.has_value();
  if (auto st = owner.install_child(child, now); !st) return st;
  auto* h = heir();
  (h ? h->child_sas : child_sas).push_back(std::move(record));
  return {};
}

// CHILD SAs are looked up here and then in the heir: an exchange that
// began on a rekeyed SA may finish after its CHILD SAs moved (§2.18).
ChildSa* Ikev2Sa::child_by_inbound(std::uint32_t spi) {
  for (auto& c : child_sas)
    if (c.spi_in == spi) return &c;
  auto* h = heir();
  return h ? h->child_by_inbound(spi) : nullptr;
}

ChildSa* Ikev2Sa::child_by_outbound(std::uint32_t spi) {
  for (auto& c : child_sas)
    if (c.spi_out == spi) return &c;
  auto* h = heir();
  return h ? h->child_by_outbound(spi) : nullptr;
}

bool Ikev2Sa::settled(const ChildSa& c, TimePoint now) const {
  if (c.confirmed) return true;
  auto p = retransmit_policy();
  auto budget = p.timeout * ((std::int64_t{1} << std::min(p.tries, 16u)) - 1);
  return now - c.established > budget;
}

void Ikev2Sa::promote_replacement(std::uint32_t replaced) {
  auto promote = [&](std::vector<ChildSa>& list) {
    for (auto& c : list) {
      if (c.replaces != replaced || c.outbound_installed || c.redundant) continue;
      c.outbound_installed = true;
      if (auto st = owner.install_outbound(c.spi_in); !st)
        event(TunnelEvent::Kind::Warning, fmt::format("CHILD_SA {:08x}/{:08x}: outbound SA: {}", c.spi_in,
                                                      c.spi_out, st.error().message));
    }
  };
  promote(child_sas);
  if (auto* h = heir()) promote(h->child_sas);
}

void Ikev2Sa::remove_child(std::uint32_t spi_in, bool promote) {
  // Make before break: the replacement's outbound SA before the old pair goes.
  if (promote) promote_replacement(spi_in);
  owner.remove_child(spi_in);
  std::erase_if(child_sas, [&](const ChildSa& c) { return c.spi_in == spi_in; });
  if (auto* h = heir()) std::erase_if(h->child_sas, [&](const ChildSa& c) { return c.spi_in == spi_in; });
}

// ---- status ---------------------------------------------------------------------

void Ikev2Sa::fill_status(TunnelStatus& s) const {
  s.version = IkeVersion::V2;
  s.ike_spi_i = spi_i;
  s.ike_spi_r = spi_r;
  s.nat_detected = nat.any();
  if (state == SaState::Established || state == SaState::Deleting) s.established = established;
  s.ike_rekey_at = rekey_at;
  s.ike_expires_at = hard_expiry_at;
  if (suite) {
    s.ike_encryption = crypto::name(suite->encr);
    s.ike_integrity = suite->integ ? std::string(crypto::name(*suite->integ)) : "";
    s.ike_prf = crypto::name(suite->prf);
    s.ike_dh_group = static_cast<std::uint16_t>(suite->dh);
  }
}

std::vector<ChildView> Ikev2Sa::children() const {
  std::vector<ChildView> out;
  for (const auto& c : child_sas) out.push_back(to_view(c));
  return out;
}

}  // namespace ike::v2
