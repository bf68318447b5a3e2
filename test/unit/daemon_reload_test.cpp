// Applying a reload diff through the engine: unchanged tunnels untouched.
#include <catch2/catch.hpp>

#include "conf/diff.hpp"
#include "daemon/reload.hpp"
#include "daemon_fake_engine.hpp"

using namespace kite;

namespace {

ike::TunnelConfig tunnel(const std::string& name, const std::string& peer) {
  ike::TunnelConfig t;
  t.name = name;
  t.peer_address = *ike::IpAddress::parse(peer);
  return t;
}

}  // namespace

TEST_CASE("reload adds, re-creates and removes only what changed") {
  ike::Config running, next;
  running.tunnels = {tunnel("keep", "192.0.2.1"), tunnel("change", "192.0.2.2"),
                     tunnel("drop", "192.0.2.3")};
  next.tunnels = {tunnel("keep", "192.0.2.1"), tunnel("change", "192.0.2.22"),
                  tunnel("new", "192.0.2.4")};
  test::FakeEngine engine;
  for (const auto& t : running.tunnels) REQUIRE(engine.add_tunnel(t, ike::Clock::now()));
  engine.calls.clear();

  const auto diff = conf::diff(running, next);
  const auto result = daemon::apply_reload(engine, diff, next, ike::Clock::now());
  CHECK(result.errors.empty());
  CHECK(engine.calls ==
        std::vector<std::string>{"remove drop", "remove change", "add change", "add new"});
  CHECK(engine.tunnels.at("change").status.peer.to_string() == "192.0.2.22");

  const auto reply = daemon::reload_reply(result);
  CHECK(reply["ok"] == true);
  CHECK(reply["added"] == daemon::Json::array({"new"}));
  CHECK(reply["removed"] == daemon::Json::array({"drop"}));
  CHECK(reply["changed"] == daemon::Json::array({"change"}));
  CHECK(reply["unchanged"] == 1);
  CHECK_FALSE(reply.contains("warning"));
}

TEST_CASE("an engine refusal is reported per tunnel") {
  ike::Config running, next;
  next.tunnels = {tunnel("dup", "192.0.2.1")};
  next.gateway.log_level = "debug";
  test::FakeEngine engine;
  REQUIRE(engine.add_tunnel(tunnel("dup", "192.0.2.1"), ike::Clock::now()));  // out of sync
  const auto result =
      daemon::apply_reload(engine, conf::diff(running, next), next, ike::Clock::now());
  REQUIRE(result.errors.size() == 1);
  const auto reply = daemon::reload_reply(result);
  CHECK(reply["ok"] == false);
  CHECK_THAT(reply["error"].get<std::string>(), Catch::StartsWith("dup: "));
  CHECK(reply["warning"].is_string());
}
