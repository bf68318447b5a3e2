// Validation rules of SPEC.md §2 (conf/): every rule with a failing and a
// passing example, asserting the rule name and the exact line:column.
#include <catch2/catch.hpp>

#include "test/unit/conf_test_util.hpp"

using namespace kite::conf;
using namespace kite::conf::test;
using Positions = std::vector<std::string>;

namespace {

// Load fails, and `rule` is reported exactly once, at the n-th `needle`.
void expect_error(const std::string& text, std::string_view rule, std::string_view needle, int nth = 0) {
  auto r = load_text(text);
  INFO(text);
  REQUIRE_FALSE(r);
  INFO(r.error().format());
  CHECK(where(r.error(), rule) == Positions{pos_of(text, needle, nth)});
}

// Loads; `rule` is a warning at the n-th `needle`.
void expect_warning(const std::string& text, std::string_view rule, std::string_view needle, int nth = 0) {
  auto r = load_text(text);
  INFO(text);
  INFO((r ? r->warnings : r.error()).format());
  REQUIRE(r);
  CHECK(where(r->warnings, rule) == Positions{pos_of(text, needle, nth)});
  CHECK(find_rule(r->warnings, rule)->severity == Severity::Warning);
}

// Loads without errors or warnings.
void expect_clean(const std::string& text) {
  auto r = load_text(text);
  INFO(text);
  INFO(all(r).format());
  REQUIRE(r);
  CHECK(r->warnings.empty());
}

// The customer gateway's address, quoted ("::" is not a plain YAML scalar).
std::string with_cgw_address(std::string_view address) {
  auto s = base_config();
  auto at = s.find("202.108.22.5");
  return s.replace(at, 12, fmt::format("\"{}\"", address));
}

std::string with_gateway(std::string_view extra) {
  auto s = base_config();
  return s.insert(s.find("customer_gateways:"), extra);
}

}  // namespace

TEST_CASE("the base config is clean") { expect_clean(base_config()); }

TEST_CASE("yaml-syntax: a parse error points at yaml-cpp's mark") {
  auto r = load_text("gateway:\n  local_address: [1.2.3.4\n  name: x\n");
  REQUIRE_FALSE(r);
  REQUIRE(r.error().size() == 1);
  CHECK(r.error().items()[0].rule == "yaml-syntax");
  CHECK(r.error().items()[0].line >= 2);
}

TEST_CASE("type: a block of the wrong kind") {
  expect_error(base_config("    dpd: 30s\n"), "type", "30s");
  expect_error(base_config("    dpd:\n      enabled: maybe\n"), "type", "maybe");
  expect_error(with_gateway("  ike_port: five\n"), "type", "five");
  expect_clean(base_config("    dpd:\n      enabled: false\n"));
}

TEST_CASE("unknown-key: with a did-you-mean for near misses") {
  auto text = base_config("    ike:\n      encryptoin: aes256\n");
  expect_error(text, "unknown-key", "encryptoin");
  CHECK(find_rule(load_text(text).error(), "unknown-key")->detail == "unknown key 'encryptoin' in tunnels[0].ike; did you mean 'encryption'?");
  auto far = base_config("    colour: blue\n");
  expect_error(far, "unknown-key", "colour");
  CHECK(find_rule(load_text(far).error(), "unknown-key")->detail.find("did you mean") == std::string::npos);
  expect_error("gateway:\n  local_address: 203.195.147.82\ntunels: []\n", "unknown-key", "tunels");
  expect_clean(base_config("    ike:\n      encryption: aes256\n"));
}

TEST_CASE("duplicate-key") {
  expect_error(base_config("    negotiation: active\n    negotiation: passive\n"), "duplicate-key", "negotiation", 1);
  expect_clean(base_config("    negotiation: passive\n"));
}

TEST_CASE("required: missing keys are reported at their mapping") {
  expect_error("customer_gateways: []\n", "required", "customer_gateways");
  expect_error("gateway:\n  name: gw\n", "required", "name: gw");
  auto no_cgw = base_config("", "  - name: t2\n    pre_shared_key: x\n    spd: [{local: 10.9.0.0/16, remote: 10.8.0.0/16}]\n");
  expect_error(no_cgw, "required", "name: t2");
  expect_error(base_config("", "  - customer_gateway: idc\n    pre_shared_key: x\n    spd: [{local: 10.9.0.0/16, remote: 10.8.0.0/16}]\n"),
               "required", "customer_gateway: idc", 1);
  expect_error(base_config("    spd:\n      - local: 192.168.1.0/24\n"), "required", "local: 192.168.1.0/24");
  auto empty = load_text("");
  REQUIRE_FALSE(empty);
  CHECK(where(empty.error(), "required") == Positions{"1:1"});
}

TEST_CASE("name: tunnel names are [A-Za-z0-9._-], at most 60 characters") {
  auto named = [](std::string_view name) {
    auto s = base_config();
    return s.replace(s.find("name: t1") + 6, 2, name);
  };
  expect_error(named("tom vpn"), "name", "tom vpn");
  expect_error(named("tom/vpn"), "name", "tom/vpn");
  expect_error(named(std::string(61, 'a')), "name", std::string(61, 'a'));
  expect_clean(named(std::string(60, 'a')));
  expect_clean(named("Tom-vpn_conn.2"));
}

TEST_CASE("duplicate-name: tunnels and customer gateways") {
  auto twin = "  - name: t1\n    customer_gateway: idc\n    pre_shared_key: x\n"
              "    spd: [{local: 10.9.0.0/16, remote: 10.8.0.0/16}]\n";
  auto text = base_config("", twin);
  expect_error(text, "duplicate-name", "t1", 1);
  CHECK(find_rule(load_text(text).error(), "duplicate-name")->detail.find("already defined at") != std::string::npos);
  auto cgw = base_config();
  cgw.insert(cgw.find("tunnels:"), "  - name: idc\n    address: 202.108.22.6\n");
  expect_error(cgw, "duplicate-name", "idc", 1);
  std::string other = twin;
  other.replace(other.find("t1"), 2, "t2");
  expect_clean(base_config("", other));
}

TEST_CASE("unknown-customer-gateway: with a did-you-mean") {
  auto s = base_config();
  s.replace(s.find("customer_gateway: idc") + 18, 3, "idcx");
  expect_error(s, "unknown-customer-gateway", "idcx");
  CHECK(find_rule(load_text(s).error(), "unknown-customer-gateway")->detail ==
        "customer gateway 'idcx' is not defined; did you mean 'idc'?");
}

TEST_CASE("address: not an IP address") {
  expect_error(with_cgw_address("202.108.22"), "address", "\"202.108.22\"");
  expect_error(with_cgw_address("idc.example"), "address", "\"idc.example");
}

TEST_CASE("customer-gateway-address: the SPEC.md rules") {
  for (auto bad : {"224.0.0.5", "239.255.255.250", "0.1.2.3", "127.0.0.1", "169.254.10.1",
                   "10.0.0.0", "10.255.255.255", "172.16.0.0", "172.16.255.255", "192.168.1.0",
                   "192.168.1.255", "240.0.0.1", "255.255.255.255", "::", "::1", "ff02::1", "fe80::1"}) {
    INFO(bad);
    expect_error(with_cgw_address(bad), "customer-gateway-address", fmt::format("\"{}\"", bad));
  }
  // The gateway's own address cannot be a peer.
  expect_error(with_cgw_address("203.195.147.82"), "customer-gateway-address", "\"203.195.147.82");
  for (auto good : {"202.108.22.5", "10.0.0.1", "10.255.255.254", "172.16.0.1", "192.168.1.1", "1.1.1.1"}) {
    INFO(good);
    expect_clean(with_cgw_address(good));
  }
}

TEST_CASE("gateway-address: the gateway's IKE address") {
  auto s = base_config();
  s.replace(s.find("203.195.147.82"), 14, "224.0.0.1");
  expect_error(s, "gateway-address", "224.0.0.1");
  s = base_config();
  s.replace(s.find("203.195.147.82"), 14, "10.0.0.1");
  expect_clean(s);
}

TEST_CASE("address-family: IPv4 gateway with an IPv6 peer, mixed SPD pairs") {
  auto v6peer = with_cgw_address("2001:db8::1");
  expect_error(v6peer, "address-family", "idc", 1);
  expect_error(base_config("    spd:\n      - local: 192.168.1.0/24\n        remote: fd00:1::/64\n"),
               "address-family", "fd00:1::/64");
  // IPv6 inside an IPv4 tunnel is fine, and an all-IPv6 gateway too.
  expect_clean(base_config("    spd:\n      - local: fd00:2::/64\n        remote: fd00:1::/64\n"));
  auto v6 = v6peer;
  v6.replace(v6.find("203.195.147.82"), 14, "2001:db8::2");
  expect_clean(v6);
}

TEST_CASE("cidr and cidr-host-bits") {
  expect_error(base_config("    spd:\n      - local: 192.168.1.0/33\n        remote: 10.0.0.0/8\n"), "cidr",
               "192.168.1.0/33");
  auto text = base_config("    spd:\n      - local: 192.168.1.1/24\n        remote: 10.0.0.0/8\n");
  expect_error(text, "cidr-host-bits", "192.168.1.1/24");
  CHECK(find_rule(load_text(text).error(), "cidr-host-bits")->detail.find("did you mean 192.168.1.0/24?") !=
        std::string::npos);
  expect_clean(base_config("    spd:\n      - local: 192.168.1.7\n        remote: 10.0.0.0/8\n"));
}

TEST_CASE("spd-rule: one local CIDR, at least one remote CIDR") {
  expect_error(base_config("    spd:\n      - local: [192.168.1.0/24, 192.168.2.0/24]\n        remote: 10.0.0.0/8\n"),
               "spd-rule", "[192.168.1.0/24");
  expect_error(base_config("    spd:\n      - local: 192.168.1.0/24\n        remote: []\n"), "spd-rule", "[]");
  expect_error(base_config("    spd: []\n"), "spd-rule", "[]");
  expect_clean(base_config("    spd:\n      - local: 192.168.1.0/24\n        remote: 10.0.0.0/8\n"));
}

TEST_CASE("spd-remote-overlap: the remotes of one rule") {
  expect_error(base_config("    spd:\n      - local: 192.168.1.0/24\n        remote: [10.0.0.0/8, 10.1.0.0/16]\n"),
               "spd-remote-overlap", "10.1.0.0/16");
  expect_clean(base_config("    spd:\n      - local: 192.168.1.0/24\n        remote: [10.0.0.0/16, 10.1.0.0/16]\n"));
}

TEST_CASE("spd-local-remote-overlap") {
  expect_error(base_config("    spd:\n      - local: 10.0.0.0/8\n        remote: [172.16.0.0/12, 10.1.0.0/16]\n"),
               "spd-local-remote-overlap", "10.1.0.0/16");
  expect_clean(base_config("    spd:\n      - local: 10.0.0.0/16\n        remote: [10.1.0.0/16]\n"));
}

TEST_CASE("spd-mapping-overlap: across rules and tunnels") {
  auto second = [](std::string_view local, std::string_view remote) {
    return fmt::format("  - name: t2\n    customer_gateway: idc\n    pre_shared_key: x\n"
                       "    spd:\n      - local: {}\n        remote: {}\n", local, remote);
  };
  // t1 maps 192.168.1.0/24 -> 10.0.1.0/24 and 10.0.2.0/24.
  auto text = base_config("", second("192.168.0.0/16", "10.0.2.128/25"));
  expect_error(text, "spd-mapping-overlap", "10.0.2.128/25");
  CHECK(find_rule(load_text(text).error(), "spd-mapping-overlap")->detail.find("tunnel 't1'") != std::string::npos);
  expect_error(base_config("    spd:\n      - local: 192.168.1.0/24\n        remote: 10.0.0.0/16\n"
                           "      - local: 192.168.0.0/16\n        remote: 10.0.5.0/24\n"),
               "spd-mapping-overlap", "10.0.5.0/24");
  // Overlapping in one range only is fine.
  expect_clean(base_config("", second("192.168.0.0/16", "10.0.3.0/24")));
  expect_clean(base_config("", second("192.168.2.0/24", "10.0.1.0/24")));
}

TEST_CASE("spd-mapping-limit: at most 200 mappings per gateway") {
  auto rules = [](int n) {
    std::string s = "    spd:\n";
    for (int i = 0; i < n; ++i) s += fmt::format("      - local: 192.168.{}.0/24\n        remote: 10.{}.0.0/16\n", i, i);
    return s;
  };
  auto text = base_config(rules(201));
  expect_error(text, "spd-mapping-limit", "10.200.0.0/16");
  expect_clean(base_config(rules(200)));
}

TEST_CASE("mode-block: the block that goes with the mode") {
  auto no_route = base_config("    mode: route\n");
  auto r = load_text(no_route);
  REQUIRE_FALSE(r);
  CHECK(where(r.error(), "mode-block") == Positions{pos_of(no_route, "name: t1"), pos_of(no_route, "spd:")});
  auto both = base_config("    mode: route\n    route:\n      interface: kite0\n      remote: 10.0.0.0/8\n"
                          "    spd: [{local: 10.9.0.0/16, remote: 10.8.0.0/16}]\n");
  expect_error(both, "mode-block", "spd:");
  expect_clean(base_config("    mode: route\n    route:\n      interface: kite0\n      remote: [10.0.0.0/8]\n"));
}

TEST_CASE("route mode: interface names, remotes, no overlaps") {
  auto route = [](std::string_view name, std::string_view iface, std::string_view remote) {
    return fmt::format("  - name: {}\n    customer_gateway: idc\n    pre_shared_key: x\n    mode: route\n"
                       "    route:\n      interface: {}\n      remote: {}\n", name, iface, remote);
  };
  expect_error(base_config("", route("r1", "kite/0", "10.5.0.0/16")), "route-interface", "kite/0");
  expect_error(base_config("", route("r1", "a-very-long-name0", "10.5.0.0/16")), "route-interface",
               "a-very-long-name0");
  // Only A-Z a-z 0-9 . _ - (a space, '@' or a non-ASCII byte is refused),
  // and not the name kited probes the kernel with.
  expect_error(base_config("", route("r1", "kite@0", "10.5.0.0/16")), "route-interface", "kite@0");
  expect_error(base_config("", route("r1", "\"kite 0\"", "10.5.0.0/16")), "route-interface", "\"kite 0\"");
  expect_error(base_config("", route("r1", "kite-probe", "10.5.0.0/16")), "route-interface", "kite-probe");
  expect_clean(base_config("", route("r1", "kite_A.tom-15ch", "10.5.0.0/16")));
  expect_error(base_config("", route("r1", "kite0", "[]")), "route-remote", "[]");
  expect_error(base_config("", route("r1", "kite0", "10.5.0.0/16") + route("r2", "kite0", "10.6.0.0/16")),
               "duplicate-interface", "kite0", 1);
  expect_error(base_config("", route("r1", "kite0", "10.5.0.0/16") + route("r2", "kite1", "10.5.4.0/24")),
               "route-overlap", "10.5.4.0/24");
  expect_clean(base_config("", route("r1", "kite0", "10.5.0.0/16") + route("r2", "kite1", "10.6.0.0/16")));
}

TEST_CASE("unknown-value: enumerations, with a did-you-mean") {
  expect_error(base_config("    negotiation: activ\n"), "unknown-value", "activ\n");
  CHECK(find_rule(load_text(base_config("    negotiation: activ\n")).error(), "unknown-value")->detail ==
        "tunnels[0].negotiation 'activ' is not one of active, passive, traffic; did you mean 'active'?");
  expect_error(base_config("    mode: tunnel\n"), "unknown-value", "tunnel\n");
  expect_error(base_config("    ike:\n      version: ikev3\n"), "unknown-value", "ikev3");
  expect_error(base_config("    dpd:\n      action: hold\n"), "unknown-value", "hold");
  expect_error(with_gateway("  log_level: verbose\n"), "unknown-value", "verbose");
  for (auto ok : {"active", "passive", "traffic"}) expect_clean(base_config(fmt::format("    negotiation: {}\n", ok)));
  expect_clean(base_config("    ike:\n      version: ikev1\n      exchange_mode: aggressive\n"));
  expect_clean(base_config("    dpd:\n      action: clear\n"));
  expect_clean(with_gateway("  log_level: debug\n"));
}

TEST_CASE("duration: 30s 5m 1h 1d or plain seconds") {
  expect_error(base_config("    ike:\n      lifetime: 1w\n"), "duration", "1w");
  expect_error(base_config("    ike:\n      lifetime: -60\n"), "duration", "-60");
  expect_error(base_config("    dpd:\n      timeout: 0.5m\n"), "duration", "0.5m");
  expect_clean(base_config("    ike:\n      lifetime: 1d\n    ipsec:\n      lifetime: 5m\n"));
}

TEST_CASE("lifetime-range: IKE and IPsec 60s..86400s, lifetime_kb 0 or 2560..4608000") {
  expect_error(base_config("    ike:\n      lifetime: 59s\n"), "lifetime-range", "59s");
  expect_error(base_config("    ike:\n      lifetime: 86401\n"), "lifetime-range", "86401");
  expect_error(base_config("    ipsec:\n      lifetime: 2d\n"), "lifetime-range", "2d");
  expect_error(base_config("    ipsec:\n      lifetime_kb: 2559\n"), "lifetime-range", "2559");
  expect_error(base_config("    ipsec:\n      lifetime_kb: 4608001\n"), "lifetime-range", "4608001");
  expect_clean(base_config("    ike:\n      lifetime: 60\n    ipsec:\n      lifetime: 24h\n      lifetime_kb: 0\n"));
  expect_clean(base_config("    ipsec:\n      lifetime_kb: 2560\n"));
  expect_clean(base_config("    ipsec:\n      lifetime_kb: 4608000\n"));
}

TEST_CASE("dpd-timeout-range: 30s..60s") {
  expect_error(base_config("    dpd:\n      timeout: 29s\n"), "dpd-timeout-range", "29s");
  expect_error(base_config("    dpd:\n      timeout: 61\n"), "dpd-timeout-range", "61");
  expect_clean(base_config("    dpd:\n      timeout: 30s\n"));
  expect_clean(base_config("    dpd:\n      enabled: true\n      timeout: 1m\n"));
}

TEST_CASE("unknown-algorithm: names exactly as SPEC.md spells them") {
  auto text = base_config("    ike:\n      encryption: [aes256, aes-128]\n");
  expect_error(text, "unknown-algorithm", "aes-128");
  CHECK(find_rule(load_text(text).error(), "unknown-algorithm")->detail.ends_with("did you mean 'aes128'?"));
  expect_error(base_config("    ipsec:\n      integrity: sha2\n"), "unknown-algorithm", "sha2\n");
  expect_error(base_config("    ike:\n      dh_group: [14, 22]\n"), "unknown-algorithm", "22]");
  expect_error(base_config("    ipsec:\n      pfs: 3\n"), "unknown-algorithm", "3\n");
  expect_error(base_config("    ipsec:\n      encryption: []\n"), "unknown-algorithm", "[]");
  expect_clean(base_config("    ike:\n      encryption: [aes256, aes192, aes128, 3des, sm4]\n"
                           "      integrity: [sha512, sha384, sha256, sha1, sm3]\n"
                           "      dh_group: [31, 21, 20, 19, 16, 15, 14]\n"
                           "    ipsec:\n      encryption: [aes256gcm, aes128gcm, chacha20poly1305, aes256]\n"
                           "      pfs: 19\n"));
}

TEST_CASE("weak-algorithm: des, md5 and groups 1 2 5 24 load with a warning") {
  expect_warning(base_config("    ike:\n      encryption: [aes128, des]\n"), "weak-algorithm", "des]");
  expect_warning(base_config("    ipsec:\n      integrity: md5\n"), "weak-algorithm", "md5");
  for (auto g : {"1", "2", "5", "24"})
    expect_warning(base_config(fmt::format("    ike:\n      dh_group: [14, {}]\n", g)), "weak-algorithm",
                   fmt::format("{}]", g));
  expect_warning(base_config("    ipsec:\n      pfs: 2\n"), "weak-algorithm", "2\n", 1);
  expect_clean(base_config("    ike:\n      encryption: 3des\n      integrity: sha1\n      dh_group: 14\n"));
}

TEST_CASE("duplicate-algorithm: a repeat is dropped with a warning") {
  auto text = base_config("    ike:\n      encryption: [aes256, aes128, aes256]\n");
  expect_warning(text, "duplicate-algorithm", "aes256", 1);
  auto r = load_text(text);
  CHECK(r->config.tunnels[0].ike.encryption.size() == 2);
}

TEST_CASE("aead-integrity: integrity with only AEAD ciphers is ignored") {
  auto text = base_config("    ipsec:\n      encryption: aes256gcm\n      integrity: sha256\n");
  expect_warning(text, "aead-integrity", "sha256");
  CHECK(load_text(text)->config.tunnels[0].ipsec.integrity.empty());
  // Without integrity given, AEAD-only needs none and says nothing.
  auto quiet = load_text(base_config("    ipsec:\n      encryption: chacha20poly1305\n"));
  REQUIRE(quiet);
  CHECK(quiet->warnings.empty());
  CHECK(quiet->config.tunnels[0].ipsec.integrity.empty());
  // A mixed list keeps integrity for the non-AEAD ciphers.
  auto mixed = load_text(base_config("    ipsec:\n      encryption: [aes256gcm, aes256]\n      integrity: sha384\n"));
  REQUIRE(mixed);
  CHECK(mixed->warnings.empty());
  CHECK(mixed->config.tunnels[0].ipsec.integrity.size() == 1);
}

TEST_CASE("ikev1-aead: no AEAD IKE SA with IKEv1, no ChaCha20 ESP") {
  expect_error(base_config("    ike:\n      version: ikev1\n      encryption: aes128gcm\n"), "ikev1-aead", "aes128gcm");
  expect_error(base_config("    ike:\n      version: ikev1\n    ipsec:\n      encryption: chacha20poly1305\n"),
               "ikev1-aead", "chacha20poly1305");
  expect_clean(base_config("    ike:\n      version: ikev1\n    ipsec:\n      encryption: aes256gcm\n"));
  expect_clean(base_config("    ike:\n      encryption: aes128gcm\n"));
}

TEST_CASE("ikev1-only: exchange_mode with ikev2 is a warning") {
  expect_warning(base_config("    ike:\n      exchange_mode: main\n"), "ikev1-only", "exchange_mode");
  expect_clean(base_config("    ike:\n      version: ikev1\n      exchange_mode: main\n"));
}

TEST_CASE("identity: ip and fqdn identities") {
  expect_error(base_config("    ike:\n      local_id: {type: ip, value: gw.example}\n"), "identity", "gw.example");
  expect_error(base_config("    ike:\n      remote_id: {type: fqdn, value: 'bad name'}\n"), "identity", "'bad name'");
  expect_error(base_config("    ike:\n      remote_id: {type: email, value: a@b}\n"), "unknown-value", "email");
  expect_error(base_config("    ike:\n      remote_id: {type: fqdn}\n"), "required", "{type: fqdn}");
  auto r = load_text(base_config("    ike:\n      local_id: {type: ip, value: 203.195.147.82}\n"
                                 "      remote_id: {type: fqdn, value: vpn.idc.example}\n"));
  REQUIRE(r);
  CHECK(r->config.tunnels[0].local_id == ike::Identity{ike::Identity::Type::Ip, "203.195.147.82"});
  CHECK(r->config.tunnels[0].remote_id == ike::Identity{ike::Identity::Type::Fqdn, "vpn.idc.example"});
}

TEST_CASE("psk-source and psk-length: inline keys, never echoed") {
  auto psk = [](std::string_view line) {
    auto s = base_config();
    return s.replace(s.find("    pre_shared_key: \"123456\"\n"), 29, line);
  };
  expect_error(psk(""), "psk-source", "name: t1");
  expect_error(psk("    pre_shared_key: a\n    pre_shared_key_file: /etc/kite/psk/t1\n"), "psk-source",
               "pre_shared_key_file");
  expect_error(psk("    pre_shared_key: ''\n"), "psk-length", "''");
  auto long_key = std::string(129, 'k');
  auto text = psk(fmt::format("    pre_shared_key: {}\n", long_key));
  expect_error(text, "psk-length", long_key);
  CHECK(load_text(text).error().format().find(long_key) == std::string::npos);
  expect_error(psk("    pre_shared_key: \"tab\\there\"\n"), "psk-charset", "\"tab");
  expect_clean(psk(fmt::format("    pre_shared_key: {}\n", std::string(128, 'k'))));
  expect_clean(psk("    pre_shared_key: x\n"));
}

TEST_CASE("port-range, route-table and control-socket of the gateway") {
  expect_error(with_gateway("  ike_port: 0\n"), "port-range", "0\n");
  expect_error(with_gateway("  nat_t_port: 65536\n"), "port-range", "65536");
  expect_error(with_gateway("  ike_port: 4500\n"), "port-range", "4500");
  expect_error(with_gateway("  route_table: 254\n"), "route-table", "254");
  expect_error(with_gateway("  route_table: 0\n"), "route-table", "0\n");
  expect_error(with_gateway("  control_socket: kited.sock\n"), "control-socket", "kited.sock");
  expect_clean(with_gateway("  ike_port: 1500\n  nat_t_port: 14500\n  route_table: 100\n"
                            "  control_socket: /run/kite/test.sock\n  install_routes: false\n"));
}

TEST_CASE("health-check: addresses, interval and retries") {
  expect_error(base_config("    health_check:\n      enabled: true\n      local: 169.254.128.1\n"), "required",
               "enabled: true");
  expect_error(base_config("    health_check:\n      enabled: true\n      local: 169.254.128.1\n      remote: fd00::2\n"),
               "address-family", "fd00::2");
  expect_error(base_config("    health_check:\n      interval: 2m\n"), "health-check", "2m");
  expect_error(base_config("    health_check:\n      retries: 11\n"), "health-check", "11");
  auto r = load_text(base_config("    health_check:\n      enabled: true\n      local: 169.254.128.1\n"
                                 "      remote: 169.254.128.2\n      interval: 5s\n      retries: 4\n"));
  REQUIRE(r);
  const auto& hc = r->config.tunnels[0].health_check;
  CHECK(hc.enabled);
  CHECK(hc.remote == ike::IpAddress::parse("169.254.128.2"));
  CHECK(hc.interval == std::chrono::seconds(5));
  CHECK(hc.retries == 4);
}

TEST_CASE("every failure of a file is reported in one run, in file order") {
  auto text = base_config("    negotiation: activ\n    dpd:\n      timeout: 5s\n    ike:\n      lifetime: 10s\n"
                          "      integrity: sha2\n");
  text.replace(text.find("202.108.22.5"), 12, "127.0.0.1");
  auto r = load_text(text);
  REQUIRE_FALSE(r);
  INFO(r.error().format());
  std::vector<std::string> rules;
  for (const auto& d : r.error().items()) rules.push_back(d.rule);
  CHECK(rules == std::vector<std::string>{"customer-gateway-address", "unknown-value", "dpd-timeout-range",
                                          "lifetime-range", "unknown-algorithm"});
  CHECK(r.error().error_count() == 5);
}
