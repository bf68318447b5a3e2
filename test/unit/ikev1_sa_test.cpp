// IKEv1 end to end at the IkeSa level (ikev1_harness.hpp): Main and
// Aggressive Mode in both roles, identities, phase-1 and ESP suites, PFS,
// failures (PSK, IDs, proposals) and what each side installs.
#include <catch2/catch.hpp>

#include "libike/crypto/crypto.hpp"
#include "libike/ikev1/ikev1_sa.hpp"
#include "test/unit/ikev1_harness.hpp"

using namespace kite::test::v1;
using crypto::DhGroup;
using crypto::EncrAlg;
using crypto::IntegAlg;

namespace {

bool both_up(Harness& h) {
  return h.a.up() && h.b.up() && h.a.installed.size() == h.a.cfg.mappings.size() &&
         h.b.installed.size() == h.b.cfg.mappings.size();
}

bool both_closed(Harness& h) {
  return h.a.sa && h.b.sa && h.a.sa->phase() == IkeSaPhase::Closed && h.b.sa->phase() == IkeSaPhase::Closed;
}

// Our inbound SA is the peer's outbound: same SPI, same keys.
void check_mirrored(const NegotiatedChild& x, const NegotiatedChild& y) {
  CHECK(x.spi_in == y.spi_out);
  CHECK(x.spi_out == y.spi_in);
  CHECK(x.encr_key_in == y.encr_key_out);
  CHECK(x.encr_key_out == y.encr_key_in);
  CHECK(x.integ_key_in == y.integ_key_out);
  CHECK(x.integ_key_out == y.integ_key_in);
  CHECK_FALSE(x.encr_key_in == x.encr_key_out);
  CHECK(x.encryption == y.encryption);
  CHECK(x.integrity == y.integrity);
  CHECK(x.pfs_group == y.pfs_group);
  CHECK(x.local == y.remote);
  CHECK(x.remote == y.local);
  REQUIRE(x.selectors.size() == 1);
  REQUIRE(y.selectors.size() == 1);
  CHECK(x.selectors[0].local == y.selectors[0].remote);
  CHECK(x.selectors[0].remote == y.selectors[0].local);
}

void check_converged(Harness& h) {
  INFO(h.a.events_text() << h.b.events_text());
  REQUIRE(both_up(h));
  for (std::size_t i = 0; i < h.a.installed.size(); ++i) {
    auto& x = h.a.installed[i];
    auto it = std::find_if(h.b.installed.begin(), h.b.installed.end(),
                           [&](const NegotiatedChild& c) { return c.spi_in == x.spi_out; });
    REQUIRE(it != h.b.installed.end());
    check_mirrored(x, *it);
  }
  CHECK(h.a.child_failures.empty());
  CHECK(h.b.child_failures.empty());
}

void set_ike(Harness& h, EncrAlg e, IntegAlg i, DhGroup g) {
  h.both([&](TunnelConfig& c) {
    c.ike.encryption = {e};
    c.ike.integrity = {i};
    c.ike.dh_groups = {g};
  });
}

void set_esp(Harness& h, EncrAlg e, std::optional<IntegAlg> i) {
  h.both([&](TunnelConfig& c) {
    c.ipsec.encryption = {e};
    c.ipsec.integrity = i ? std::vector<IntegAlg>{*i} : std::vector<IntegAlg>{};
  });
}

void set_mode(Harness& h, ExchangeMode mode) {
  h.both([&](TunnelConfig& c) { c.exchange_mode = mode; });
}

}  // namespace

TEST_CASE("main mode and aggressive mode, each side as initiator") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  auto a_starts = GENERATE(true, false);
  Harness h;
  set_mode(h, mode);
  auto& init = a_starts ? h.a : h.b;
  auto& resp = a_starts ? h.b : h.a;
  h.start(init);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  check_converged(h);
  CHECK(init.sa->is_initiator());
  CHECK_FALSE(resp.sa->is_initiator());
  CHECK(init.sa->local_spi() == resp.sa->remote_spi());
  CHECK(init.sa->remote_spi() == resp.sa->local_spi());
  CHECK(init.sa->version() == IkeVersion::V1);
  // INITIAL-CONTACT (RFC 2407 §4.6.3.3) from the initiator that had no other SA.
  CHECK(resp.initial_contacts == 1);
  CHECK(init.initial_contacts == 0);
  CHECK(h.a.count(TunnelEvent::Kind::NegotiationFailed) == 0);
  CHECK(h.b.count(TunnelEvent::Kind::NegotiationFailed) == 0);
  TunnelStatus s;
  init.sa->fill_status(s);
  CHECK(s.version == IkeVersion::V1);
  CHECK(s.ike_encryption == "aes128");
  CHECK(s.ike_integrity == "sha256");
  CHECK(s.ike_dh_group == std::uint16_t{14});
  CHECK(s.established.has_value());
  REQUIRE(init.sa->children().size() == 1);
  CHECK(init.sa->children()[0].spi_in == init.installed[0].spi_in);
}

TEST_CASE("phase-1 suites") {
  struct Suite {
    EncrAlg e;
    IntegAlg i;
    DhGroup g;
    const char* name;
  };
  auto suite = GENERATE(Suite{EncrAlg::TripleDesCbc, IntegAlg::HmacSha1_96, DhGroup::Modp1024, "3des-sha1-modp1024"},
                        Suite{EncrAlg::Aes128Cbc, IntegAlg::HmacSha1_96, DhGroup::Modp2048, "aes128-sha1-modp2048"},
                        Suite{EncrAlg::Aes256Cbc, IntegAlg::HmacSha256_128, DhGroup::Modp1536,
                              "aes256-sha256-modp1536"},
                        Suite{EncrAlg::Aes192Cbc, IntegAlg::HmacSha512_256, DhGroup::Ecp256, "aes192-sha512-ecp256"},
                        Suite{EncrAlg::DesCbc, IntegAlg::HmacMd5_96, DhGroup::Modp768, "des-md5-modp768"});
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Harness h;
  set_mode(h, mode);
  set_ike(h, suite.e, suite.i, suite.g);
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  check_converged(h);
  CHECK(h.a.count(TunnelEvent::Kind::Info, suite.name) == 1);
  CHECK(h.b.count(TunnelEvent::Kind::Info, suite.name) == 1);
}

TEST_CASE("the responder takes the first of the peer's transforms it accepts") {
  Harness h;
  h.a.cfg.ike.encryption = {EncrAlg::Aes256Cbc, EncrAlg::Aes128Cbc};
  h.a.cfg.ike.dh_groups = {DhGroup::Modp2048, DhGroup::Modp1536};
  h.b.cfg.ike.encryption = {EncrAlg::Aes128Cbc};
  h.b.cfg.ike.dh_groups = {DhGroup::Modp1536, DhGroup::Modp2048};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  TunnelStatus s;
  h.a.sa->fill_status(s);
  CHECK(s.ike_encryption == "aes128");
  CHECK(s.ike_dh_group == std::uint16_t{14});  // A's order decides
}

TEST_CASE("ESP suites with and without PFS") {
  struct Esp {
    EncrAlg e;
    std::optional<IntegAlg> i;
  };
  auto esp = GENERATE(Esp{EncrAlg::DesCbc, IntegAlg::HmacMd5_96}, Esp{EncrAlg::TripleDesCbc, IntegAlg::HmacSha1_96},
                      Esp{EncrAlg::Aes128Cbc, IntegAlg::HmacSha256_128}, Esp{EncrAlg::Aes256Cbc, IntegAlg::HmacMd5_96},
                      Esp{EncrAlg::Aes128Gcm16, std::nullopt});
  auto pfs = GENERATE(std::optional<DhGroup>{}, std::optional<DhGroup>{DhGroup::Modp2048});
  Harness h;
  set_esp(h, esp.e, esp.i);
  h.both([&](TunnelConfig& c) { c.ipsec.pfs = pfs; });
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  check_converged(h);
  const auto& c = h.a.installed.front();
  CHECK(c.encryption == esp.e);
  CHECK(c.integrity == esp.i);
  CHECK(c.pfs_group == pfs);
  CHECK(c.encr_key_in.size() == crypto::make_cipher(esp.e)->keymat_size());
  if (esp.i) CHECK(c.integ_key_in.size() == crypto::make_integrity(*esp.i)->key_size());
  CHECK(c.reqid == 100);
  CHECK_FALSE(c.encap.has_value());
  CHECK(c.lifetime.hard_seconds == 3600);
  CHECK(c.lifetime.hard_bytes == 1843200ull * 1024);
}

TEST_CASE("PFS without keys shared with phase 1: keys differ from the non-PFS ones") {
  Harness h1, h2;
  h2.both([&](TunnelConfig& c) { c.ipsec.pfs = DhGroup::Modp1024; });
  h1.start(h1.a);
  h2.start(h2.a);
  REQUIRE(h1.run_until([&] { return both_up(h1); }));
  REQUIRE(h2.run_until([&] { return both_up(h2); }));
  CHECK_FALSE(h1.a.installed[0].encr_key_in == h2.a.installed[0].encr_key_in);
}

TEST_CASE("identities: addresses and FQDNs") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Harness h;
  set_mode(h, mode);
  auto fqdn = GENERATE(true, false);
  if (fqdn) {
    h.a.cfg.local_id = Identity{Identity::Type::Fqdn, "a.example"};
    h.a.cfg.remote_id = Identity{Identity::Type::Fqdn, "B.example"};
    h.b.cfg.local_id = Identity{Identity::Type::Fqdn, "b.example"};
    h.b.cfg.remote_id = Identity{Identity::Type::Fqdn, "a.example"};
  } else {
    h.a.cfg.local_id = Identity{Identity::Type::Ip, "192.0.2.1"};
    h.b.cfg.remote_id = Identity{Identity::Type::Ip, "192.0.2.1"};
  }
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  check_converged(h);
}

TEST_CASE("wrong PSK: AUTHENTICATION-FAILED, both sides fail, nothing installed") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Harness h;
  set_mode(h, mode);
  h.b.cfg.psk = Secret::from_string("not the same key");
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_closed(h); }));
  INFO(h.a.events_text() << h.b.events_text());
  REQUIRE(h.a.ended);
  REQUIRE(h.b.ended);
  CHECK(h.a.ended->failed);
  CHECK(h.b.ended->failed);
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());
  CHECK(h.a.established + h.b.established == 0);
  // The side that found out names the likely cause; the other the notify.
  auto& finder = mode == ExchangeMode::Main ? h.b : h.a;
  auto& told = mode == ExchangeMode::Main ? h.a : h.b;
  CHECK(finder.ended->reason.find("pre-shared keys differ") != std::string::npos);
  CHECK(told.ended->reason.find("AUTHENTICATION-FAILED") != std::string::npos);
  CHECK(h.a.count(TunnelEvent::Kind::NegotiationFailed) == 1);
  CHECK(h.b.count(TunnelEvent::Kind::NegotiationFailed) == 1);
  for (const auto* p : {&h.a, &h.b}) CHECK(p->events_text().find("correct horse") == std::string::npos);
}

TEST_CASE("ID mismatch: INVALID-ID-INFORMATION, both sides fail") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  auto checker_is_responder = GENERATE(true, false);
  Harness h;
  set_mode(h, mode);
  (checker_is_responder ? h.b : h.a).cfg.remote_id = Identity{Identity::Type::Fqdn, "someone.else"};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_closed(h); }));
  INFO(h.a.events_text() << h.b.events_text());
  auto& checker = checker_is_responder ? h.b : h.a;
  auto& other = checker_is_responder ? h.a : h.b;
  REQUIRE(checker.ended);
  REQUIRE(other.ended);
  CHECK(checker.ended->failed);
  CHECK(checker.ended->reason.find("does not match the expected fqdn:someone.else") != std::string::npos);
  CHECK(other.ended->failed);
  CHECK(other.ended->reason.find("INVALID-ID-INFORMATION") != std::string::npos);
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());
}

TEST_CASE("IKE proposal mismatch: NO-PROPOSAL-CHOSEN, one line naming both offers") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Harness h;
  set_mode(h, mode);
  h.a.cfg.ike = {{EncrAlg::Aes128Cbc}, {IntegAlg::HmacSha256_128}, {DhGroup::Modp2048}, Seconds{86400}};
  h.b.cfg.ike = {{EncrAlg::TripleDesCbc}, {IntegAlg::HmacSha1_96}, {DhGroup::Modp1024}, Seconds{86400}};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_closed(h); }));
  INFO(h.a.events_text() << h.b.events_text());
  CHECK(h.b.count(TunnelEvent::Kind::NegotiationFailed,
                  "no matching IKE proposal: peer offered aes128-sha256-modp2048; ours: 3des-sha1-modp1024") == 1);
  CHECK(h.b.count(TunnelEvent::Kind::NegotiationFailed) == 1);
  CHECK(h.a.count(TunnelEvent::Kind::NegotiationFailed, "NO-PROPOSAL-CHOSEN") == 1);
  CHECK(h.a.count(TunnelEvent::Kind::NegotiationFailed) == 1);
  CHECK(h.b.events.front().tunnel == "t1");
}

TEST_CASE("ESP proposal mismatch: NO-PROPOSAL-CHOSEN for the quick mode, then the empty ISAKMP SA goes") {
  Harness h;
  h.a.cfg.ipsec.encryption = {EncrAlg::Aes256Cbc};
  h.b.cfg.ipsec.encryption = {EncrAlg::TripleDesCbc};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return !h.a.child_failures.empty() && !h.b.child_failures.empty(); }));
  h.settle();
  INFO(h.a.events_text() << h.b.events_text());
  // As with IKEv2's first CHILD SA: the initiator deletes an ISAKMP SA that
  // carries nothing, and the peer follows.
  REQUIRE(both_closed(h));
  CHECK_FALSE(h.a.ended->failed);
  CHECK(h.b.ended->reason == "deleted by the peer");
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());
  REQUIRE(h.b.child_failures.size() == 1);
  CHECK(h.b.child_failures[0].find("no matching ESP proposal: peer offered aes256-sha256; ours: 3des-sha256") !=
        std::string::npos);
  REQUIRE(h.a.child_failures.size() == 1);
  CHECK(h.a.child_failures[0].find("NO-PROPOSAL-CHOSEN") != std::string::npos);
  // The SPI A reserved for the failed quick mode went back.
  CHECK(h.a.released.size() == 1);
}

TEST_CASE("a failed quick mode leaves the ISAKMP SA up while other IPsec SAs exist") {
  Harness h;
  h.a.cfg.mappings.push_back({*Subnet::parse("10.1.1.0/24"), *Subnet::parse("10.2.1.0/24")});
  h.start(h.a);
  REQUIRE(h.run_until([&] { return !h.a.child_failures.empty(); }));
  h.settle();
  INFO(h.a.events_text() << h.b.events_text());
  CHECK(h.a.up());
  CHECK(h.b.up());
  CHECK(h.a.installed.size() == 1);
  CHECK(h.b.installed.size() == 1);
  CHECK(h.a.child_failures[0].find("INVALID-ID-INFORMATION") != std::string::npos);
  CHECK_FALSE(h.a.sa->has_child_for(1));
  CHECK(h.a.sa->has_child_for(0));
}

TEST_CASE("PFS required by the responder but not offered fails; offered but not required is accepted") {
  Harness h;
  SECTION("required") {
    h.b.cfg.ipsec.pfs = DhGroup::Modp2048;
    h.start(h.a);
    REQUIRE(h.run_until([&] { return !h.a.child_failures.empty(); }));
    CHECK(h.b.child_failures.size() == 1);
    CHECK(h.a.installed.empty());
  }
  SECTION("accepted") {
    h.a.cfg.ipsec.pfs = DhGroup::Modp2048;
    h.start(h.a);
    REQUIRE(h.run_until([&] { return both_up(h); }));
    check_converged(h);
    CHECK(h.b.installed[0].pfs_group == DhGroup::Modp2048);
  }
}

TEST_CASE("RESPONDER-LIFETIME: the responder's lower lifetimes apply on both sides") {
  Harness h;
  h.a.cfg.ipsec.lifetime = Seconds{7200};
  h.a.cfg.ipsec.lifetime_kb = 4000000;
  h.b.cfg.ipsec.lifetime = Seconds{1800};
  h.b.cfg.ipsec.lifetime_kb = 100000;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  check_converged(h);
  for (const auto* p : {&h.a, &h.b}) {
    CHECK(p->installed[0].lifetime.hard_seconds == 1800);
    CHECK(p->installed[0].lifetime.hard_bytes == 100000ull * 1024);
    CHECK(p->installed[0].lifetime.soft_seconds < 1800);
  }
  CHECK(h.a.count(TunnelEvent::Kind::Info, "RESPONDER-LIFETIME to 1800s / 100000 KB") == 1);
  CHECK(h.a.sa->children()[0].lifetime == Seconds{1800});
}

TEST_CASE("a lower initiator lifetime is simply accepted") {
  Harness h;
  h.a.cfg.ipsec.lifetime = Seconds{600};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  CHECK(h.b.installed[0].lifetime.hard_seconds == 600);
  CHECK(h.a.count(TunnelEvent::Kind::Info, "RESPONDER-LIFETIME") == 0);
}

TEST_CASE("close sends DELETEs: both sides remove everything") {
  auto closer_is_a = GENERATE(true, false);
  Harness h;
  h.both([](TunnelConfig& c) {
    c.mappings.push_back({c.mappings[0].local, c.mappings[0].remote});
  });
  h.a.cfg.mappings[1] = {*Subnet::parse("10.1.1.0/24"), *Subnet::parse("10.2.1.0/24")};
  h.b.cfg.mappings[1] = {*Subnet::parse("10.2.1.0/24"), *Subnet::parse("10.1.1.0/24")};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  check_converged(h);
  CHECK(h.a.installed.size() == 2);
  auto& closer = closer_is_a ? h.a : h.b;
  auto& other = closer_is_a ? h.b : h.a;
  closer.sa->close(h.now);
  REQUIRE(h.run_until([&] { return both_closed(h); }));
  INFO(h.a.events_text() << h.b.events_text());
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());
  CHECK(other.removed.size() == 2);
  REQUIRE(other.ended);
  CHECK_FALSE(other.ended->failed);
  CHECK(other.ended->reason == "deleted by the peer");
  CHECK(closer.sa->finished());
  CHECK(other.sa->finished());
}

TEST_CASE("hard expiry of one IPsec SA deletes the pair on both sides") {
  Harness h;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  h.a.sa->on_child_expire(h.a.installed[0].spi_out, true, h.now);
  h.settle();
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());
  CHECK(h.a.up());
  CHECK(h.b.up());
}

TEST_CASE("quick mode IDs outside the responder's mappings: INVALID-ID-INFORMATION") {
  Harness h;
  h.a.cfg.mappings = {{*Subnet::parse("10.1.0.0/24"), *Subnet::parse("10.9.0.0/24")}};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return !h.a.child_failures.empty(); }));
  INFO(h.a.events_text() << h.b.events_text());
  REQUIRE(h.b.child_failures.size() == 1);
  CHECK(h.b.child_failures[0].find("10.1.0.0/24 === 10.9.0.0/24 fit no configured mapping") != std::string::npos);
  CHECK(h.a.child_failures[0].find("INVALID-ID-INFORMATION") != std::string::npos);
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());
}

TEST_CASE("quick mode IDs inside a responder mapping are accepted as proposed") {
  Harness h;
  h.a.cfg.mappings = {{*Subnet::parse("10.1.0.0/25"), *Subnet::parse("10.2.0.128/26")}};
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  REQUIRE(h.b.installed.size() == 1);
  CHECK(h.b.installed[0].selectors[0].local == *Subnet::parse("10.2.0.128/26"));
  CHECK(h.b.installed[0].selectors[0].remote == *Subnet::parse("10.1.0.0/25"));
  CHECK(h.b.installed[0].reqid == 100);
}

TEST_CASE("the responder rejects the other exchange mode") {
  Harness h;
  h.a.cfg.exchange_mode = ExchangeMode::Aggressive;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_closed(h); }));
  CHECK(h.b.ended->reason.find("configured for") != std::string::npos);
  CHECK(h.a.ended->reason.find("INVALID-EXCHANGE-TYPE") != std::string::npos);
}

TEST_CASE("an unanswered initiator retransmits with backoff, then gives up") {
  Harness h;
  h.tap = [&](const Datagram& d) { return d.local.address == h.b.address(); };  // B is mute
  h.start(h.a);
  REQUIRE(h.run_until([&] { return h.a.sa->finished(); }, 600s));
  CHECK(h.a.ended->failed);
  CHECK(h.a.ended->reason.find("no answer from the peer after 5 transmissions") != std::string::npos);
  CHECK(h.a.ctrs.retransmits == 4);
}

TEST_CASE("seeded loss and duplication still converge") {
  auto seed = GENERATE(range<std::uint64_t>(1, 31));
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Harness h(seed);
  set_mode(h, mode);
  h.loss_percent = 20;
  h.duplicate_percent = 20;
  h.both([](TunnelConfig& c) { c.ipsec.pfs = DhGroup::Modp1024; });
  h.start(h.a);
  h.run_until([&] { return both_up(h) || (h.a.sa && h.a.sa->finished()); }, 300s);
  INFO("seed " << seed);
  check_converged(h);
  h.settle();  // late duplicates change nothing
  check_converged(h);
  CHECK(h.a.installed.size() == 1);
  CHECK(h.b.installed.size() == 1);
}

TEST_CASE("every single lost message of the exchange is recovered") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  auto victim = GENERATE(range(1, 10));  // the nth datagram on the wire
  Harness h;
  set_mode(h, mode);
  int seen = 0;
  h.tap = [&](const Datagram&) { return ++seen == victim; };
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }, 300s));
  h.settle();
  INFO("lost datagram " << victim);
  check_converged(h);
  CHECK(h.a.installed.size() == 1);
  CHECK(h.b.installed.size() == 1);
}

TEST_CASE("NAT in front of the initiator: port 4500, UDP-encapsulated ESP") {
  auto mode = GENERATE(ExchangeMode::Main, ExchangeMode::Aggressive);
  Harness h;
  set_mode(h, mode);
  h.nat = Nat{};
  h.b.cfg.peer_address = h.nat->public_address;
  h.b.cfg.remote_id = Identity{Identity::Type::Ip, "192.0.2.1"};  // A's own address, behind the NAT
  h.start(h.a);
  bool ok = h.run_until([&] { return both_up(h); });
  INFO(h.a.events_text() << h.b.events_text());
  REQUIRE(ok);
  const auto& ca = h.a.installed[0];
  const auto& cb = h.b.installed[0];
  REQUIRE(ca.encap);
  REQUIRE(cb.encap);
  CHECK(ca.encap->src_port == 4500);
  CHECK(ca.encap->dst_port == 4500);
  CHECK(cb.encap->src_port == 4500);
  CHECK(cb.encap->dst_port == 4500 + 10000);  // the NAT's mapping
  CHECK(cb.remote == h.nat->public_address);
  CHECK(h.b.sa->remote_endpoint().port == 14500);
  CHECK(h.a.sa->remote_endpoint().port == 4500);
  TunnelStatus s;
  h.b.sa->fill_status(s);
  CHECK(s.nat_detected);
  CHECK(h.a.sa->children()[0].udp_encap);
}

TEST_CASE("no NAT: both stay on port 500 without encapsulation") {
  Harness h;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  CHECK(h.a.sa->remote_endpoint().port == 500);
  CHECK_FALSE(h.b.installed[0].encap);
  TunnelStatus s;
  h.a.sa->fill_status(s);
  CHECK_FALSE(s.nat_detected);
}

TEST_CASE("a failed kernel install is reported and the peer's pair deleted") {
  Harness h;
  h.a.fail_install = true;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return !h.a.child_failures.empty(); }));
  h.settle();
  CHECK(h.a.child_failures[0].find("kernel install failed") != std::string::npos);
  CHECK(h.a.installed.empty());
  CHECK(h.b.installed.empty());  // B installed on QM3, then honoured A's DELETEs
  CHECK(both_closed(h));         // nothing left to carry: A deleted the ISAKMP SA too
}

TEST_CASE("the initiator's ISAKMP SA counts as up once its first quick mode is through") {
  Harness h;
  bool hold = true;
  h.tap = [&](const Datagram& d) {
    auto hdr = ike::v1::decode_header(d.payload);
    return hold && hdr && hdr->header.exchange == ike::v1::ExchangeType::QuickMode;
  };
  h.start(h.a);
  REQUIRE(h.run_until([&] { return h.a.established == 1; }));
  h.run_for(5s);
  CHECK(h.b.up());
  CHECK(h.a.sa->phase() == IkeSaPhase::Connecting);
  hold = false;
  REQUIRE(h.run_until([&] { return both_up(h); }));
  CHECK(h.a.sa->phase() == IkeSaPhase::Established);
}

TEST_CASE("no INITIAL-CONTACT when another SA with the peer exists") {
  Harness h;
  h.a.other_sa = true;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  CHECK(h.b.initial_contacts == 0);
}

TEST_CASE("create_child before phase 1 ends waits; mappings are negotiated once") {
  Harness h;
  h.start(h.a);
  h.a.sa->create_child(0, h.now);
  h.a.sa->create_child(0, h.now);
  CHECK(h.a.sa->has_child_for(0));
  REQUIRE(h.run_until([&] { return both_up(h); }));
  h.settle();
  CHECK(h.a.installed.size() == 1);
  CHECK(h.b.installed.size() == 1);
  CHECK(h.a.sa->owns_child_spi(h.a.installed[0].spi_in));
  CHECK(h.a.sa->owns_child_spi(h.a.installed[0].spi_out));
  CHECK_FALSE(h.a.sa->owns_child_spi(0x12345678));
}

TEST_CASE("the responder may start quick mode too") {
  Harness h;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  h.b.cfg.mappings.push_back({*Subnet::parse("10.2.7.0/24"), *Subnet::parse("10.1.7.0/24")});
  h.a.cfg.mappings.push_back({*Subnet::parse("10.1.7.0/24"), *Subnet::parse("10.2.7.0/24")});
  h.b.sa->create_child(1, h.now);
  REQUIRE(h.run_until([&] { return h.a.installed.size() == 2 && h.b.installed.size() == 2; }));
  check_converged(h);
  CHECK(h.a.installed[1].reqid == 101);
}

TEST_CASE("abandon drops everything without a word") {
  Harness h;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  auto sent = h.a.sent;
  h.a.sa->abandon("stale", h.now);
  CHECK(h.a.sent == sent);
  CHECK(h.a.installed.empty());
  CHECK(h.a.sa->finished());
  CHECK(h.a.ended->reason == "stale");
}

namespace {

ike::v1::Ikev1Sa& internals(Peer& p) { return dynamic_cast<ike::v1::Ikev1Sa&>(*p.sa); }

// Decrypts a protected Informational that `to` received, with its keys.
std::optional<ike::v1::Message> open_informational(Peer& to, const Datagram& d) {
  auto h = ike::v1::decode_header(d.payload);
  if (!h || h->header.exchange != ike::v1::ExchangeType::Informational) return std::nullopt;
  auto& crypto = *internals(to).p1.crypto;
  auto iv = crypto.exchange_iv(h->header.message_id);
  auto m = crypto.open(d.payload, iv);
  if (!m) return std::nullopt;
  return *m;
}

}  // namespace

TEST_CASE("R-U-THERE is answered with R-U-THERE-ACK and the same sequence number") {
  Harness h;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  h.settle();
  std::vector<Datagram> from_a;
  h.tap = [&](const Datagram& d) {
    if (d.local.address == h.a.address()) from_a.push_back(d);
    return false;
  };
  auto& b = internals(h.b);
  b.send_informational({ike::v1::make_dpd(ike::v1::NotifyType::RUThere, concat(b.cky_i, b.cky_r), 42)});
  h.settle();
  REQUIRE(from_a.size() == 1);
  auto m = open_informational(h.b, from_a[0]);
  REQUIRE(m);
  REQUIRE(m->payloads.size() == 2);
  CHECK(std::holds_alternative<ike::v1::HashPayload>(m->payloads[0]));
  const auto& n = std::get<ike::v1::NotificationPayload>(m->payloads[1]);
  CHECK(n.type == ike::v1::NotifyType::RUThereAck);
  CHECK(ike::v1::dpd_sequence(n) == 42u);
  CHECK(n.spi == concat(b.cky_i, b.cky_r));
  CHECK(h.a.up());
  CHECK(h.b.up());
}

TEST_CASE("after phase 1, unauthenticated and forged messages change nothing") {
  Harness h;
  h.start(h.a);
  REQUIRE(h.run_until([&] { return both_up(h); }));
  h.settle();
  auto& a = internals(h.a);
  auto deliver_to_a = [&](ike::v1::Message m, bool encrypted) {
    m.header.initiator_cookie = a.cky_i;
    m.header.responder_cookie = a.cky_r;
    Bytes wire;
    if (encrypted) {
      Bytes iv(16, 0);  // not the exchange's IV: decrypts to garbage
      wire = *a.p1.crypto->seal(m, iv);
    } else {
      wire = *ike::v1::encode(m);
    }
    h.a.sa->on_datagram({{h.a.address(), 500}, {h.b.address(), 500}, wire}, h.now);
  };
  ike::v1::Message n;
  n.header.exchange = ike::v1::ExchangeType::Informational;
  n.header.message_id = 77;
  n.payloads.emplace_back(a.isakmp_notify(ike::v1::NotifyType::NoProposalChosen));
  deliver_to_a(n, false);
  n.payloads = {a.isakmp_delete()};
  deliver_to_a(n, false);
  deliver_to_a(n, true);
  ike::v1::Message qm;
  qm.header.exchange = ike::v1::ExchangeType::QuickMode;
  qm.header.message_id = 78;
  qm.payloads.emplace_back(ike::v1::HashPayload{Bytes(20, 1)});
  qm.payloads.emplace_back(ike::v1::NoncePayload{Bytes(16, 2)});
  deliver_to_a(qm, true);
  h.a.sa->on_datagram({{h.a.address(), 500}, {h.b.address(), 500}, Bytes(40, 0xff)}, h.now);
  h.settle();
  CHECK(h.a.up());
  CHECK(h.a.installed.size() == 1);
  CHECK(h.a.child_failures.empty());
}

TEST_CASE("a half-open responder expires") {
  Harness h;
  h.tap = [&](const Datagram& d) { return d.local.address == h.b.address(); };  // B's answers are lost
  h.start(h.a);
  h.run_for(1s);
  REQUIRE(h.b.sa);
  h.tap = [&](const Datagram&) { return true; };
  REQUIRE(h.run_until([&] { return h.b.sa->finished(); }, 120s));
  CHECK(h.b.ended->failed);
  CHECK(h.b.ended->reason.find("timed out") != std::string::npos);
}

TEST_CASE("wrong PSK: an error notify under the peer's keys ends phase 1 at once (as strongSwan answers)") {
  Harness h;
  h.b.cfg.psk = Secret::from_string("not the same key");
  // A's MM5 never reaches B; B answers as strongSwan does, encrypted with its keys.
  h.tap = [&](const Datagram& d) {
    auto hdr = ike::v1::decode_header(d.payload);
    return d.local.address == h.a.address() && hdr && hdr->header.exchange == ike::v1::kMainMode &&
           hdr->header.encrypted();
  };
  h.start(h.a);
  REQUIRE(h.run_until([&] { return internals(h.a).state == ike::v1::SaState::MmAuthSent; }));
  auto& b = internals(h.b);
  b.send_informational({b.isakmp_notify(ike::v1::NotifyType::PayloadMalformed)});
  REQUIRE(h.run_until([&] { return h.a.sa->finished(); }, 5s));
  CHECK(h.a.ended->failed);
  CHECK(h.a.ended->reason.find("AUTHENTICATION-FAILED") != std::string::npos);
  CHECK(h.a.ended->reason.find("pre-shared keys differ") != std::string::npos);
}

TEST_CASE("close during phase 1: a peer that finished phase 1 follows the DELETE") {
  Harness h;
  set_mode(h, ExchangeMode::Aggressive);
  // AM3 is lost: A is done with phase 1, B is not when it closes. (Both
  // derive the Informational IV from the same phase-1 IV then; in Main Mode
  // a lost MM6 leaves the two CBC chains apart and nothing can be said.)
  int from_a = 0;
  h.tap = [&](const Datagram& d) {
    auto hdr = ike::v1::decode_header(d.payload);
    return d.local.address == h.a.address() && hdr && hdr->header.exchange == ike::v1::ExchangeType::Aggressive &&
           ++from_a == 2;
  };
  h.start(h.a);
  REQUIRE(h.run_until([&] { return h.a.established == 1; }));
  CHECK(internals(h.b).state == ike::v1::SaState::AmAnswered);
  h.b.sa->close(h.now);
  REQUIRE(h.run_until([&] { return both_closed(h); }, 5s));
  CHECK(h.a.ended->reason == "deleted by the peer");
  CHECK(h.a.installed.empty());
}
