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

TEST_CASE("a tunnel the engine refused is not running: the next reload offers it again") {
  ike::Config running, next;
  running.tunnels = {tunnel("keep", "192.0.2.1")};
  next.tunnels = {tunnel("keep", "192.0.2.1"), tunnel("new", "192.0.2.4")};
  test::FakeEngine engine;
  REQUIRE(engine.add_tunnel(running.tunnels[0], ike::Clock::now()));
  REQUIRE(engine.add_tunnel(tunnel("new", "192.0.2.9"), ike::Clock::now()));  // in the way
  auto result = daemon::apply_reload(engine, conf::diff(running, next), next, ike::Clock::now());
  CHECK(result.refused == std::vector<std::string>{"new"});
  CHECK(result.was_refused("new"));
  CHECK_FALSE(result.was_refused("keep"));
  running = daemon::running_config(next, result.refused);
  REQUIRE(running.tunnels.size() == 1);
  CHECK(running.tunnels[0].name == "keep");

  // The operator removes the cause and reloads the same file: "new" is
  // added now (were it kept in the running config, it would be "unchanged").
  REQUIRE(engine.remove_tunnel("new", ike::Clock::now()));
  engine.calls.clear();
  const auto again = conf::diff(running, next);
  CHECK(again.added == std::vector<std::string>{"new"});
  CHECK(again.unchanged == std::vector<std::string>{"keep"});
  result = daemon::apply_reload(engine, again, next, ike::Clock::now());
  CHECK(result.errors.empty());
  CHECK(result.refused.empty());
  CHECK(engine.calls == std::vector<std::string>{"add new"});
  CHECK(engine.tunnels.at("new").status.peer.to_string() == "192.0.2.4");
}

TEST_CASE("a changed tunnel the engine refused leaves the running config") {
  ike::Config next;
  next.tunnels = {tunnel("a", "192.0.2.1"), tunnel("b", "192.0.2.2"), tunnel("c", "192.0.2.3")};
  const auto running = daemon::running_config(next, {"b"});
  REQUIRE(running.tunnels.size() == 2);
  CHECK(running.tunnels[0].name == "a");
  CHECK(running.tunnels[1].name == "c");
  CHECK(daemon::running_config(next, {}).tunnels.size() == 3);
}
