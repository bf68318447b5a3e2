// Loading (conf/): defaults, durations, drop-ins, PSK files, the packaged
// example, diagnostics output and the reload diff.
#include <catch2/catch.hpp>

#include "conf/diff.hpp"
#include "conf/values.hpp"
#include "test/unit/conf_test_util.hpp"

using namespace kite::conf;
using namespace kite::conf::test;
using std::chrono::seconds;

namespace {

// The SPEC.md §2 example, trimmed of its comments.
constexpr std::string_view kSpecExample = R"(gateway:
  name: gw-guangzhou
  local_address: 203.195.147.82
customer_gateways:
  - name: idc-beijing
    address: 202.108.22.5
tunnels:
  - name: tom-vpn-conn
    customer_gateway: idc-beijing
    pre_shared_key: "123456"
    negotiation: active
    mode: spd
    spd:
      - local: 192.168.1.0/24
        remote: [10.0.1.0/24, 10.0.2.0/24]
    dpd:
      enabled: true
      timeout: 30s
      action: restart
    health_check:
      enabled: false
      local: 169.254.128.1
      remote: 169.254.128.2
    ike:
      version: ikev2
      exchange_mode: main
      encryption: aes128
      integrity: sha256
      dh_group: 14
      local_id: {type: ip, value: 203.195.147.82}
      remote_id: {type: fqdn, value: vpn.idc.example}
      lifetime: 86400s
    ipsec:
      encryption: aes128
      integrity: sha256
      pfs: none
      lifetime: 3600s
      lifetime_kb: 1843200
)";

ike::Subnet cidr(std::string_view s) { return *ike::Subnet::parse(s); }

}  // namespace

TEST_CASE("durations: s m h d suffixes and plain seconds") {
  CHECK(parse_duration("30s") == seconds(30));
  CHECK(parse_duration("5m") == seconds(300));
  CHECK(parse_duration("1h") == seconds(3600));
  CHECK(parse_duration("1d") == seconds(86400));
  CHECK(parse_duration("86400") == seconds(86400));
  CHECK(parse_duration("0") == seconds(0));
  for (auto bad : {"", "s", "-5s", "+5", "1.5h", "5 m", "5ms", "1w", "99999999999999999999", "5000000000d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("names, interface names, fqdn and did-you-mean") {
  CHECK(is_valid_name("tom-vpn_conn.1"));
  CHECK_FALSE(is_valid_name(""));
  CHECK_FALSE(is_valid_name("a b"));
  CHECK(is_valid_interface_name("kite-tom"));
  CHECK_FALSE(is_valid_interface_name("sixteen-chars-xx"));
  CHECK(is_valid_interface_name("kite_A.1-x"));
  CHECK_FALSE(is_valid_interface_name("kite@1"));
  CHECK_FALSE(is_valid_interface_name("kité"));
  CHECK_FALSE(is_valid_interface_name(".."));
  CHECK(is_valid_fqdn("vpn.idc.example"));
  CHECK(is_valid_fqdn("vpn.idc.example."));
  CHECK_FALSE(is_valid_fqdn("-vpn.example"));
  CHECK_FALSE(is_valid_fqdn("a..b"));
  CHECK(edit_distance("kitten", "sitting") == 3);
  std::vector<std::string_view> keys{"encryption", "integrity", "lifetime"};
  CHECK(did_you_mean("encrpytion", keys) == "; did you mean 'encryption'?");
  CHECK(did_you_mean("zzz", keys).empty());
}

TEST_CASE("every default of SPEC.md §2 is applied") {
  auto r = load_text(
      "gateway:\n  local_address: 192.0.2.1\ncustomer_gateways:\n  - {name: peer, address: 198.51.100.7}\n"
      "tunnels:\n  - name: t\n    customer_gateway: peer\n    pre_shared_key: secret\n"
      "    spd: [{local: 10.1.0.0/16, remote: 10.2.0.0/16}]\n");
  REQUIRE(r);
  CHECK(r->warnings.empty());
  const auto& g = r->config.gateway;
  CHECK(g.ike_port == 500);
  CHECK(g.nat_t_port == 4500);
  CHECK(g.control_socket == "/run/kite/kited.sock");
  CHECK(g.log_level == "info");
  CHECK(g.route_table == 220);
  CHECK(g.install_routes);
  REQUIRE(r->config.tunnels.size() == 1);
  const auto& t = r->config.tunnels[0];
  CHECK(t.local_address == ike::IpAddress::parse("192.0.2.1"));
  CHECK(t.peer_address == ike::IpAddress::parse("198.51.100.7"));
  CHECK(t.psk == ike::Secret::from_string("secret"));
  CHECK(t.negotiation == ike::Negotiation::Active);
  CHECK(t.mode == ike::TunnelMode::Spd);
  CHECK(t.dpd == ike::DpdConfig{true, seconds(30), ike::DpdAction::Restart});
  CHECK_FALSE(t.health_check.enabled);
  CHECK(t.version == ike::IkeVersion::V2);
  CHECK(t.exchange_mode == ike::ExchangeMode::Main);
  using namespace ike::crypto;
  CHECK(t.ike.encryption == std::vector{EncrAlg::Aes128Cbc});
  CHECK(t.ike.integrity == std::vector{IntegAlg::HmacSha256_128});
  CHECK(t.ike.dh_groups == std::vector{DhGroup::Modp2048});
  CHECK(t.ike.lifetime == seconds(86400));
  CHECK(t.ipsec.encryption == std::vector{EncrAlg::Aes128Cbc});
  CHECK(t.ipsec.integrity == std::vector{IntegAlg::HmacSha256_128});
  CHECK_FALSE(t.ipsec.pfs);
  CHECK(t.ipsec.lifetime == seconds(3600));
  CHECK(t.ipsec.lifetime_kb == 1843200);
  CHECK_FALSE(t.local_id);
  CHECK_FALSE(t.remote_id);
}

TEST_CASE("the SPEC.md example loads into the model") {
  auto r = load_text(kSpecExample);
  REQUIRE(r);
  INFO(r->warnings.format());
  // Only the ikev2 exchange_mode note.
  CHECK(r->warnings.size() == 1);
  const auto& t = r->config.tunnels.at(0);
  CHECK(t.name == "tom-vpn-conn");
  CHECK(t.customer_gateway == "idc-beijing");
  CHECK(t.mappings == std::vector<ike::SpdMapping>{{cidr("192.168.1.0/24"), cidr("10.0.1.0/24")},
                                                   {cidr("192.168.1.0/24"), cidr("10.0.2.0/24")}});
  CHECK(t.health_check.local == ike::IpAddress::parse("169.254.128.1"));
}

TEST_CASE("options are read into the model") {
  auto r = load_text(base_config(
      "    negotiation: traffic\n    dpd: {enabled: false, timeout: 1m, action: clear}\n"
      "    ike:\n      version: ikev1\n      exchange_mode: aggressive\n      encryption: [aes256, aes128]\n"
      "      integrity: [sha512, sha256]\n      dh_group: [20, 14]\n      lifetime: 8h\n"
      "    ipsec:\n      encryption: aes256gcm\n      pfs: 19\n      lifetime: 30m\n      lifetime_kb: 0\n"));
  REQUIRE(r);
  const auto& t = r->config.tunnels[0];
  using namespace ike::crypto;
  CHECK(t.negotiation == ike::Negotiation::Traffic);
  CHECK(t.dpd == ike::DpdConfig{false, seconds(60), ike::DpdAction::Clear});
  CHECK(t.version == ike::IkeVersion::V1);
  CHECK(t.exchange_mode == ike::ExchangeMode::Aggressive);
  CHECK(t.ike.encryption == std::vector{EncrAlg::Aes256Cbc, EncrAlg::Aes128Cbc});
  CHECK(t.ike.integrity == std::vector{IntegAlg::HmacSha512_256, IntegAlg::HmacSha256_128});
  CHECK(t.ike.dh_groups == std::vector{DhGroup::Ecp384, DhGroup::Modp2048});
  CHECK(t.ike.lifetime == seconds(8 * 3600));
  CHECK(t.ipsec.encryption == std::vector{EncrAlg::Aes256Gcm16});
  CHECK(t.ipsec.integrity.empty());
  CHECK(t.ipsec.pfs == DhGroup::Ecp256);
  CHECK(t.ipsec.lifetime == seconds(1800));
  CHECK(t.ipsec.lifetime_kb == 0);
}

TEST_CASE("route mode fills RouteConfig") {
  auto r = load_text(base_config("    mode: route\n    route:\n      interface: kite-tom\n"
                                 "      remote: [10.0.1.0/24, fd00:1::/64]\n"));
  REQUIRE(r);
  const auto& t = r->config.tunnels[0];
  CHECK(t.mode == ike::TunnelMode::Route);
  REQUIRE(t.route);
  CHECK(t.route->interface == "kite-tom");
  CHECK(t.route->remote == std::vector{cidr("10.0.1.0/24"), cidr("fd00:1::/64")});
  CHECK(t.mappings.empty());
}

TEST_CASE("drop-ins: tunnels.d/*.yaml add customer gateways and tunnels, sorted") {
  TempDir dir;
  dir.write("tunnels.d/20-b.yaml",
            "tunnels:\n  - name: b\n    customer_gateway: peer-a\n    pre_shared_key: x\n"
            "    spd: [{local: 10.1.0.0/16, remote: 10.3.0.0/16}]\n");
  dir.write("tunnels.d/10-a.yaml",
            "customer_gateways:\n  - name: peer-a\n    address: 198.51.100.7\n"
            "tunnels:\n  - name: a\n    customer_gateway: peer-a\n    pre_shared_key: x\n"
            "    spd: [{local: 10.1.0.0/16, remote: 10.2.0.0/16}]\n");
  dir.write("tunnels.d/.hidden.yaml", "bogus: [");
  dir.write("tunnels.d/notes.yml", "bogus: [");
  dir.write("tunnels.d/empty.yaml", "");
  auto r = dir.load_main(base_config());
  REQUIRE(r);
  std::vector<std::string> names;
  for (const auto& t : r->config.tunnels) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"t1", "a", "b"});
  CHECK(r->files.size() == 4);
  CHECK(r->config.tunnels[2].peer_address == ike::IpAddress::parse("198.51.100.7"));
}

TEST_CASE("drop-ins: errors name the drop-in file; gateway is main-only") {
  TempDir dir;
  auto dropin = "gateway:\n  local_address: 192.0.2.1\ntunnels:\n  - name: t1\n    customer_gateway: nope\n"
                "    pre_shared_key: x\n    spd: [{local: 10.1.0.0/16, remote: 10.2.0.0/16}]\n";
  auto path = dir.write("tunnels.d/extra.yaml", dropin);
  auto r = dir.load_main(base_config());
  REQUIRE_FALSE(r);
  INFO(r.error().format());
  auto main_only = find_rule(r.error(), "main-only");
  REQUIRE(main_only);
  CHECK(main_only->file == path.string());
  CHECK(pos(*main_only) == "1:1");
  CHECK(where(r.error(), "duplicate-name") == std::vector<std::string>{pos_of(dropin, "t1")});
  CHECK(find_rule(r.error(), "duplicate-name")->file == path.string());
  CHECK(where(r.error(), "unknown-customer-gateway") == std::vector<std::string>{pos_of(dropin, "nope")});
}

TEST_CASE("PSK files: private mode required, one trailing newline stripped") {
  TempDir dir;
  auto with_file = [](std::string_view path) {
    auto s = base_config();
    return s.replace(s.find("pre_shared_key: \"123456\""), 24, fmt::format("pre_shared_key_file: {}", path));
  };
  SECTION("mode 0600 loads; relative paths start beside kite.yaml") {
    dir.write("psk/t1", "s3cret\n", 0600);
    auto r = dir.load_main(with_file("psk/t1"));
    REQUIRE(r);
    CHECK(r->config.tunnels[0].psk == ike::Secret::from_string("s3cret"));
  }
  SECTION("only one newline is stripped, CRLF included") {
    auto p = dir.write("psk/t1", "s3cret\r\n", 0400);
    auto r = dir.load_main(with_file(p.string()));
    REQUIRE(r);
    CHECK(r->config.tunnels[0].psk == ike::Secret::from_string("s3cret"));
  }
  SECTION("group or other bits are refused, saying why and the mode") {
    for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
      auto p = dir.write("psk/t1", "s3cret\n", mode);
      auto text = with_file(p.string());
      auto r = dir.load_main(text);
      REQUIRE_FALSE(r);
      auto d = find_rule(r.error(), "psk-file-mode");
      REQUIRE(d);
      CHECK(pos(*d) == pos_of(text, p.string()));
      CHECK(d->detail.find(fmt::format("mode {:04o}", mode)) != std::string::npos);
      CHECK(d->detail.find("chmod 600") != std::string::npos);
      CHECK(r.error().format().find("s3cret") == std::string::npos);
    }
  }
  SECTION("a missing file, or an empty key") {
    auto r = dir.load_main(with_file("/nonexistent/kite-psk"));
    REQUIRE_FALSE(r);
    CHECK(find_rule(r.error(), "psk-file"));
    dir.write("psk/empty", "\n", 0600);
    r = dir.load_main(with_file("psk/empty"));
    REQUIRE_FALSE(r);
    CHECK(find_rule(r.error(), "psk-length"));
  }
  SECTION("an error about the key's content never shows it") {
    dir.write("psk/t1", std::string(200, 'Q'), 0600);
    auto r = dir.load_main(with_file("psk/t1"));
    REQUIRE_FALSE(r);
    CHECK(find_rule(r.error(), "psk-length"));
    CHECK(r.error().format().find("QQQQ") == std::string::npos);
  }
}

TEST_CASE("the packaged example config loads cleanly") {
  auto r = load(fs::path(KITE_SOURCE_DIR) / "packaging/kite.yaml");
  INFO(all(r).format());
  REQUIRE(r);
  CHECK(r->warnings.empty());
  CHECK(r->config.tunnels.size() == 1);
  CHECK(check(fs::path(KITE_SOURCE_DIR) / "packaging/kite.yaml").empty());
}

TEST_CASE("io: a missing main file") {
  auto r = load("/nonexistent/kite.yaml");
  REQUIRE_FALSE(r);
  REQUIRE(r.error().size() == 1);
  CHECK(r.error().items()[0].rule == "io");
  CHECK(r.error().format() == "/nonexistent/kite.yaml: io: cannot open the file\n");
}

TEST_CASE("io: a tunnels.d that cannot be listed is an error, not an empty set") {
  TempDir dir;
  dir.write("tunnels.d", "not a directory");
  auto r = dir.load_main(base_config());
  REQUIRE_FALSE(r);
  auto d = find_rule(r.error(), "io");
  REQUIRE(d);
  CHECK(d->file == (dir.path() / "tunnels.d").string());
  CHECK(check(dir.path() / "kite.yaml").has_errors());
}

TEST_CASE("check: warnings of a valid config, errors of an invalid one") {
  TempDir dir;
  auto text = base_config("    ike:\n      encryption: des\n");
  dir.write("kite.yaml", text);
  auto ds = check(dir.path() / "kite.yaml");
  CHECK_FALSE(ds.has_errors());
  CHECK(where(ds, "weak-algorithm") == std::vector<std::string>{pos_of(text, "des")});
  CHECK(ds.format() == fmt::format("{}:{}: warning: weak-algorithm: tunnels[0].ike.encryption des is weak; "
                                   "prefer a stronger one\n", (dir.path() / "kite.yaml").string(), pos_of(text, "des")));
}

TEST_CASE("diagnostics: text lines and JSON") {
  Diagnostics ds;
  ds.add({Severity::Error, "kite.yaml", 3, 7, "unknown-key", "unknown key 'x'"});
  ds.add({Severity::Warning, "t.yaml", 9, 1, "weak-algorithm", "des is \"weak\""});
  CHECK(ds.format() ==
        "kite.yaml:3:7: unknown-key: unknown key 'x'\n"
        "t.yaml:9:1: warning: weak-algorithm: des is \"weak\"\n");
  CHECK(ds.to_json() ==
        R"([{"severity":"error","file":"kite.yaml","line":3,"column":7,"rule":"unknown-key","detail":"unknown key 'x'"},)"
        R"({"severity":"warning","file":"t.yaml","line":9,"column":1,"rule":"weak-algorithm","detail":"des is \"weak\""}])");
  CHECK(ds.error_count() == 1);
  CHECK(ds.warning_count() == 1);
  CHECK(Diagnostics{}.to_json() == "[]");
}

TEST_CASE("diff: added, removed, changed and unchanged tunnels") {
  auto tunnel = [](std::string_view name, std::string_view psk, std::string_view remote) {
    return fmt::format("  - name: {}\n    customer_gateway: idc\n    pre_shared_key: {}\n"
                       "    spd: [{{local: 10.1.0.0/16, remote: {}}}]\n", name, psk, remote);
  };
  auto running = load_text(base_config("", tunnel("keep", "a", "10.2.0.0/16") + tunnel("psk", "a", "10.3.0.0/16") +
                                               tunnel("gone", "a", "10.4.0.0/16")));
  auto next = load_text(base_config("", tunnel("keep", "a", "10.2.0.0/16") + tunnel("psk", "b", "10.3.0.0/16") +
                                            tunnel("new", "a", "10.5.0.0/16")));
  REQUIRE(running);
  REQUIRE(next);
  auto d = diff(running->config, next->config);
  CHECK(d.added == std::vector<std::string>{"new"});
  CHECK(d.removed == std::vector<std::string>{"gone"});
  CHECK(d.changed == std::vector<std::string>{"psk"});
  CHECK(d.unchanged == std::vector<std::string>{"t1", "keep"});
  CHECK_FALSE(d.gateway_changed);
  CHECK(diff(next->config, next->config).empty());
  auto moved = next->config;
  moved.gateway.log_level = "debug";
  CHECK(diff(next->config, moved).gateway_changed);
}
