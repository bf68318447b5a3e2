// Who may use the control socket (daemon/control_access.hpp): the rule on
// synthetic credentials, the credentials the kernel reports for a socket,
// and (as root) a real refusal: a process that dropped to another uid
// talks to a server whose socket mode lets anyone connect, and kitectl
// exits 3 with kited's "permission denied" line.
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include <catch2/catch.hpp>

#include "daemon/control_access.hpp"
#include "daemon/control_server.hpp"
#include "daemon/kitectl/cli.hpp"
#include "daemon_fake_engine.hpp"

using namespace kite;
using namespace kite::daemon;

namespace {

constexpr uid_t kStranger = 4242;
constexpr gid_t kKite = 4240;

PeerCredentials peer(uid_t uid, gid_t gid, std::vector<gid_t> groups = {}) {
  return PeerCredentials{uid, gid, 1234, std::move(groups)};
}

}  // namespace

TEST_CASE("root, kited's own user and members of the socket's group may use it") {
  const AccessPolicy policy{1000, kKite, "kite"};
  CHECK_FALSE(access_refusal(peer(0, 0), policy));
  CHECK_FALSE(access_refusal(peer(1000, 1000), policy));
  CHECK_FALSE(access_refusal(peer(kStranger, kKite), policy));               // primary group
  CHECK_FALSE(access_refusal(peer(kStranger, 100, {27, kKite}), policy));    // supplementary
  auto refused = access_refusal(peer(kStranger, 100, {27, 4241}), policy);
  REQUIRE(refused);
  CHECK(*refused == "permission denied: uid 4242 is not root and not in group kite");
}

TEST_CASE("without the group only root and kited's user may use it") {
  const AccessPolicy policy{0, std::nullopt, "kite"};
  CHECK_FALSE(access_refusal(peer(0, 0), policy));
  auto refused = access_refusal(peer(kStranger, kKite, {kKite}), policy);
  REQUIRE(refused);
  CHECK(*refused == "permission denied: uid 4242 is not root (group kite does not exist: root only)");
}

TEST_CASE("peer credentials are the connecting process's") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  Fd a(fds[0]), b(fds[1]);
  auto got = peer_credentials(a.get());
  REQUIRE(got);
  CHECK(got->uid == ::geteuid());
  CHECK(got->gid == ::getegid());
  CHECK(got->pid == ::getpid());
  std::vector<gid_t> mine(static_cast<std::size_t>(::getgroups(0, nullptr)));
  REQUIRE(::getgroups(static_cast<int>(mine.size()), mine.data()) == static_cast<int>(mine.size()));
  std::sort(mine.begin(), mine.end());
  auto theirs = got->groups;
  std::sort(theirs.begin(), theirs.end());
  CHECK(theirs == mine);
  CHECK_FALSE(peer_credentials(-1));
}

namespace {

struct ChildResult {
  int rc = -1;
  std::string out, err;
};

// Forks a child that drops to uid/gid kStranger (no supplementary groups)
// and runs kitectl with `args`; the parent serves the control socket (no
// threads: the child may allocate after fork). Returns kitectl's exit code
// and output.
ChildResult kitectl_as_stranger(EventLoop& loop, const std::string& socket,
                                std::vector<std::string_view> args) {
  int out_pipe[2], err_pipe[2];
  REQUIRE(::pipe(out_pipe) == 0);
  REQUIRE(::pipe(err_pipe) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(kStranger) != 0 || ::setuid(kStranger) != 0)
      ::_exit(99);
    std::vector<std::string_view> full{"--socket", socket};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream o, e;
    const int rc = kitectl::run(full, o, e);
    const auto o_text = o.str(), e_text = e.str();
    [[maybe_unused]] auto n1 = ::write(out_pipe[1], o_text.data(), o_text.size());
    [[maybe_unused]] auto n2 = ::write(err_pipe[1], e_text.data(), e_text.size());
    ::_exit(rc);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) REQUIRE(loop.run_once(20));
  auto drain = [](int fd) {
    std::string s;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) s.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return s;
  };
  ChildResult r;
  r.out = drain(out_pipe[0]);
  r.err = drain(err_pipe[0]);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("a stranger is refused even when the socket's mode lets it connect") {
  if (::geteuid() != 0) {
    WARN("not root: cannot switch to another uid; skipped");
    return;
  }
  char tmpl[] = "/tmp/kite-access-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  REQUIRE(::chmod(dir.c_str(), 0755) == 0);
  const std::string path = dir + "/kited.sock";
  EventLoop loop;
  test::FakeEngine engine;
  engine.add("t-ok", "192.0.2.1");
  std::vector<std::string> logged;
  ControlHooks hooks;
  hooks.version = "9.9.9-test";
  hooks.log = [&](const ike::TunnelEvent& e) { logged.push_back(e.message); };
  {
    ControlServer server(loop, engine, hooks);
    REQUIRE(server.listen({path, ""}));  // no group: root (and kited's user) only
    loop.set_after_dispatch([&] { server.poll(); });
    REQUIRE(::chmod(path.c_str(), 0666) == 0);  // an operator's mistake

    auto status = kitectl_as_stranger(loop, path, {"status"});
    CHECK(status.rc == kitectl::kUnreachable);
    CHECK_THAT(status.err, Catch::Contains("kitectl: permission denied: uid 4242 is not root"));
    CHECK(status.out.empty());

    auto json = kitectl_as_stranger(loop, path, {"--json", "up", "t-ok"});
    CHECK(json.rc == kitectl::kUnreachable);
    const Json reply = Json::parse(json.out, nullptr, false);
    CHECK(reply["ok"] == false);
    CHECK(reply["permission_denied"] == true);
    CHECK_THAT(reply["error"].get<std::string>(), Catch::StartsWith("permission denied: uid 4242"));
    CHECK(engine.status("t-ok")->state == ike::TunnelState::Down);  // `up` never ran

    auto monitor = kitectl_as_stranger(loop, path, {"monitor", "--count", "1"});
    CHECK(monitor.rc == kitectl::kUnreachable);
    CHECK_THAT(monitor.err, Catch::Contains("permission denied"));
    CHECK(server.monitor_count() == 0);
    for (int i = 0; i < 5 && server.client_count() > 0; ++i) REQUIRE(loop.run_once(20));
    CHECK(server.client_count() == 0);  // strangers hold no slot
  }
  REQUIRE_FALSE(logged.empty());
  CHECK_THAT(logged.front(), Catch::Contains("control: refused uid 4242 (pid "));
  std::filesystem::remove_all(dir);
}
