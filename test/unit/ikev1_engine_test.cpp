// IKEv1 through the engine (libike/engine + libike/ikev1) in the two-peer
// simulation: dispatch by cookies, the phase-1 front door, installation
// through the tunnel layer into (fake) kernels, teardown.
#include <catch2/catch.hpp>

#include "test/unit/sim/sim.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

bool up(const SimPeer& p, std::size_t children = 1) {
  auto s = p.engine->status("t1");
  return s && s->state == TunnelState::Up && s->children.size() == children;
}

void check_mirrored(const FakeKernel& ours, const FakeKernel& theirs) {
  REQUIRE_FALSE(ours.sas().empty());
  for (const auto& sa : ours.sas()) {
    const auto* peer = theirs.find_sa(sa.id.spi);
    INFO("SPI " << std::hex << sa.id.spi);
    REQUIRE(peer != nullptr);
    CHECK(peer->inbound != sa.inbound);
    CHECK(peer->id.dst == sa.id.dst);
    CHECK(peer->encryption == sa.encryption);
    CHECK(peer->integrity == sa.integrity);
    CHECK(peer->encryption_key == sa.encryption_key);
    CHECK(peer->integrity_key == sa.integrity_key);
    CHECK(peer->encap.has_value() == sa.encap.has_value());
  }
}

struct Pair {
  Sim sim;
  TunnelConfig a, b;
  explicit Pair(ExchangeMode mode = ExchangeMode::Main, std::size_t mappings = 1, std::uint64_t seed = 1,
                bool ipv6 = false)
      : sim(seed, {}, ipv6), a(sim.config_a(Negotiation::Active, mappings)), b(sim.config_b(Negotiation::Passive, mappings)) {
    for (auto* c : {&a, &b}) {
      c->version = IkeVersion::V1;
      c->exchange_mode = mode;
    }
  }
  void start() {
    REQUIRE(sim.b.engine->add_tunnel(b, sim.now));
    REQUIRE(sim.a.engine->add_tunnel(a, sim.now));
  }
  bool both_up(std::size_t n = 1) { return up(sim.a, n) && up(sim.b, n); }
  std::string events() const { return sim.a.events_text() + sim.b.events_text(); }
};

}  // namespace

TEST_CASE("IKEv1 through the engine: up, mirrored kernel SAs, status, down cleans both kernels") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Pair p(mode, 2);
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 20s);
  INFO(p.events());
  REQUIRE(ok);
  CHECK(p.sim.a.fake_kernel.sas().size() == 4);
  CHECK(p.sim.b.fake_kernel.sas().size() == 4);
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
  CHECK(p.sim.a.fake_kernel.policies().size() == 6);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  auto sa = *p.sim.a.engine->status("t1");
  auto sb = *p.sim.b.engine->status("t1");
  CHECK(sa.version == IkeVersion::V1);
  CHECK(sa.ike_spi_i == sb.ike_spi_i);
  CHECK(sa.ike_spi_r == sb.ike_spi_r);
  CHECK(sa.ike_encryption == "aes128");
  CHECK(sa.ike_integrity == "sha256");
  CHECK(sa.ike_dh_group == std::uint16_t{14});
  CHECK(sa.children[0].encryption == "aes128");
  CHECK(p.sim.a.count(Kind::Up) == 1);
  CHECK(p.sim.b.count(Kind::Up) == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);

  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.idle(6));
  CHECK(p.sim.b.fake_kernel.idle(6));
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Down);
  CHECK(p.sim.b.engine->status("t1")->state == TunnelState::Down);
}

TEST_CASE("IKEv1 through the engine: the responder's down tells the initiator") {
  Pair p;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 20s));
  REQUIRE(p.sim.b.engine->down("t1", p.sim.now));
  p.sim.run_for(2s);
  INFO(p.events());
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  // An active tunnel comes back by itself after the retry interval.
  REQUIRE(p.sim.b.engine->up("t1", p.sim.now));
  CHECK(p.sim.run_until([&] { return p.both_up(); }, 60s));
}

TEST_CASE("IKEv1 through the engine: NAT in front of the initiator") {
  Pair p;
  p.sim.nat = SimNat{*IpAddress::parse("203.0.113.9")};
  p.b = p.sim.config_b(Negotiation::Passive, 1);
  p.b.version = IkeVersion::V1;
  p.b.remote_id = Identity{Identity::Type::Ip, p.sim.a.gateway.local_address.to_string()};
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 20s);
  INFO(p.events());
  REQUIRE(ok);
  // Ports as the packets of each SA carry them: B sees A as 14500.
  for (const auto& sa : p.sim.b.fake_kernel.sas()) {
    REQUIRE(sa.encap);
    CHECK(sa.encap->src_port == (sa.inbound ? 14500 : 4500));
    CHECK(sa.encap->dst_port == (sa.inbound ? 4500 : 14500));
  }
  for (const auto& sa : p.sim.a.fake_kernel.sas()) {
    REQUIRE(sa.encap);
    CHECK(sa.encap->src_port == 4500);
    CHECK(sa.encap->dst_port == 4500);
  }
  CHECK(p.sim.b.engine->status("t1")->nat_detected);
}

TEST_CASE("IKEv1 through the engine: wrong PSK fails both, nothing in either kernel") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Pair p(mode);
  p.b.psk = Secret::from_string("something else entirely");
  p.start();
  p.sim.run_for(10s);
  INFO(p.events());
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.a.engine->status("t1")->last_error.find("AUTHENTICATION-FAILED") != std::string::npos);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 1);
}

TEST_CASE("IKEv1 through the engine: a version mismatch finds no tunnel") {
  Pair p;
  p.b.version = IkeVersion::V2;
  p.start();
  p.sim.run_for(5s);
  CHECK_FALSE(up(p.sim.a));
  CHECK(p.sim.b.fake_kernel.idle(3));
}

TEST_CASE("IKEv1 through the engine: loss, duplication and reordering") {
  auto seed = GENERATE(range<std::uint64_t>(1, 11));
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Pair p(mode, 2, seed);
  p.sim.conditions = {15, 15, 15, std::chrono::milliseconds(10)};
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 120s);
  INFO("seed " << seed << "\n" << p.events());
  REQUIRE(ok);
  p.sim.conditions = {};
  p.sim.run_for(10s);
  CHECK(p.both_up(2));
  CHECK(p.sim.a.fake_kernel.sas().size() == 4);
  CHECK(p.sim.b.fake_kernel.sas().size() == 4);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
}

TEST_CASE("IKEv1 through the engine over IPv6: ID_IPV6_ADDR and IPv6 subnet client IDs") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Pair p(mode, 2, 1, true);
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 20s);
  INFO(p.events());
  REQUIRE(ok);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  auto s = *p.sim.b.engine->status("t1");
  REQUIRE(s.children.size() == 2);
  CHECK(s.children[0].mappings[0].local.is_v6());
  CHECK(s.peer.is_v6());
  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.idle(6));
  CHECK(p.sim.b.fake_kernel.idle(6));
}
