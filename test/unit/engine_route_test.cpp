// Route mode in the two-peer simulation (libike/engine/route_mode.hpp):
// both ends negotiate wildcard selectors, in IKEv2 and IKEv1, and every SA
// and policy they install is bound to the tunnel's interface — by if_id
// for an xfrm interface, by mark for the VTI fallback — with the id the
// status reports (the daemon creates the interface with it).
#include <catch2/catch.hpp>

#include "libike/engine/route_mode.hpp"
#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;
using namespace std::chrono_literals;

namespace {

const Subnet kAny4 = *Subnet::parse("0.0.0.0/0");

TunnelConfig route_mode(TunnelConfig cfg, const char* interface) {
  cfg.mode = TunnelMode::Route;
  cfg.route = RouteConfig{interface, {cfg.mappings.front().remote}};
  cfg.mappings.clear();  // conf/ gives a route tunnel no SPD mappings
  return cfg;
}

struct RoutePair {
  Sim sim;
  TunnelConfig a, b;
  RoutePair(InterfaceKind kind, IkeVersion version, Negotiation b_mode = Negotiation::Passive)
      : sim(1, options(kind)),
        a(route_mode(sim.config_a(Negotiation::Active), "kite-a")),
        b(route_mode(sim.config_b(b_mode), "kite-b")) {
    a.version = b.version = version;
  }
  static EngineOptions options(InterfaceKind kind) {
    EngineOptions o;
    o.route_interface = kind;
    return o;
  }
  bool up(SimPeer& p) {
    auto s = p.engine->status("t1");
    return s && s->state == TunnelState::Up && s->children.size() == 1;
  }
  bool start_and_wait() {
    REQUIRE(sim.b.engine->add_tunnel(b, sim.now));
    REQUIRE(sim.a.engine->add_tunnel(a, sim.now));
    return sim.run_until([&] { return up(sim.a) && up(sim.b); }, 20s);
  }
};

// The SA pair and the policy triple, all wildcard, all carrying the binding.
void check_bound(const SimPeer& p, const RouteBinding& binding) {
  const auto& k = p.fake_kernel;
  const bool vti = binding.kind == InterfaceKind::Vti;
  const std::uint32_t if_id = vti ? 0 : binding.id, mark = vti ? binding.id : 0;
  REQUIRE(k.sas().size() == 2);
  for (const auto& sa : k.sas()) {
    INFO("SPI " << std::hex << sa.id.spi);
    CHECK(sa.if_id == if_id);
    CHECK(sa.mark == mark);
    CHECK(sa.reqid == binding.id);
  }
  REQUIRE(k.policies().size() == 3);
  for (auto dir : {Direction::Out, Direction::In, Direction::Fwd}) {
    const auto* pol = k.find_policy({kAny4, kAny4, dir, if_id, mark});
    INFO("dir " << static_cast<int>(dir));
    REQUIRE(pol != nullptr);
    CHECK_FALSE(pol->trap);
    CHECK(pol->reqid == binding.id);
  }
  // Nothing unbound: an unmarked 0/0 policy would swallow every packet.
  CHECK(k.find_policy({kAny4, kAny4, Direction::Out, 0, 0}) == nullptr);
}

}  // namespace

TEST_CASE("wildcard mappings: one pair per inner family of route.remote") {
  TunnelConfig t;
  t.mode = TunnelMode::Route;
  t.route = RouteConfig{"kite-x", {*Subnet::parse("10.0.1.0/24")}};
  auto m = wildcard_mappings(t);
  REQUIRE(m.size() == 1);
  CHECK(m[0].local == kAny4);
  CHECK(m[0].remote == kAny4);
  t.route->remote.push_back(*Subnet::parse("fd00:1::/64"));
  m = wildcard_mappings(t);
  REQUIRE(m.size() == 2);
  CHECK(m[1].local == *Subnet::parse("::/0"));
  CHECK(m[1].remote == *Subnet::parse("::/0"));
  CHECK(to_string(InterfaceKind::Vti) == "vti");
  CHECK(to_string(InterfaceKind::Xfrm) == "xfrm");
}

TEST_CASE("route mode, IKEv2, xfrm interface: wildcard CHILD SA, SAs and policies carry if_id") {
  RoutePair p(InterfaceKind::Xfrm, IkeVersion::V2);
  REQUIRE(p.start_and_wait());
  for (auto* side : {&p.sim.a, &p.sim.b}) {
    INFO("peer " << side->name);
    auto s = side->engine->status("t1");
    REQUIRE(s->route.has_value());
    CHECK(s->route->kind == InterfaceKind::Xfrm);
    CHECK(s->route->interface == (side == &p.sim.a ? "kite-a" : "kite-b"));
    CHECK(s->route->id >= 0x6b690001u);
    CHECK(s->route->id <= 0x6b69ffffu);
    REQUIRE(s->children[0].mappings.size() == 1);
    CHECK(s->children[0].mappings[0].local == kAny4);
    CHECK(s->children[0].mappings[0].remote == kAny4);
    check_bound(*side, *s->route);
  }
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
}

TEST_CASE("route mode, IKEv1, VTI fallback: wildcard Quick Mode IDs, SAs and policies carry the mark") {
  RoutePair p(InterfaceKind::Vti, IkeVersion::V1);
  REQUIRE(p.start_and_wait());
  for (auto* side : {&p.sim.a, &p.sim.b}) {
    INFO("peer " << side->name);
    auto s = side->engine->status("t1");
    REQUIRE(s->route.has_value());
    CHECK(s->route->kind == InterfaceKind::Vti);
    REQUIRE(s->children[0].mappings.size() == 1);
    CHECK(s->children[0].mappings[0].local == kAny4);
    check_bound(*side, *s->route);
  }
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
}

TEST_CASE("route mode, IKEv2, VTI: removing the tunnel takes out every bound SA and policy") {
  RoutePair p(InterfaceKind::Vti, IkeVersion::V2);
  REQUIRE(p.start_and_wait());
  REQUIRE(p.sim.a.engine->remove_tunnel("t1", p.sim.now));
  p.sim.run_for(5000ms);
  CHECK(p.sim.a.fake_kernel.empty());
  // b still has the tunnel: fail closed, its three traps stay, still bound.
  const auto& b = p.sim.b.fake_kernel;
  CHECK(b.idle(3));
  auto s = p.sim.b.engine->status("t1");
  REQUIRE(s->route.has_value());
  for (const auto& pol : b.policies()) CHECK(pol.id.mark == s->route->id);
}

TEST_CASE("route mode, negotiation traffic: the trap policies are wildcard and bound too") {
  Sim sim(1, RoutePair::options(InterfaceKind::Vti));
  auto cfg = route_mode(sim.config_a(Negotiation::Traffic), "kite-t");
  REQUIRE(sim.a.engine->add_tunnel(cfg, sim.now));
  auto s = sim.a.engine->status("t1");
  REQUIRE(s->route.has_value());
  const auto& k = sim.a.fake_kernel;
  REQUIRE(k.policies().size() == 3);
  for (const auto& pol : k.policies()) {
    CHECK(pol.trap);
    CHECK(pol.id.src == kAny4);
    CHECK(pol.id.dst == kAny4);
    CHECK(pol.id.mark == s->route->id);
    CHECK(pol.id.if_id == 0);
  }
}

TEST_CASE("two route-mode tunnels get distinct ids") {
  Sim sim(1, RoutePair::options(InterfaceKind::Xfrm));
  auto one = route_mode(sim.config_a(Negotiation::Passive), "kite-1");
  auto two = one;
  two.name = "t2";
  two.route->interface = "kite-2";
  REQUIRE(sim.a.engine->add_tunnel(one, sim.now));
  REQUIRE(sim.a.engine->add_tunnel(two, sim.now));
  auto s1 = sim.a.engine->status("t1");
  auto s2 = sim.a.engine->status("t2");
  REQUIRE(s1->route);
  REQUIRE(s2->route);
  CHECK(s1->route->id != s2->route->id);
  CHECK(s2->route->interface == "kite-2");
}
