// IKEv2 end to end in the two-peer simulation (STYLE.md §2): two engines,
// fake kernels, a fake clock and a seeded network.
#include <catch2/catch.hpp>

#include "test/unit/sim/sim.hpp"

using namespace ike;
using namespace kite::test;
using Kind = TunnelEvent::Kind;

namespace {

bool up(const SimPeer& p) {
  auto s = p.engine->status("t1");
  return s && s->state == TunnelState::Up;
}

std::size_t children(const SimPeer& p) {
  auto s = p.engine->status("t1");
  return s ? s->children.size() : 0;
}

// Our inbound SA carries what the peer's outbound carries: same SPI, keys
// and algorithms, mirrored addresses.
void check_mirrored(const FakeKernel& ours, const FakeKernel& theirs) {
  for (const auto& sa : ours.sas()) {
    const auto* peer = theirs.find_sa(sa.id.spi);
    INFO("SPI " << std::hex << sa.id.spi);
    REQUIRE(peer != nullptr);
    CHECK(peer->inbound != sa.inbound);
    CHECK(peer->id.dst == sa.id.dst);
    CHECK(peer->src == sa.src);
    CHECK(peer->encryption == sa.encryption);
    CHECK(peer->integrity == sa.integrity);
    CHECK(peer->encryption_key == sa.encryption_key);
    CHECK(peer->integrity_key == sa.integrity_key);
    CHECK(sa.encryption_key.size() > 0);
  }
}

void check_policies(const FakeKernel& k, const TunnelConfig& cfg) {
  for (const auto& m : cfg.mappings) {
    for (auto dir : {Direction::Out, Direction::In, Direction::Fwd}) {
      PolicyId id = dir == Direction::Out ? PolicyId{m.local, m.remote, dir, 0, 0}
                                          : PolicyId{m.remote, m.local, dir, 0, 0};
      const auto* p = k.find_policy(id);
      INFO(m.local.to_string() << " -> " << m.remote.to_string() << " dir " << static_cast<int>(dir));
      REQUIRE(p != nullptr);
      CHECK_FALSE(p->trap);
      CHECK(p->tmpl_src == (dir == Direction::Out ? cfg.local_address : cfg.peer_address));
      // The SA the policy points at exists with the same reqid.
      bool found = false;
      for (const auto& sa : k.sas()) found = found || (sa.reqid == p->reqid && sa.inbound == (dir != Direction::Out));
      CHECK(found);
    }
  }
}

struct Pair {
  Sim sim;
  TunnelConfig a, b;
  explicit Pair(std::size_t mappings = 1, std::uint64_t seed = 1, EngineOptions opts = {}, bool ipv6 = false)
      : sim(seed, opts, ipv6),
        a(sim.config_a(Negotiation::Active, mappings)),
        b(sim.config_b(Negotiation::Passive, mappings)) {}
  void start() {
    REQUIRE(sim.b.engine->add_tunnel(b, sim.now));
    REQUIRE(sim.a.engine->add_tunnel(a, sim.now));
  }
  bool both_up(std::size_t n = 1) {
    return up(sim.a) && up(sim.b) && children(sim.a) == n && children(sim.b) == n;
  }
};

}  // namespace

TEST_CASE("happy path: IKE_SA_INIT, IKE_AUTH, first CHILD_SA installed on both sides") {
  Pair p;
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  CHECK(p.sim.a.fake_kernel.sas().size() == 2);
  CHECK(p.sim.b.fake_kernel.sas().size() == 2);
  CHECK(p.sim.a.fake_kernel.larval().empty());
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  check_policies(p.sim.a.fake_kernel, p.a);
  check_policies(p.sim.b.fake_kernel, p.b);
  auto sa = p.sim.a.engine->status("t1");
  auto sb = p.sim.b.engine->status("t1");
  CHECK(sa->ike_spi_i == sb->ike_spi_i);
  CHECK(sa->ike_spi_r == sb->ike_spi_r);
  CHECK(sa->children[0].spi_in == sb->children[0].spi_out);
  CHECK(sa->children[0].spi_out == sb->children[0].spi_in);
  CHECK(sa->ike_encryption == "aes128");
  CHECK(sa->children[0].encryption == "aes128");
  CHECK(p.sim.a.count(Kind::Up) == 1);
  CHECK(p.sim.b.count(Kind::Up) == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("down deletes everything on both sides") {
  Pair p;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Down);
  CHECK(p.sim.b.engine->status("t1")->state == TunnelState::Down);
}

TEST_CASE("two mappings give two CHILD_SAs, the second by CREATE_CHILD_SA") {
  Pair p(2);
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  CHECK(p.sim.a.fake_kernel.sas().size() == 4);
  CHECK(p.sim.b.fake_kernel.sas().size() == 4);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  check_policies(p.sim.a.fake_kernel, p.a);
  check_policies(p.sim.b.fake_kernel, p.b);
  // One reqid per mapping.
  auto s = p.sim.a.engine->status("t1");
  REQUIRE(s->children.size() == 2);
  CHECK(s->children[0].mappings != s->children[1].mappings);
  const auto* p0 = p.sim.a.fake_kernel.find_policy({p.a.mappings[0].local, p.a.mappings[0].remote, Direction::Out, 0, 0});
  const auto* p1 = p.sim.a.fake_kernel.find_policy({p.a.mappings[1].local, p.a.mappings[1].remote, Direction::Out, 0, 0});
  REQUIRE((p0 && p1));
  CHECK(p0->reqid != p1->reqid);
  CHECK((p0->reqid & 0xffff0000u) == 0x6b690000u);
  REQUIRE(p.sim.b.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.idle(6));
  CHECK(p.sim.b.fake_kernel.idle(6));
}

TEST_CASE("suites: AEAD and every DH group family") {
  struct Suite {
    std::vector<crypto::EncrAlg> ike_encr;
    std::vector<crypto::IntegAlg> ike_integ;
    crypto::DhGroup dh;
    std::vector<crypto::EncrAlg> esp_encr;
    std::vector<crypto::IntegAlg> esp_integ;
    std::optional<crypto::DhGroup> pfs;
  };
  using E = crypto::EncrAlg;
  using I = crypto::IntegAlg;
  using G = crypto::DhGroup;
  auto suite = GENERATE(
      Suite{{E::Aes128Cbc}, {I::HmacSha256_128}, G::Modp2048, {E::Aes128Cbc}, {I::HmacSha256_128}, {}},
      Suite{{E::Aes256Cbc}, {I::HmacSha512_256}, G::Ecp384, {E::Aes256Gcm16}, {}, {}},
      Suite{{E::Aes128Cbc}, {I::HmacSha1_96}, G::Modp1024, {E::TripleDesCbc}, {I::HmacMd5_96}, {}},
      Suite{{E::Aes256Gcm16}, {}, G::Curve25519, {E::ChaCha20Poly1305}, {}, G::Curve25519},
      Suite{{E::ChaCha20Poly1305}, {I::HmacSha384_192}, G::Ecp256, {E::Aes128Gcm16}, {}, G::Modp2048});
  Pair p(2);
  for (auto* c : {&p.a, &p.b}) {
    c->ike.encryption = suite.ike_encr;
    c->ike.integrity = suite.ike_integ;
    c->ike.dh_groups = {suite.dh};
    c->ipsec.encryption = suite.esp_encr;
    c->ipsec.integrity = suite.esp_integ;
    c->ipsec.pfs = suite.pfs;
  }
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  auto s = p.sim.a.engine->status("t1");
  CHECK(s->ike_dh_group == static_cast<std::uint16_t>(suite.dh));
  CHECK(s->children[0].encryption == crypto::name(suite.esp_encr[0]));
  // The CREATE_CHILD_SA child uses PFS when configured.
  CHECK(s->children[1].pfs_group == (suite.pfs ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*suite.pfs)) : std::nullopt));
  for (const auto& sa : p.sim.a.fake_kernel.sas()) {
    CHECK(sa.encryption == suite.esp_encr[0]);
    CHECK(sa.integrity.has_value() == !crypto::is_aead(suite.esp_encr[0]));
    if (crypto::is_aead(sa.encryption)) CHECK(sa.encryption_key.size() == crypto::key_size(sa.encryption) + 4);
  }
}

TEST_CASE("INVALID_KE_PAYLOAD: the initiator retries with the responder's group") {
  auto duplicates = GENERATE(0u, 100u);
  Pair p;
  p.sim.conditions.duplicate_percent = duplicates;
  p.a.ike.dh_groups = {crypto::DhGroup::Ecp256, crypto::DhGroup::Modp2048};
  p.b.ike.dh_groups = {crypto::DhGroup::Modp2048};
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  CHECK(p.sim.a.engine->status("t1")->ike_dh_group == 14);
  CHECK(p.sim.a.count(Kind::Debug, "peer asked for DH group modp2048") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("COOKIE: past the half-open threshold the responder demands a cookie") {
  EngineOptions opts;
  opts.cookie_threshold = 0;  // always
  Pair p(1, 1, opts);
  std::size_t cookies = 0;
  p.sim.tap = [&](const Datagram& d) {
    auto s = std::string(d.payload.begin(), d.payload.end());
    (void)s;
    // An IKE_SA_INIT response of 28 + 4 + 4 + 33 bytes is the cookie.
    if (d.payload.size() == 28 + 8 + 33 && d.payload[18] == 34) ++cookies;
    return false;
  };
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  CHECK(cookies == 1);
}

TEST_CASE("wrong PSK: AUTHENTICATION_FAILED on both sides, nothing installed") {
  Pair p;
  p.b.psk = Secret::from_string("a different secret");
  p.start();
  p.sim.run_for(10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.a.count(Kind::NegotiationFailed, "AUTHENTICATION_FAILED") == 1);
  CHECK(p.sim.b.count(Kind::NegotiationFailed, "AUTHENTICATION_FAILED") == 1);
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
  CHECK(p.sim.a.engine->status("t1")->last_error.find("AUTHENTICATION_FAILED") != std::string::npos);
  // The PSK never shows up in an event.
  CHECK(p.sim.a.events_text().find("correct horse") == std::string::npos);
  CHECK(p.sim.b.events_text().find("different secret") == std::string::npos);
}

TEST_CASE("IKE proposal mismatch: NO_PROPOSAL_CHOSEN, logged with both proposals") {
  Pair p;
  p.a.ike.encryption = {crypto::EncrAlg::Aes128Cbc};
  p.a.ike.integrity = {crypto::IntegAlg::HmacSha256_128};
  p.a.ike.dh_groups = {crypto::DhGroup::Modp2048};
  p.b.ike.encryption = {crypto::EncrAlg::Aes256Cbc};
  p.b.ike.integrity = {crypto::IntegAlg::HmacSha512_256};
  p.b.ike.dh_groups = {crypto::DhGroup::Ecp384};
  p.start();
  p.sim.run_for(10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.b.count(Kind::NegotiationFailed,
                      "NO_PROPOSAL_CHOSEN for IKE SA: ours: aes256-sha512-ecp384, theirs: aes128-sha256-modp2048") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed, "NO_PROPOSAL_CHOSEN") == 1);
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.fake_kernel.larval().empty());
}

TEST_CASE("ESP proposal mismatch: NO_PROPOSAL_CHOSEN for the CHILD_SA, nothing installed") {
  Pair p;
  p.a.ipsec.encryption = {crypto::EncrAlg::Aes128Cbc};
  p.b.ipsec.encryption = {crypto::EncrAlg::Aes256Gcm16};
  p.b.ipsec.integrity = {};
  p.start();
  p.sim.run_for(10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.b.count(Kind::NegotiationFailed, "NO_PROPOSAL_CHOSEN for CHILD_SA: ours: aes256gcm, theirs: aes128-sha256") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed, "NO_PROPOSAL_CHOSEN") == 1);
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
}

TEST_CASE("traffic selector mismatch: TS_UNACCEPTABLE") {
  Pair p;
  p.b.mappings = {{*Subnet::parse("10.9.0.0/24"), *Subnet::parse("10.1.0.0/24")}};
  p.start();
  p.sim.run_for(10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.b.count(Kind::NegotiationFailed, "TS_UNACCEPTABLE") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed, "TS_UNACCEPTABLE") == 1);
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
}

TEST_CASE("narrowing: the responder answers the intersection") {
  Pair p;
  // B only protects part of what A proposes.
  p.b.mappings = {{*Subnet::parse("10.2.0.128/25"), *Subnet::parse("10.1.0.0/25")}};
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  auto s = p.sim.a.engine->status("t1");
  REQUIRE(s->children[0].mappings.size() == 1);
  CHECK(s->children[0].mappings[0].local == *Subnet::parse("10.1.0.0/25"));
  CHECK(s->children[0].mappings[0].remote == *Subnet::parse("10.2.0.128/25"));
  CHECK(p.sim.a.fake_kernel.find_policy({*Subnet::parse("10.1.0.0/25"), *Subnet::parse("10.2.0.128/25"), Direction::Out, 0, 0}));
}

TEST_CASE("retransmission under 30% loss still converges") {
  auto seed = GENERATE(range(1, 21));
  Pair p(2, static_cast<std::uint64_t>(seed));
  p.sim.conditions.loss_percent = 30;
  p.sim.conditions.duplicate_percent = 10;
  p.sim.conditions.reorder_percent = 20;
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 120s);
  INFO("seed " << seed << "\n" << p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
}

TEST_CASE("duplicated requests are answered from the stored response") {
  Pair p;
  p.sim.conditions.duplicate_percent = 100;
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  p.sim.run_for(2s);
  // Every request arrived twice; the second copy was not processed again.
  CHECK(p.sim.b.fake_kernel.sas().size() == 2);
  CHECK(p.sim.b.fake_kernel.calls(FakeKernel::Call::AllocateSpi) == 1);
  CHECK(p.sim.a.fake_kernel.calls(FakeKernel::Call::AllocateSpi) == 1);
  CHECK(p.sim.b.count(Kind::Up) == 1);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("no answer: retransmit with backoff, give up, active tunnels retry later") {
  EngineOptions opts;
  opts.retry_interval = 60s;
  Pair p(1, 1, opts);
  std::vector<TimePoint> sends;
  p.sim.tap = [&](const Datagram& d) {
    if (d.local.address == p.a.local_address) sends.push_back(p.sim.now);
    return true;  // B never hears anything
  };
  p.start();
  p.sim.run_for(40s);
  INFO(p.sim.a.events_text());
  REQUIRE(sends.size() == 5);
  CHECK(sends[1] - sends[0] == 1s);
  CHECK(sends[2] - sends[1] == 2s);
  CHECK(sends[3] - sends[2] == 4s);
  CHECK(sends[4] - sends[3] == 8s);
  CHECK(p.sim.a.count(Kind::NegotiationFailed, "no response to IKE_SA_INIT after 5 transmissions") == 1);
  CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Down);
  CHECK(p.sim.a.engine->counters().retransmits == 4);
  // The active tunnel tries again after retry_interval.
  p.sim.run_for(60s);
  CHECK(sends.size() > 5);
  CHECK(p.sim.a.count(Kind::Info, "initiating") == 2);
}

TEST_CASE("kernel add_sa failure rolls back: both fake kernels end up empty") {
  auto which = GENERATE(1, 2);  // inbound or outbound SA
  auto side = GENERATE(0, 1);   // initiator or responder fails
  Pair p;
  auto& failing = side == 0 ? p.sim.a : p.sim.b;
  failing.fake_kernel.fail_on(FakeKernel::Call::AddSa, static_cast<unsigned>(which));
  p.start();
  p.sim.run_for(10s);
  INFO("side " << side << " call " << which << "\n" << p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(failing.count(Kind::NegotiationFailed, "kernel install failed") == 1);
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
  CHECK_FALSE(p.sim.a.engine->status("t1")->last_error.empty());
}

TEST_CASE("kernel add_policy failure rolls back the CHILD_SA") {
  // Calls 1-3 install the fail-closed traps; 4-6 replace them with the
  // CHILD SA's policies: the second of those fails.
  Pair p;
  p.sim.a.fake_kernel.fail_on(FakeKernel::Call::AddPolicy, 5);
  p.start();
  p.sim.run_for(10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
  CHECK(p.sim.a.fake_kernel.larval().empty());
}

TEST_CASE("the peer's DELETE of the IKE SA removes everything on both sides") {
  Pair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(2); }, 10s));
  REQUIRE(p.sim.b.engine->remove_tunnel("t1", p.sim.now));
  p.sim.run_for(5s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.sim.a.fake_kernel.idle(6));
  CHECK(p.sim.b.fake_kernel.empty());
  CHECK_FALSE(p.sim.b.engine->status("t1"));
  CHECK(p.sim.a.count(Kind::Down, "deleted by peer") == 1);
}

TEST_CASE("shutdown deletes every SA and tells the peer") {
  Pair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(2); }, 10s));
  p.sim.a.engine->shutdown(p.sim.now);
  CHECK(p.sim.a.fake_kernel.empty());
  p.sim.run_for(5s);
  CHECK(p.sim.b.fake_kernel.idle(6));
}

TEST_CASE("traffic tunnels install trap policies and negotiate on acquire") {
  Pair p(2);
  p.a = p.sim.config_a(Negotiation::Traffic, 2);
  p.start();
  // Traps for every mapping, nothing negotiated yet.
  CHECK(p.sim.a.fake_kernel.policies().size() == 6);
  for (const auto& pol : p.sim.a.fake_kernel.policies()) CHECK(pol.trap);
  p.sim.run_for(5s);
  CHECK(p.sim.a.sent == 0);
  auto reqid = p.sim.a.fake_kernel.policies().front().reqid;
  p.sim.a.engine->on_acquire({reqid, p.a.mappings[0].local, p.a.mappings[0].remote}, p.sim.now);
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  for (const auto& pol : p.sim.a.fake_kernel.policies()) CHECK_FALSE(pol.trap);
  CHECK(p.sim.a.fake_kernel.policies().size() == 6);
  // down: the traps come back.
  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.sas().empty());
  CHECK(p.sim.a.fake_kernel.policies().size() == 6);
  for (const auto& pol : p.sim.a.fake_kernel.policies()) CHECK(pol.trap);
  REQUIRE(p.sim.a.engine->remove_tunnel("t1", p.sim.now));
  CHECK(p.sim.a.fake_kernel.empty());
}

// Fail closed (SPEC.md §2 "Routes"): kite routes the peer CIDRs towards
// the peer, so a mapping without a CHILD SA must still have policies, or
// its traffic would leave in clear text.
TEST_CASE("every negotiation type keeps trap policies while no CHILD SA serves a mapping") {
  for (auto negotiation : {Negotiation::Active, Negotiation::Passive, Negotiation::Traffic}) {
    INFO("negotiation " << static_cast<int>(negotiation));
    Pair p(2);
    p.a = p.sim.config_a(negotiation, 2);
    p.b = p.sim.config_b(Negotiation::Passive, 2);
    REQUIRE(p.sim.a.engine->add_tunnel(p.a, p.sim.now));
    REQUIRE(p.sim.b.engine->add_tunnel(p.b, p.sim.now));
    // Loaded, nothing negotiated yet: traps for both mappings at both ends.
    CHECK(p.sim.a.fake_kernel.policies().size() == 6);
    for (const auto& pol : p.sim.a.fake_kernel.policies()) CHECK(pol.trap);
    CHECK(p.sim.b.fake_kernel.idle(6));
    // A passive tunnel's traps only hold traffic back: an acquire
    // negotiates nothing.
    auto reqid = p.sim.b.fake_kernel.policies().front().reqid;
    p.sim.b.engine->on_acquire({reqid, p.b.mappings[0].local, p.b.mappings[0].remote}, p.sim.now);
    if (negotiation == Negotiation::Traffic) {
      auto ra = p.sim.a.fake_kernel.policies().front().reqid;
      p.sim.a.engine->on_acquire({ra, p.a.mappings[0].local, p.a.mappings[0].remote}, p.sim.now);
    }
    if (negotiation == Negotiation::Passive) {
      p.sim.run_for(5s);
      CHECK(p.sim.a.sent == 0);
      CHECK(p.sim.b.sent == 0);
      CHECK(p.sim.a.fake_kernel.idle(6));
      REQUIRE(p.sim.a.engine->up("t1", p.sim.now));
    }
    bool ok = p.sim.run_until([&] { return p.both_up(2); }, 10s);
    INFO(p.sim.a.events_text() << p.sim.b.events_text());
    REQUIRE(ok);
    for (const auto& pol : p.sim.a.fake_kernel.policies()) CHECK_FALSE(pol.trap);
    // Down from either end: the SAs go, the traps stay at both.
    REQUIRE(p.sim.b.engine->down("t1", p.sim.now));
    p.sim.run_for(5s);
    CHECK(p.sim.a.fake_kernel.idle(6));
    CHECK(p.sim.b.fake_kernel.idle(6));
    // An active tunnel the operator took down stays down on an acquire.
    if (negotiation == Negotiation::Active) {
      REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
      auto ra = p.sim.a.fake_kernel.policies().front().reqid;
      p.sim.a.engine->on_acquire({ra, p.a.mappings[0].local, p.a.mappings[0].remote}, p.sim.now);
      p.sim.run_for(5s);
      CHECK(p.sim.a.fake_kernel.idle(6));
      CHECK(p.sim.a.engine->status("t1")->state == TunnelState::Down);
    }
    // Removed: nothing left.
    REQUIRE(p.sim.a.engine->remove_tunnel("t1", p.sim.now));
    REQUIRE(p.sim.b.engine->remove_tunnel("t1", p.sim.now));
    p.sim.run_for(5s);
    CHECK(p.sim.a.fake_kernel.empty());
    CHECK(p.sim.b.fake_kernel.empty());
  }
}

TEST_CASE("NAT between the peers: detected, IKE floats to 4500, SAs use UDP encapsulation") {
  Pair p;
  p.sim.nat = SimNat{*IpAddress::parse("203.0.113.7")};
  p.b = p.sim.config_b(Negotiation::Passive);
  // Behind the NAT, A's address ID is its private address.
  p.b.remote_id = Identity{Identity::Type::Ip, "192.0.2.1"};
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  CHECK(p.sim.a.engine->status("t1")->nat_detected);
  CHECK(p.sim.b.engine->status("t1")->nat_detected);
  for (const auto& sa : p.sim.a.fake_kernel.sas()) {
    REQUIRE(sa.encap);
    CHECK((sa.inbound ? sa.encap->dst_port : sa.encap->src_port) == 4500);
  }
  for (const auto& sa : p.sim.b.fake_kernel.sas()) {
    REQUIRE(sa.encap);
    // B sees A's mapped port.
    CHECK((sa.inbound ? sa.encap->src_port : sa.encap->dst_port) == 14500);
  }
  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.idle(3));
  CHECK(p.sim.b.fake_kernel.idle(3));
}

TEST_CASE("hard expiry of a CHILD_SA deletes the pair on both sides") {
  Pair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(2); }, 10s));
  auto spi = p.sim.a.engine->status("t1")->children[0].spi_in;
  p.sim.a.engine->on_expire({{p.a.local_address, spi}, true}, p.sim.now);
  p.sim.run_for(3s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  // Gone on both sides; a fresh pair for the mapping replaces it.
  CHECK_FALSE(p.sim.a.fake_kernel.find_sa(spi));
  CHECK(children(p.sim.a) == 2);
  CHECK(children(p.sim.b) == 2);
  CHECK(p.sim.a.fake_kernel.sas().size() == 4);
  CHECK(p.sim.b.fake_kernel.sas().size() == 4);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  CHECK(p.sim.a.fake_kernel.policies().size() == 6);
  CHECK(p.sim.b.fake_kernel.policies().size() == 6);
}

TEST_CASE("both sides active: simultaneous initiation ends with one IKE SA and one SA pair") {
  Pair p;
  p.b = p.sim.config_b(Negotiation::Active);
  p.start();
  p.sim.run_for(10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(up(p.sim.a));
  CHECK(up(p.sim.b));
  // The duplicate (lowest nonce) was deleted by its creator.
  CHECK(p.sim.a.engine->status("t1")->ike_sas == 1);
  CHECK(p.sim.b.engine->status("t1")->ike_sas == 1);
  CHECK(p.sim.a.fake_kernel.sas().size() == 2);
  CHECK(p.sim.b.fake_kernel.sas().size() == 2);
  CHECK(p.sim.a.count(Kind::Info, "both ends initiated") + p.sim.b.count(Kind::Info, "both ends initiated") == 1);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
  // Every outbound SA has its inbound twin on the other side.
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  check_policies(p.sim.a.fake_kernel, p.a);
  REQUIRE(p.sim.a.engine->remove_tunnel("t1", p.sim.now));
  REQUIRE(p.sim.b.engine->remove_tunnel("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.empty());
  CHECK(p.sim.b.fake_kernel.empty());
}

TEST_CASE("a restarted peer (INITIAL_CONTACT) replaces the stale IKE SA") {
  Pair p;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  // A loses its state without telling B (crash) and comes back.
  Sim& s = p.sim;
  s.a.engine = make_engine(s.a, s.a.gateway);
  s.a.fake_kernel = FakeKernel(0xa1000000u);
  REQUIRE(s.a.engine->add_tunnel(p.a, s.now));
  bool ok = s.run_until([&] { return p.both_up(); }, 10s);
  INFO(s.a.events_text() << s.b.events_text());
  REQUIRE(ok);
  s.run_for(2s);
  CHECK(s.b.count(Kind::Down, "replaced: peer sent INITIAL_CONTACT") == 1);
  CHECK(s.b.fake_kernel.sas().size() == 2);
  check_mirrored(s.b.fake_kernel, s.a.fake_kernel);
}

TEST_CASE("garbage and forged datagrams are dropped with a debug event, never answered") {
  Pair p;
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  auto sent_before = p.sim.b.sent;
  auto dropped_before = p.sim.b.engine->counters().datagrams_dropped;
  Datagram junk{{p.b.local_address, 500}, {p.a.local_address, 500}, Bytes(40, 0xab)};
  p.sim.b.engine->on_datagram(junk, p.sim.now);
  Datagram tiny{{p.b.local_address, 500}, {p.a.local_address, 500}, Bytes(10, 0)};
  p.sim.b.engine->on_datagram(tiny, p.sim.now);
  // A well-formed header for the real IKE SA with a corrupted SK payload.
  auto s = p.sim.b.engine->status("t1");
  Bytes forged(28 + 4 + 64, 0x5a);
  for (int i = 0; i < 8; ++i) forged[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(s->ike_spi_i >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) forged[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(s->ike_spi_r >> (56 - 8 * i));
  forged[16] = 46;    // SK
  forged[17] = 0x20;  // version 2.0
  forged[18] = 37;    // INFORMATIONAL
  forged[19] = 0x08;  // from the initiator, a request
  forged[20] = forged[21] = forged[22] = 0;
  forged[23] = 2;
  auto len = static_cast<std::uint32_t>(forged.size());
  forged[24] = 0; forged[25] = 0; forged[26] = static_cast<std::uint8_t>(len >> 8); forged[27] = static_cast<std::uint8_t>(len);
  forged[28] = 0; forged[29] = 0; forged[30] = 0; forged[31] = 68;
  p.sim.b.engine->on_datagram({{p.b.local_address, 500}, {p.a.local_address, 500}, forged}, p.sim.now);
  CHECK(p.sim.b.sent == sent_before);
  CHECK(p.sim.b.engine->counters().datagrams_dropped == dropped_before + 2);
  CHECK(p.sim.b.count(Kind::Debug, "dropped") >= 3);
  CHECK(up(p.sim.b));
}

TEST_CASE("a half-open responder SA expires") {
  EngineOptions opts;
  opts.half_open_timeout = 5s;
  Pair p(1, 1, opts);
  // Only IKE_SA_INIT gets through; IKE_AUTH is lost.
  p.sim.tap = [&](const Datagram& d) { return d.payload.size() > 18 && d.payload[18] == 35; };
  p.start();
  p.sim.run_for(1s);
  CHECK(p.sim.b.engine->counters().half_open == 1);
  p.sim.run_for(6s);
  CHECK(p.sim.b.engine->counters().half_open == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed, "half-open") == 1);
}

TEST_CASE("a response to an unknown request is dropped") {
  Pair p;
  std::vector<Datagram> from_b;
  p.sim.tap = [&](const Datagram& d) {
    if (d.local.address == p.b.local_address) from_b.push_back(d);
    return false;
  };
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  REQUIRE(from_b.size() >= 2);
  auto dropped = p.sim.a.engine->counters().datagrams_dropped;
  auto debug = p.sim.a.count(Kind::Debug, "unknown request");
  // Replay B's IKE_AUTH response: A has no request outstanding.
  auto replay = from_b[1];
  p.sim.a.engine->on_datagram({replay.remote, replay.local, replay.payload}, p.sim.now);
  CHECK(p.sim.a.count(Kind::Debug, "unknown request") == debug + 1);
  CHECK(p.sim.a.engine->counters().datagrams_dropped == dropped);
  CHECK(up(p.sim.a));
}

TEST_CASE("status: algorithms, SPIs, mappings and kernel counters") {
  Pair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(2); }, 10s));
  auto s = p.sim.a.engine->status("t1");
  REQUIRE(s);
  CHECK(s->name == "t1");
  CHECK(s->peer == p.a.peer_address);
  CHECK(s->version == IkeVersion::V2);
  CHECK(s->established);
  CHECK(s->ike_integrity == "sha256");
  CHECK(s->ike_prf == "prfsha256");
  CHECK(s->ike_dh_group == 14);
  CHECK_FALSE(s->nat_detected);
  auto& c = s->children[0];
  p.sim.a.fake_kernel.set_counters(c.spi_in, SaCounters{1000, 10, 0, 0, {}, {}});
  p.sim.a.fake_kernel.set_counters(c.spi_out, SaCounters{2000, 20, 0, 0, {}, {}});
  s = p.sim.a.engine->status("t1");
  CHECK(s->children[0].bytes_in == 1000);
  CHECK(s->children[0].packets_out == 20);
  CHECK(s->children[0].lifetime == 3600s);
  CHECK(p.sim.a.engine->status_all().size() == 1);
  CHECK_FALSE(p.sim.a.engine->status("nope"));
  auto counters = p.sim.a.engine->counters();
  CHECK(counters.ike_sas_established == 1);
  CHECK(counters.datagrams_in >= 2);
  // Lifetimes: hard from the config, soft ~90% minus jitter.
  for (const auto& sa : p.sim.a.fake_kernel.sas()) {
    CHECK(sa.lifetime.hard_seconds == 3600);
    CHECK(sa.lifetime.soft_seconds <= 3240);
    CHECK(sa.lifetime.soft_seconds >= 3060);
    CHECK(sa.lifetime.hard_bytes == 1843200ull * 1024);
  }
}

TEST_CASE("engine API errors") {
  Pair p;
  p.start();
  CHECK_FALSE(p.sim.a.engine->add_tunnel(p.a, p.sim.now));
  CHECK_FALSE(p.sim.a.engine->up("nope", p.sim.now));
  CHECK_FALSE(p.sim.a.engine->down("nope", p.sim.now));
  CHECK_FALSE(p.sim.a.engine->remove_tunnel("nope", p.sim.now));
  // A trap install that fails leaves nothing behind.
  auto t = p.sim.config_a(Negotiation::Traffic, 2);
  t.name = "t2";
  p.sim.a.fake_kernel.fail_on(FakeKernel::Call::AddPolicy, 4);
  CHECK_FALSE(p.sim.a.engine->add_tunnel(t, p.sim.now));
  CHECK_FALSE(p.sim.a.engine->status("t2"));
  for (const auto& pol : p.sim.a.fake_kernel.policies()) CHECK_FALSE(pol.trap);
}

TEST_CASE("an IKE_SA_INIT from an unknown peer is dropped") {
  Pair p;
  REQUIRE(p.sim.a.engine->add_tunnel(p.a, p.sim.now));  // B has no tunnel
  p.sim.run_for(2s);
  CHECK(p.sim.b.sent == 0);
  CHECK(p.sim.b.count(Kind::Debug, "tunnel for this peer") >= 1);
}

TEST_CASE("IPv6 outer and inner addresses") {
  Pair p(2, 1, {}, true);
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 10s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_policies(p.sim.a.fake_kernel, p.a);
  check_policies(p.sim.b.fake_kernel, p.b);
  CHECK(p.sim.a.fake_kernel.sas().front().id.dst.is_v6());
  REQUIRE(p.sim.a.engine->down("t1", p.sim.now));
  p.sim.run_for(5s);
  CHECK(p.sim.a.fake_kernel.idle(6));
  CHECK(p.sim.b.fake_kernel.idle(6));
}

TEST_CASE("soft expiry rekeys the CHILD_SA make-before-break") {
  auto side = GENERATE(0, 1);  // the initiator or the responder rekeys
  Pair p(2);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(2); }, 10s));
  auto& rekeyer = side == 0 ? p.sim.a : p.sim.b;
  auto& other = side == 0 ? p.sim.b : p.sim.a;
  auto old = rekeyer.engine->status("t1")->children[0];
  auto deletes_before = rekeyer.fake_kernel.calls(FakeKernel::Call::DeletePolicy) +
                        other.fake_kernel.calls(FakeKernel::Call::DeletePolicy);
  // Both SAs of the pair report their soft limit; one rekey follows.
  rekeyer.engine->on_expire({{p.a.local_address, old.spi_in}, false}, p.sim.now);
  rekeyer.engine->on_expire({{p.a.local_address, old.spi_out}, false}, p.sim.now);
  p.sim.run_for(3s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(rekeyer.count(Kind::Info, "rekeying CHILD_SA") == 1);
  CHECK(children(p.sim.a) == 2);
  CHECK(children(p.sim.b) == 2);
  CHECK(p.sim.a.fake_kernel.sas().size() == 4);
  CHECK(p.sim.b.fake_kernel.sas().size() == 4);
  CHECK_FALSE(rekeyer.fake_kernel.find_sa(old.spi_in));
  CHECK_FALSE(rekeyer.fake_kernel.find_sa(old.spi_out));
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  // No policy ever left the kernel: traffic kept flowing.
  CHECK(rekeyer.fake_kernel.calls(FakeKernel::Call::DeletePolicy) +
            other.fake_kernel.calls(FakeKernel::Call::DeletePolicy) == deletes_before);
  check_policies(p.sim.a.fake_kernel, p.a);
  check_policies(p.sim.b.fake_kernel, p.b);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  CHECK(p.sim.b.count(Kind::NegotiationFailed) == 0);
}

TEST_CASE("hard expiry of a CHILD_SA brings a fresh one for its mapping") {
  Pair p(1);
  p.start();
  REQUIRE(p.sim.run_until([&] { return p.both_up(); }, 10s));
  auto old = p.sim.b.engine->status("t1")->children[0];
  p.sim.b.engine->on_expire({{p.b.local_address, old.spi_in}, true}, p.sim.now);
  p.sim.run_for(3s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(p.both_up(1));
  CHECK(p.sim.b.engine->status("t1")->children[0].spi_in != old.spi_in);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  CHECK(p.sim.a.fake_kernel.sas().size() == 2);
}

TEST_CASE("COOKIE and INVALID_KE round trips under loss, duplication and reordering") {
  auto seed = GENERATE(range(1, 21));
  EngineOptions opts;
  opts.cookie_threshold = 0;
  Pair p(2, static_cast<std::uint64_t>(seed), opts);
  p.a.ike.dh_groups = {crypto::DhGroup::Curve25519, crypto::DhGroup::Ecp256};
  p.b.ike.dh_groups = {crypto::DhGroup::Ecp256};
  p.sim.conditions.loss_percent = 30;
  p.sim.conditions.duplicate_percent = 20;
  p.sim.conditions.reorder_percent = 30;
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(2); }, 120s);
  INFO("seed " << seed << "\n" << p.sim.a.events_text() << p.sim.b.events_text());
  REQUIRE(ok);
  check_mirrored(p.sim.a.fake_kernel, p.sim.b.fake_kernel);
  check_mirrored(p.sim.b.fake_kernel, p.sim.a.fake_kernel);
  CHECK(p.sim.a.count(Kind::NegotiationFailed) == 0);
  // Tear down under the same conditions: both kernels end up empty.
  REQUIRE(p.sim.a.engine->remove_tunnel("t1", p.sim.now));
  p.sim.run_for(60s);
  CHECK(p.sim.a.fake_kernel.empty());
  CHECK(p.sim.b.fake_kernel.idle(6));
  CHECK(p.sim.a.fake_kernel.larval().empty());
  CHECK(p.sim.b.fake_kernel.larval().empty());
}

TEST_CASE("IKEv1 tunnels are dispatched to IKEv1 SAs") {
  Pair p;
  for (auto* c : {&p.a, &p.b}) c->version = IkeVersion::V1;
  p.start();
  bool ok = p.sim.run_until([&] { return p.both_up(); }, 20s);
  INFO(p.sim.a.events_text() << p.sim.b.events_text());
  CHECK(ok);
  CHECK(p.sim.a.engine->status("t1")->version == IkeVersion::V1);
  // An IKEv2 peer does not reach an IKEv1 tunnel.
  CHECK(p.sim.b.count(Kind::Debug, "no IKEv2 tunnel") == 0);
}
