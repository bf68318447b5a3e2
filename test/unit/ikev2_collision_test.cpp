// Exchange collisions (RFC 7296 §2.8.1, §2.8.2, §2.25) enumerated in the
// two-peer simulation: who starts first, the gap between the two starts
// and the one-way delays of each direction (the first datagram of a
// direction may be slower than the next ones, so an answer can overtake a
// request) decide the interleaving: both ends notice the collision, only
// one does, or none (one exchange finished first); seeds vary the nonces
// and so the winner. After things
// settle each side must hold exactly one IKE SA and one SA pair per
// mapping, mirrored, with every policy in place and nothing left over;
// during a CHILD SA rekey traffic must flow at every instant.
#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <memory>

#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;
using std::chrono::milliseconds;

namespace {

// One-way delays of a direction: its first datagram after the start of
// the race, and every later one.
struct Delays {
  int first = 10, later = 10;
};

// One interleaving: `first` starts at t0, the other at t0 + gap.
struct Timing {
  bool a_first = true;
  milliseconds gap{0};
  Delays ab, ba;
  std::uint64_t seed = 1;
};

std::string describe(const Timing& t) {
  return fmt::format("{} first, gap {} ms, A->B {}/{} ms, B->A {}/{} ms, seed {}", t.a_first ? "A" : "B",
                     t.gap.count(), t.ab.first, t.ab.later, t.ba.first, t.ba.later, t.seed);
}

const std::initializer_list<Delays> kDelays{{1, 1}, {10, 10}, {25, 25}, {25, 1}, {1, 25}};

std::vector<Timing> interleavings(std::initializer_list<int> gaps, std::initializer_list<Delays> delays,
                                  std::initializer_list<std::uint64_t> seeds) {
  std::vector<Timing> out;
  for (bool a_first : {true, false})
    for (int gap : gaps)
      for (auto ab : delays)
        for (auto ba : delays)
          for (auto seed : seeds) out.push_back({a_first, milliseconds(gap), ab, ba, seed});
  return out;
}

// From now on datagrams take the interleaving's delays.
void set_delays(TunnelPair& p, const Timing& t) {
  auto a = p.a.local_address;
  auto sent = std::make_shared<std::array<int, 2>>();
  p.sim.delay = [a, t, sent](const Datagram& d) {
    bool from_a = d.local.address == a;
    const auto& delays = from_a ? t.ab : t.ba;
    return milliseconds((*sent)[from_a ? 0 : 1]++ == 0 ? delays.first : delays.later);
  };
}

// Runs `first` now and `second` after the gap (each gets the peer it acts on).
void race(TunnelPair& p, const Timing& t, const std::function<void(SimPeer&)>& on_a,
          const std::function<void(SimPeer&)>& on_b) {
  set_delays(p, t);
  auto& first = t.a_first ? p.sim.a : p.sim.b;
  auto& second = t.a_first ? p.sim.b : p.sim.a;
  (t.a_first ? on_a : on_b)(first);
  p.sim.run_for(t.gap);
  (t.a_first ? on_b : on_a)(second);
}

unsigned policy_deletes(const TunnelPair& p) {
  return p.sim.a.fake_kernel.calls(FakeKernel::Call::DeletePolicy) +
         p.sim.b.fake_kernel.calls(FakeKernel::Call::DeletePolicy);
}

std::size_t both(const TunnelPair& p, Kind kind, std::string_view text) {
  return p.sim.a.count(kind, text) + p.sim.b.count(kind, text);
}

// Which interleaving class a run fell into.
std::string classify(const TunnelPair& p, std::string_view what) {
  if (both(p, Kind::Info, std::string(what) + " rekey collision: ours")) return "both noticed";
  if (both(p, Kind::Debug, std::string(what) + " rekey collision: the peer's rekey replaced ours")) return "one noticed";
  return "sequential";
}

}  // namespace

TEST_CASE("simultaneous CHILD SA rekeys (§2.8.1): every interleaving leaves one pair per mapping, traffic never stops") {
  std::map<std::string, int> classes;
  for (const auto& t : interleavings({0, 1, 4, 9, 10, 11, 15, 20, 21, 30, 45}, kDelays, {1, 2, 3})) {
    TunnelPair p(2, t.seed);
    FlowWatch flow;
    flow.attach(p);
    p.start();
    REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
    auto old = p.sim.a.engine->status("t1")->children;
    flow.armed = true;
    auto rekey = [&](SimPeer& s) { REQUIRE(s.engine->rekey("t1", false, p.sim.now)); };
    race(p, t, rekey, rekey);
    bool settled = settle(p, 30s);
    INFO(describe(t) << "\n" << p.events());
    CHECK(settled);
    check_converged(p);
    CHECK(flow.violations == 0);
    CHECK(flow.first == "");
    CHECK(policy_deletes(p) == 0);
    CHECK(both(p, Kind::NegotiationFailed, "") == 0);
    for (const auto& c : old) {
      CHECK_FALSE(p.sim.a.fake_kernel.find_sa(c.spi_in));
      CHECK_FALSE(p.sim.a.fake_kernel.find_sa(c.spi_out));
    }
    ++classes[classify(p, "CHILD_SA")];
  }
  INFO("both noticed " << classes["both noticed"] << ", one noticed " << classes["one noticed"] << ", sequential "
                       << classes["sequential"]);
  CHECK(classes["both noticed"] > 0);
  CHECK(classes["one noticed"] > 0);
  CHECK(classes["sequential"] > 0);
}

TEST_CASE("simultaneous IKE SA rekeys (§2.8.2): one new IKE SA survives and inherits every CHILD SA") {
  std::map<std::string, int> classes;
  for (const auto& t : interleavings({0, 1, 4, 9, 10, 11, 15, 20, 21, 30, 45}, kDelays, {1, 2, 3})) {
    TunnelPair p(2, t.seed);
    FlowWatch flow;
    flow.attach(p);
    p.start();
    REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
    auto before = *p.sim.a.engine->status("t1");
    flow.armed = true;
    auto rekey = [&](SimPeer& s) { REQUIRE(s.engine->rekey("t1", true, p.sim.now)); };
    race(p, t, rekey, rekey);
    bool settled = settle(p, 30s);
    INFO(describe(t) << "\n" << p.events());
    CHECK(settled);
    check_converged(p);
    auto a = *p.sim.a.engine->status("t1");
    auto b = *p.sim.b.engine->status("t1");
    CHECK(a.ike_spi_i == b.ike_spi_i);
    CHECK(a.ike_spi_r == b.ike_spi_r);
    CHECK(a.ike_spi_i != before.ike_spi_i);
    REQUIRE(a.children.size() == before.children.size());
    for (std::size_t i = 0; i < a.children.size(); ++i) CHECK(a.children[i].spi_in == before.children[i].spi_in);
    CHECK(flow.violations == 0);
    CHECK(policy_deletes(p) == 0);
    CHECK(both(p, Kind::NegotiationFailed, "") == 0);
    CHECK(both(p, Kind::Down, "") == 0);
    ++classes[classify(p, "IKE SA")];
    // The survivor works at both ends: a CHILD SA rekey over it.
    REQUIRE(p.sim.b.engine->rekey("t1", false, p.sim.now));
    CHECK(settle(p, 10s));
    check_converged(p);
  }
  INFO("both noticed " << classes["both noticed"] << ", one noticed " << classes["one noticed"] << ", sequential "
                       << classes["sequential"]);
  CHECK(classes["both noticed"] > 0);
  CHECK(classes["one noticed"] > 0);
  CHECK(classes["sequential"] > 0);
}

TEST_CASE("an IKE SA rekey crossing CHILD SA rekeys (§2.25): TEMPORARY_FAILURE, retried on the new IKE SA") {
  for (const auto& t : interleavings({0, 4, 9, 11, 20, 30}, kDelays, {1, 2})) {
    TunnelPair p(2, t.seed);
    FlowWatch flow;
    flow.attach(p);
    p.start();
    REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
    auto old = p.sim.a.engine->status("t1")->children;
    flow.armed = true;
    // A rekeys the IKE SA, B every CHILD SA.
    race(p, t, [&](SimPeer& s) { REQUIRE(s.engine->rekey("t1", true, p.sim.now)); },
         [&](SimPeer& s) { REQUIRE(s.engine->rekey("t1", false, p.sim.now)); });
    p.sim.run_for(10s);  // CHILD SA rekeys refused meanwhile are retried after 1-5 s
    bool settled = settle(p, 30s);
    INFO(describe(t) << "\n" << p.events());
    CHECK(settled);
    check_converged(p);
    CHECK(flow.violations == 0);
    CHECK(policy_deletes(p) == 0);
    CHECK(both(p, Kind::NegotiationFailed, "") == 0);
    // Both happened: new IKE SPIs and new CHILD SAs.
    CHECK(both(p, Kind::Rekeyed, "IKE SA rekeyed") == 2);
    for (const auto& c : old) CHECK_FALSE(p.sim.a.fake_kernel.find_sa(c.spi_in));
  }
}

TEST_CASE("a CHILD SA rekey crossing the DELETE of that CHILD SA (hard expiry at the other end)") {
  for (const auto& t : interleavings({0, 4, 9, 11, 20, 30}, kDelays, {1, 2})) {
    TunnelPair p(1, t.seed);
    p.start();
    REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
    auto spi_a = p.sim.a.engine->status("t1")->children[0].spi_in;
    // A's kernel hard-expires the pair (A deletes it and makes a fresh
    // one); B soft-expires it at the same time and rekeys it.
    race(p, t, [&](SimPeer& s) { s.engine->on_expire({{p.a.local_address, spi_a}, true}, p.sim.now); },
         [&](SimPeer& s) { REQUIRE(s.engine->rekey("t1", false, p.sim.now)); });
    bool settled = settle(p, 30s);
    INFO(describe(t) << "\n" << p.events());
    CHECK(settled);
    check_converged(p);
    CHECK_FALSE(p.sim.a.fake_kernel.find_sa(spi_a));
    CHECK(both(p, Kind::NegotiationFailed, "") == 0);
  }
}

TEST_CASE("an IKE SA rekey crossing the DELETE of the IKE SA: nothing is left in either kernel") {
  for (const auto& t : interleavings({0, 4, 9, 11, 20, 30}, kDelays, {1, 2})) {
    TunnelPair p(2, t.seed);
    p.start();
    REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
    // The first rekeys the IKE SA, the second takes the tunnel down.
    // (The second may find the tunnel going down already.)
    race(p, t, [&](SimPeer& s) { (void)s.engine->rekey("t1", true, p.sim.now); },
         [&](SimPeer& s) { (void)s.engine->down("t1", p.sim.now); });
    p.sim.run_for(20s);  // less than the active side's retry_interval
    INFO(describe(t) << "\n" << p.events());
    CHECK(p.sim.a.fake_kernel.idle(6));
    CHECK(p.sim.b.fake_kernel.idle(6));
    CHECK(p.sim.a.fake_kernel.larval().empty());
    CHECK(p.sim.b.fake_kernel.larval().empty());
    CHECK(ike_sas(p.sim.a) == 0);
    CHECK(ike_sas(p.sim.b) == 0);
  }
}

TEST_CASE("rekeys of every kind at random moments under loss, duplication and reordering converge") {
  auto seed = GENERATE(range(1, 201));
  TunnelPair p(2, static_cast<std::uint64_t>(seed));
  p.sim.conditions.loss_percent = 5;
  p.sim.conditions.duplicate_percent = 10;
  p.sim.conditions.reorder_percent = 30;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 60s));
  SeededRandom rng(static_cast<std::uint64_t>(seed) * 31);
  for (int round = 0; round < 20; ++round) {
    auto& who = rng.uniform(2) ? p.sim.a : p.sim.b;
    (void)who.engine->rekey("t1", rng.uniform(3) == 0, p.sim.now);
    p.sim.run_for(milliseconds(rng.uniform(60)));
  }
  bool settled = settle(p, 120s);
  INFO("seed " << seed << "\n" << p.events());
  CHECK(settled);
  check_converged(p);
  CHECK(both(p, Kind::NegotiationFailed, "") == 0);
  CHECK(policy_deletes(p) == 0);
}

TEST_CASE("simultaneous initiation (both ends active): one IKE SA and one SA pair per mapping remain") {
  std::map<std::string, int> outcome;
  for (const auto& t : interleavings({0, 1, 4, 9, 10, 11, 15, 20, 30, 45, 80}, kDelays, {1, 2, 3})) {
    TunnelPair p(2, t.seed, {}, Negotiation::Active);
    // Both ends load the tunnel (and initiate) with the gap between them.
    set_delays(p, t);
    auto& first = t.a_first ? p.sim.a : p.sim.b;
    auto& second = t.a_first ? p.sim.b : p.sim.a;
    REQUIRE(first.engine->add_tunnel(t.a_first ? p.a : p.b, p.sim.now));
    p.sim.run_for(t.gap);
    REQUIRE(second.engine->add_tunnel(t.a_first ? p.b : p.a, p.sim.now));
    bool settled = settle(p, 30s);
    p.sim.run_for(5s);
    INFO(describe(t) << "\n" << p.events());
    CHECK(settled);
    check_converged(p);
    CHECK(both(p, Kind::NegotiationFailed, "") == 0);
    auto deletes = both(p, Kind::Info, "both ends initiated");
    CHECK(deletes <= 1);
    ++outcome[deletes ? "duplicate deleted" : "one IKE SA only"];
  }
  INFO("duplicate deleted " << outcome["duplicate deleted"] << ", one IKE SA only " << outcome["one IKE SA only"]);
  CHECK(outcome["duplicate deleted"] > 0);
}
