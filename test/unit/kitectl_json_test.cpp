// kitectl's contract for scripts (SPEC.md §3, README "Control protocol"):
// every command, succeeding or failing, with --json prints JSON objects on
// stdout (one; monitor: the acknowledgement, then one per event) that have
// a boolean "ok" true exactly when the exit status is 0, and the exit
// status is 0 done, 1 failed, 2 bad usage or invalid config, 3 kited not
// reachable. Each command's documented members are checked here, so a
// rename or retype of a stable member fails this test.
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "daemon/control_server.hpp"
#include "daemon/deadline_timer.hpp"
#include "daemon/kitectl/cli.hpp"
#include "daemon_fake_engine.hpp"

using namespace kite;
using namespace kite::daemon;
namespace fs = std::filesystem;
using Behaviour = test::FakeEngine::Behaviour;

namespace {

constexpr const char* kConfig = R"(gateway:
  name: gw-json
  local_address: 203.195.147.82
customer_gateways:
  - name: idc
    address: 202.108.22.5
tunnels:
  - name: t-ok
    customer_gateway: idc
    pre_shared_key: "123456"
    spd:
      - local: 192.168.1.0/24
        remote: [10.0.1.0/24]
)";

// A control server on a temporary socket in a thread, with a fake engine
// and a reload hook the test sets; a config directory for check/export.
class Daemon {
 public:
  Daemon() {
    std::string tmpl = (fs::temp_directory_path() / "kitectl-json-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    socket = (dir_ / "kited.sock").string();
    config = (dir_ / "kite.yaml").string();
    std::ofstream(config) << kConfig;
    invalid = (dir_ / "bad.yaml").string();
    std::ofstream(invalid) << "gateway:\n  name: gw\n  bogus: 1\n";
    engine.add("t-ok", "202.108.22.5");
    engine.add("t-fail", "202.108.22.6", Behaviour::Fail);
    engine.heartbeat = std::chrono::milliseconds(20);  // events for monitor
    engine.sink = [this](const ike::TunnelEvent& e) { server.publish(e); };
    REQUIRE(server.listen({socket, ""}));
    REQUIRE(loop.add(timer.fd(), EPOLLIN, [this](std::uint32_t) {
      timer.acknowledge();
      engine.on_timer(ike::Clock::now());
    }));
    REQUIRE(loop.add(wake.get(), EPOLLIN, [this](std::uint32_t) { loop.stop(); }));
    loop.set_after_dispatch([this] {
      server.poll();
      (void)timer.arm(earliest(engine.next_deadline(), server.next_deadline()));
    });
    thread_ = std::thread([this] { (void)loop.run(); });
  }
  ~Daemon() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake.get(), &one, sizeof one);
    thread_.join();
    fs::remove_all(dir_);
  }

  std::string socket, config, invalid;
  Json reload_reply = Json{{"ok", true}, {"added", Json::array()}, {"removed", Json::array()},
                           {"changed", {"t-ok"}}, {"unchanged", 0}};
  EventLoop loop;
  test::FakeEngine engine;
  DeadlineTimer timer;
  Fd wake{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
  ControlServer server{loop, engine, hooks()};

 private:
  ControlHooks hooks() {
    ControlHooks h;
    h.version = "9.9.9-test";
    h.gateway = "gw-json";
    h.reload = [this] { return reload_reply; };
    return h;
  }
  fs::path dir_;
  std::thread thread_;
};

struct Output {
  int rc = -1;
  std::vector<Json> objects;  // stdout, one per line
  std::string err;
};

// kitectl --json ARGS; every stdout line must be a JSON object.
Output json_run(const std::string& socket, std::vector<std::string_view> args) {
  std::vector<std::string_view> full{"--socket", socket, "--json"};
  full.insert(full.end(), args.begin(), args.end());
  std::ostringstream out, err;
  Output o;
  o.rc = kitectl::run(full, out, err);
  o.err = err.str();
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    auto j = Json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    o.objects.push_back(std::move(j));
  }
  return o;
}

// The contract of one invocation: exit status `rc`, at least one object,
// the first one's "ok" a bool that is true exactly when rc is 0, and an
// "error" string on failure. Returns the first object.
Json expect(const std::string& socket, std::vector<std::string_view> args, int rc) {
  std::string shown;
  for (auto a : args) shown += std::string(a) + " ";
  INFO("kitectl --json " << shown);
  auto o = json_run(socket, args);
  INFO("stderr: " << o.err);
  CHECK(o.rc == rc);
  REQUIRE_FALSE(o.objects.empty());
  const Json& first = o.objects.front();
  REQUIRE(first.contains("ok"));
  REQUIRE(first["ok"].is_boolean());
  CHECK(first["ok"].get<bool>() == (rc == 0));
  if (rc != 0) {
    REQUIRE(first.contains("error"));
    CHECK(first["error"].is_string());
    CHECK_FALSE(o.err.empty());  // and a human line on stderr
  }
  return first;
}

void has_types(const Json& o, std::initializer_list<std::pair<const char*, Json::value_t>> members) {
  for (const auto& [name, type] : members) {
    INFO(name << " in " << o.dump());
    REQUIRE(o.contains(name));
    const auto t = o[name].type();
    const bool number = type == Json::value_t::number_unsigned || type == Json::value_t::number_integer;
    if (number)
      CHECK(o[name].is_number_integer());
    else
      CHECK(t == type);
  }
}

void is_summary(const Json& t) {
  using V = Json::value_t;
  has_types(t, {{"name", V::string}, {"peer", V::string}, {"state", V::string},
                {"ike_version", V::string}, {"bytes_in", V::number_unsigned},
                {"bytes_out", V::number_unsigned}, {"packets_in", V::number_unsigned},
                {"packets_out", V::number_unsigned}});
  REQUIRE(t.contains("uptime"));
  CHECK((t["uptime"].is_null() || t["uptime"].is_number_integer()));
}

}  // namespace

TEST_CASE("every command's --json output and exit status (0 1 2 3)") {
  Daemon d;
  using V = Json::value_t;

  SECTION("status") {
    auto s = expect(d.socket, {"status"}, 0);
    has_types(s, {{"gateway", V::string}, {"tunnels", V::array}, {"counters", V::object}});
    for (const auto& t : s["tunnels"]) is_summary(t);
    has_types(s["counters"], {{"ike_sas_established", V::number_unsigned},
                              {"ike_sas_failed", V::number_unsigned},
                              {"half_open", V::number_unsigned},
                              {"retransmits", V::number_unsigned},
                              {"datagrams_in", V::number_unsigned},
                              {"datagrams_dropped", V::number_unsigned}});
  }
  SECTION("show") {
    auto s = expect(d.socket, {"show", "t-ok"}, 0);
    is_summary(s["tunnel"]);
    has_types(s["tunnel"], {{"children", V::array}, {"nat_detected", V::boolean}});
    CHECK(s["tunnel"].contains("ike_sa"));
    CHECK(s["tunnel"].contains("last_error"));
    expect(d.socket, {"show", "nope"}, 1);
    expect(d.socket, {"show"}, 2);
  }
  SECTION("up") {
    auto up = expect(d.socket, {"up", "t-ok", "--timeout", "5"}, 0);
    is_summary(up["tunnel"]);
    CHECK(up["tunnel"]["state"] == "up");
    auto failed = expect(d.socket, {"up", "t-fail", "--timeout", "5"}, 1);
    is_summary(failed["tunnel"]);
    expect(d.socket, {"up", "nope"}, 1);
    expect(d.socket, {"up", "t-ok", "--timeout", "soon"}, 2);
  }
  SECTION("down") {
    expect(d.socket, {"down", "t-ok"}, 0);
    expect(d.socket, {"down", "nope"}, 1);
  }
  SECTION("reload") {
    auto r = expect(d.socket, {"reload"}, 0);
    has_types(r, {{"added", V::array}, {"removed", V::array}, {"changed", V::array},
                  {"unchanged", V::number_unsigned}});
    d.reload_reply = Json{{"ok", false}, {"error", "kite.yaml: invalid configuration (1 error)"},
                          {"invalid_config", true},
                          {"diagnostics", {"kite.yaml:3:3: unknown-key: bogus"}}};
    auto bad = expect(d.socket, {"reload"}, 2);
    has_types(bad, {{"invalid_config", V::boolean}, {"diagnostics", V::array}});
    d.reload_reply = Json{{"ok", false}, {"error", "t-x: refused"}, {"errors", {"t-x: refused"}},
                          {"added", {"t-x"}}, {"removed", Json::array()},
                          {"changed", Json::array()}, {"unchanged", 1}};
    auto refused = expect(d.socket, {"reload"}, 1);
    has_types(refused, {{"errors", V::array}});
  }
  SECTION("check") {
    auto ok = expect(d.socket, {"check", "--config", d.config}, 0);
    has_types(ok, {{"config", V::string}, {"diagnostics", V::array}});
    auto bad = expect(d.socket, {"check", "--config", d.invalid}, 2);
    REQUIRE_FALSE(bad["diagnostics"].empty());
    has_types(bad["diagnostics"][0], {{"severity", V::string}, {"file", V::string},
                                      {"line", V::number_unsigned}, {"column", V::number_unsigned},
                                      {"rule", V::string}, {"detail", V::string}});
  }
  SECTION("monitor") {
    // The acknowledgement, then one object per event (the fake engine
    // ticks every 20 ms).
    auto ack = expect(d.socket, {"monitor", "--count", "2"}, 0);
    CHECK(ack == Json{{"ok", true}, {"monitor", true}});
    auto o = json_run(d.socket, {"monitor", "--count", "2"});
    REQUIRE(o.objects.size() == 3);
    for (std::size_t i = 1; i < 3; ++i) {
      has_types(o.objects[i], {{"event", V::string}, {"time", V::string}, {"message", V::string}});
      CHECK((o.objects[i]["tunnel"].is_null() || o.objects[i]["tunnel"].is_string()));
    }
    expect(d.socket, {"monitor", "--count", "0"}, 2);
  }
  SECTION("export") {
    auto e = expect(d.socket, {"export", "t-ok", "--config", d.config}, 0);
    has_types(e, {{"tunnel", V::string}, {"format", V::string}, {"text", V::string}});
    expect(d.socket, {"export", "nope", "--config", d.config}, 1);
    expect(d.socket, {"export", "t-ok", "--config", d.config, "--format", "racoon"}, 2);
  }
  SECTION("version") {
    auto v = expect(d.socket, {"version"}, 0);
    has_types(v, {{"kitectl", V::string}, {"kited", V::string}});
  }
  SECTION("usage errors") {
    expect(d.socket, {"frobnicate"}, 2);
    expect(d.socket, {"status", "extra"}, 2);
  }
}

TEST_CASE("--json when kited is not reachable: exit 3 and an error object") {
  const std::string gone = "/nonexistent/kited.sock";
  for (auto cmd : std::vector<std::vector<std::string_view>>{
           {"status"}, {"show", "t"}, {"up", "t"}, {"down", "t"}, {"reload"}, {"monitor"}}) {
    auto o = expect(gone, cmd, 3);
    CHECK_THAT(o["error"].get<std::string>(), Catch::Contains("cannot reach kited"));
  }
  auto v = expect(gone, {"version"}, 3);
  CHECK(v["kited"].is_null());
  CHECK(v["kitectl"] == KITE_VERSION);
}
