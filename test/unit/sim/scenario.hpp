// What the lifecycle tests (DPD, rekeying, collisions) share on top of the
// two-peer simulation: a tunnel between A and B, simulated ESP traffic,
// and the invariants both kernels must satisfy — after things settle
// (one IKE SA, one SA pair per mapping, mirrored, policies in place, no
// leftovers) and at every instant of a rekey (each mapping has an
// outbound SA whose inbound twin exists at the peer: traffic flows).
#pragma once
#include <catch2/catch.hpp>

#include <string>

#include "test/unit/sim/sim.hpp"

namespace kite::test {

inline bool tunnel_up(const SimPeer& p, std::size_t children) {
  auto s = p.engine->status("t1");
  return s && s->state == ike::TunnelState::Up && s->children.size() == children;
}

inline std::size_t ike_sas(const SimPeer& p) {
  auto s = p.engine->status("t1");
  return s ? s->ike_sas : 0;
}

struct TunnelPair {
  Sim sim;
  ike::TunnelConfig a, b;
  std::size_t mappings;
  TunnelPair(std::size_t n = 1, std::uint64_t seed = 1, ike::EngineOptions opts = {},
             ike::Negotiation b_mode = ike::Negotiation::Passive)
      : sim(seed, opts),
        a(sim.config_a(ike::Negotiation::Active, n)),
        b(sim.config_b(b_mode, n)),
        mappings(n) {}
  void start() {
    REQUIRE(sim.b.engine->add_tunnel(b, sim.now));
    REQUIRE(sim.a.engine->add_tunnel(a, sim.now));
  }
  bool both_up() { return tunnel_up(sim.a, mappings) && tunnel_up(sim.b, mappings); }
  std::string events() const { return sim.a.events_text() + sim.b.events_text(); }
  // The reqid of mapping i at A (the out policy's).
  std::uint32_t reqid(const SimPeer& p, std::size_t i) const {
    const auto& cfg = &p == &sim.a ? a : b;
    const auto* pol = p.fake_kernel.find_policy(
        {cfg.mappings[i].local, cfg.mappings[i].remote, ike::Direction::Out, 0, 0});
    return pol ? pol->reqid : 0;
  }
};

// ESP from `from` reaches `to`: every inbound SA of `to` counts a packet.
inline void esp(SimPeer& to, std::uint64_t bytes = 1000) {
  for (const auto& sa : to.fake_kernel.sas())
    if (sa.inbound) to.fake_kernel.traffic(sa.id.spi, bytes);
}

// Runs `span` in steps of `tick`, with ESP flowing in the chosen directions
// (only while the sender is online).
inline void run_with_traffic(TunnelPair& p, std::chrono::milliseconds span, bool a_to_b, bool b_to_a,
                             std::chrono::milliseconds tick = std::chrono::milliseconds(500)) {
  for (auto done = std::chrono::milliseconds(0); done < span; done += tick) {
    if (a_to_b && !p.sim.a_offline) esp(p.sim.b);
    if (b_to_a && !p.sim.b_offline) esp(p.sim.a);
    p.sim.run_for(tick);
  }
}

// Our inbound SA carries what the peer's outbound carries (and back).
inline void check_mirrored(const FakeKernel& ours, const FakeKernel& theirs) {
  for (const auto& sa : ours.sas()) {
    const auto* peer = theirs.find_sa(sa.id.spi);
    INFO("SPI " << std::hex << sa.id.spi);
    REQUIRE(peer != nullptr);
    CHECK(peer->inbound != sa.inbound);
    CHECK(peer->encryption == sa.encryption);
    CHECK(peer->encryption_key == sa.encryption_key);
    CHECK(peer->integrity_key == sa.integrity_key);
  }
}

// Every mapping's policy triple is in place, not a trap, and points at SAs.
inline void check_policies(const FakeKernel& k, const ike::TunnelConfig& cfg) {
  using ike::Direction;
  for (const auto& m : cfg.mappings) {
    for (auto dir : {Direction::Out, Direction::In, Direction::Fwd}) {
      ike::PolicyId id = dir == Direction::Out ? ike::PolicyId{m.local, m.remote, dir, 0, 0}
                                               : ike::PolicyId{m.remote, m.local, dir, 0, 0};
      const auto* p = k.find_policy(id);
      INFO(m.local.to_string() << " -> " << m.remote.to_string() << " dir " << static_cast<int>(dir));
      REQUIRE(p != nullptr);
      CHECK_FALSE(p->trap);
    }
  }
}

// After things settle: one IKE SA per side, exactly one inbound and one
// outbound SA per mapping, mirrored keys, policies, no larval SPIs.
inline void check_converged(TunnelPair& p) {
  INFO(p.events());
  CHECK(ike_sas(p.sim.a) == 1);
  CHECK(ike_sas(p.sim.b) == 1);
  for (auto* side : {&p.sim.a, &p.sim.b}) {
    INFO("peer " << side->name);
    CHECK(tunnel_up(*side, p.mappings));
    CHECK(side->fake_kernel.sas().size() == 2 * p.mappings);
    CHECK(side->fake_kernel.larval().empty());
    CHECK(side->fake_kernel.policies().size() == 3 * p.mappings);
    for (std::size_t i = 0; i < p.mappings; ++i) {
      auto reqid = p.reqid(*side, i);
      std::size_t in = 0, out = 0;
      for (const auto& sa : side->fake_kernel.sas())
        if (sa.reqid == reqid) ++(sa.inbound ? in : out);
      CHECK(in == 1);
      CHECK(out == 1);
    }
  }
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  check_policies(p.sim.a.fake_kernel, p.a);
  check_policies(p.sim.b.fake_kernel, p.b);
}

// At this instant packets of every mapping get through in both
// directions: the outbound SA each kernel would pick has its inbound twin
// at the peer, and the out policy is in place. Returns false (and says
// why through `why`) instead of asserting, so observers can count.
inline bool traffic_flows(TunnelPair& p, std::string& why) {
  for (auto* side : {&p.sim.a, &p.sim.b}) {
    auto& other = side == &p.sim.a ? p.sim.b : p.sim.a;
    for (std::size_t i = 0; i < p.mappings; ++i) {
      auto reqid = p.reqid(*side, i);
      const auto* out = reqid ? side->fake_kernel.outbound_for(reqid) : nullptr;
      const auto* twin = out ? other.fake_kernel.find_sa(out->id.spi) : nullptr;
      if (!out || !twin || !twin->inbound) {
        why = side->name + " mapping " + std::to_string(i) + (reqid == 0 ? ": no out policy" : !out ? ": no outbound SA" : ": peer lacks the inbound SA");
        return false;
      }
    }
  }
  return true;
}

}  // namespace kite::test

namespace kite::test {

// Checks traffic_flows() after every simulation step once armed; counts
// the instants it did not hold and remembers the first.
struct FlowWatch {
  std::size_t steps = 0, violations = 0;
  std::string first;  // "<ms since start>: why"
  bool armed = false;
  void attach(TunnelPair& p) {
    p.sim.observer = [this, &p] {
      if (!armed) return;
      ++steps;
      std::string why;
      if (traffic_flows(p, why)) return;
      if (violations++ == 0)
        first = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(p.sim.now - p.sim.start).count()) +
                ": " + why;
    };
  }
};

// Runs until both sides hold exactly one IKE SA and one SA pair per
// mapping (nothing half done), at most `limit`.
inline bool settle(TunnelPair& p, std::chrono::seconds limit = std::chrono::seconds(60)) {
  return p.sim.run_until(
      [&] {
        for (auto* side : {&p.sim.a, &p.sim.b})
          if (ike_sas(*side) != 1 || side->fake_kernel.sas().size() != 2 * p.mappings ||
              !side->fake_kernel.larval().empty() || !tunnel_up(*side, p.mappings))
            return false;
        return true;
      },
      limit);
}

}  // namespace kite::test
