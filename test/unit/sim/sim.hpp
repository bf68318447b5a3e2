// The deterministic two-peer simulation (STYLE.md §2): two engines with
// their own Environment (fake kernel, seeded randomness, event log), one
// fake clock, and a network that delivers datagrams after a latency, with
// seeded loss, duplication and reordering, an optional NAT in front of
// peer A and a tap that can drop chosen datagrams. The fake kernels run on
// the same clock: SA lifetimes expire (soft: rekey, hard: the SA is gone)
// and reach the engines as XFRM_MSG_EXPIRE would.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libike/tunnel/engine.hpp"
#include "test/unit/sim/fake_kernel.hpp"

namespace kite::test {

using namespace std::chrono_literals;

class Sim;

class SimPeer final : public ike::Environment {
 public:
  SimPeer(Sim& sim, std::string name, const ike::IpAddress& address, std::uint64_t seed,
          std::uint32_t spi_base, const ike::EngineOptions& options);

  void send(const ike::Datagram& datagram) override;
  void event(const ike::TunnelEvent& event) override;
  ike::Kernel& kernel() override { return fake_kernel; }
  ike::Random& random() override { return rng; }

  // Events whose kind matches and whose text contains `text`.
  std::size_t count(ike::TunnelEvent::Kind kind, std::string_view text = "") const;
  std::string events_text() const;  // all of them, one per line (for failure output)

  std::string name;
  ike::GatewayConfig gateway;
  FakeKernel fake_kernel;
  ike::SeededRandom rng;
  std::vector<ike::TunnelEvent> events;
  std::vector<ike::TimePoint> event_times;  // parallel to events
  std::unique_ptr<ike::Engine> engine;
  std::size_t sent = 0;

 private:
  Sim& sim_;
};

struct NetworkConditions {
  unsigned loss_percent = 0;
  unsigned duplicate_percent = 0;
  unsigned reorder_percent = 0;  // delivered up to 3 latencies late
  std::chrono::milliseconds latency{10};
};

// A NAPT in front of peer A: A's datagrams leave from `public_address`
// with a mapped port (and replies are mapped back).
struct SimNat {
  ike::IpAddress public_address;
  std::uint16_t port_offset = 10000;
};

class Sim {
 public:
  // ipv6: outer addresses 2001:db8::1 / 2001:db8::2 and inner
  // fd01:n::/64 <-> fd02:n::/64 instead of the IPv4 ones.
  explicit Sim(std::uint64_t seed = 1, ike::EngineOptions options = {}, bool ipv6 = false);

  // Configs for a tunnel between A and B (mirror images), mapping
  // 10.1.n.0/24 (A) <-> 10.2.n.0/24 (B) for n < mappings.
  ike::TunnelConfig config_a(ike::Negotiation negotiation, std::size_t mappings = 1) const;
  ike::TunnelConfig config_b(ike::Negotiation negotiation, std::size_t mappings = 1) const;

  void submit(const ike::Datagram& datagram);
  // Processes events until `done` holds (checked after each), nothing is
  // left to do, or `limit` of simulated time passed. Returns done().
  bool run_until(const std::function<bool()>& done, std::chrono::seconds limit = 120s);
  void run_for(std::chrono::milliseconds span);

  ike::TimePoint now;
  ike::TimePoint start;  // events_text() prints milliseconds since then
  NetworkConditions conditions;
  std::optional<SimNat> nat;
  // Return true to drop a datagram before it enters the network.
  std::function<bool(const ike::Datagram&)> tap;
  // The one-way delay of a datagram, instead of the conditions' latency
  // (interleaving enumeration: per direction, per message).
  std::function<std::chrono::milliseconds(const ike::Datagram&)> delay;
  // Called after every step (delivery, timer, kernel event): invariants
  // that must hold at every instant.
  std::function<void()> observer;
  // Peers that are switched off neither receive nor run timers (a crash
  // or a cut cable); their datagrams in flight are lost.
  bool a_offline = false, b_offline = false;
  bool ipv6 = false;
  SimPeer a, b;

 private:
  struct InFlight {
    ike::Datagram datagram;
    SimPeer* to = nullptr;
  };
  bool step(ike::TimePoint limit);
  std::optional<ike::TimePoint> next_event() const;
  void deliver(InFlight item);
  bool kernel_events();
  bool offline(const SimPeer& p) const { return &p == &a ? a_offline : b_offline; }
  std::optional<InFlight> route(ike::Datagram d);

  ike::SeededRandom net_rng_;
  unsigned same_instant_ = 0;
  std::multimap<ike::TimePoint, InFlight> queue_;
};

}  // namespace kite::test
