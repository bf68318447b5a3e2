// Rekeying and lifetimes (issue 6) for IKEv2 in the two-peer simulation:
// the fake kernels enforce the SAs' soft/hard limits in seconds and bytes
// and report them as XFRM_MSG_EXPIRE; CHILD SAs are rekeyed make-before-
// break at the soft limit, IKE SAs at their own soft lifetime (RFC 7296
// §2.8, §2.18). At every instant each mapping must have an outbound SA
// whose inbound twin exists at the peer, and no policy ever leaves the
// kernel.
#include <catch2/catch.hpp>

#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

unsigned policy_deletes(const TunnelPair& p) {
  return p.sim.a.fake_kernel.calls(FakeKernel::Call::DeletePolicy) +
         p.sim.b.fake_kernel.calls(FakeKernel::Call::DeletePolicy);
}

std::size_t rekeys(const TunnelPair& p, std::string_view what) {
  return p.sim.a.count(Kind::Rekeyed, what) + p.sim.b.count(Kind::Rekeyed, what);
}

}  // namespace

TEST_CASE("CHILD SAs rekey at the kernel's soft lifetime, make-before-break, again and again") {
  auto mappings = GENERATE(1u, 2u);
  auto pfs = GENERATE(false, true);
  TunnelPair p(mappings);
  for (auto* c : {&p.a, &p.b}) {
    c->ipsec.lifetime = 60s;
    if (pfs) c->ipsec.pfs = crypto::DhGroup::Curve25519;
  }
  FlowWatch flow;
  flow.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  flow.armed = true;
  // 20 rekeys of every mapping.
  run_with_traffic(p, 20 * 60s, true, true, 1s);
  INFO("mappings " << mappings << " pfs " << pfs << "\n" << p.events());
  CHECK(rekeys(p, "CHILD_SA") >= 20 * mappings);
  CHECK(flow.violations == 0);
  CHECK(flow.first == "");
  CHECK(policy_deletes(p) == 0);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
  // Hard limits never hit: every SA was replaced before.
  CHECK(p.sim.a.count(Kind::Info, "expired") == 0);
  CHECK(p.sim.b.count(Kind::Info, "expired") == 0);
  REQUIRE(settle(p));
  check_converged(p);
}

TEST_CASE("the IKE SA rekeys at its soft lifetime; CHILD SAs move to the new one untouched") {
  auto mappings = GENERATE(1u, 3u);
  auto nat = GENERATE(false, true);
  TunnelPair p(mappings);
  if (nat) {
    p.sim.nat = SimNat{*IpAddress::parse("203.0.113.7")};
    p.b = p.sim.config_b(Negotiation::Passive, mappings);
    p.b.remote_id = Identity{Identity::Type::Ip, "192.0.2.1"};
  }
  for (auto* c : {&p.a, &p.b}) c->ike.lifetime = 100s;
  FlowWatch flow;
  flow.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  flow.armed = true;
  auto before = p.sim.a.engine->status("t1");
  auto installs = p.sim.a.fake_kernel.calls(FakeKernel::Call::AddSa);
  p.sim.run_for(1000s);
  REQUIRE(settle(p));
  INFO("mappings " << mappings << " nat " << nat << "\n" << p.events());
  // 80..90% of 100 s: at least 10 IKE rekeys in 1000 s, by either side.
  CHECK(rekeys(p, "IKE SA rekeyed") >= 2 * 10);
  auto after = p.sim.a.engine->status("t1");
  CHECK(after->ike_spi_i != before->ike_spi_i);
  auto b = p.sim.b.engine->status("t1");
  CHECK(after->ike_spi_i == b->ike_spi_i);
  CHECK(after->ike_spi_r == b->ike_spi_r);
  // The CHILD SAs are the same ones, never reinstalled.
  REQUIRE(after->children.size() == before->children.size());
  for (std::size_t i = 0; i < after->children.size(); ++i) CHECK(after->children[i].spi_in == before->children[i].spi_in);
  CHECK(p.sim.a.fake_kernel.calls(FakeKernel::Call::AddSa) == installs);
  CHECK(policy_deletes(p) == 0);
  CHECK(flow.violations == 0);
  CHECK(after->nat_detected == nat);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.a.count(Kind::Down) == 0);
  CHECK(p.sim.b.count(Kind::Down) == 0);
  check_converged(p);
  // The new IKE SA works: a CHILD SA rekey over it, and a clean teardown.
  REQUIRE(p.sim.a.engine->rekey("t1", false, p.sim.now));
  REQUIRE(settle(p));
  check_converged(p);
  REQUIRE(p.sim.b.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.idle(3 * p.mappings));
  CHECK(p.sim.b.fake_kernel.idle(3 * p.mappings));
}

TEST_CASE("IKE and CHILD SA lifetimes together under loss, duplication and reordering") {
  auto seed = GENERATE(range(1, 13));
  TunnelPair p(2, static_cast<std::uint64_t>(seed));
  p.sim.conditions.loss_percent = 5;
  p.sim.conditions.duplicate_percent = 10;
  p.sim.conditions.reorder_percent = 20;
  for (auto* c : {&p.a, &p.b}) {
    c->ike.lifetime = 90s;
    c->ipsec.lifetime = 60s;
  }
  FlowWatch flow;
  flow.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 60s));
  flow.armed = true;
  run_with_traffic(p, 1200s, true, true, 1s);
  REQUIRE(settle(p));
  INFO("seed " << seed << "\n" << p.events());
  CHECK(rekeys(p, "IKE SA rekeyed") >= 2 * 12);
  CHECK(rekeys(p, "CHILD_SA") >= 2 * 18);
  CHECK(flow.violations == 0);
  CHECK(flow.first == "");
  CHECK(policy_deletes(p) == 0);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
  check_converged(p);
}

TEST_CASE("a kilobyte lifetime triggers the rekey after the expected volume") {
  TunnelPair p;
  for (auto* c : {&p.a, &p.b}) c->ipsec.lifetime_kb = 1000;  // 1 MB; soft at 85..90%
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  auto old = p.sim.a.engine->status("t1")->children[0];
  const auto* out = p.sim.a.fake_kernel.find_sa(old.spi_out);
  REQUIRE(out);
  CHECK(out->lifetime.hard_bytes == 1000 * 1024);
  CHECK(out->lifetime.soft_bytes <= 900 * 1024);
  CHECK(out->lifetime.soft_bytes >= 850 * 1024);
  // 10 KB every 100 ms from A: A's outbound and B's inbound SA count it.
  std::uint64_t sent = 0;
  while (rekeys(p, "CHILD_SA") == 0 && sent < 1100 * 1024) {
    for (const auto& sa : p.sim.a.fake_kernel.sas())
      if (!sa.inbound) p.sim.a.fake_kernel.traffic(sa.id.spi, 10 * 1024);
    for (const auto& sa : p.sim.b.fake_kernel.sas())
      if (sa.inbound) p.sim.b.fake_kernel.traffic(sa.id.spi, 10 * 1024);
    sent += 10 * 1024;
    p.sim.run_for(100ms);
  }
  INFO(p.events());
  CHECK(rekeys(p, "CHILD_SA") == 1);
  CHECK(sent >= 850 * 1024);
  CHECK(sent <= 910 * 1024);
  REQUIRE(settle(p));
  check_converged(p);
  CHECK(p.sim.a.engine->status("t1")->children[0].spi_in != old.spi_in);
}

TEST_CASE("kernel EXPIRE: soft rekeys, hard deletes and brings a fresh pair") {
  auto hard = GENERATE(false, true);
  auto side = GENERATE(0, 1);
  TunnelPair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  // A CHILD SA we answered is rekeyed only once the peer surely has it
  // (it sent another request since, or our answer is older than any
  // retransmission); at a real soft expiry that is long true.
  p.sim.run_for(35s);
  auto& peer = side == 0 ? p.sim.a : p.sim.b;
  auto old = peer.engine->status("t1")->children[1];
  // Both SAs of the pair report it (XFRM sends one EXPIRE per SA).
  peer.engine->on_expire({{peer.gateway.local_address, old.spi_in}, hard}, p.sim.now);
  peer.engine->on_expire({{side == 0 ? p.a.peer_address : p.b.peer_address, old.spi_out}, hard}, p.sim.now);
  REQUIRE(settle(p, 10s));
  INFO("hard " << hard << " side " << side << "\n" << p.events());
  check_converged(p);
  CHECK_FALSE(peer.fake_kernel.find_sa(old.spi_in));
  CHECK(peer.count(Kind::Info, hard ? "expired" : "rekeying CHILD_SA") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("rekey on demand: status says rekeying meanwhile, unknown tunnels and down tunnels refuse") {
  TunnelPair p;
  p.start();
  CHECK_FALSE(p.sim.a.engine->rekey("t1", true, p.sim.now));  // not up yet
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  CHECK_FALSE(p.sim.a.engine->rekey("nope", true, p.sim.now));
  REQUIRE(p.sim.a.engine->rekey("t1", true, p.sim.now));
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Rekeying);
  REQUIRE(settle(p, 5s));
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Up);
  CHECK(rekeys(p, "IKE SA rekeyed") == 2);
  check_converged(p);
}

TEST_CASE("test-only lifetime divisor: lifetimes of seconds still rekey make-before-break") {
  EngineOptions opts;
  opts.lifetime_divisor = 20;  // what the kernel lab sets through KITE_TEST_LIFETIME_DIVISOR
  TunnelPair p(1, 1, opts);
  for (auto* c : {&p.a, &p.b}) {
    c->ike.lifetime = 120s;  // 6 s
    c->ipsec.lifetime = 60s;  // 3 s: soft at 1..2 s before hard, whole seconds as XFRM counts
  }
  FlowWatch flow;
  flow.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  auto sas = p.sim.a.fake_kernel.sas();
  REQUIRE_FALSE(sas.empty());
  CHECK(sas[0].lifetime.hard_seconds == 3);
  CHECK(sas[0].lifetime.soft_seconds >= 1);
  CHECK(sas[0].lifetime.soft_seconds <= 2);
  flow.armed = true;
  run_with_traffic(p, 60s, true, true, 100ms);
  REQUIRE(settle(p, 10s));
  INFO(p.events());
  CHECK(rekeys(p, "CHILD_SA") >= 20);
  CHECK(rekeys(p, "IKE SA rekeyed") >= 2 * 8);
  CHECK(flow.violations == 0);
  CHECK(flow.first == "");
  CHECK(policy_deletes(p) == 0);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) + p.sim.b.count(Kind::NegotiationFailed) == 0);
  check_converged(p);
}
