// Dead peer detection for IKEv1 (RFC 3706) through the engine's
// version-neutral detector (libike/engine/dpd.cpp), in the two-peer
// simulation: R-U-THERE only when the peer has been quiet, answered by
// R-U-THERE-ACK; a dead peer declared within dpd.timeout and the
// tunnel's dpd.action applied, as for IKEv2.
#include <catch2/catch.hpp>

#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

// ISAKMP Informational exchanges (type 5) each side sends.
struct Informationals {
  std::vector<TimePoint> from_a, from_b;
  void attach(TunnelPair& p) {
    p.sim.tap = [this, &p](const Datagram& d) {
      if (d.payload.size() > 18 && d.payload[18] == 5)
        (d.local.address == p.a.local_address ? from_a : from_b).push_back(p.sim.now);
      return false;
    };
  }
};

TunnelPair v1_pair(Negotiation b_mode = Negotiation::Passive) {
  TunnelPair p(1, 1, {}, b_mode);
  for (auto* c : {&p.a, &p.b}) c->version = IkeVersion::V1;
  return p;
}

}  // namespace

TEST_CASE("IKEv1 DPD: an idle peer is asked R-U-THERE and answers; traffic keeps it quiet") {
  auto p = v1_pair();
  Informationals info;
  info.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  p.sim.run_for(5s);
  auto before = info.from_a.size() + info.from_b.size();
  p.sim.run_for(120s);
  INFO(p.events());
  auto idle = info.from_a.size() + info.from_b.size() - before;
  // A check every 7.5 s at each side; each R-U-THERE and its ACK count.
  CHECK(idle >= 16);
  CHECK(p.sim.a.count(Kind::DpdTimeout) + p.sim.b.count(Kind::DpdTimeout) == 0);
  before = info.from_a.size() + info.from_b.size();
  run_with_traffic(p, 120s, true, true);
  CHECK(info.from_a.size() + info.from_b.size() == before);
  CHECK(tunnel_up(p.sim.a, 1));
}

TEST_CASE("IKEv1 DPD: a killed peer is declared dead within the timeout; restart brings the tunnel back") {
  auto offset_ms = GENERATE(0, 2300, 5100, 9700);
  auto p = v1_pair();
  Informationals info;
  info.attach(p);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  p.sim.run_for(30s + std::chrono::milliseconds(offset_ms));
  p.sim.b_offline = true;
  auto killed = p.sim.now;
  bool dead = p.sim.run_until([&] { return p.sim.a.count(Kind::DpdTimeout) > 0; }, 60s);
  INFO("offset " << offset_ms << "\n" << p.events());
  REQUIRE(dead);
  CHECK(p.sim.now - killed <= 30s);
  CHECK(p.sim.a.count(Kind::DpdTimeout, "no answer from 198.51.100.2:500 to R-U-THERE") == 1);
  // Five R-U-THEREs (new sequence numbers) on exponential waits within
  // half the timeout, then death.
  REQUIRE(info.from_a.size() >= 5);
  auto first = info.from_a[info.from_a.size() - 5];
  CHECK(p.sim.now - first <= 15s);
  CHECK(p.sim.now - first > 14s);
  CHECK(p.sim.a.fake_kernel.sas().empty());
  // B reboots; A's restart negotiates until it answers.
  p.sim.b_offline = false;
  p.sim.b.engine = make_engine(p.sim.b, p.sim.b.gateway);
  p.sim.b.fake_kernel = FakeKernel(0xb1000000u);
  REQUIRE(p.sim.b.engine->add_tunnel(p.b, p.sim.now));
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 120s));
  CHECK(p.sim.a.fake_kernel.sas().size() == 2);
}
