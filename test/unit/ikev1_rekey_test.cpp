// IKEv1 Quick Mode rekeying (issue 6) in the two-peer simulation: the fake
// kernels' soft lifetimes start a new Quick Mode per mapping; the new pair
// is in before the old one goes (our new outbound SA half a retransmission
// timeout after QM3), so at every instant each mapping's outbound SA has
// its inbound twin at the peer and no policy ever leaves the kernel. Both
// ends rekeying one pair at once leave one pair (lowest nonce deleted by
// its initiator).
#include <catch2/catch.hpp>

#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

TunnelPair v1_pair(std::size_t mappings, std::uint64_t seed = 1, EngineOptions opts = {}) {
  TunnelPair p(mappings, seed, opts);
  for (auto* c : {&p.a, &p.b}) c->version = IkeVersion::V1;
  return p;
}

unsigned policy_deletes(const TunnelPair& p) {
  return p.sim.a.fake_kernel.calls(FakeKernel::Call::DeletePolicy) +
         p.sim.b.fake_kernel.calls(FakeKernel::Call::DeletePolicy);
}

std::size_t rekeys(const TunnelPair& p) {
  return p.sim.a.count(Kind::Rekeyed, "IPsec SA") + p.sim.b.count(Kind::Rekeyed, "IPsec SA");
}

}  // namespace

TEST_CASE("IKEv1: IPsec SAs rekey at the kernel's soft lifetime, make-before-break, again and again") {
  auto mappings = GENERATE(1u, 2u);
  auto seed = GENERATE(1u, 2u, 3u);
  auto p = v1_pair(mappings, seed);
  for (auto* c : {&p.a, &p.b}) c->ipsec.lifetime = 60s;
  FlowWatch flow;
  flow.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  flow.armed = true;
  run_with_traffic(p, 20 * 60s, true, true, 1s);
  REQUIRE(settle(p, 30s));
  INFO("mappings " << mappings << " seed " << seed << "\n" << p.events());
  CHECK(rekeys(p) >= 20 * mappings);
  CHECK(flow.violations == 0);
  CHECK(flow.first == "");
  CHECK(policy_deletes(p) == 0);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) + p.sim.b.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.a.count(Kind::Info, "expired") + p.sim.b.count(Kind::Info, "expired") == 0);
  check_converged(p);
}

TEST_CASE("IKEv1: both ends rekey one pair at once; one pair remains, traffic never stops") {
  std::size_t collisions = 0;
  for (int gap : {0, 1, 5, 10, 15, 25, 40}) {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
      for (bool a_first : {true, false}) {
        auto p = v1_pair(1, seed);
        FlowWatch flow;
        flow.attach(p);
        p.start();
        REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
        auto old = p.sim.a.engine->status("t1")->children[0];
        flow.armed = true;
        auto& first = a_first ? p.sim.a : p.sim.b;
        auto& second = a_first ? p.sim.b : p.sim.a;
        auto expire = [&](SimPeer& s) {
          auto spi = s.engine->status("t1")->children[0].spi_in;
          s.engine->on_expire({{s.gateway.local_address, spi}, false}, p.sim.now);
        };
        expire(first);
        p.sim.run_for(std::chrono::milliseconds(gap));
        expire(second);
        bool settled = settle(p, 30s);
        INFO("gap " << gap << " seed " << seed << " A first " << a_first << "\n" << p.events());
        CHECK(settled);
        check_converged(p);
        CHECK(flow.violations == 0);
        CHECK(flow.first == "");
        CHECK(policy_deletes(p) == 0);
        CHECK_FALSE(p.sim.a.fake_kernel.find_sa(old.spi_in));
        collisions += p.sim.a.count(Kind::Info, "rekey collision") + p.sim.b.count(Kind::Info, "rekey collision");
      }
    }
  }
  CHECK(collisions > 0);
}

TEST_CASE("IKEv1: lifetimes of seconds (test-only divisor) still rekey make-before-break") {
  EngineOptions opts;
  opts.lifetime_divisor = 20;
  auto p = v1_pair(1, 1, opts);
  for (auto* c : {&p.a, &p.b}) c->ipsec.lifetime = 120s;  // 6 s
  FlowWatch flow;
  flow.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  flow.armed = true;
  run_with_traffic(p, 90s, true, true, 100ms);
  REQUIRE(settle(p, 10s));
  INFO(p.events());
  CHECK(rekeys(p) >= 15);
  CHECK(flow.violations == 0);
  CHECK(flow.first == "");
  CHECK(policy_deletes(p) == 0);
  check_converged(p);
}

TEST_CASE("IKEv1: rekeys under loss, duplication and reordering converge to one pair per mapping once the loss ends") {
  auto seed = GENERATE(range(1, 21));
  auto p = v1_pair(2, static_cast<std::uint64_t>(seed));
  p.sim.conditions.loss_percent = 5;
  p.sim.conditions.duplicate_percent = 10;
  p.sim.conditions.reorder_percent = 20;
  for (auto* c : {&p.a, &p.b}) c->ipsec.lifetime = 60s;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 60s));
  run_with_traffic(p, 600s, true, true, 1s);
  // IKEv1's DELETE is one-way (RFC 2408 §3.15): a lost one leaves the old
  // pair at the peer until its hard lifetime. With the network clean again
  // every leftover is gone within one lifetime.
  p.sim.conditions = {};
  bool settled = settle(p, 120s);
  INFO("seed " << seed << "\n" << p.events());
  CHECK(settled);
  check_converged(p);
  CHECK(rekeys(p) >= 10);
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
}
