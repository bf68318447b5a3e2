// IKEv2 end to end in the two-peer simulation (STYLE.md §2): two engines,
// fake kernels, a fake clock and a seeded network.
#include <catch2/catch.hpp>

#include "test/unit/sim/sim.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

bool up(const SimPeer& p) {
  auto s = p.engine->status("t1");
  return s && s->state == TunnelState::Up;
}

std::size_t children(const SimPeer& p) {
  auto s = p.engine->status("t1");
  return s ? s->children.size() : 0;
}

// Our inbound SA carries what the peer's outbound carries: same SPI, keys
// and algorithms, mirrored addresses.
void check_mirrored(const FakeKernel& ours, const FakeKernel& theirs) {
  for (const auto& sa : ours.sas()) {
    const auto* peer = theirs.find_sa(sa.id.spi);
    INFO("SPI " << std::hex << sa.id.spi);
    REQUIRE(peer != nullptr);
    CHECK(peer->inbound != sa.inbound);
    CHECK(peer->id.dst == sa.id.dst);
    CHECK(peer->src == sa.src);
    CHECK(peer->encryption == sa.encryption);
    CHECK(peer->integrity == sa.integrity);
    CHECK(peer->encryption_key == sa.encryption_key);
    CHECK(peer->integrity_key == sa.integrity_key);
    CHECK(sa.encryption_key.size() > 0);
  }
}

void check_policies(const FakeKernel& k, const TunnelConfig& cfg) {
  for (const auto& m : cfg.mappings) {
    for (auto dir : {Direction::Out, Direction::In, Direction::Fwd}) {
      PolicyId id = dir == Direction::Out ? PolicyId{m.local, m.remote, dir, 0, 0}
                                          : PolicyId{m.remote, m.local, dir, 0, 0};
      const auto* p = k.find_policy(id);
      INFO(m.local.to_string() << " -> " << m.remote.to_string() << " dir " << static_cast<int>(dir));
      REQUIRE(p != nullptr);
      CHECK_FALSE(p->trap);
      CHECK(p->tmpl_src == (dir == Direction::Out ? cfg.local_address : cfg.peer_address));
      // The SA the policy points at exists with the same reqid.
      bool found = false;
      for (const auto& sa : k.sas()) found = found || (sa.reqid == p->reqid && sa.inbound == (dir != Direction::Out));
      CHECK(found);
    }
  }
}

struct Pair {
  Sim sim;
  TunnelConfig a, b;
  explicit Pair(std::size_t mappings = 1, std::uint64_t seed = 1, EngineOptions opts = {})
      : sim(seed, opts),
        a(sim.config_a(Negotiation::Active, mappings)),
        b(sim.config_b(Negotiation::Passive, mappings)) {}
  void start() {
    REQUIRE(sim.b.engine->add_tunnel(b, sim.now));
    REQUIRE(sim.a.engine->add_tunnel(a, sim.now));
  }
  bool both_up(std::size_t n = 1) {
    return up(sim.a) && up(sim.b) && children(sim.a) == n && children(sim.b) == n;
  }
};

}  // namespace

TEST_CASE("happy path: IKE_SA_INIT, IKE_AUTH, first CHILD_SA installed on both sides") {
  Pair p;
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  CHECK(p.sim.a.fake_kernel.sas().size() == 2);
  CHECK(p.sim.b.fake_kernel.sas().size() == 2);
  CHECK(p.sim.a.fake_kernel.larval().empty());
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  check_policies(p.sim.a.fake_kernel, p.a);
  check_policies(p.sim.b.fake_kernel, p.b);
  auto sa = p.sim.a.engine->status("t1");
  auto sb = p.sim.b.engine->status("t1");
  CHECK(sa->ike_spi_i == sb->ike_spi_i);
  CHECK(sa->ike_spi_r == sb->ike_spi_r);
  CHECK(sa->children[0].spi_in == sb->children[0].spi_out);
  CHECK(sa->children[0].spi_out == sb->children[0].spi_in);
  CHECK(sa->ike_encryption == "aes128");
  CHECK(sa->children[0].encryption == "aes128");
  CHECK(p.sim.a.count(Kind::Up) == 1);
  CHECK(p.sim.b.count(Kind::Up) == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("down deletes everything on both sides") {
  Pair p;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.a.fake_kernel.empty());
  CHECK(p.sim.b.fake_kernel.empty());
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Down);
  CHECK(p.sim.b.engine->status("t1")->state == TunnelState::Down);
}
