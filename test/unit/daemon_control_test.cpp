// The control server in-process on a temporary socket, with a fake engine,
// driven by kitectl's own code: status, show, up (success, failure,
// timeout), down, reload, version, monitor, and protocol abuse.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "daemon/control_client.hpp"
#include "daemon/control_server.hpp"
#include "daemon/control_socket.hpp"
#include "daemon/deadline_timer.hpp"
#include "daemon/kitectl/cli.hpp"
#include "daemon_fake_engine.hpp"

using namespace kite;
using namespace kite::daemon;
using Behaviour = test::FakeEngine::Behaviour;

namespace {

// kited's loop in miniature: the server, a timerfd armed from the engine's
// and the server's deadlines, and an eventfd that stops the loop thread.
class Harness {
 public:
  explicit Harness(std::function<void(test::FakeEngine&)> setup = {}) {
    char tmpl[] = "/tmp/kite-ctl-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path = dir_ + "/run/kited.sock";
    engine.add("t-ok", "192.0.2.1");
    engine.add("t-fail", "192.0.2.2", Behaviour::Fail);
    engine.add("t-hang", "2001:db8::2", Behaviour::Hang);
    if (setup) setup(engine);
    engine.sink = [this](const ike::TunnelEvent& e) { server.publish(e); };
    REQUIRE(server.listen({path, ""}));
    REQUIRE(loop.add(timer.fd(), EPOLLIN, [this](std::uint32_t) {
      timer.acknowledge();
      engine.on_timer(ike::Clock::now());
    }));
    REQUIRE(loop.add(wake.get(), EPOLLIN, [this](std::uint32_t) { loop.stop(); }));
    loop.set_after_dispatch([this] { after_dispatch(); });
    after_dispatch();
    thread_ = std::thread([this] { (void)loop.run(); });
  }
  ~Harness() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  void stop() {
    if (!thread_.joinable()) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake.get(), &one, sizeof one);
    thread_.join();
  }
  int kitectl(std::vector<std::string_view> args, std::string& out, std::string& err) {
    std::vector<std::string_view> full{"--socket", path};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream o, e;
    const int rc = kitectl::run(full, o, e);
    out = o.str();
    err = e.str();
    return rc;
  }
  Json kitectl_json(std::vector<std::string_view> args, int expect_rc = 0) {
    std::string out, err;
    args.push_back("--json");
    const int rc = kitectl(args, out, err);
    INFO(err);
    CHECK(rc == expect_rc);
    return Json::parse(out, nullptr, false);
  }

  std::string path;
  EventLoop loop;
  test::FakeEngine engine;
  DeadlineTimer timer;
  Fd wake{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
  ControlServer server{loop, engine, hooks()};

 private:
  ControlHooks hooks() {
    ControlHooks h;
    h.version = "9.9.9-test";
    h.gateway = "gw-test";
    h.reload = [] { return Json{{"ok", true}, {"added", {"x"}}, {"removed", Json::array()},
                                {"changed", Json::array()}, {"unchanged", 2}}; };
    return h;
  }
  void after_dispatch() {
    server.poll();
    (void)timer.arm(earliest(engine.next_deadline(), server.next_deadline()));
  }
  std::string dir_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("status lists every tunnel in the documented schema") {
  Harness h;
  const Json j = h.kitectl_json({"status"});
  CHECK(j["ok"] == true);
  CHECK(j["gateway"] == "gw-test");
  REQUIRE(j["tunnels"].size() == 3);
  const Json& t = j["tunnels"][0];
  CHECK(t["name"] == "t-fail");
  CHECK(t["state"] == "down");
  CHECK(t["uptime"].is_null());
  CHECK(j["counters"]["retransmits"] == 2);

  std::string out, err;
  REQUIRE(h.kitectl({"status"}, out, err) == 0);
  CHECK_THAT(out, Catch::StartsWith("NAME"));
  CHECK_THAT(out, Catch::Contains("t-hang  2001:db8::2"));
}

TEST_CASE("up waits for the tunnel, then show has the SAs") {
  Harness h;
  const Json up = h.kitectl_json({"up", "t-ok", "--timeout", "5"});
  CHECK(up["ok"] == true);
  CHECK(up["tunnel"]["state"] == "up");
  const Json show = h.kitectl_json({"show", "t-ok"});
  CHECK(show["tunnel"]["children"][0]["spi_in"] == "c0ffee01");
  std::string out, err;
  REQUIRE(h.kitectl({"show", "t-ok"}, out, err) == 0);
  CHECK_THAT(out, Catch::Contains("tunnel t-ok: up (ikev2)"));
  CHECK_THAT(out, Catch::Contains("192.168.1.0/24 <=> 10.0.1.0/24"));
  REQUIRE(h.kitectl({"up", "t-ok"}, out, err) == 0);  // already up: at once
  CHECK(out == "t-ok: up\n");
}

TEST_CASE("up reports a failed negotiation and a timeout with exit 1") {
  Harness h;
  std::string out, err;
  CHECK(h.kitectl({"up", "t-fail"}, out, err) == kitectl::kFailed);
  CHECK_THAT(err, Catch::Contains("failed: peer answered AUTHENTICATION_FAILED"));
  const auto start = std::chrono::steady_clock::now();
  const Json j = h.kitectl_json({"up", "t-hang", "--timeout", "1"}, kitectl::kFailed);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::seconds(1));
  CHECK(j["ok"] == false);
  CHECK(j["error"] == "tunnel \"t-hang\" is not up after 1s (state connecting)");
  CHECK(j["tunnel"]["state"] == "connecting");
  CHECK(h.kitectl({"up", "nope"}, out, err) == kitectl::kFailed);
  CHECK_THAT(err, Catch::Contains("no tunnel named \"nope\""));
  CHECK(h.kitectl({"up", "t-hang", "--timeout", "0"}, out, err) == kitectl::kDone);
}

TEST_CASE("down, reload and version") {
  Harness h;
  std::string out, err;
  REQUIRE(h.kitectl({"up", "t-ok"}, out, err) == 0);
  REQUIRE(h.kitectl({"down", "t-ok"}, out, err) == 0);
  CHECK(out == "t-ok: down\n");
  CHECK(h.kitectl_json({"show", "t-ok"})["tunnel"]["state"] == "down");
  CHECK(h.kitectl({"show", "nope"}, out, err) == kitectl::kFailed);
  REQUIRE(h.kitectl({"reload"}, out, err) == 0);
  CHECK(out == "reloaded: added 1 (x), removed 0, changed 0, unchanged 2\n");
  REQUIRE(h.kitectl({"version"}, out, err) == 0);
  CHECK(out == std::string("kitectl ") + KITE_VERSION + "\nkited 9.9.9-test\n");
}

TEST_CASE("monitor streams events until the client goes away") {
  Harness h;
  auto monitor = ControlClient::connect(h.path);
  REQUIRE(monitor);
  auto ack = monitor->request({{"command", "monitor"}}, std::chrono::seconds(5));
  REQUIRE(ack);
  CHECK((*ack)["monitor"] == true);
  std::string out, err;
  REQUIRE(h.kitectl({"up", "t-ok"}, out, err) == 0);
  REQUIRE(h.kitectl({"down", "t-ok"}, out, err) == 0);
  auto up = monitor->receive(std::chrono::seconds(5));
  REQUIRE(up);
  CHECK((*up)["event"] == "up");
  CHECK((*up)["tunnel"] == "t-ok");
  auto down = monitor->receive(std::chrono::seconds(5));
  REQUIRE(down);
  CHECK((*down)["event"] == "down");
  CHECK((*down)["message"] == "deleted by operator");
}

TEST_CASE("kitectl monitor --count shows events as they come") {
  Harness h([](test::FakeEngine& e) { e.heartbeat = std::chrono::milliseconds(20); });
  std::string out, err;
  REQUIRE(h.kitectl({"monitor", "--count", "2"}, out, err) == 0);
  CHECK_THAT(out, Catch::Contains(" info tick\n"));
  // --json: the acknowledgement line first (subscribed), then the events.
  REQUIRE(h.kitectl({"--json", "monitor", "--count", "1"}, out, err) == 0);
  std::istringstream lines(out);
  std::string ack, event, rest;
  REQUIRE(std::getline(lines, ack));
  REQUIRE(std::getline(lines, event));
  CHECK_FALSE(std::getline(lines, rest));
  CHECK(Json::parse(ack) == Json{{"ok", true}, {"monitor", true}});
  CHECK(Json::parse(event)["event"] == "info");
}

TEST_CASE("bad requests get an error line; over-long ones close the connection") {
  Harness h;
  auto c = ControlClient::connect(h.path);
  REQUIRE(c);
  auto bad = c->request({{"command", "explode"}}, std::chrono::seconds(5));
  REQUIRE(bad);
  CHECK((*bad)["ok"] == false);
  CHECK((*bad)["error"] == "unknown command \"explode\"");
  auto fine = c->request({{"command", "version"}}, std::chrono::seconds(5));
  REQUIRE(fine);
  CHECK((*fine)["version"] == "9.9.9-test");

  auto flood = ControlClient::connect(h.path);
  REQUIRE(flood);
  REQUIRE(flood->send({{"command", std::string(kMaxRequestLine, 'x')}}));
  auto refused = flood->receive(std::chrono::seconds(5));
  REQUIRE(refused);
  CHECK_THAT((*refused)["error"].get<std::string>(), Catch::Contains("longer than"));
  auto closed = flood->receive(std::chrono::seconds(5));
  REQUIRE_FALSE(closed);
  CHECK(closed.error().kind == ClientError::Kind::Unreachable);
}

TEST_CASE("many clients at once, pipelined requests and abandoned ups") {
  Harness h;
  std::vector<ControlClient> clients;
  for (int i = 0; i < 20; ++i) {
    auto c = ControlClient::connect(h.path);
    REQUIRE(c);
    clients.push_back(std::move(*c));
  }
  {
    auto gone = ControlClient::connect(h.path);
    REQUIRE(gone);
    REQUIRE(gone->send({{"command", "up"}, {"tunnel", "t-hang"}, {"timeout", 60}}));
  }  // disconnects while its `up` is pending
  for (auto& c : clients) {
    REQUIRE(c.send({{"command", "up"}, {"tunnel", "t-ok"}}));
    REQUIRE(c.send({{"command", "status"}}));  // queued behind the pending up
  }
  for (auto& c : clients) {
    auto up = c.receive(std::chrono::seconds(5));
    REQUIRE(up);
    CHECK((*up)["ok"] == true);
    auto status = c.receive(std::chrono::seconds(5));
    REQUIRE(status);
    CHECK((*status)["tunnels"].size() == 3);
  }
}

TEST_CASE("a second server refuses a socket in use, and replaces a stale one") {
  Harness h;
  auto again = listen_unix({h.path, ""});
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error().message, Catch::Contains("another kited is listening"));
  h.stop();
  h.server.~ControlServer();  // unlinks
  new (&h.server) ControlServer(h.loop, h.engine, {});
  auto fresh = listen_unix({h.path, ""});
  REQUIRE(fresh);
  // A leftover socket file nobody listens on (a crashed kited) is replaced.
  fresh->fd.reset();
  auto replaced = listen_unix({h.path, ""});
  REQUIRE(replaced);
  std::filesystem::remove(h.path);
}
