// A two-peer harness at the ike::IkeSa level for IKEv1 (STYLE.md §2): two
// Ikev1Sas, each with a fake owner (records install_child/remove_child,
// SPIs released, failures, events), a fake clock, and a network queue with
// latency, seeded loss and duplication, a tap, and an optional NAT in front
// of A. The "engine" here is minimal: a datagram that starts phase 1
// creates the responder SA, everything else goes to the peer's SA.
#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "libike/ikev1/ikev1.hpp"

namespace kite::test::v1 {

using namespace ike;
using namespace std::chrono_literals;

class Harness;

// Allocates SPIs from a base, fails on request.
class SpiKernel final : public Kernel {
 public:
  explicit SpiKernel(std::uint32_t base) : next_(base) {}
  Result<std::uint32_t> allocate_spi(const IpAddress&, const IpAddress&, std::uint32_t) override {
    if (fail_allocate) return fail("fake: no SPI");
    return next_++;
  }
  Status add_sa(const EspSa&) override { return {}; }
  Status delete_sa(const SaId&) override { return {}; }
  Result<SaCounters> query_sa(const SaId&) override { return SaCounters{}; }
  Status add_policy(const Policy&) override { return {}; }
  Status delete_policy(const PolicyId&) override { return {}; }
  bool fail_allocate = false;

 private:
  std::uint32_t next_;
};

class Peer final : public Environment, public IkeSaOwner {
 public:
  Peer(Harness& h, std::string peer_name, const char* address, std::uint64_t seed, std::uint32_t spi_base)
      : name(std::move(peer_name)), rng(seed), kernel_(spi_base), h_(h) {
    gw.name = name;
    gw.local_address = *IpAddress::parse(address);
  }

  // ---- Environment ----
  void send(const Datagram& d) override;
  void event(const TunnelEvent& e) override { events.push_back(e); }
  Kernel& kernel() override { return kernel_; }
  Random& random() override { return rng; }

  // ---- IkeSaOwner ----
  const TunnelConfig& config() const override { return cfg; }
  const GatewayConfig& gateway() const override { return gw; }
  Environment& env() override { return *this; }
  std::uint32_t reqid(std::size_t index) const override { return 100 + static_cast<std::uint32_t>(index); }
  Status install_child(const NegotiatedChild& child, TimePoint) override {
    if (fail_install) return fail("fake: install refused");
    installed.push_back(child);
    return {};
  }
  void remove_child(std::uint32_t spi_in) override {
    removed.push_back(spi_in);
    std::erase_if(installed, [&](const NegotiatedChild& c) { return c.spi_in == spi_in; });
  }
  void release_spi(std::uint32_t spi_in) override { released.push_back(spi_in); }
  bool has_other_ike_sa(const IkeSa&) const override { return other_sa; }
  void initial_contact(const IkeSa&, TimePoint) override { ++initial_contacts; }
  void ike_established(IkeSa&, TimePoint) override { ++established; }
  void ike_ended(IkeSa&, const IkeSaEnd& end, TimePoint) override {
    ended = end;
    // As the engine's tunnel does: one line per failure.
    if (end.failed) events.push_back({TunnelEvent::Kind::NegotiationFailed, cfg.name, end.reason});
  }
  void child_failed(IkeSa&, const std::string& reason, TimePoint) override {
    child_failures.push_back(reason);
    events.push_back({TunnelEvent::Kind::NegotiationFailed, cfg.name, reason});
  }
  const EngineOptions& options() const override { return opts; }
  EngineCounters& counters() override { return ctrs; }

  std::size_t count(TunnelEvent::Kind kind, std::string_view text = "") const {
    return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const TunnelEvent& e) {
      return e.kind == kind && e.message.find(text) != std::string::npos;
    }));
  }
  std::size_t count_text(std::string_view text) const {
    return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const TunnelEvent& e) {
      return e.message.find(text) != std::string::npos;
    }));
  }
  std::string events_text() const {
    std::string out;
    for (const auto& e : events) out += fmt::format("{} [{}] {}\n", name, static_cast<int>(e.kind), e.message);
    return out;
  }
  bool up() const { return sa && sa->phase() == IkeSaPhase::Established; }
  IpAddress address() const { return gw.local_address; }

  std::string name;
  TunnelConfig cfg;
  GatewayConfig gw;
  EngineOptions opts;
  EngineCounters ctrs;
  SeededRandom rng;
  std::unique_ptr<IkeSa> sa;
  std::vector<TunnelEvent> events;
  std::vector<NegotiatedChild> installed;
  std::vector<std::uint32_t> removed, released;
  std::vector<std::string> child_failures;
  std::optional<IkeSaEnd> ended;
  unsigned established = 0, initial_contacts = 0;
  bool other_sa = false, fail_install = false;
  std::size_t sent = 0;

  SpiKernel& fake_kernel() { return kernel_; }

 private:
  SpiKernel kernel_;
  Harness& h_;
};

struct Nat {
  IpAddress public_address = *IpAddress::parse("203.0.113.7");
  std::uint16_t port_offset = 10000;
};

class Harness {
 public:
  explicit Harness(std::uint64_t seed = 1)
      : a(*this, "A", "192.0.2.1", seed * 11 + 1, 0xa0000000u),
        b(*this, "B", "198.51.100.2", seed * 11 + 2, 0xb0000000u),
        net_(seed * 11 + 3) {
    a.cfg = base_config(a, b.address());
    b.cfg = base_config(b, a.address());
    a.cfg.mappings = {{*Subnet::parse("10.1.0.0/24"), *Subnet::parse("10.2.0.0/24")}};
    b.cfg.mappings = {{*Subnet::parse("10.2.0.0/24"), *Subnet::parse("10.1.0.0/24")}};
  }

  static TunnelConfig base_config(const Peer& p, const IpAddress& peer) {
    TunnelConfig c;
    c.name = "t1";
    c.local_address = p.address();
    c.peer_address = peer;
    c.psk = Secret::from_string("correct horse battery staple");
    c.version = IkeVersion::V1;
    return c;
  }

  // Both sides use these algorithms.
  void both(const std::function<void(TunnelConfig&)>& change) {
    change(a.cfg);
    change(b.cfg);
  }

  void start(Peer& initiator) {
    initiator.sa = ike::v1::make_initiator(initiator, 0x1111000000000000ull + initiator.rng.u32(), now);
    initiator.sa->start(now);
  }

  void submit(const Datagram& d) {
    if (tap && tap(d)) return;
    if (net_.uniform(100) < loss_percent) return;
    auto routed = route(d);
    if (!routed) return;
    auto copies = net_.uniform(100) < duplicate_percent ? 2 : 1;
    for (int i = 0; i < copies; ++i) queue_.emplace(now + 10ms + std::chrono::milliseconds(i), *routed);
  }

  bool run_until(const std::function<bool()>& done, std::chrono::seconds limit = 120s) {
    auto end = now + limit;
    while (!done())
      if (!step(end)) return done();
    return true;
  }
  void run_for(std::chrono::milliseconds span) {
    auto end = now + span;
    while (step(end)) {
    }
    now = end;
  }
  // Runs until nothing is left to do.
  void settle() { run_for(300s); }

  TimePoint now = TimePoint{} + std::chrono::hours(1000);
  unsigned loss_percent = 0, duplicate_percent = 0;
  std::function<bool(const Datagram&)> tap;
  std::optional<Nat> nat;
  Peer a, b;

 private:
  struct InFlight {
    Datagram d;
    Peer* to = nullptr;
  };

  std::optional<InFlight> route(Datagram d) {
    if (nat && d.local.address == a.address()) {
      d.local = {nat->public_address, static_cast<std::uint16_t>(d.local.port + nat->port_offset)};
    } else if (nat && d.remote.address == nat->public_address) {
      d.remote = {a.address(), static_cast<std::uint16_t>(d.remote.port - nat->port_offset)};
    }
    if (d.remote.address == a.address()) return InFlight{std::move(d), &a};
    if (d.remote.address == b.address()) return InFlight{std::move(d), &b};
    return std::nullopt;
  }

  void deliver(InFlight item) {
    Datagram in{item.d.remote, item.d.local, std::move(item.d.payload)};
    Peer& p = *item.to;
    auto r = ike::v1::route(in.payload);
    if (!r) return;
    bool fresh = !p.sa || p.sa->finished();
    if (r->starts_phase1 && fresh) {
      p.sa = ike::v1::make_responder(p, 0x2222000000000000ull + p.rng.u32(), in, now);
    }
    if (p.sa) p.sa->on_datagram(in, now);
  }

  std::optional<TimePoint> next_event() const {
    std::optional<TimePoint> t;
    if (!queue_.empty()) t = queue_.begin()->first;
    for (const Peer* p : {&a, &b}) {
      auto d = p->sa ? p->sa->next_deadline() : std::nullopt;
      if (d && (!t || *d < *t)) t = d;
    }
    return t;
  }

  bool step(TimePoint limit) {
    auto t = next_event();
    if (!t || *t > limit) return false;
    if (*t > now) now = *t;
    if (!queue_.empty() && queue_.begin()->first <= now) {
      auto item = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      deliver(std::move(item));
      return true;
    }
    for (Peer* p : {&a, &b}) {
      auto d = p->sa ? p->sa->next_deadline() : std::nullopt;
      if (d && *d <= now) p->sa->on_timer(now);
    }
    return true;
  }

  SeededRandom net_;
  std::multimap<TimePoint, InFlight> queue_;
};

inline void Peer::send(const Datagram& d) {
  ++sent;
  h_.submit(d);
}

}  // namespace kite::test::v1
