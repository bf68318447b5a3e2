// What the engine refuses at add_tunnel, before anything reaches the kernel.
#include <catch2/catch.hpp>

#include "test/unit/sim/scenario.hpp"

using namespace ike;
using namespace kite::test;

TEST_CASE("a route-mode tunnel without an interface is refused and installs nothing") {
  Sim sim;
  auto cfg = sim.config_a(Negotiation::Active);
  cfg.mode = TunnelMode::Route;
  cfg.route = RouteConfig{"", {cfg.mappings.front().remote}};
  auto st = sim.a.engine->add_tunnel(cfg, sim.now);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("route.interface") != std::string::npos);
  CHECK(sim.a.fake_kernel.sas().empty());
  CHECK_FALSE(sim.a.engine->status(cfg.name).has_value());
  sim.run_for(std::chrono::milliseconds(5000));
  CHECK(sim.a.sent == 0);
}

TEST_CASE("the same tunnel in spd mode is accepted") {
  Sim sim;
  auto cfg = sim.config_a(Negotiation::Passive);
  REQUIRE(sim.a.engine->add_tunnel(cfg, sim.now).ok());
  CHECK(sim.a.engine->status(cfg.name).has_value());
}
