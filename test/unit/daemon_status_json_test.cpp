// The stable JSON schema of status, show and monitor (README.md "Control
// protocol"): member names and types are a contract with scripts.
#include <catch2/catch.hpp>

#include "daemon/status_json.hpp"
#include "daemon_fake_engine.hpp"

using namespace kite::daemon;
using namespace std::chrono_literals;

namespace {

ike::TunnelStatus up_tunnel(ike::TimePoint now) {
  ike::TunnelStatus t;
  t.name = "tom-vpn-conn";
  t.peer = *ike::IpAddress::parse("202.108.22.5");
  t.state = ike::TunnelState::Up;
  t.established = now - 3725s;
  t.ike_spi_i = 0x0123456789abcdefULL;
  t.ike_spi_r = 0xfULL;
  t.ike_encryption = "aes256gcm";
  t.ike_prf = "prfsha384";
  t.ike_dh_group = 20;
  t.ike_rekey_at = now + 75000s;
  t.ike_expires_at = now + 82675s;
  t.children = {kite::test::FakeEngine::sample_child(now - 600s),
                kite::test::FakeEngine::sample_child(now - 10s)};
  return t;
}

}  // namespace

TEST_CASE("tunnel summary members") {
  const auto now = ike::Clock::now();
  const Json j = tunnel_summary(up_tunnel(now), now);
  CHECK(j.size() == 11);
  CHECK(j["name"] == "tom-vpn-conn");
  CHECK(j["mode"] == "spd");
  CHECK(j["interface"].is_null());
  CHECK(j["peer"] == "202.108.22.5");
  CHECK(j["state"] == "up");
  CHECK(j["ike_version"] == "ikev2");
  CHECK(j["uptime"] == 3725);
  CHECK(j["bytes_in"] == 4096);
  CHECK(j["bytes_out"] == 2 << 20);
  CHECK(j["packets_in"] == 20);
  CHECK(j["packets_out"] == 40);
}

TEST_CASE("route mode: the summary names the interface, its kind and id") {
  const auto now = ike::Clock::now();
  auto t = up_tunnel(now);
  t.route = ike::RouteBinding{"kite-tom", ike::InterfaceKind::Vti, 0x6b690003};
  Json j = tunnel_summary(t, now);
  CHECK(j["mode"] == "route");
  CHECK(j["interface"]["name"] == "kite-tom");
  CHECK(j["interface"]["kind"] == "vti");
  CHECK(j["interface"]["mark"] == 0x6b690003);
  CHECK_FALSE(j["interface"].contains("if_id"));
  t.route->kind = ike::InterfaceKind::Xfrm;
  j = tunnel_detail(t, now);
  CHECK(j["interface"]["kind"] == "xfrm");
  CHECK(j["interface"]["if_id"] == 0x6b690003);
  CHECK_FALSE(j["interface"].contains("mark"));
}

TEST_CASE("a down tunnel has a null uptime and no IKE SA") {
  const auto now = ike::Clock::now();
  ike::TunnelStatus t;
  t.name = "idle";
  t.peer = *ike::IpAddress::parse("2001:db8::1");
  t.version = ike::IkeVersion::V1;
  const Json j = tunnel_detail(t, now);
  CHECK(j["state"] == "down");
  CHECK(j["ike_version"] == "ikev1");
  CHECK(j["peer"] == "2001:db8::1");
  CHECK(j["uptime"].is_null());
  CHECK(j["ike_sa"].is_null());
  CHECK(j["children"].empty());
  CHECK(j["last_error"].is_null());
}

TEST_CASE("tunnel detail members") {
  const auto now = ike::Clock::now();
  const Json j = tunnel_detail(up_tunnel(now), now);
  for (const char* key : {"name", "peer", "state", "ike_version", "uptime", "bytes_in", "bytes_out",
                          "packets_in", "packets_out", "ike_sa", "nat_detected", "children",
                          "last_error"})
    CHECK(j.contains(key));
  const Json& sa = j["ike_sa"];
  CHECK(sa["spi_i"] == "0123456789abcdef");
  CHECK(sa["spi_r"] == "000000000000000f");
  CHECK(sa["encryption"] == "aes256gcm");
  CHECK(sa["integrity"].is_null());  // AEAD
  CHECK(sa["prf"] == "prfsha384");
  CHECK(sa["dh_group"] == 20);
  CHECK(sa["age"] == 3725);
  CHECK(sa["rekey_in"] == 75000);
  CHECK(sa["expires_in"] == 82675);
  ike::TunnelStatus v1 = up_tunnel(now);  // a version that does not enforce the lifetime
  v1.ike_rekey_at.reset();
  v1.ike_expires_at.reset();
  const Json unknown = tunnel_detail(v1, now)["ike_sa"];
  CHECK(unknown["rekey_in"].is_null());
  CHECK(unknown["expires_in"].is_null());
  const Json& c = j["children"][0];
  CHECK(c["spi_in"] == "c0ffee01");
  CHECK(c["spi_out"] == "00001234");
  CHECK(c["mappings"] == Json::parse(R"([{"local":"192.168.1.0/24","remote":"10.0.1.0/24"}])"));
  CHECK(c["encryption"] == "aes128");
  CHECK(c["integrity"] == "sha256");
  CHECK(c["pfs_group"].is_null());
  CHECK(c["udp_encap"] == false);
  CHECK(c["age"] == 600);
  CHECK(c["lifetime"] == 3600);
  CHECK(c["expires_in"] == 3000);
  CHECK(c["bytes_in"] == 2048);
}

TEST_CASE("counters and events") {
  ike::EngineCounters counters;
  counters.half_open = 3;
  const Json c = counters_json(counters);
  CHECK(c.size() == 6);
  CHECK(c["half_open"] == 3);

  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  const Json e = event_json({ike::TunnelEvent::Kind::DpdTimeout, "t1", "peer silent for 30s"}, when);
  CHECK(e == Json::parse(R"({"event":"dpd_timeout","time":"2023-11-14T22:13:20.123Z",
                             "tunnel":"t1","message":"peer silent for 30s"})"));
  const Json g = event_json({ike::TunnelEvent::Kind::Info, "", "reloaded"}, when);
  CHECK(g["tunnel"].is_null());
}

TEST_CASE("names of states, versions and events") {
  CHECK(state_name(ike::TunnelState::Connecting) == "connecting");
  CHECK(state_name(ike::TunnelState::Rekeying) == "rekeying");
  CHECK(event_name(ike::TunnelEvent::Kind::NegotiationFailed) == "negotiation_failed");
  CHECK(event_name(ike::TunnelEvent::Kind::Rekeyed) == "rekeyed");
  CHECK(spi_hex(0) == "00000000");
  CHECK(ike_spi_hex(0xffffffffffffffffULL) == "ffffffffffffffff");
}
