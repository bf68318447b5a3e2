// Quick Mode client IDs and phase-1 identities (libike/ikev1/selectors.cpp,
// identity.cpp), NAT-D (nat_t.cpp), routing helpers (dispatch.cpp).
#include <catch2/catch.hpp>

#include "libike/crypto/crypto.hpp"
#include "libike/ikev1/identity.hpp"
#include "libike/ikev1/ikev1.hpp"
#include "libike/ikev1/nat_t.hpp"
#include "libike/ikev1/selectors.hpp"

using namespace ike;
using namespace ike::v1;

namespace {
Subnet net(const char* s) { return *Subnet::parse(s); }
}  // namespace

TEST_CASE("subnet IDs: address and mask, protocol and port 0") {
  auto id = subnet_identification(net("10.1.2.0/23"));
  CHECK(id.type == IdType::Ipv4AddrSubnet);
  CHECK(id.protocol == 0);
  CHECK(id.port == 0);
  CHECK(id.data == Bytes{10, 1, 2, 0, 255, 255, 254, 0});
  CHECK(subnet_of(id) == net("10.1.2.0/23"));
  auto v6 = subnet_identification(net("fd00:1::/48"));
  CHECK(v6.type == IdType::Ipv6AddrSubnet);
  CHECK(v6.data.size() == 32);
  CHECK(subnet_of(v6) == net("fd00:1::/48"));
  CHECK(subnet_of(subnet_identification(net("0.0.0.0/0"))) == net("0.0.0.0/0"));
}

TEST_CASE("subnet_of: hosts, ranges that are one block, refusals") {
  CHECK(subnet_of(IdPayload::ipv4({10, 0, 0, 9})) == net("10.0.0.9/32"));
  CHECK(subnet_of(IdPayload::ipv4_range({10, 0, 0, 0}, {10, 0, 0, 255})) == net("10.0.0.0/24"));
  CHECK_FALSE(subnet_of(IdPayload::ipv4_range({10, 0, 0, 1}, {10, 0, 0, 255})));
  CHECK_FALSE(subnet_of(IdPayload::ipv4_subnet({10, 0, 0, 0}, {255, 0, 255, 0})));
  CHECK_FALSE(subnet_of(IdPayload::fqdn("x.example")));
  auto tcp = subnet_identification(net("10.0.0.0/8"));
  tcp.protocol = 6;
  CHECK_FALSE(subnet_of(tcp));
  // Host bits in the address are cleared.
  CHECK(subnet_of(IdPayload::ipv4_subnet({10, 0, 0, 7}, {255, 255, 255, 0})) == net("10.0.0.0/24"));
}

TEST_CASE("find_mapping: exact or contained in both ranges") {
  std::vector<SpdMapping> ms{{net("10.2.0.0/16"), net("10.1.0.0/24")}, {net("10.3.0.0/24"), net("10.9.0.0/24")}};
  CHECK(find_mapping({net("10.2.0.0/16"), net("10.1.0.0/24")}, ms) == 0u);
  CHECK(find_mapping({net("10.2.5.0/24"), net("10.1.0.128/25")}, ms) == 0u);
  CHECK(find_mapping({net("10.3.0.0/24"), net("10.9.0.0/24")}, ms) == 1u);
  CHECK_FALSE(find_mapping({net("10.2.0.0/15"), net("10.1.0.0/24")}, ms));
  CHECK_FALSE(find_mapping({net("10.3.0.0/24"), net("10.1.0.0/24")}, ms));
  CHECK_FALSE(find_mapping({net("fd00::/64"), net("10.1.0.0/24")}, ms));
  CHECK(to_string(ms[0]) == "10.2.0.0/16 === 10.1.0.0/24");
}

TEST_CASE("phase-1 identities") {
  TunnelConfig cfg;
  cfg.local_address = *IpAddress::parse("192.0.2.1");
  cfg.peer_address = *IpAddress::parse("198.51.100.2");
  auto mine = local_identification(cfg);
  CHECK(mine.type == IdType::Ipv4Addr);
  CHECK(mine.data == Bytes{192, 0, 2, 1});
  cfg.local_id = Identity{Identity::Type::Fqdn, "gw.example"};
  CHECK(local_identification(cfg).type == IdType::Fqdn);
  cfg.local_address = *IpAddress::parse("2001:db8::1");
  cfg.local_id.reset();
  CHECK(local_identification(cfg).type == IdType::Ipv6Addr);

  auto peer_ip = IdPayload::ipv4({198, 51, 100, 2});
  CHECK(check_peer_identity(peer_ip, cfg));
  CHECK_FALSE(check_peer_identity(IdPayload::ipv4({198, 51, 100, 3}), cfg));
  cfg.remote_id = Identity{Identity::Type::Fqdn, "VPN.Example"};
  CHECK(check_peer_identity(IdPayload::fqdn("vpn.example"), cfg));
  auto st = check_peer_identity(peer_ip, cfg);
  REQUIRE_FALSE(st);
  CHECK(st.error().message == "peer identity 198.51.100.2 does not match the expected fqdn:VPN.Example");
  CHECK(describe(IdPayload::user_fqdn("a@b")) == "id-type#3");
}

TEST_CASE("NAT-D: no NAT, NAT on either side") {
  Cookie ci{1, 2, 3, 4, 5, 6, 7, 8}, cr{9, 9, 9, 9, 9, 9, 9, 9};
  Endpoint a{*IpAddress::parse("192.0.2.1"), 500}, b{*IpAddress::parse("198.51.100.2"), 500};
  auto hash = crypto::HashAlg::Sha1;
  auto from_a = nat_d_payloads(hash, ci, cr, a, b, false);
  REQUIRE(from_a.size() == 2);
  CHECK(std::get<NatDPayload>(from_a[0]).hash == crypto::hash(hash, nat_d_input(ci, cr, b.address.bytes(), 500)));
  NatState at_b;
  detect_nat(at_b, from_a, hash, ci, cr, b, a);
  CHECK_FALSE(at_b.any());
  Endpoint a_public{*IpAddress::parse("203.0.113.7"), 10500};
  NatState behind;
  detect_nat(behind, from_a, hash, ci, cr, b, a_public);
  CHECK(behind.remote_behind);
  CHECK_FALSE(behind.local_behind);
  auto to_public = nat_d_payloads(hash, ci, cr, b, a_public, false);
  NatState at_a;
  detect_nat(at_a, to_public, hash, ci, cr, a, b);
  CHECK(at_a.local_behind);
  CHECK(std::get<NatDPayload>(nat_d_payloads(hash, ci, cr, a, b, true)[0]).draft);
}

TEST_CASE("vendor IDs: what we send is what we recognise") {
  auto v = read_vendor_ids(our_vendor_ids());
  CHECK(v.nat_t_rfc);
  CHECK(v.nat_t_draft);
  CHECK(v.dpd);
  CHECK(v.kite);
  NatState s;
  s.peer.nat_t_draft = true;
  CHECK(s.supported());
  CHECK(s.draft());
  s.peer.nat_t_rfc = true;
  CHECK_FALSE(s.draft());
  // RFC 3947 §3.1: MD5("RFC 3947").
  CHECK(std::get<VendorIdPayload>(our_vendor_ids()[0]).data == crypto::hash(crypto::HashAlg::Md5, as_bytes("RFC 3947")));
}

TEST_CASE("routing: cookies, the start of phase 1, the Aggressive Mode identity") {
  Message m;
  m.header.initiator_cookie = {1, 2, 3, 4, 5, 6, 7, 8};
  m.header.exchange = ExchangeType::Aggressive;
  m.payloads.emplace_back(IdPayload::fqdn("peer.example"));
  auto wire = encode(m);
  REQUIRE(wire);
  auto r = route(*wire);
  REQUIRE(r);
  CHECK(r->initiator_cookie == 0x0102030405060708u);
  CHECK(r->responder_cookie == 0);
  CHECK(r->starts_phase1);
  CHECK(r->aggressive);
  auto id = aggressive_mode_identity(*wire);
  REQUIRE(id);
  CHECK(id->type == Identity::Type::Fqdn);
  CHECK(id->value == "peer.example");
  m.header.responder_cookie = {0, 0, 0, 0, 0, 0, 0, 1};
  CHECK_FALSE(route(*encode(m))->starts_phase1);
  m.header.exchange = ExchangeType::QuickMode;
  m.header.responder_cookie = {};
  CHECK_FALSE(route(*encode(m))->starts_phase1);
  CHECK_FALSE(route(Bytes(10, 0)));
  CHECK_FALSE(aggressive_mode_identity(Bytes(10, 0)));
}
