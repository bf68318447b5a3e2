// Dead peer detection (issue 6) for IKEv2 through the engine, in the
// two-peer simulation: liveness checks only when the peer has been quiet
// (neither IKE nor inbound ESP), death declared within dpd.timeout, and
// dpd.action clear / restart; a rebooted peer comes back by itself.
#include <catch2/catch.hpp>

#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

bool informational_request(const Datagram& d) {
  return d.payload.size() > 19 && d.payload[18] == 37 && (d.payload[19] & 0x20) == 0;
}

// Counts INFORMATIONAL requests each side sends (liveness checks here).
struct ProbeCounter {
  std::size_t from_a = 0, from_b = 0;
  std::vector<TimePoint> times_a;
  void attach(TunnelPair& p) {
    p.sim.tap = [this, &p](const Datagram& d) {
      if (!informational_request(d)) return false;
      if (d.local.address == p.a.local_address) {
        ++from_a;
        times_a.push_back(p.sim.now);
      } else {
        ++from_b;
      }
      return false;
    };
  }
};

}  // namespace

TEST_CASE("DPD: an idle tunnel is checked now and then, a live peer never declared dead") {
  TunnelPair p;
  ProbeCounter probes;
  probes.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  p.sim.run_for(300s);
  INFO(p.events());
  // Checks every timeout/4 = 7.5 s when nothing came: one side's check is
  // the other's sign of life, so about one probe per 7.5..15 s in all.
  CHECK(probes.from_a + probes.from_b >= 20);
  CHECK(probes.from_a + probes.from_b <= 41);
  CHECK(p.sim.a.count(Kind::DpdTimeout) == 0);
  CHECK(p.sim.b.count(Kind::DpdTimeout) == 0);
  check_converged(p);
}

TEST_CASE("DPD: inbound ESP is a sign of life, no liveness checks while traffic flows") {
  TunnelPair p(2);
  ProbeCounter probes;
  probes.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  auto before = probes.from_a + probes.from_b;
  run_with_traffic(p, 300s, true, true);
  INFO(p.events());
  CHECK(probes.from_a + probes.from_b == before);
  // Traffic one way only: the receiving side stays quiet, the sender's
  // checks go to the receiver (which answers).
  run_with_traffic(p, 120s, true, false);
  CHECK(probes.from_a > 0);
  CHECK(p.sim.a.count(Kind::DpdTimeout) == 0);
  CHECK(p.sim.b.count(Kind::DpdTimeout) == 0);
}

TEST_CASE("DPD disabled: no liveness checks, a dead peer goes unnoticed") {
  TunnelPair p;
  p.a.dpd.enabled = false;
  p.b.dpd.enabled = false;
  ProbeCounter probes;
  probes.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  p.sim.b_offline = true;
  p.sim.run_for(300s);
  CHECK(probes.from_a == 0);
  CHECK(p.sim.a.count(Kind::DpdTimeout) == 0);
  CHECK(tunnel_up(p.sim.a, 1));
}

TEST_CASE("DPD: a killed peer is declared dead within the timeout, whatever the phase") {
  auto timeout = GENERATE(30, 45, 60);
  auto offset_ms = GENERATE(0, 1300, 2700, 4100, 5900, 7300, 9100, 13700);
  auto traffic = GENERATE(false, true);
  TunnelPair p;
  p.a.dpd.timeout = Seconds(timeout);
  p.b.dpd.timeout = Seconds(timeout);
  ProbeCounter probes;
  probes.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  run_with_traffic(p, 60s + std::chrono::milliseconds(offset_ms), traffic, traffic, 100ms);
  // B dies (its last ESP arrived just now).
  p.sim.b_offline = true;
  auto killed = p.sim.now;
  bool dead = p.sim.run_until([&] { return p.sim.a.count(Kind::DpdTimeout) > 0; }, Seconds(timeout + 30));
  INFO("timeout " << timeout << " offset " << offset_ms << " traffic " << traffic << "\n" << p.events());
  REQUIRE(dead);
  CHECK(p.sim.now - killed <= Seconds(timeout));
  // Declared by one probe: five transmissions within half the timeout
  // (exponential backoff scaled to it, RFC 7296 §2.4).
  auto budget = std::chrono::milliseconds(Seconds(timeout)) / 2;
  auto last_probe = std::count_if(probes.times_a.begin(), probes.times_a.end(),
                                  [&](TimePoint t) { return t >= p.sim.now - budget; });
  CHECK(last_probe == 5);
  CHECK(p.sim.now - probes.times_a[probes.times_a.size() - 5] <= budget);
  CHECK(p.sim.now - probes.times_a[probes.times_a.size() - 5] > budget - 1s);
  CHECK(p.sim.a.count(Kind::DpdTimeout, "no answer from 198.51.100.2") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("DPD clear: SAs go, the traps stay (fail closed), no automatic re-negotiation") {
  auto negotiation = GENERATE(Negotiation::Active, Negotiation::Traffic);
  TunnelPair p(2);
  p.a = p.sim.config_a(negotiation, 2);
  p.a.dpd.action = DpdAction::Clear;
  p.start();
  if (negotiation == Negotiation::Traffic) {
    auto reqid = p.sim.a.fake_kernel.policies().front().reqid;
    p.sim.a.engine->on_acquire({reqid, p.a.mappings[0].local, p.a.mappings[0].remote}, p.sim.now);
  }
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  p.sim.b_offline = true;
  REQUIRE(p.sim.run_until([&] { return p.sim.a.count(Kind::DpdTimeout) > 0; }, 60s));
  INFO(p.events());
  CHECK(p.sim.a.count(Kind::DpdTimeout, "dpd action clear") == 1);
  CHECK(p.sim.a.count(Kind::Down) >= 1);
  CHECK(p.sim.a.fake_kernel.sas().empty());
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Down);
  CHECK(p.sim.a.engine->status("t1")->last_error.find("DPD") != std::string::npos);
  // Fail closed: both kinds keep their traps (the mappings' traffic is dropped).
  CHECK(p.sim.a.fake_kernel.idle(6));
  // Nothing is sent any more: clear means stay down.
  auto sent = p.sim.a.sent;
  p.sim.run_for(300s);
  CHECK(p.sim.a.sent == sent);
  // B comes back; `up` (or an acquire) brings the tunnel back.
  p.sim.b_offline = false;
  p.sim.b.engine = make_engine(p.sim.b, p.sim.b.gateway);
  p.sim.b.fake_kernel = FakeKernel(0xb1000000u);
  REQUIRE(p.sim.b.engine->add_tunnel(p.b, p.sim.now));
  REQUIRE(p.sim.a.engine->up("t1", p.sim.now));
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  p.sim.run_for(5s);
  check_converged(p);
}

TEST_CASE("DPD restart: the tunnel is re-negotiated and comes back when the rebooted peer does") {
  TunnelPair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  // B crashes and stays away for two minutes.
  p.sim.b_offline = true;
  REQUIRE(p.sim.run_until([&] { return p.sim.a.count(Kind::DpdTimeout) > 0; }, 60s));
  CHECK(p.sim.a.count(Kind::DpdTimeout, "dpd action restart") == 1);
  CHECK(p.sim.a.fake_kernel.sas().empty());
  // A initiates again right away.
  CHECK(p.sim.a.count(Kind::Info, "initiating") == 2);
  p.sim.run_for(120s);
  // B reboots with nothing in its kernel.
  p.sim.b_offline = false;
  p.sim.b.engine = make_engine(p.sim.b, p.sim.b.gateway);
  p.sim.b.fake_kernel = FakeKernel(0xb1000000u);
  REQUIRE(p.sim.b.engine->add_tunnel(p.b, p.sim.now));
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 120s);
  INFO(p.events());
  REQUIRE(ok);
  p.sim.run_for(5s);
  check_converged(p);
}

TEST_CASE("DPD: a peer that reboots before anyone notices is re-established by itself") {
  auto b_active = GENERATE(false, true);
  TunnelPair p(1, 1, {}, b_active ? Negotiation::Active : Negotiation::Passive);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  p.sim.run_for(5s);
  // B restarts at once: its IKE SA is unknown to it now.
  p.sim.b.engine = make_engine(p.sim.b, p.sim.b.gateway);
  p.sim.b.fake_kernel = FakeKernel(0xb1000000u);
  REQUIRE(p.sim.b.engine->add_tunnel(p.b, p.sim.now));
  // Active B brings it back with INITIAL_CONTACT; passive B is found dead
  // by A's DPD (its probe is not answered), and A's restart brings it back.
  bool ok = p.sim.run_until([&] { return p.both_up() && ike_sas(p.sim.a) == 1; }, 90s);
  INFO(p.events());
  REQUIRE(ok);
  p.sim.run_for(10s);
  check_converged(p);
  CHECK(p.sim.a.count(Kind::DpdTimeout) == (b_active ? 0u : 1u));
}

TEST_CASE("DPD: 5% loss does not make a live peer dead") {
  // A probe fails only if all five transmissions or their answers are
  // lost: (1 - 0.95^2)^5 ≈ 1e-5 per probe here.
  auto seed = GENERATE(range(1, 11));
  TunnelPair p(1, static_cast<std::uint64_t>(seed));
  p.sim.conditions.loss_percent = 5;
  p.sim.conditions.duplicate_percent = 5;
  p.sim.conditions.reorder_percent = 10;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 60s));
  p.sim.run_for(600s);
  INFO("seed " << seed << "\n" << p.events());
  CHECK(p.sim.a.count(Kind::DpdTimeout) == 0);
  CHECK(p.sim.b.count(Kind::DpdTimeout) == 0);
  CHECK(tunnel_up(p.sim.a, 1));
}

TEST_CASE("DPD of a passive tunnel: restart waits for the peer to initiate") {
  TunnelPair p;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  // A goes away; passive B finds out and waits.
  p.sim.a_offline = true;
  REQUIRE(p.sim.run_until([&] { return p.sim.b.count(Kind::DpdTimeout) > 0; }, 60s));
  INFO(p.events());
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.b.count(Kind::Info, "initiating") == 0);
}
