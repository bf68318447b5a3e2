// ike::Engine: the tunnels of one gateway, dispatch of datagrams to their
// IKE SAs by SPI, the IKEv2 front door for new IKE_SA_INIT requests
// (cookies, RFC 7296 §2.6), reqids, timers and status.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "libike/engine/reqids.hpp"
#include "libike/engine/route_mode.hpp"
#include "libike/engine/tunnel.hpp"
#include "libike/ikev1/ikev1.hpp"
#include "libike/ikev2/codec/codec.hpp"
#include "libike/ikev2/cookie.hpp"

namespace ike {
namespace {

class EngineImpl final : public Engine, public TunnelHost {
 public:
  EngineImpl(Environment& env, GatewayConfig gateway, EngineOptions options)
      : env_(env), gateway_(std::move(gateway)), options_(options), cookies_(env.random()) {}

  ~EngineImpl() override = default;

  // ---- Engine ---------------------------------------------------------------
  Status add_tunnel(const TunnelConfig& cfg, TimePoint now) override;
  Status remove_tunnel(std::string_view name, TimePoint now) override;
  Status up(std::string_view name, TimePoint now) override;
  Status down(std::string_view name, TimePoint now) override;
  void shutdown(TimePoint now) override;
  Status rekey(std::string_view name, bool ike_sa, TimePoint now) override;
  void on_datagram(const Datagram& d, TimePoint now) override;
  void on_timer(TimePoint now) override;
  void on_acquire(const Acquire& acquire, TimePoint now) override;
  void on_expire(const Expire& expire, TimePoint now) override;
  std::optional<TimePoint> next_deadline() const override;
  std::optional<TunnelStatus> status(std::string_view name) const override;
  std::vector<TunnelStatus> status_all() const override;
  EngineCounters counters() const override;

  // ---- TunnelHost -------------------------------------------------------------
  Environment& env() override { return env_; }
  const GatewayConfig& gateway() const override { return gateway_; }
  const EngineOptions& options() const override { return options_; }
  EngineCounters& counters() override { return counters_; }
  std::uint64_t new_ike_spi() override;
  void register_sa(Tunnel& tunnel, IkeSa& sa) override;

 private:
  struct Route {
    Tunnel* tunnel = nullptr;
    IkeSa* sa = nullptr;
  };
  using HalfOpenKey = std::pair<Endpoint, std::uint64_t>;  // peer, SPIi

  Tunnel* find(std::string_view name) const;
  Tunnel* match(const Datagram& d, IkeVersion version, const std::optional<Identity>& id = {}) const;
  void dispatch_v1(const Datagram& d, TimePoint now);
  void new_v1_request(const Datagram& d, const v1::DatagramRoute& r, TimePoint now);
  void dispatch_v2(const Datagram& d, TimePoint now);
  void new_v2_request(const Datagram& d, const v2::WireHeader& h, TimePoint now);
  std::size_t half_open() const;
  void sweep();
  void drop(const std::string& why);

  Environment& env_;
  GatewayConfig gateway_;
  EngineOptions options_;
  EngineCounters counters_;
  v2::CookieJar cookies_;
  ReqidPool reqids_;
  std::vector<std::unique_ptr<Tunnel>> tunnels_;
  std::map<std::uint64_t, Route> by_spi_;  // our IKE SPI -> SA
  std::map<HalfOpenKey, Route> half_open_;  // responder SAs by the peer's SPI
};

// ---- configuration -------------------------------------------------------------

Tunnel* EngineImpl::find(std::string_view name) const {
  for (const auto& t : tunnels_)
    if (!t->removed() && t->config().name == name) return t.get();
  return nullptr;
}

Status EngineImpl::add_tunnel(const TunnelConfig& given, TimePoint now) {
  if (find(given.name)) return fail(fmt::format("tunnel {} exists already", given.name));
  // Route mode negotiates wildcard selectors (engine/route_mode.hpp); from
  // here on it is an spd tunnel whose SAs and policies carry a binding.
  TunnelConfig cfg = given;
  if (cfg.mode == TunnelMode::Route) {
    if (!cfg.route || cfg.route->interface.empty())
      return fail(fmt::format("tunnel {}: mode route needs route.interface", cfg.name));
    cfg.mappings = wildcard_mappings(cfg);
  }
  std::vector<std::uint32_t> reqids;
  for (std::size_t i = 0; i < cfg.mappings.size(); ++i) {
    auto r = reqids_.allocate();
    if (!r) {
      for (auto x : reqids) reqids_.release(x);
      return fail(fmt::format("tunnel {}: out of reqids", cfg.name));
    }
    reqids.push_back(*r);
  }
  auto tunnel = std::make_unique<Tunnel>(*this, cfg, reqids);
  auto* raw = tunnel.get();
  tunnels_.push_back(std::move(tunnel));
  if (auto st = raw->start(now); !st) {
    raw->remove(now);
    sweep();
    return fail(fmt::format("tunnel {}: {}", cfg.name, st.error().message));
  }
  sweep();
  return {};
}

Status EngineImpl::remove_tunnel(std::string_view name, TimePoint now) {
  auto* t = find(name);
  if (!t) return fail(fmt::format("no tunnel {}", name));
  t->remove(now);
  sweep();
  return {};
}

Status EngineImpl::up(std::string_view name, TimePoint now) {
  auto* t = find(name);
  if (!t) return fail(fmt::format("no tunnel {}", name));
  t->up(now);
  sweep();
  return {};
}

Status EngineImpl::down(std::string_view name, TimePoint now) {
  auto* t = find(name);
  if (!t) return fail(fmt::format("no tunnel {}", name));
  t->down(now);
  sweep();
  return {};
}

Status EngineImpl::rekey(std::string_view name, bool ike_sa, TimePoint now) {
  auto* t = find(name);
  if (!t) return fail(fmt::format("no tunnel {}", name));
  auto st = t->rekey(ike_sa, now);
  sweep();
  return st;
}

void EngineImpl::shutdown(TimePoint now) {
  for (auto& t : tunnels_)
    if (!t->removed()) t->remove(now);
  sweep();
}

// ---- datagrams ------------------------------------------------------------------

void EngineImpl::drop(const std::string& why) {
  ++counters_.datagrams_dropped;
  env_.event({TunnelEvent::Kind::Debug, "", why});
}

void EngineImpl::on_datagram(const Datagram& d, TimePoint now) {
  ++counters_.datagrams_in;
  // RFC 7296 §3.1 / RFC 2408 §3.1: the major version sits in the high
  // nibble of octet 17 of the common header.
  if (d.payload.size() < 28) return drop("dropped: datagram shorter than an IKE header");
  auto major = d.payload[17] >> 4;
  if (major == 2)
    dispatch_v2(d, now);
  else if (major == 1)
    dispatch_v1(d, now);
  else
    drop(fmt::format("dropped: IKE major version {} from {}", major, d.remote.to_string()));
  sweep();
}

// RFC 2408 §3.1: our cookie is CKY-I when we initiated, else CKY-R.
void EngineImpl::dispatch_v1(const Datagram& d, TimePoint now) {
  auto r = v1::route(d.payload);
  if (!r) return drop(fmt::format("dropped: malformed ISAKMP header from {}", d.remote.to_string()));
  if (r->starts_phase1) return new_v1_request(d, *r, now);
  for (auto [cookie, initiator] : {std::pair{r->initiator_cookie, true}, std::pair{r->responder_cookie, false}}) {
    auto it = by_spi_.find(cookie);
    if (it != by_spi_.end() && it->second.sa->version() == IkeVersion::V1 &&
        it->second.sa->is_initiator() == initiator)
      return it->second.sa->on_datagram(d, now);
  }
  drop(fmt::format("dropped: no ISAKMP SA for cookies {:016x}/{:016x} from {}", r->initiator_cookie,
                   r->responder_cookie, d.remote.to_string()));
}

void EngineImpl::new_v1_request(const Datagram& d, const v1::DatagramRoute& r, TimePoint now) {
  if (auto it = half_open_.find({d.remote, r.initiator_cookie}); it != half_open_.end())
    return it->second.sa->on_datagram(d, now);  // a retransmission
  std::optional<Identity> id;
  if (r.aggressive) id = v1::aggressive_mode_identity(d.payload);
  auto* tunnel = match(d, IkeVersion::V1, id);
  if (!tunnel) return drop(fmt::format("dropped IKEv1 phase 1 from {}: no IKEv1 tunnel for this peer", d.remote.to_string()));
  auto* sa = tunnel->add_responder(new_ike_spi(), d, now);
  if (!sa) return;
  half_open_[{d.remote, r.initiator_cookie}] = {tunnel, sa};
  sa->on_datagram(d, now);
}

void EngineImpl::dispatch_v2(const Datagram& d, TimePoint now) {
  auto h = v2::decode_header(d.payload);
  if (!h) return drop("dropped: " + v2::to_string(h.error()));
  const auto& hdr = h->header;
  if (!hdr.response && hdr.exchange == v2::ExchangeType::IkeSaInit && hdr.spi_r == 0)
    return new_v2_request(d, *h, now);
  // The sender's I flag says which SPI is ours (§3.1).
  auto ours = hdr.initiator ? hdr.spi_r : hdr.spi_i;
  auto it = by_spi_.find(ours);
  if (it == by_spi_.end() || it->second.sa->version() != IkeVersion::V2 ||
      it->second.sa->is_initiator() == hdr.initiator)
    return drop(fmt::format("dropped: no IKE SA for SPI {:016x} from {}", ours, d.remote.to_string()));
  it->second.sa->on_datagram(d, now);
}

Tunnel* EngineImpl::match(const Datagram& d, IkeVersion version, const std::optional<Identity>& id) const {
  // A peer's first message finds its tunnel by its address (the customer
  // gateway), the address it was sent to and the IKE version; when several
  // tunnels share those, the identity an Aggressive Mode 1 carries picks.
  Tunnel* first = nullptr;
  for (const auto& t : tunnels_) {
    const auto& c = t->config();
    if (t->removed() || c.version != version || c.peer_address != d.remote.address ||
        c.local_address != d.local.address)
      continue;
    if (!id || (c.remote_id && *c.remote_id == *id)) return t.get();
    if (!first) first = t.get();
  }
  return first;
}

void EngineImpl::new_v2_request(const Datagram& d, const v2::WireHeader& h, TimePoint now) {
  if (auto it = half_open_.find({d.remote, h.header.spi_i}); it != half_open_.end())
    return it->second.sa->on_datagram(d, now);  // a retransmission
  auto* tunnel = match(d, IkeVersion::V2);
  if (!tunnel) return drop(fmt::format("dropped IKE_SA_INIT from {}: no IKEv2 tunnel for this peer", d.remote.to_string()));
  auto m = v2::decode(d.payload);
  if (!m) return drop(fmt::format("dropped IKE_SA_INIT from {}: {}", d.remote.to_string(), v2::to_string(m.error())));
  // RFC 7296 §2.6: past the half-open threshold, no state without a cookie.
  bool demand = half_open() >= options_.cookie_threshold;
  if (auto reply = cookies_.challenge(*m, d.remote.address, demand)) {
    env_.send({d.local, d.remote, *reply});
    return;
  }
  auto* sa = tunnel->add_responder(new_ike_spi(), d, now);
  if (!sa) return;
  half_open_[{d.remote, h.header.spi_i}] = {tunnel, sa};
  sa->on_datagram(d, now);
}

std::uint64_t EngineImpl::new_ike_spi() {
  for (;;) {
    auto spi = env_.random().u64();
    if (spi != 0 && !by_spi_.contains(spi)) return spi;
  }
}

void EngineImpl::register_sa(Tunnel& tunnel, IkeSa& sa) { by_spi_[sa.local_spi()] = {&tunnel, &sa}; }

std::size_t EngineImpl::half_open() const {
  std::size_t n = 0;
  for (const auto& t : tunnels_) n += t->half_open();
  return n;
}

// Destroys finished IKE SAs and removed tunnels without SAs. Runs after
// every input, never from inside an SA's own call.
void EngineImpl::sweep() {
  for (auto& t : tunnels_) {
    for (auto* sa : t->finished_sas()) {
      std::erase_if(by_spi_, [&](const auto& kv) { return kv.second.sa == sa; });
      std::erase_if(half_open_, [&](const auto& kv) { return kv.second.sa == sa; });
      t->destroy(sa);
    }
  }
  std::erase_if(tunnels_, [&](const std::unique_ptr<Tunnel>& t) {
    if (!t->removed() || t->has_sas()) return false;
    for (auto r : t->reqids()) reqids_.release(r);
    return true;
  });
}

// ---- timers and kernel events ----------------------------------------------------

void EngineImpl::on_timer(TimePoint now) {
  std::vector<Tunnel*> snapshot;
  for (auto& t : tunnels_) snapshot.push_back(t.get());
  for (auto* t : snapshot) {
    auto d = t->next_deadline();
    if (d && *d <= now) t->on_timer(now);
  }
  // Secrets for cookies change now and then (RFC 7296 §2.6).
  sweep();
}

std::optional<TimePoint> EngineImpl::next_deadline() const {
  std::optional<TimePoint> best;
  for (const auto& t : tunnels_) {
    auto d = t->next_deadline();
    if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

void EngineImpl::on_acquire(const Acquire& acquire, TimePoint now) {
  for (auto& t : tunnels_) {
    const auto& r = t->reqids();
    if (!t->removed() && std::find(r.begin(), r.end(), acquire.reqid) != r.end()) {
      t->on_acquire(acquire.reqid, now);
      break;
    }
  }
  sweep();
}

void EngineImpl::on_expire(const Expire& expire, TimePoint now) {
  for (auto& t : tunnels_)
    if (t->on_expire(expire, now)) break;
  sweep();
}

// ---- views ------------------------------------------------------------------------

std::optional<TunnelStatus> EngineImpl::status(std::string_view name) const {
  if (auto* t = find(name)) return t->status();
  return std::nullopt;
}

std::vector<TunnelStatus> EngineImpl::status_all() const {
  std::vector<TunnelStatus> out;
  for (const auto& t : tunnels_)
    if (!t->removed()) out.push_back(t->status());
  return out;
}

EngineCounters EngineImpl::counters() const {
  auto c = counters_;
  c.half_open = half_open();
  return c;
}

}  // namespace

std::unique_ptr<Engine> make_engine(Environment& env, const GatewayConfig& gateway,
                                    const EngineOptions& options) {
  return std::make_unique<EngineImpl>(env, gateway, options);
}

}  // namespace ike
