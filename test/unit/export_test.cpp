// export/: the customer gateway's configuration, exactly as written for
// representative tunnels (strongSwan and libreswan), and every refusal.
// test/unit/export_swanctl_load.sh has strongSwan itself load what kitectl
// export writes.
#include <catch2/catch.hpp>

#include "export/exporter.hpp"

using namespace ike;
using kite::exporter::to_libreswan;
using kite::exporter::to_swanctl;
using Encr = crypto::EncrAlg;
using Integ = crypto::IntegAlg;
using Group = crypto::DhGroup;

namespace {

Subnet net(const char* text) { return *Subnet::parse(text); }
IpAddress addr(const char* text) { return *IpAddress::parse(text); }

// SPEC.md §2's example: IKEv2, kited active, one rule with two peer CIDRs.
TunnelConfig spec_tunnel() {
  TunnelConfig t;
  t.name = "tom-vpn-conn";
  t.customer_gateway = "idc-beijing";
  t.local_address = addr("203.195.147.82");
  t.peer_address = addr("202.108.22.5");
  t.psk = Secret::from_string("123456");
  t.mappings = {{net("192.168.1.0/24"), net("10.0.1.0/24")},
                {net("192.168.1.0/24"), net("10.0.2.0/24")}};
  return t;
}

// IKEv1 aggressive mode, FQDN identities on both sides, PFS, kited
// passive, a key that needs hex, a dotted name.
TunnelConfig v1_tunnel() {
  TunnelConfig t = spec_tunnel();
  t.name = "branch.v1";
  t.version = IkeVersion::V1;
  t.exchange_mode = ExchangeMode::Aggressive;
  t.negotiation = Negotiation::Passive;
  t.mappings = {{net("192.168.1.0/24"), net("10.0.1.0/24")}};
  t.local_id = Identity{Identity::Type::Fqdn, "gw.kite.example"};
  t.remote_id = Identity{Identity::Type::Fqdn, "branch.example"};
  t.ike.encryption = {Encr::Aes256Cbc, Encr::Aes128Cbc};
  t.ike.integrity = {Integ::HmacSha1_96};
  t.ike.lifetime = Seconds(28800);
  t.ipsec.pfs = Group::Modp2048;
  t.ipsec.encryption = {Encr::Aes256Cbc};
  t.ipsec.integrity = {Integ::HmacSha256_128};
  t.dpd.timeout = Seconds(60);
  t.psk = Secret::from_string("0x\"odd\" key");
  return t;
}

// AEAD for IKE (PRF written out) and ESP (mixed with a classic cipher),
// PFS, IPv6, traffic-triggered, no DPD, no volume limit.
TunnelConfig aead_tunnel() {
  TunnelConfig t = spec_tunnel();
  t.name = "aead";
  t.negotiation = Negotiation::Traffic;
  t.local_address = addr("2001:db8::1");
  t.peer_address = addr("2001:db8::2");
  t.mappings = {{net("fd01::/64"), net("fd02::/64")}};
  t.ike.encryption = {Encr::Aes256Gcm16};
  t.ike.integrity = {};
  t.ike.dh_groups = {Group::Ecp384, Group::Curve25519};
  t.ipsec.encryption = {Encr::Aes256Gcm16, Encr::ChaCha20Poly1305, Encr::Aes128Cbc};
  t.ipsec.integrity = {Integ::HmacSha256_128};
  t.ipsec.pfs = Group::Ecp256;
  t.ipsec.lifetime_kb = 0;
  t.dpd.enabled = false;
  return t;
}

TunnelConfig route_tunnel() {
  TunnelConfig t = spec_tunnel();
  t.name = "rt";
  t.mode = TunnelMode::Route;
  t.mappings = {};
  t.route = RouteConfig{"kite-rt", {net("10.0.1.0/24"), net("10.0.2.0/24")}};
  return t;
}

GatewayConfig gateway_of(const TunnelConfig& t) {
  GatewayConfig g;
  g.name = "gw-guangzhou";
  g.local_address = t.local_address;
  return g;
}

std::string swanctl(const TunnelConfig& t) {
  auto r = to_swanctl(t, gateway_of(t));
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return *r;
}

std::string libreswan(const TunnelConfig& t) {
  auto r = to_libreswan(t, gateway_of(t));
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return *r;
}

std::string swanctl_error(const TunnelConfig& t) {
  auto r = to_swanctl(t, gateway_of(t));
  REQUIRE_FALSE(r);
  return r.error().message;
}

std::string libreswan_error(const TunnelConfig& t) {
  auto r = to_libreswan(t, gateway_of(t));
  REQUIRE_FALSE(r);
  return r.error().message;
}

const char* const kSpecSwanctl = R"EXP(# strongSwan swanctl.conf for the customer gateway's side of kite tunnel
# "tom-vpn-conn":
#   this side:  customer gateway idc-beijing, 202.108.22.5
#   other side: kite gateway gw-guangzhou, 203.195.147.82 (kited)
# Written by `kitectl export`: install it as /etc/swanctl/conf.d/tom-vpn-conn.conf
# and run `swanctl --load-all`.
#
# THIS FILE CONTAINS THE TUNNEL'S PRE-SHARED KEY (section secrets, at the
# end): keep it readable by root only (chmod 600), send it only over a
# protected channel, and delete copies once it is installed.
#
# kited initiates this tunnel and keeps it up (negotiation: active): this
# side responds (start_action = none) and leaves restarts to kited.

connections {
  tom-vpn-conn {
    version = 2
    local_addrs = 202.108.22.5
    remote_addrs = 203.195.147.82
    proposals = aes128-sha256-modp2048
    # kited's IKE SA lifetime is 86400s: renew at 90 %, give up at 100 %.
    rekey_time = 77760s
    over_time = 8640s
    # kited declares a silent peer dead after 30s.
    dpd_delay = 10s
    mobike = no
    local {
      auth = psk
      id = 202.108.22.5
    }
    remote {
      auth = psk
      id = 203.195.147.82
    }
    children {
      # One CHILD_SA per kite SPD mapping, as kited negotiates them.
      net-1 {
        local_ts = 10.0.1.0/24
        remote_ts = 192.168.1.0/24
        esp_proposals = aes128-sha256
        rekey_time = 3240s
        life_time = 3600s
        rekey_bytes = 1698693120
        life_bytes = 1887436800
        dpd_action = clear
        start_action = none
      }
      net-2 {
        local_ts = 10.0.2.0/24
        remote_ts = 192.168.1.0/24
        esp_proposals = aes128-sha256
        rekey_time = 3240s
        life_time = 3600s
        rekey_bytes = 1698693120
        life_bytes = 1887436800
        dpd_action = clear
        start_action = none
      }
    }
  }
}

secrets {
  # The pre-shared key of kite tunnel "tom-vpn-conn".
  ike-tom-vpn-conn {
    id-local = 202.108.22.5
    id-remote = 203.195.147.82
    secret = "123456"
  }
}
)EXP";

const char* const kSpecLibreswan = R"EXP(# libreswan ipsec.conf and ipsec.secrets for the customer gateway's side of
# kite tunnel "tom-vpn-conn":
#   left:  customer gateway idc-beijing, 202.108.22.5 (this side)
#   right: kite gateway gw-guangzhou, 203.195.147.82 (kited)
# Written by `kitectl export`. Two files in one: up to the ipsec.secrets
# line below it goes to /etc/ipsec.d/tom-vpn-conn.conf, the rest to
# /etc/ipsec.d/tom-vpn-conn.secrets; then `ipsec restart` (or `ipsec auto --add`).
#
# THIS TEXT CONTAINS THE TUNNEL'S PRE-SHARED KEY (the ipsec.secrets part):
# keep that file readable by root only (chmod 600), send it only over a
# protected channel, and delete copies once it is installed.
#
# kited initiates this tunnel and keeps it up (negotiation: active): this
# side only responds (auto=add) and leaves restarts to kited.

conn tom-vpn-conn
	left=202.108.22.5
	leftid=202.108.22.5
	leftsubnets={10.0.1.0/24,10.0.2.0/24}
	right=203.195.147.82
	rightid=203.195.147.82
	rightsubnet=192.168.1.0/24
	authby=secret
	ikev2=insist
	ike=aes128-sha2_256-modp2048
	esp=aes128-sha2_256
	pfs=no
	ikelifetime=86400s
	salifetime=3600s
	# kited also rekeys after 1843200 KiB; libreswan 4.7 and later can match that
	# with ipsec-max-bytes=1843200KiB (it is not negotiated, so this is optional).
	dpddelay=10s
	dpdtimeout=30s
	dpdaction=clear
	auto=add

# ---- ipsec.secrets: /etc/ipsec.d/tom-vpn-conn.secrets (chmod 600) ----
202.108.22.5 203.195.147.82 : PSK "123456"
)EXP";

const char* const kV1Swanctl = R"EXP(# strongSwan swanctl.conf for the customer gateway's side of kite tunnel
# "branch.v1":
#   this side:  customer gateway idc-beijing, 202.108.22.5
#   other side: kite gateway gw-guangzhou, 203.195.147.82 (kited)
# Written by `kitectl export`: install it as /etc/swanctl/conf.d/branch.v1.conf
# and run `swanctl --load-all`.
#
# THIS FILE CONTAINS THE TUNNEL'S PRE-SHARED KEY (section secrets, at the
# end): keep it readable by root only (chmod 600), send it only over a
# protected channel, and delete copies once it is installed.
#
# kited only responds (negotiation: passive): this side brings the tunnel
# up when loaded (start_action = start), keeps trying (keyingtries = 0) and
# restarts it after a dead peer (dpd_action = restart).

connections {
  branch_v1 {
    version = 1
    aggressive = yes
    local_addrs = 202.108.22.5
    remote_addrs = 203.195.147.82
    proposals = aes256-sha1-modp2048, aes128-sha1-modp2048
    # kited's IKE SA lifetime is 28800s: renew at 90 %, give up at 100 %.
    reauth_time = 25920s
    over_time = 2880s
    # kited declares a silent peer dead after 60s.
    dpd_delay = 20s
    dpd_timeout = 60s
    keyingtries = 0
    local {
      auth = psk
      id = @branch.example
    }
    remote {
      auth = psk
      id = @gw.kite.example
    }
    children {
      net {
        local_ts = 10.0.1.0/24
        remote_ts = 192.168.1.0/24
        esp_proposals = aes256-sha256-modp2048
        rekey_time = 3240s
        life_time = 3600s
        rekey_bytes = 1698693120
        life_bytes = 1887436800
        dpd_action = restart
        start_action = start
      }
    }
  }
}

secrets {
  # The pre-shared key of kite tunnel "branch.v1".
  ike-branch_v1 {
    id-local = @branch.example
    id-remote = @gw.kite.example
    # In hex: as text it would not read back unchanged.
    secret = 0x3078226f646422206b6579
  }
}
)EXP";

const char* const kV1Libreswan = R"EXP(# libreswan ipsec.conf and ipsec.secrets for the customer gateway's side of
# kite tunnel "branch.v1":
#   left:  customer gateway idc-beijing, 202.108.22.5 (this side)
#   right: kite gateway gw-guangzhou, 203.195.147.82 (kited)
# Written by `kitectl export`. Two files in one: up to the ipsec.secrets
# line below it goes to /etc/ipsec.d/branch.v1.conf, the rest to
# /etc/ipsec.d/branch.v1.secrets; then `ipsec restart` (or `ipsec auto --add`).
#
# THIS TEXT CONTAINS THE TUNNEL'S PRE-SHARED KEY (the ipsec.secrets part):
# keep that file readable by root only (chmod 600), send it only over a
# protected channel, and delete copies once it is installed.
#
# kited only responds (negotiation: passive): this side brings the tunnel
# up (auto=start) and restarts it after a dead peer (dpdaction=restart).

conn branch.v1
	left=202.108.22.5
	leftid=@branch.example
	leftsubnet=10.0.1.0/24
	right=203.195.147.82
	rightid=@gw.kite.example
	rightsubnet=192.168.1.0/24
	authby=secret
	ikev2=no
	aggressive=yes
	# Aggressive mode takes exactly one ike= and one esp= proposal: kited's
	# first choice.
	ike=aes256-sha1-modp2048
	esp=aes256-sha2_256-modp2048
	pfs=yes
	ikelifetime=28800s
	salifetime=3600s
	# kited also rekeys after 1843200 KiB; libreswan 4.7 and later can match that
	# with ipsec-max-bytes=1843200KiB (it is not negotiated, so this is optional).
	dpddelay=20s
	dpdtimeout=60s
	dpdaction=restart
	auto=start

# ---- ipsec.secrets: /etc/ipsec.d/branch.v1.secrets (chmod 600) ----
# In hex: as text it would not read back unchanged.
@branch.example @gw.kite.example : PSK 0x3078226f646422206b6579
)EXP";

const char* const kAeadSwanctl = R"EXP(# strongSwan swanctl.conf for the customer gateway's side of kite tunnel
# "aead":
#   this side:  customer gateway idc-beijing, 2001:db8::2
#   other side: kite gateway gw-guangzhou, 2001:db8::1 (kited)
# Written by `kitectl export`: install it as /etc/swanctl/conf.d/aead.conf
# and run `swanctl --load-all`.
#
# THIS FILE CONTAINS THE TUNNEL'S PRE-SHARED KEY (section secrets, at the
# end): keep it readable by root only (chmod 600), send it only over a
# protected channel, and delete copies once it is installed.
#
# kited negotiates on the first packet (negotiation: traffic); so does this
# side (start_action = trap).

connections {
  aead {
    version = 2
    local_addrs = 2001:db8::2
    remote_addrs = 2001:db8::1
    proposals = aes256gcm16-prfsha256-ecp384-x25519
    # kited's IKE SA lifetime is 86400s: renew at 90 %, give up at 100 %.
    rekey_time = 77760s
    over_time = 8640s
    # DPD is off on kited's side.
    mobike = no
    local {
      auth = psk
      id = 2001:db8::2
    }
    remote {
      auth = psk
      id = 2001:db8::1
    }
    children {
      net {
        local_ts = fd02::/64
        remote_ts = fd01::/64
        esp_proposals = aes128-sha256-ecp256, aes256gcm16-chacha20poly1305-ecp256
        rekey_time = 3240s
        life_time = 3600s
        start_action = trap
      }
    }
  }
}

secrets {
  # The pre-shared key of kite tunnel "aead".
  ike-aead {
    id-local = 2001:db8::2
    id-remote = 2001:db8::1
    secret = "123456"
  }
}
)EXP";

}  // namespace

using Catch::Contains;

TEST_CASE("export: IKEv2 with two SPD mappings, exactly") {
  CHECK(swanctl(spec_tunnel()) == kSpecSwanctl);
  CHECK(libreswan(spec_tunnel()) == kSpecLibreswan);
}

TEST_CASE("export: IKEv1 aggressive mode with FQDN identities and PFS, exactly") {
  CHECK(swanctl(v1_tunnel()) == kV1Swanctl);
  CHECK(libreswan(v1_tunnel()) == kV1Libreswan);
}

TEST_CASE("export: AEAD over IPv6, traffic-triggered, exactly") {
  CHECK(swanctl(aead_tunnel()) == kAeadSwanctl);
  const auto text = libreswan(aead_tunnel());
  CHECK_THAT(text, Contains("\tike=aes_gcm256-sha2_256-dh20+dh31\n"));
  CHECK_THAT(text, Contains("\tesp=aes128-sha2_256-dh19,aes_gcm256+chacha20_poly1305-none-dh19\n"));
  CHECK_THAT(text, Contains("\tpfs=yes\n"));
  CHECK_THAT(text, Contains("\tauto=ondemand\n"));
  CHECK_THAT(text, Contains("2001:db8::2 2001:db8::1 : PSK \"123456\"\n"));
}

TEST_CASE("export: the key is announced at the top") {
  for (const auto& text : {swanctl(spec_tunnel()), libreswan(spec_tunnel())}) {
    CHECK(text.find("PRE-SHARED KEY") < 600);
    CHECK(text.find("123456") > text.find("PRE-SHARED KEY"));
  }
}

TEST_CASE("export: route mode is route-based on both sides: wildcard selectors bound by if_id") {
  const auto sw = swanctl(route_tunnel());
  CHECK_THAT(sw, Contains("route-based (interface kite-rt)"));
  CHECK_THAT(sw, Contains("routes 10.0.1.0/24, 10.0.2.0/24 into the tunnel"));
  // One child, 0.0.0.0/0 both ways, bound to the xfrm interface.
  CHECK_THAT(sw, Contains("      net {\n        local_ts = 0.0.0.0/0\n"
                          "        remote_ts = 0.0.0.0/0\n"));
  CHECK_THAT(sw, !Contains("net-v6"));
  const auto at = sw.find("if_id_in = 0x");
  REQUIRE(at != std::string::npos);
  const auto id = sw.substr(at + 11, sw.find('\n', at) - at - 11);
  CHECK(id != "0x0");
  CHECK_THAT(sw, Contains("if_id_out = " + id + "\n"));
  CHECK_THAT(sw, Contains("#   ip link add kite-rt type xfrm if_id " + id + "\n"));
  CHECK_THAT(sw, Contains("ikey " + id + " okey " + id));
  CHECK_THAT(sw, Contains("mark_in = mark_out = " + id));
  CHECK_THAT(sw, Contains("install_routes = no"));
  // Stable per tunnel, different for another tunnel.
  CHECK(swanctl(route_tunnel()) == sw);
  auto other = route_tunnel();
  other.name = "other-tunnel";
  CHECK_THAT(swanctl(other), !Contains("if_id_in = " + id + "\n"));

  const auto ls = libreswan(route_tunnel());  // policy-based there, against kited's wildcard
  CHECK_THAT(ls, Contains("\tleftsubnets={10.0.1.0/24,10.0.2.0/24}\n"));
  CHECK_THAT(ls, Contains("\trightsubnet=0.0.0.0/0\n"));

  auto v1 = route_tunnel();  // IKEv1: the same single wildcard pair
  v1.version = IkeVersion::V1;
  CHECK_THAT(swanctl(v1), Contains("net {\n        local_ts = 0.0.0.0/0\n        remote_ts = 0.0.0.0/0\n"));
  auto v6 = route_tunnel();
  v6.route->remote = {net("fd02::/64")};
  CHECK_THAT(swanctl(v6), Contains("net-v6 {\n        local_ts = ::/0\n        remote_ts = ::/0\n"));
  CHECK_THAT(swanctl(v6), !Contains("0.0.0.0/0\n"));
  auto both = route_tunnel();
  both.route->remote.push_back(net("fd02::/64"));
  const auto sb = swanctl(both);
  CHECK_THAT(sb, Contains("      net {\n        local_ts = 0.0.0.0/0\n"));
  CHECK_THAT(sb, Contains("      net-v6 {\n        local_ts = ::/0\n"));
}

TEST_CASE("export: libreswan gets one conn per subnet on kited's side") {
  auto t = spec_tunnel();
  t.mappings.push_back({net("192.168.2.0/24"), net("10.0.3.0/24")});
  const auto text = libreswan(t);
  CHECK_THAT(text, Contains("conn tom-vpn-conn-1\n"));
  CHECK_THAT(text, Contains("\tleftsubnets={10.0.1.0/24,10.0.2.0/24}\n"));
  CHECK_THAT(text, Contains("conn tom-vpn-conn-2\n"));
  CHECK_THAT(text, Contains("\tleftsubnet=10.0.3.0/24\n"));
  CHECK_THAT(text, Contains("\trightsubnet=192.168.2.0/24\n"));
  CHECK_THAT(swanctl(t), Contains("net-3 {\n        local_ts = 10.0.3.0/24\n"
                                  "        remote_ts = 192.168.2.0/24\n"));
}

TEST_CASE("export: kited's negotiation type decides who initiates") {
  auto t = spec_tunnel();
  t.negotiation = Negotiation::Passive;
  CHECK_THAT(swanctl(t), Contains("start_action = start\n"));
  CHECK_THAT(swanctl(t), Contains("dpd_action = restart\n"));
  CHECK_THAT(swanctl(t), Contains("keyingtries = 0\n"));
  CHECK_THAT(libreswan(t), Contains("\tauto=start\n"));
  t.negotiation = Negotiation::Traffic;
  CHECK_THAT(swanctl(t), Contains("start_action = trap\n"));
  CHECK_THAT(libreswan(t), Contains("\tdpdaction=hold\n"));
  t.negotiation = Negotiation::Active;
  CHECK_THAT(swanctl(t), Contains("start_action = none\n"));
  CHECK_THAT(libreswan(t), Contains("\tauto=add\n"));
}

TEST_CASE("export: lifetimes, DPD and ports follow kited's") {
  auto t = spec_tunnel();
  t.ike.lifetime = Seconds(600);
  t.ipsec.lifetime = Seconds(300);
  t.dpd.timeout = Seconds(45);
  auto g = gateway_of(t);
  g.ike_port = 1500;
  g.nat_t_port = 14500;
  const auto sw = to_swanctl(t, g);
  REQUIRE(sw);
  CHECK_THAT(*sw, Contains("rekey_time = 540s\n    over_time = 60s\n"));
  CHECK_THAT(*sw, Contains("rekey_time = 270s\n        life_time = 300s\n"));
  CHECK_THAT(*sw, Contains("dpd_delay = 15s\n"));
  CHECK_THAT(*sw, Contains("remote_port = 1500\n"));
  CHECK_THAT(*sw, Contains("NAT-T on port 14500"));
  const auto ls = to_libreswan(t, g);
  REQUIRE(ls);
  CHECK_THAT(*ls, Contains("\tikelifetime=600s\n\tsalifetime=300s\n\trekeymargin=30s\n"));
  CHECK_THAT(*ls, Contains("\tdpddelay=15s\n\tdpdtimeout=45s\n"));
  CHECK_THAT(*ls, Contains("\trightikeport=1500\n"));

  t.dpd.enabled = false;
  CHECK(swanctl(t).find("dpd_") == std::string::npos);
  CHECK(libreswan(t).find("dpddelay") == std::string::npos);
}

TEST_CASE("export: IKEv1 offers every combination as its own proposal") {
  auto t = v1_tunnel();
  t.exchange_mode = ExchangeMode::Main;
  t.ike.integrity = {Integ::HmacSha256_128, Integ::HmacSha1_96};
  t.ike.dh_groups = {Group::Modp2048, Group::Ecp256};
  CHECK_THAT(swanctl(t), Contains("proposals = aes256-sha256-modp2048, aes256-sha256-ecp256, "
                                  "aes256-sha1-modp2048, aes256-sha1-ecp256, aes128-sha256-modp2048, "
                                  "aes128-sha256-ecp256, aes128-sha1-modp2048, aes128-sha1-ecp256\n"));
  CHECK(swanctl(t).find("aggressive") == std::string::npos);
  const auto ls = libreswan(t);
  CHECK_THAT(ls, Contains("\tike=aes256-sha2_256-modp2048,aes256-sha2_256-dh19,"));
  CHECK(ls.find("aggressive") == std::string::npos);
}

TEST_CASE("export: IKEv2 keeps kited's two proposals, classic and AEAD") {
  auto t = spec_tunnel();
  t.ike.encryption = {Encr::Aes128Cbc, Encr::Aes128Gcm16, Encr::Aes256Cbc};
  t.ike.integrity = {Integ::HmacSha256_128, Integ::HmacSha512_256};
  t.ike.dh_groups = {Group::Modp2048, Group::Curve25519};
  t.ipsec.encryption = {Encr::TripleDesCbc, Encr::Aes128Gcm12};
  t.ipsec.integrity = {Integ::HmacMd5_96};
  CHECK_THAT(swanctl(t), Contains("proposals = aes128-aes256-sha256-sha512-modp2048-x25519, "
                                  "aes128gcm16-prfsha256-prfsha512-modp2048-x25519\n"));
  CHECK_THAT(swanctl(t), Contains("esp_proposals = 3des-md5, aes128gcm12\n"));
  CHECK_THAT(libreswan(t), Contains("\tike=aes128+aes256-sha2_256+sha2_512-modp2048+dh31,"
                                    "aes_gcm128-sha2_256+sha2_512-modp2048+dh31\n"));
  CHECK_THAT(libreswan(t), Contains("\tesp=3des-md5,aes_gcm_b128\n"));
}

TEST_CASE("export: keys that do not survive quoting go as hex") {
  auto t = spec_tunnel();
  t.psk = Secret::from_string("0sbase64-looking");  // swanctl would decode it
  CHECK_THAT(swanctl(t), Contains("secret = 0x3073626173653634"));
  CHECK_THAT(libreswan(t), Contains("PSK \"0sbase64-looking\"\n"));
  t.psk = Secret::from_string("back\\slash");
  CHECK_THAT(swanctl(t), Contains("secret = 0x6261636b5c736c617368\n"));
  CHECK_THAT(libreswan(t), Contains("PSK \"back\\slash\"\n"));
  t.psk = Secret::from_string("tab\there");
  CHECK_THAT(libreswan(t), Contains("PSK 0x7461620968657265\n"));
  t.psk = Secret::from_string("sp ace # {x}");
  CHECK_THAT(swanctl(t), Contains("secret = \"sp ace # {x}\"\n"));
}

TEST_CASE("export: algorithms without a counterpart are refused by name") {
  auto t = spec_tunnel();
  t.ike.encryption = {Encr::Aes128Cbc, Encr::Sm4Cbc};
  CHECK(swanctl_error(t) ==
        "tunnel 'tom-vpn-conn': ike encryption sm4 has no counterpart in strongSwan: kite numbers "
        "it with a private-use transform ID, so it works between two kite gateways only");
  CHECK_THAT(libreswan_error(t), Contains("ike encryption sm4 has no counterpart in libreswan"));

  t = spec_tunnel();
  t.ipsec.integrity = {Integ::HmacSm3_128};
  CHECK_THAT(swanctl_error(t), Contains("ipsec integrity sm3 has no counterpart in strongSwan"));

  t = spec_tunnel();
  t.ipsec.pfs = Group::Modp1024;
  CHECK_THAT(swanctl(t), Contains("esp_proposals = aes128-sha256-modp1024\n"));
  CHECK(libreswan_error(t) == "tunnel 'tom-vpn-conn': ipsec pfs DH group 2 (modp1024) has no "
                              "counterpart in libreswan: libreswan 4 no longer supports it");
  t = spec_tunnel();
  t.ike.dh_groups = {Group::Modp2048s256};
  CHECK_THAT(libreswan_error(t), Contains("ike DH group 24 (modp2048s256) has no counterpart"));
  t = spec_tunnel();
  t.ike.encryption = {Encr::DesCbc};
  CHECK_THAT(swanctl(t), Contains("proposals = des-sha256-modp2048\n"));
  CHECK_THAT(libreswan_error(t), Contains("ike encryption des has no counterpart in libreswan"));
}

TEST_CASE("export: tunnels the model should not hold are refused, not half-written") {
  auto t = spec_tunnel();
  t.mappings.clear();
  CHECK(swanctl_error(t) == "tunnel 'tom-vpn-conn' has no SPD mappings");
  t = route_tunnel();
  t.route.reset();
  CHECK_THAT(libreswan_error(t), Contains("routes no subnets"));
  t = v1_tunnel();
  t.ike.encryption = {Encr::Aes128Gcm16};
  CHECK_THAT(swanctl_error(t), Contains("IKEv1 has no AEAD ciphers for the IKE SA"));
  t = spec_tunnel();
  t.ipsec.integrity = {};
  CHECK_THAT(swanctl_error(t), Contains("ipsec: no proposal"));
}

TEST_CASE("export: formats by name") {
  using kite::exporter::Format;
  CHECK(kite::exporter::parse_format("swanctl") == Format::Swanctl);
  CHECK(kite::exporter::parse_format("libreswan") == Format::Libreswan);
  CHECK_FALSE(kite::exporter::parse_format("ipsec.conf"));
  CHECK(kite::exporter::format_name(Format::Libreswan) == "libreswan");
  auto both = kite::exporter::export_tunnel(Format::Libreswan, spec_tunnel(), gateway_of(spec_tunnel()));
  REQUIRE(both);
  CHECK(*both == kSpecLibreswan);
}
