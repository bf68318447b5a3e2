// Argument parsing of kitectl (a table of subcommands) and kited, and
// kitectl's human views.
#include <sstream>

#include <catch2/catch.hpp>

#include "daemon/kited_options.hpp"
#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

using namespace kite;
using kitectl::parse_args;

namespace {

ike::Result<kitectl::Invocation> parse(std::vector<std::string_view> args) {
  return parse_args(args);
}

int run(std::vector<std::string_view> args, std::string& out, std::string& err) {
  std::ostringstream o, e;
  const int rc = kitectl::run(args, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

}  // namespace

TEST_CASE("kitectl global options go anywhere") {
  auto a = parse({"--json", "--socket", "/tmp/k.sock", "status"});
  REQUIRE(a);
  CHECK(a->command == &kitectl::cmd_status);
  CHECK(a->json);
  CHECK(a->socket == "/tmp/k.sock");

  auto b = parse({"show", "t1", "--json", "--socket=/x.sock"});
  REQUIRE(b);
  CHECK(b->command == &kitectl::cmd_show);
  CHECK(b->args == std::vector<std::string>{"t1"});
  CHECK(b->socket == "/x.sock");

  auto c = parse({"status"});
  REQUIRE(c);
  CHECK(c->socket == "/run/kite/kited.sock");
  CHECK_FALSE(c->json);
}

TEST_CASE("kitectl command options") {
  auto up = parse({"up", "--timeout", "5", "t1"});
  REQUIRE(up);
  CHECK(up->options.at("--timeout") == "5");
  auto up2 = parse({"up", "t1", "--timeout=9"});
  REQUIRE(up2);
  CHECK(up2->options.at("--timeout") == "9");
  auto mon = parse({"monitor", "--debug", "--count", "3"});
  REQUIRE(mon);
  CHECK(mon->options.contains("--debug"));
  auto check = parse({"check", "--config", "/etc/kite/other.yaml"});
  REQUIRE(check);
  CHECK(check->options.at("--config") == "/etc/kite/other.yaml");
  auto dashdash = parse({"show", "--", "--weird-name"});
  REQUIRE(dashdash);
  CHECK(dashdash->args == std::vector<std::string>{"--weird-name"});
}

TEST_CASE("kitectl usage errors") {
  CHECK_FALSE(parse({}));
  CHECK_FALSE(parse({"frobnicate"}));
  CHECK_FALSE(parse({"--verbose", "status"}));
  CHECK_FALSE(parse({"status", "extra"}));
  CHECK_FALSE(parse({"show"}));
  CHECK_FALSE(parse({"show", "a", "b"}));
  CHECK_FALSE(parse({"status", "--timeout", "3"}));  // not an option of status
  CHECK_FALSE(parse({"up", "t1", "--timeout"}));
  CHECK_FALSE(parse({"--socket"}));
  CHECK_FALSE(parse({"--socket=", "status"}));
  CHECK_FALSE(parse({"monitor", "--debug=yes"}));
}

TEST_CASE("kitectl exit codes without a daemon") {
  std::string out, err;
  CHECK(run({"bogus"}, out, err) == kitectl::kUsage);
  CHECK_THAT(err, Catch::Contains("unknown command \"bogus\"") && Catch::Contains("usage:"));
  CHECK(run({"--help"}, out, err) == kitectl::kDone);
  for (const auto* c : kitectl::commands()) CHECK_THAT(out, Catch::Contains(std::string(c->name)));
  CHECK(run({"up", "t1", "--timeout", "soon"}, out, err) == kitectl::kUsage);
  CHECK(run({"monitor", "--count", "0"}, out, err) == kitectl::kUsage);
  CHECK(run({"--socket", "/nonexistent/kited.sock", "status"}, out, err) ==
        kitectl::kUnreachable);
  CHECK_THAT(err, Catch::Contains("/nonexistent/kited.sock") && Catch::Contains("is kited running"));
  CHECK(run({"--socket", "/nonexistent/kited.sock", "--json", "version"}, out, err) ==
        kitectl::kUnreachable);
  auto j = daemon::Json::parse(out);
  CHECK(j["kitectl"] == KITE_VERSION);
  CHECK(j["kited"].is_null());
}

TEST_CASE("kitectl check validates without a daemon") {
  std::string out, err;
  CHECK(run({"check", "--config", "/nonexistent/kite.yaml"}, out, err) == kitectl::kUsage);
  CHECK_THAT(out, Catch::Contains("invalid"));
  CHECK(run({"--json", "check", "--config", "/nonexistent/kite.yaml"}, out, err) ==
        kitectl::kUsage);
  auto j = daemon::Json::parse(out);
  CHECK(j["ok"] == false);
  CHECK(j["diagnostics"].is_array());
  CHECK_FALSE(j["diagnostics"].empty());
}

TEST_CASE("kited options") {
  auto parse_kited = [](std::vector<std::string_view> args) {
    return daemon::parse_kited_args(args);
  };
  auto d = parse_kited({});
  REQUIRE(d);
  CHECK(d->config == "/etc/kite/kite.yaml");
  CHECK_FALSE(d->foreground);
  auto all = parse_kited({"--config", "/tmp/a.yaml", "--foreground", "--socket=/tmp/s.sock",
                          "--runtime-dir", "/tmp/run"});
  REQUIRE(all);
  CHECK(all->config == "/tmp/a.yaml");
  CHECK(all->foreground);
  CHECK(all->socket == "/tmp/s.sock");
  CHECK(all->runtime_dir == "/tmp/run");
  CHECK(parse_kited({"--version"})->version);
  CHECK_FALSE(parse_kited({"--config"}));
  CHECK_FALSE(parse_kited({"--socket="}));
  CHECK_FALSE(parse_kited({"--foreground=1"}));
  CHECK_FALSE(parse_kited({"--daemonize"}));
  CHECK_FALSE(parse_kited({"stray"}));

  ike::GatewayConfig gw;
  gw.control_socket = "/run/kite/gw.sock";
  daemon::KitedOptions o;
  CHECK(daemon::control_socket_path(o, gw) == "/run/kite/gw.sock");
  CHECK(daemon::runtime_dir(o, gw) == "/run/kite");
  o.runtime_dir = "/run/kite-a";
  CHECK(daemon::control_socket_path(o, gw) == "/run/kite-a/kited.sock");
  o.socket = "/tmp/x.sock";
  CHECK(daemon::control_socket_path(o, gw) == "/tmp/x.sock");
  CHECK(daemon::runtime_dir(o, gw) == "/run/kite-a");
}

TEST_CASE("human formats") {
  using kitectl::format_bytes;
  using kitectl::format_duration;
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(59) == "59s");
  CHECK(format_duration(603) == "10m03s");
  CHECK(format_duration(7380) == "2h03m");
  CHECK(format_duration(273600) == "3d04h");
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(3u << 20) == "3.0 MiB");

  const auto status = daemon::Json::parse(R"({"ok":true,"tunnels":[
    {"name":"t1","peer":"192.0.2.1","state":"up","ike_version":"ikev2","uptime":7380,
     "bytes_in":2048,"bytes_out":10,"packets_in":2,"packets_out":1},
    {"name":"longer-name","peer":"2001:db8::1","state":"down","ike_version":"ikev1","uptime":null,
     "bytes_in":0,"bytes_out":0,"packets_in":0,"packets_out":0}]})");
  const std::string table = kitectl::format_status(status);
  CHECK_THAT(table, Catch::StartsWith("NAME         PEER         STATE  IKE    UPTIME"));
  CHECK_THAT(table, Catch::Contains("t1           192.0.2.1    up     ikev2  2h03m   2.0 KiB"));
  CHECK_THAT(table, Catch::Contains("longer-name  2001:db8::1  down   ikev1  -"));
  CHECK(kitectl::format_status(daemon::Json::parse(R"({"ok":true,"tunnels":[]})")) ==
        "no tunnels configured\n");

  const auto down = daemon::Json::parse(R"({"name":"idle","peer":"192.0.2.9","state":"down",
    "ike_version":"ikev1","uptime":null,"ike_sa":null,"children":[],"last_error":"timed out"})");
  CHECK(kitectl::format_show(down) ==
        "tunnel idle: down (ikev1), peer 192.0.2.9\n"
        "  ike sa: none\n"
        "  child sas: none\n"
        "  total: in 0 B / 0 packets, out 0 B / 0 packets\n"
        "  last error: timed out\n");

  const auto routed = daemon::Json::parse(R"({"name":"r","peer":"192.0.2.9","state":"down",
    "ike_version":"ikev2","uptime":null,"ike_sa":null,"children":[],"last_error":null,"mode":"route",
    "interface":{"name":"kite-tom","kind":"vti","mark":1802043393}})");
  CHECK_THAT(kitectl::format_show(routed),
             Catch::StartsWith("tunnel r: down (ikev2), peer 192.0.2.9\n"
                               "  interface: kite-tom (VTI, mark 0x6b690001)\n  ike sa: none\n"));
  const auto xfrmi = daemon::Json::parse(R"({"name":"r","peer":"192.0.2.9","state":"down",
    "ike_version":"ikev2","uptime":null,"ike_sa":null,"children":[],"last_error":null,"mode":"route",
    "interface":{"name":"kite-tom","kind":"xfrm","if_id":1802043394}})");
  CHECK_THAT(kitectl::format_show(xfrmi), Catch::Contains("  interface: kite-tom (xfrm interface, if_id 0x6b690002)\n"));
}

TEST_CASE("human status ends with kited's counters") {
  const auto status = daemon::Json::parse(R"({"ok":true,"gateway":"gw","tunnels":[
    {"name":"t1","peer":"192.0.2.1","state":"up","ike_version":"ikev2","uptime":7,
     "bytes_in":0,"bytes_out":0,"packets_in":0,"packets_out":0}],
    "counters":{"ike_sas_established":3,"ike_sas_failed":1,"half_open":2,"retransmits":4,
     "datagrams_in":40,"datagrams_dropped":5}})");
  CHECK_THAT(kitectl::format_status(status),
             Catch::EndsWith("\nike sas: 3 established, 1 failed, 2 half-open; 4 retransmits; "
                             "40 datagrams in, 5 dropped\n"));
}
