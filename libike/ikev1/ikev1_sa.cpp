#include "libike/ikev1/ikev1_sa.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "libike/common/reader.hpp"

namespace ike::v1 {
namespace {

std::uint64_t cookie_value(const Cookie& c) {
  Reader r(c);
  return r.u64().value_or(0);
}

Cookie cookie_of(std::uint64_t v) {
  Cookie c{};
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  return c;
}

Result<Bytes> encode_plain(const Message& m) {
  auto wire = encode(m);
  if (!wire) return fail(to_string(wire.error()));
  return std::move(*wire);
}

}  // namespace

std::string_view to_string(SaState s) {
  switch (s) {
    case SaState::Idle: return "idle";
    case SaState::MmSaSent: return "Main Mode 1 sent";
    case SaState::MmKeSent: return "Main Mode 3 sent";
    case SaState::MmAuthSent: return "Main Mode 5 sent";
    case SaState::MmSaAnswered: return "Main Mode 2 sent";
    case SaState::MmKeAnswered: return "Main Mode 4 sent";
    case SaState::AmSent: return "Aggressive Mode 1 sent";
    case SaState::AmAnswered: return "Aggressive Mode 2 sent";
    case SaState::Established: return "established";
    case SaState::Closed: return "closed";
  }
  return "unknown";
}

Ikev1Sa::Ikev1Sa(IkeSaOwner& o, bool is_init, std::uint64_t local_cookie, TimePoint now)
    : owner(o), initiator(is_init), mode(o.config().exchange_mode), created(now) {
  (initiator ? cky_i : cky_r) = cookie_of(local_cookie);
  local = {o.config().local_address, o.gateway().ike_port};
  remote = {o.config().peer_address, o.gateway().ike_port};
}

Ikev1Sa::~Ikev1Sa() = default;

std::uint64_t Ikev1Sa::local_spi() const { return cookie_value(initiator ? cky_i : cky_r); }
std::uint64_t Ikev1Sa::remote_spi() const { return cookie_value(initiator ? cky_r : cky_i); }

IkeSaPhase Ikev1Sa::phase() const {
  switch (state) {
    // An ISAKMP SA we initiated is up for the tunnel once its first quick
    // mode is through, as an IKEv2 SA is with its first CHILD SA: until
    // then nothing can be carried (`kitectl up` waits for this).
    case SaState::Established:
      return initiator && child_sas.empty() && first_quick_mode_pending() ? IkeSaPhase::Connecting
                                                                          : IkeSaPhase::Established;
    case SaState::Closed: return IkeSaPhase::Closed;
    default: return IkeSaPhase::Connecting;
  }
}

bool Ikev1Sa::first_quick_mode_pending() const {
  if (!waiting.empty()) return true;
  return std::any_of(quick_modes.begin(), quick_modes.end(),
                     [](const auto& qm) { return qm->initiator && qm->state == QmState::Sent1; });
}

RetransmitPolicy Ikev1Sa::retransmit_policy() const {
  return {owner.options().retransmit_timeout, std::max(1u, owner.options().retransmit_tries)};
}

void Ikev1Sa::event(TunnelEvent::Kind kind, const std::string& message) {
  owner.env().event({kind, config().name, message});
}

// ---- messages -----------------------------------------------------------------

Header Ikev1Sa::header(ExchangeType exchange, std::uint32_t message_id) const {
  Header h;
  h.initiator_cookie = cky_i;
  h.responder_cookie = cky_r;
  h.exchange = exchange;
  h.message_id = message_id;
  return h;
}

std::uint32_t Ikev1Sa::new_message_id() {
  // RFC 2409 §5.5: a random, unique message ID per exchange (0 is phase 1).
  for (;;) {
    auto id = random().u32();
    if (id != 0 && !find_quick_mode(id)) return id;
  }
}

void Ikev1Sa::send_wire(const Bytes& wire) { owner.env().send({local, remote, wire}); }

void Ikev1Sa::send_phase1(std::vector<Payload> payloads, bool encrypt, bool await, TimePoint now) {
  Message m;
  m.header = header(mode == ExchangeMode::Main ? kMainMode : ExchangeType::Aggressive, 0);
  m.payloads = std::move(payloads);
  auto wire = encrypt ? p1.crypto->seal(m, p1.crypto->phase1_iv) : encode_plain(m);
  if (!wire) {
    fail("cannot build a phase-1 message: " + wire.error().message, now);
    return;
  }
  p1_flight.sent(*wire, now, await, retransmit_policy());
  send_wire(*wire);
}

void Ikev1Sa::send_informational(std::vector<Payload> body, bool plaintext) {
  auto id = new_message_id();
  Message m;
  m.header = header(ExchangeType::Informational, id);
  Result<Bytes> wire = ike::fail("unset");
  if (plaintext || !p1.crypto) {
    m.payloads = std::move(body);
    wire = encode_plain(m);
  } else {
    // RFC 2409 §5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D), then encrypted
    // with the IV of this exchange (Appendix B).
    auto payloads = prepend_hash(std::move(body), [&](ByteView following) {
      return p1.crypto->prf_a(informational_hash_input(id, following));
    });
    if (payloads) {
      m.payloads = std::move(*payloads);
      auto iv = p1.crypto->exchange_iv(id);
      wire = p1.crypto->seal(m, iv);
    }
  }
  if (!wire) {
    event(TunnelEvent::Kind::Warning, "cannot build an informational message: " + wire.error().message);
    return;
  }
  send_wire(*wire);
}

NotificationPayload Ikev1Sa::isakmp_notify(NotifyType type, Bytes data) const {
  return NotificationPayload{kDoiIpsec, ProtocolId::Isakmp, type, concat(cky_i, cky_r), std::move(data)};
}

DeletePayload Ikev1Sa::isakmp_delete() const {
  return DeletePayload{kDoiIpsec, ProtocolId::Isakmp, 16, {concat(cky_i, cky_r)}};
}

void Ikev1Sa::reject(NotifyType type, const std::string& reason, TimePoint now, bool plaintext) {
  send_informational({isakmp_notify(type)}, plaintext);
  // A peer that considers itself done with phase 1 learns it is not.
  if (!plaintext && p1.crypto) send_informational({isakmp_delete()});
  fail(fmt::format("{}; sent {}", reason, name(type)), now);
}

void Ikev1Sa::resend(const Flight& flight, std::string_view what) {
  if (flight.last_sent().empty()) return;
  if (!flight.answered())
    return event(TunnelEvent::Kind::Debug, fmt::format("dropped: peer repeated its {}, which needs no answer", what));
  ++owner.counters().retransmits;
  event(TunnelEvent::Kind::Debug, fmt::format("peer repeated its {}: resending our answer", what));
  send_wire(flight.last_sent());
}

// ---- receiving ------------------------------------------------------------------

void Ikev1Sa::on_datagram(const Datagram& d, TimePoint now) {
  if (state == SaState::Closed) return;
  auto h = decode_header(d.payload);
  if (!h) {
    event(TunnelEvent::Kind::Debug, "dropped: " + to_string(h.error()));
    return;
  }
  const auto& hdr = h->header;
  static constexpr Cookie kZero{};
  bool cky_r_ok = hdr.responder_cookie == cky_r || (initiator && state == SaState::Idle) ||
                  (initiator && cky_r == kZero) || (!initiator && hdr.responder_cookie == kZero);
  if (hdr.initiator_cookie != cky_i || !cky_r_ok) {
    event(TunnelEvent::Kind::Debug, "dropped: cookies of another ISAKMP SA");
    return;
  }
  switch (hdr.exchange) {
    case ExchangeType::IdentityProtection:
    case ExchangeType::Aggressive: on_phase1(d, *h, now); break;
    case ExchangeType::QuickMode: on_quick_mode(d, *h, now); break;
    case ExchangeType::Informational: on_informational(d, *h, now); break;
    default:
      event(TunnelEvent::Kind::Debug, fmt::format("dropped: {} exchange not supported", name(hdr.exchange)));
  }
}

bool Ikev1Sa::awaiting_phase1() const {
  return state != SaState::Established && state != SaState::Closed && !(initiator && state == SaState::Idle);
}

void Ikev1Sa::on_phase1(const Datagram& d, const WireHeader& h, TimePoint now) {
  auto expected = mode == ExchangeMode::Main ? kMainMode : ExchangeType::Aggressive;
  if (h.header.exchange != expected) {
    if (!initiator && state == SaState::Idle)
      return reject(NotifyType::InvalidExchangeType,
                    fmt::format("peer began {}; the tunnel is configured for {}", name(h.header.exchange),
                                name(expected)),
                    now, true);
    return event(TunnelEvent::Kind::Debug, "dropped: phase-1 message of the other mode");
  }
  if (p1_flight.is_duplicate(d.payload)) return resend(p1_flight, "last phase-1 message");
  if (!awaiting_phase1()) return event(TunnelEvent::Kind::Debug, "dropped: phase-1 message after phase 1");
  ParseResult<Message> m = parse_fail(ParseErrc::DecryptFailed, 0, PayloadType::None, "no phase-1 keys yet");
  if (!h.header.encrypted())
    m = decode(d.payload);
  else if (p1.crypto)
    m = p1.crypto->open(d.payload, p1.crypto->phase1_iv);
  if (!m) return on_phase1_unreadable(m.error(), h, now);
  p1_flight.received(d.payload);
  maybe_float(d);
  if (mode == ExchangeMode::Main)
    main_mode_process(*this, *m, d, now);
  else
    aggressive_mode_process(*this, *m, d, now);
}

void Ikev1Sa::on_phase1_unreadable(const ParseError& e, const WireHeader& h, TimePoint now) {
  // RFC 2409 §5.4: MM5 is the first message under keys that depend on the
  // pre-shared key; garbage there almost always means the keys differ.
  if (h.header.encrypted() && p1.crypto && (state == SaState::MmKeAnswered || state == SaState::AmAnswered))
    return reject(NotifyType::AuthenticationFailed,
                  "authentication failed: the peer's encrypted phase-1 message does not decrypt "
                  "(pre-shared keys differ?)",
                  now, true);
  if (!initiator && state == SaState::Idle)
    return reject(to_notify(e), "malformed first phase-1 message: " + to_string(e), now, true);
  event(TunnelEvent::Kind::Debug, "dropped phase-1 message: " + to_string(e));
}

void Ikev1Sa::on_quick_mode(const Datagram& d, const WireHeader& h, TimePoint now) {
  auto id = h.header.message_id;
  if (state != SaState::Established || !h.header.encrypted() || id == 0)
    return event(TunnelEvent::Kind::Debug, "dropped: quick mode message out of place");
  auto* qm = find_quick_mode(id);
  if (qm && qm->flight.is_duplicate(d.payload)) return resend(qm->flight, "last quick mode message");
  if (qm && qm->state == QmState::Done) return event(TunnelEvent::Kind::Debug, "dropped: quick mode is over");
  Bytes iv = qm ? qm->iv : p1.crypto->exchange_iv(id);
  auto m = p1.crypto->open(d.payload, iv);
  // RFC 2409 §5.5: unauthenticated quick mode messages are dropped, and
  // nothing of the exchange (its IV) moves.
  if (!m || !quick_mode_hash_ok(*this, qm, *m))
    return event(TunnelEvent::Kind::Debug, "dropped: quick mode message does not decrypt or verify");
  maybe_float(d);
  alive(now);
  if (!qm) return quick_mode_request(*this, *m, id, std::move(iv), d.payload, now);
  qm->iv = std::move(iv);
  qm->flight.received(d.payload);
  if (qm->initiator && qm->state == QmState::Sent1) quick_mode_response(*this, *qm, *m, now);
  else if (!qm->initiator && qm->state == QmState::Sent2) quick_mode_final(*this, *qm, now);
}

void Ikev1Sa::on_informational(const Datagram& d, const WireHeader& h, TimePoint now) {
  if (!h.header.encrypted()) {
    auto m = decode(d.payload);
    if (m) informational_received(*this, *m, false, now);
    return;
  }
  if (!p1.crypto) return event(TunnelEvent::Kind::Debug, "dropped: encrypted informational before keys");
  auto iv = p1.crypto->exchange_iv(h.header.message_id);
  auto m = p1.crypto->open(d.payload, iv);
  auto following = m ? bytes_after_hash(*m) : ParseResult<Bytes>(parse_fail(ParseErrc::BadValue, 0, PayloadType::Hash, ""));
  const auto* hash = m && following ? std::get_if<HashPayload>(&m->payloads.front()) : nullptr;
  // RFC 2409 §5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D) must verify.
  if (!hash || !equal_constant_time(hash->data, p1.crypto->prf_a(informational_hash_input(
                                                     h.header.message_id, *following)))) {
    // During phase 1 a peer with other keys answers our encrypted message
    // with an error under its keys (strongSwan: PAYLOAD-MALFORMED): the
    // pre-shared keys differ, and waiting for retransmissions helps nobody.
    if (state != SaState::Established)
      return fail("AUTHENTICATION-FAILED: the peer's encrypted notify does not decrypt (pre-shared keys differ?)",
                  now);
    return event(TunnelEvent::Kind::Debug, "dropped: informational message does not decrypt or verify");
  }
  alive(now);  // R-U-THERE-ACK or anything else authenticated (RFC 3706 §5.3)
  informational_received(*this, *m, true, now);
}

void Ikev1Sa::maybe_float(const Datagram& d) {
  // RFC 3947 §4: once on port 4500 (or behind a NAT), follow the peer's
  // address and port as authenticated messages show them.
  if (!nat.any() && d.local.port != owner.gateway().nat_t_port) return;
  local = d.local;
  remote = d.remote;
}

// ---- timers -----------------------------------------------------------------------

void Ikev1Sa::on_timer(TimePoint now) {
  if (done) return;
  if (expires_at && now >= *expires_at && state != SaState::Established)
    return fail(fmt::format("phase 1 timed out ({})", to_string(state)), now);
  switch (p1_flight.on_timer(now, retransmit_policy())) {
    case Flight::Due::Nothing: break;
    case Flight::Due::Resend:
      ++owner.counters().retransmits;
      event(TunnelEvent::Kind::Debug, fmt::format("retransmitting ({}, try {})", to_string(state),
                                                  p1_flight.transmissions()));
      send_wire(p1_flight.last_sent());
      break;
    case Flight::Due::GiveUp:
      return fail(fmt::format("no answer from the peer after {} transmissions ({})", p1_flight.transmissions(),
                              to_string(state)),
                  now);
  }
  quick_mode_timers(now);
  dpd_timer(now);
  if (state == SaState::Established) rekey_timers(now);
  if (!done) lifetime_timers(now);  // phase1_rekey.cpp
}

void Ikev1Sa::quick_mode_timers(TimePoint now) {
  for (std::size_t i = 0; i < quick_modes.size() && state != SaState::Closed; ++i) {
    auto& qm = *quick_modes[i];
    switch (qm.flight.on_timer(now, retransmit_policy())) {
      case Flight::Due::Nothing: break;
      case Flight::Due::Resend:
        ++owner.counters().retransmits;
        send_wire(qm.flight.last_sent());
        break;
      case Flight::Due::GiveUp: {
        auto why = fmt::format("no answer to quick mode {:08x} after {} transmissions", qm.message_id,
                               qm.flight.transmissions());
        // An initiator whose peer went silent gives the whole SA up, as IKEv2 does.
        if (qm.initiator) return fail(why, now);
        quick_mode_failed(*this, qm, why, now);
      }
    }
  }
  std::erase_if(quick_modes, [&](const auto& q) { return q->forget_at && now >= *q->forget_at; });
}

std::optional<TimePoint> Ikev1Sa::next_deadline() const {
  if (done) return std::nullopt;
  std::optional<TimePoint> best = state == SaState::Established ? std::nullopt : expires_at;
  auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!best || *t < *best)) best = t;
  };
  consider(p1_flight.deadline());
  if (state == SaState::Established) {
    consider(heir_spi ? retire_deadline() : rekey_at);
    if (!heir_spi) consider(hard_expiry_at);
  }
  if (dpd && state == SaState::Established) consider(std::min(dpd->next_send, dpd->deadline));
  for (const auto& c : child_sas) {
    consider(c.outbound_at);
    consider(c.gone_at);
  }
  for (const auto& qm : quick_modes) {
    consider(qm->flight.deadline());
    consider(qm->forget_at);
  }
  return best;
}

// ---- lifecycle ----------------------------------------------------------------------

void Ikev1Sa::start(TimePoint now) {
  if (state != SaState::Idle || !initiator) return;
  expires_at = now + owner.options().half_open_timeout + retransmit_policy().timeout * 32;
  if (mode == ExchangeMode::Main)
    main_mode_start(*this, now);
  else
    aggressive_mode_start(*this, now);
}

void Ikev1Sa::establish(TimePoint now) {
  state = SaState::Established;
  up_since = now;
  heard = now;
  expires_at.reset();
  start_lifetime(now);
  event(TunnelEvent::Kind::Info,
        fmt::format("ISAKMP SA established as {} with {} ({} Mode, {}), cookies {:016x}/{:016x}{}",
                    initiator ? "initiator" : "responder", remote.to_string(),
                    mode == ExchangeMode::Main ? "Main" : "Aggressive", to_string(*p1.suite),
                    cookie_value(cky_i), cookie_value(cky_r), nat.any() ? ", NAT detected" : ""));
  owner.ike_established(*this, now);
  if (state != SaState::Established) return;
  // RFC 2407 §4.6.3.3: INITIAL-CONTACT when this is our only SA with the peer.
  if (initiator && !owner.has_other_ike_sa(*this))
    send_informational({isakmp_notify(NotifyType::InitialContact)});
  if (initiator && !is_heir)
    for (std::size_t i = 0; i < config().mappings.size(); ++i) create_child(i, now);
  auto queued = std::move(waiting);
  waiting.clear();
  for (auto i : queued) create_child(i, now);
}

void Ikev1Sa::end(IkeSaEnd why, TimePoint now) {
  if (state == SaState::Closed) return;
  for (auto& qm : quick_modes)
    if (qm->state != QmState::Done && qm->spi_in) owner.release_spi(qm->spi_in);
  quick_modes.clear();
  while (!child_sas.empty()) remove_child(child_sas.back().spi_in);
  state = SaState::Closed;
  done = true;
  expires_at.reset();
  p1_flight.stop();
  owner.ike_ended(*this, why, now);
}

void Ikev1Sa::close(TimePoint now) {
  if (state == SaState::Established) {
    // RFC 2409 §5.7 / RFC 2408 §3.15: Delete payloads need no answer; our
    // inbound SPIs first, then the ISAKMP SA.
    std::vector<Bytes> spis;
    for (const auto& c : child_sas) {
      Bytes spi;
      Writer(spi).u32(c.spi_in);
      spis.push_back(std::move(spi));
    }
    if (!spis.empty()) send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, std::move(spis)}});
    send_informational({isakmp_delete()});
  } else if (state != SaState::Closed && p1.crypto) {
    // Mid phase 1 with keys: the peer may already consider itself done.
    send_informational({isakmp_delete()});
  }
  end({false, ""}, now);
}

void Ikev1Sa::abandon(const std::string& reason, TimePoint now) { end({false, reason}, now); }

// ---- IPsec SAs ---------------------------------------------------------------------

void Ikev1Sa::create_child(std::size_t mapping_index, TimePoint now) {
  if (state == SaState::Closed || has_child_for(mapping_index)) return;
  if (mapping_index >= config().mappings.size()) return;
  if (state != SaState::Established) {
    waiting.push_back(mapping_index);
    return;
  }
  quick_mode_start(*this, mapping_index, now);
}

bool Ikev1Sa::has_child_for(std::size_t mapping_index) const {
  for (const auto& c : child_sas)
    if (c.mapping_index == mapping_index) return true;
  for (const auto& qm : quick_modes)
    if (qm->initiator && qm->state == QmState::Sent1 && qm->mapping_index == mapping_index) return true;
  return std::find(waiting.begin(), waiting.end(), mapping_index) != waiting.end();
}

bool Ikev1Sa::owns_child_spi(std::uint32_t spi) const {
  return std::any_of(child_sas.begin(), child_sas.end(),
                     [&](const Ikev1Child& c) { return c.spi_in == spi || c.spi_out == spi; });
}

void Ikev1Sa::on_child_expire(std::uint32_t spi, bool hard, TimePoint now) {
  auto it = std::find_if(child_sas.begin(), child_sas.end(),
                         [&](const Ikev1Child& c) { return c.spi_in == spi || c.spi_out == spi; });
  if (it == child_sas.end()) return;
  if (!hard) return rekey_child(*it, now);  // rekey.cpp
  event(TunnelEvent::Kind::Info, fmt::format("IPsec SA {:08x}/{:08x} expired", it->spi_in, it->spi_out));
  auto spi_in = it->spi_in;
  // A replacement waiting for its outbound SA takes over now.
  for (const auto& c : child_sas)
    if (c.replaces == spi_in && c.outbound_at) {
      finish_rekey(c.spi_in, now);
      return;
    }
  // RFC 2408 §3.15: tell the peer the pair is gone.
  if (state == SaState::Established) {
    Bytes b;
    Writer(b).u32(spi_in);
    send_informational({DeletePayload{kDoiIpsec, ProtocolId::Esp, 4, {std::move(b)}}});
  }
  remove_child(spi_in);
}

Result<std::uint32_t> Ikev1Sa::allocate_spi(std::size_t mapping_index) {
  return owner.env().kernel().allocate_spi(remote.address, local.address, owner.reqid(mapping_index));
}

std::optional<UdpEncap> Ikev1Sa::child_encap() const {
  if (!nat.any()) return std::nullopt;
  return UdpEncap{local.port, remote.port};
}

Ikev1Child* Ikev1Sa::child_by_outbound(std::uint32_t spi) {
  for (auto& c : child_sas)
    if (c.spi_out == spi) return &c;
  return nullptr;
}

void Ikev1Sa::remove_child(std::uint32_t spi_in) {
  // Make before break: a pair we answered the rekey of this one with takes
  // over the outbound traffic first (rekey.cpp).
  for (auto& c : child_sas)
    if (c.replaces == spi_in && !c.we_initiated && state != SaState::Closed) promote(c);
  owner.remove_child(spi_in);
  std::erase_if(child_sas, [&](const Ikev1Child& c) { return c.spi_in == spi_in; });
}

QuickMode* Ikev1Sa::find_quick_mode(std::uint32_t message_id) {
  for (auto& qm : quick_modes)
    if (qm->message_id == message_id) return qm.get();
  return nullptr;
}

// ---- status -------------------------------------------------------------------------

void Ikev1Sa::fill_status(TunnelStatus& s) const {
  s.version = IkeVersion::V1;
  s.ike_spi_i = cookie_value(cky_i);
  s.ike_spi_r = cookie_value(cky_r);
  s.nat_detected = nat.any();
  if (state == SaState::Established) s.established = up_since;
  if (p1.suite) {
    s.ike_encryption = crypto::name(p1.suite->encr);
    s.ike_integrity = crypto::name(p1.suite->integ);
    s.ike_prf = crypto::name(p1.suite->prf());
    s.ike_dh_group = static_cast<std::uint16_t>(p1.suite->group);
  }
}

std::vector<ChildView> Ikev1Sa::children() const {
  std::vector<ChildView> out;
  for (const auto& c : child_sas) {
    ChildView v;
    v.spi_in = c.spi_in;
    v.spi_out = c.spi_out;
    v.selectors = {c.selectors};
    v.encryption = c.suite.encr;
    v.integrity = c.suite.integ;
    v.pfs_group = c.suite.pfs;
    v.udp_encap = c.udp_encap;
    v.established = c.established;
    v.lifetime = Seconds{static_cast<Seconds::rep>(c.suite.life_seconds)};
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace ike::v1
