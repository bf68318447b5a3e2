#include "test/unit/sim/sim.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace kite::test {

using namespace ike;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Subnet net(const std::string& text) { return *Subnet::parse(text); }

}  // namespace

SimPeer::SimPeer(Sim& sim, std::string peer_name, const IpAddress& address, std::uint64_t seed,
                 std::uint32_t spi_base, const EngineOptions& options)
    : name(std::move(peer_name)), fake_kernel(spi_base), rng(seed), sim_(sim) {
  gateway.name = name;
  gateway.local_address = address;
  engine = make_engine(*this, gateway, options);
}

void SimPeer::send(const Datagram& d) {
  ++sent;
  sim_.submit(d);
}

void SimPeer::event(const TunnelEvent& e) {
  events.push_back(e);
  event_times.push_back(sim_.now);
}

std::size_t SimPeer::count(TunnelEvent::Kind kind, std::string_view text) const {
  std::size_t n = 0;
  for (const auto& e : events)
    if (e.kind == kind && e.message.find(text) != std::string::npos) ++n;
  return n;
}

std::string SimPeer::events_text() const {
  std::string out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(event_times[i] - sim_.start).count();
    out += fmt::format("{:>9} {} [{}] {}: {}\n", ms, name, static_cast<int>(e.kind), e.tunnel, e.message);
  }
  return out;
}

Sim::Sim(std::uint64_t seed, EngineOptions options, bool v6)
    : now(TimePoint{} + std::chrono::hours(1000)),
      start(now),
      ipv6(v6),
      a(*this, "A", ip(v6 ? "2001:db8::1" : "192.0.2.1"), seed * 7 + 1, 0xa0000000u, options),
      b(*this, "B", ip(v6 ? "2001:db8::2" : "198.51.100.2"), seed * 7 + 2, 0xb0000000u, options),
      net_rng_(seed * 7 + 3) {
  a.fake_kernel.now = now;
  b.fake_kernel.now = now;
}

namespace {

TunnelConfig base_config(const std::string& name, const IpAddress& local, const IpAddress& peer,
                         Negotiation negotiation) {
  TunnelConfig c;
  c.name = name;
  c.customer_gateway = "gw-" + name;
  c.local_address = local;
  c.peer_address = peer;
  c.psk = Secret::from_string("correct horse battery staple");
  c.negotiation = negotiation;
  return c;
}

}  // namespace

TunnelConfig Sim::config_a(Negotiation negotiation, std::size_t mappings) const {
  auto peer = b.gateway.local_address;
  auto c = base_config("t1", a.gateway.local_address, peer, negotiation);
  for (std::size_t n = 0; n < mappings; ++n)
    c.mappings.push_back(ipv6 ? SpdMapping{net(fmt::format("fd01:{}::/64", n)), net(fmt::format("fd02:{}::/64", n))}
                              : SpdMapping{net(fmt::format("10.1.{}.0/24", n)), net(fmt::format("10.2.{}.0/24", n))});
  return c;
}

TunnelConfig Sim::config_b(Negotiation negotiation, std::size_t mappings) const {
  auto peer = nat ? nat->public_address : a.gateway.local_address;
  auto c = base_config("t1", b.gateway.local_address, peer, negotiation);
  for (std::size_t n = 0; n < mappings; ++n)
    c.mappings.push_back(ipv6 ? SpdMapping{net(fmt::format("fd02:{}::/64", n)), net(fmt::format("fd01:{}::/64", n))}
                              : SpdMapping{net(fmt::format("10.2.{}.0/24", n)), net(fmt::format("10.1.{}.0/24", n))});
  return c;
}

std::optional<Sim::InFlight> Sim::route(Datagram d) {
  // Through the NAT: A's datagrams get the public source; datagrams to the
  // public address go back to A with the port mapped back.
  if (nat && d.local.address == a.gateway.local_address) {
    d.local = {nat->public_address, static_cast<std::uint16_t>(d.local.port + nat->port_offset)};
  } else if (nat && d.remote.address == nat->public_address) {
    d.remote = {a.gateway.local_address, static_cast<std::uint16_t>(d.remote.port - nat->port_offset)};
  }
  if (d.remote.address == a.gateway.local_address) return InFlight{std::move(d), &a};
  if (d.remote.address == b.gateway.local_address) return InFlight{std::move(d), &b};
  return std::nullopt;
}

void Sim::submit(const Datagram& d) {
  if (tap && tap(d)) return;
  if ((a_offline && d.local.address == a.gateway.local_address) ||
      (b_offline && d.local.address == b.gateway.local_address))
    return;
  if (net_rng_.uniform(100) < conditions.loss_percent) return;
  auto item = route(d);
  if (!item) return;
  auto copies = net_rng_.uniform(100) < conditions.duplicate_percent ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    auto wait = delay ? delay(d) : conditions.latency;
    if (net_rng_.uniform(100) < conditions.reorder_percent)
      wait += std::chrono::milliseconds(net_rng_.uniform(static_cast<std::uint32_t>(3 * conditions.latency.count()) + 1));
    queue_.emplace(now + wait, *item);
  }
}

void Sim::deliver(InFlight item) {
  if (offline(*item.to)) return;
  // The receiver sees the datagram from its side: local = where it arrived.
  Datagram in{item.datagram.remote, item.datagram.local, std::move(item.datagram.payload)};
  item.to->engine->on_datagram(in, now);
}

std::optional<TimePoint> Sim::next_event() const {
  std::optional<TimePoint> t;
  if (!queue_.empty()) t = queue_.begin()->first;
  for (const auto* p : {&a, &b}) {
    if (offline(*p)) continue;
    for (auto d : {p->engine->next_deadline(), p->fake_kernel.next_expiry()})
      if (d && (!t || *d < *t)) t = d;
  }
  return t;
}

// XFRM_MSG_EXPIRE from either kernel; true if any was delivered.
bool Sim::kernel_events() {
  bool any = false;
  for (auto* p : {&a, &b}) {
    if (offline(*p)) continue;
    for (const auto& e : p->fake_kernel.expires()) {
      p->engine->on_expire(e, now);
      any = true;
    }
  }
  return any;
}

bool Sim::step(TimePoint limit) {
  auto t = next_event();
  if (!t || *t > limit) return false;
  // Something that says it is due but never gets done would spin forever.
  same_instant_ = *t > now ? 0 : same_instant_ + 1;
  if (same_instant_ > 100000) {
    auto due = [&](std::optional<TimePoint> d) { return d && *d <= now ? "due" : "-"; };
    throw std::runtime_error(fmt::format(
        "simulation stuck: a deadline that never passes (A engine {}, A kernel {}, B engine {}, B kernel {}, queue {})",
        due(a.engine->next_deadline()), due(a.fake_kernel.next_expiry()), due(b.engine->next_deadline()),
        due(b.fake_kernel.next_expiry()), queue_.empty() ? "-" : due(queue_.begin()->first)));
  }
  if (*t > now) now = *t;
  a.fake_kernel.now = now;
  b.fake_kernel.now = now;
  if (!queue_.empty() && queue_.begin()->first <= now) {
    auto item = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    deliver(std::move(item));
  } else if (!kernel_events()) {
    for (auto* p : {&a, &b}) {
      auto d = p->engine->next_deadline();
      if (d && *d <= now && !offline(*p)) p->engine->on_timer(now);
    }
  }
  if (observer) observer();
  return true;
}

bool Sim::run_until(const std::function<bool()>& done, std::chrono::seconds limit) {
  auto end = now + limit;
  while (!done()) {
    if (!step(end)) return done();
  }
  return true;
}

void Sim::run_for(std::chrono::milliseconds span) {
  auto end = now + span;
  while (step(end)) {
  }
  now = end;
}

}  // namespace kite::test
