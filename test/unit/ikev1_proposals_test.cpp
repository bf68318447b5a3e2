// IKEv1 SA negotiation (libike/ikev1/proposals*.cpp, transform_ids.cpp):
// what kite offers, what a responder picks, what an initiator accepts,
// lifetimes and the log wording.
#include <catch2/catch.hpp>

#include "libike/ikev1/proposals.hpp"
#include "libike/ikev1/transform_ids.hpp"

using namespace ike;
using namespace ike::v1;
using crypto::DhGroup;
using crypto::EncrAlg;
using crypto::IntegAlg;

namespace {

std::optional<std::uint64_t> attr(const Transform& t, std::uint16_t type) {
  const auto* a = find(t.attributes, type);
  return a ? a->as_integer() : std::nullopt;
}

template <typename E>
std::uint16_t n(E e) {
  return static_cast<std::uint16_t>(e);
}

IkeProposalConfig ike_cfg(std::vector<EncrAlg> e, std::vector<IntegAlg> i, std::vector<DhGroup> g) {
  IkeProposalConfig c;
  c.encryption = std::move(e);
  c.integrity = std::move(i);
  c.dh_groups = std::move(g);
  return c;
}

// The SA as the peer sees it: encoded and decoded again.
SaPayload over_the_wire(const SaPayload& sa) {
  Message m;
  m.payloads.emplace_back(sa);
  auto wire = encode(m);
  REQUIRE(wire);
  auto back = decode(*wire);
  REQUIRE(back);
  return std::get<SaPayload>(back->payloads.front());
}

}  // namespace

TEST_CASE("phase-1 offer: one transform per combination, RFC 2409 Appendix A attributes") {
  auto cfg = ike_cfg({EncrAlg::Aes256Cbc, EncrAlg::TripleDesCbc}, {IntegAlg::HmacSha256_128, IntegAlg::HmacSha1_96},
                     {DhGroup::Modp2048, DhGroup::Modp1536});
  cfg.lifetime = Seconds{28800};
  auto sa = phase1_offer(cfg);
  REQUIRE(sa.proposals.size() == 1);
  const auto& p = sa.proposals[0];
  CHECK(p.protocol == ProtocolId::Isakmp);
  CHECK(p.spi.empty());
  REQUIRE(p.transforms.size() == 8);
  const auto& t = p.transforms[0];
  CHECK(t.number == 1);
  CHECK(t.id == kTransformKeyIke);
  CHECK(attr(t, n(Phase1Attr::EncryptionAlgorithm)) == 7u);
  CHECK(attr(t, n(Phase1Attr::KeyLength)) == 256u);
  CHECK(attr(t, n(Phase1Attr::HashAlgorithm)) == 4u);
  CHECK(attr(t, n(Phase1Attr::AuthenticationMethod)) == 1u);
  CHECK(attr(t, n(Phase1Attr::GroupDescription)) == 14u);
  CHECK(attr(t, n(Phase1Attr::LifeType)) == 1u);
  CHECK(attr(t, n(Phase1Attr::LifeDuration)) == 28800u);
  CHECK(p.transforms[1].number == 2);
  CHECK(attr(p.transforms[1], n(Phase1Attr::GroupDescription)) == 5u);
  const auto& des3 = p.transforms[4];
  CHECK(attr(des3, n(Phase1Attr::EncryptionAlgorithm)) == 5u);
  CHECK_FALSE(attr(des3, n(Phase1Attr::KeyLength)));
  CHECK(describe_phase1(sa) ==
        "aes256-sha256-modp2048 aes256-sha256-modp1536 aes256-sha1-modp2048 aes256-sha1-modp1536 "
        "3des-sha256-modp2048 3des-sha256-modp1536 3des-sha1-modp2048 3des-sha1-modp1536");
  CHECK(describe_phase1(cfg) == describe_phase1(sa));
}

TEST_CASE("phase-1 offer: AEAD ciphers are left out, Aggressive Mode keeps one group") {
  auto cfg = ike_cfg({EncrAlg::Aes128Gcm16, EncrAlg::Aes128Cbc}, {IntegAlg::HmacSha1_96},
                     {DhGroup::Modp1024, DhGroup::Modp2048});
  CHECK(phase1_offer(cfg).proposals[0].transforms.size() == 2);
  auto am = phase1_offer(cfg, DhGroup::Modp2048);
  REQUIRE(am.proposals[0].transforms.size() == 1);
  CHECK(attr(am.proposals[0].transforms[0], n(Phase1Attr::GroupDescription)) == 14u);
}

TEST_CASE("phase-1 selection: peer's order, exact echo, PSK only, unknown attributes refused") {
  auto peer = ike_cfg({EncrAlg::Aes256Cbc, EncrAlg::Aes128Cbc}, {IntegAlg::HmacSha1_96}, {DhGroup::Modp2048});
  auto offer = over_the_wire(phase1_offer(peer));
  auto ours = ike_cfg({EncrAlg::Aes128Cbc, EncrAlg::Aes256Cbc}, {IntegAlg::HmacSha1_96}, {DhGroup::Modp2048});
  auto choice = select_phase1(offer, ours);
  REQUIRE(choice);
  CHECK(choice->suite.encr == EncrAlg::Aes256Cbc);
  CHECK(choice->suite.prf() == crypto::PrfAlg::HmacSha1);
  CHECK(choice->suite.hash() == crypto::HashAlg::Sha1);
  REQUIRE(choice->reply.proposals.size() == 1);
  REQUIRE(choice->reply.proposals[0].transforms.size() == 1);
  CHECK(choice->reply.proposals[0].transforms[0] == offer.proposals[0].transforms[0]);
  CHECK(to_string(choice->suite) == "aes256-sha1-modp2048");
  // The initiator accepts the echo.
  auto accepted = accept_phase1(over_the_wire(choice->reply), peer);
  REQUIRE(accepted);
  CHECK(accepted->encr == EncrAlg::Aes256Cbc);

  SECTION("another authentication method") {
    for (auto& t : offer.proposals[0].transforms)
      for (auto& a : t.attributes)
        if (a.type == n(Phase1Attr::AuthenticationMethod)) a.basic_value = 3;  // RSA signatures
    CHECK_FALSE(select_phase1(offer, ours));
    CHECK(describe_phase1(offer) == "aes256-sha1-modp2048-auth#3 aes128-sha1-modp2048-auth#3");
  }
  SECTION("a PRF attribute we do not negotiate") {
    for (auto& t : offer.proposals[0].transforms) t.attributes.push_back(DataAttribute::tv(Phase1Attr::Prf, 1));
    CHECK_FALSE(select_phase1(offer, ours));
  }
  SECTION("nothing in common") {
    CHECK_FALSE(select_phase1(offer, ike_cfg({EncrAlg::TripleDesCbc}, {IntegAlg::HmacSha1_96}, {DhGroup::Modp2048})));
  }
}

TEST_CASE("phase-1 lifetime: the lower one applies, kept as proposed in the echo") {
  auto peer = ike_cfg({EncrAlg::Aes128Cbc}, {IntegAlg::HmacSha256_128}, {DhGroup::Modp2048});
  peer.lifetime = Seconds{200000};  // does not fit 16 bits: a variable attribute
  auto offer = over_the_wire(phase1_offer(peer));
  auto ours = peer;
  ours.lifetime = Seconds{3600};
  auto choice = select_phase1(offer, ours);
  REQUIRE(choice);
  CHECK(choice->suite.lifetime == Seconds{3600});
  CHECK(choice->suite.peer_lifetime == Seconds{200000});
  CHECK(attr(choice->reply.proposals[0].transforms[0], n(Phase1Attr::LifeDuration)) == 200000u);
}

TEST_CASE("initiator refuses an answer it did not offer or with several transforms") {
  auto ours = ike_cfg({EncrAlg::Aes128Cbc}, {IntegAlg::HmacSha256_128}, {DhGroup::Modp2048});
  auto other = phase1_offer(ike_cfg({EncrAlg::Aes256Cbc}, {IntegAlg::HmacSha256_128}, {DhGroup::Modp2048}));
  CHECK_FALSE(accept_phase1(other, ours));
  auto two = phase1_offer(ike_cfg({EncrAlg::Aes128Cbc}, {IntegAlg::HmacSha256_128}, {DhGroup::Modp2048, DhGroup::Modp1536}));
  CHECK_FALSE(accept_phase1(two, ours));
}

TEST_CASE("ESP offer: transform IDs, Authentication Algorithm, key length, both lifetimes, PFS group") {
  EspProposalConfig cfg;
  cfg.encryption = {EncrAlg::Aes128Cbc, EncrAlg::TripleDesCbc, EncrAlg::DesCbc, EncrAlg::Aes256Gcm16};
  cfg.integrity = {IntegAlg::HmacSha256_128, IntegAlg::HmacMd5_96};
  cfg.pfs = DhGroup::Modp1536;
  cfg.lifetime = Seconds{3600};
  cfg.lifetime_kb = 1843200;
  auto sa = esp_offer(cfg, 0xc0ffee01, EncapsulationMode::Tunnel);
  REQUIRE(sa.proposals.size() == 1);
  const auto& p = sa.proposals[0];
  CHECK(p.protocol == ProtocolId::Esp);
  CHECK(p.spi == Bytes{0xc0, 0xff, 0xee, 0x01});
  REQUIRE(p.transforms.size() == 7);
  const auto& aes = p.transforms[0];
  CHECK(aes.id == 12);
  CHECK(attr(aes, n(IpsecAttr::KeyLength)) == 128u);
  CHECK(attr(aes, n(IpsecAttr::AuthenticationAlgorithm)) == 5u);
  CHECK(attr(aes, n(IpsecAttr::EncapsulationMode)) == 1u);
  CHECK(attr(aes, n(IpsecAttr::GroupDescription)) == 5u);
  // Two life type/duration pairs: seconds, then kilobytes (RFC 2407 §4.5).
  std::vector<std::uint64_t> life;
  for (const auto& a : aes.attributes)
    if (a.type == n(IpsecAttr::SaLifeType) || a.type == n(IpsecAttr::SaLifeDuration)) life.push_back(*a.as_integer());
  CHECK(life == std::vector<std::uint64_t>{1, 3600, 2, 1843200});
  CHECK(p.transforms[1].id == 12);
  CHECK(attr(p.transforms[1], n(IpsecAttr::AuthenticationAlgorithm)) == 1u);
  CHECK(p.transforms[2].id == 3);
  CHECK_FALSE(attr(p.transforms[2], n(IpsecAttr::KeyLength)));
  CHECK(p.transforms[4].id == 2);
  const auto& gcm = p.transforms[6];
  CHECK(gcm.id == 20);
  CHECK(attr(gcm, n(IpsecAttr::KeyLength)) == 256u);
  CHECK_FALSE(attr(gcm, n(IpsecAttr::AuthenticationAlgorithm)));
  CHECK(describe_esp(sa) ==
        "aes128-sha256-modp1536 aes128-md5-modp1536 3des-sha256-modp1536 3des-md5-modp1536 des-sha256-modp1536 "
        "des-md5-modp1536 aes256gcm-modp1536");
  CHECK(describe_esp(cfg) == describe_esp(sa));
}

TEST_CASE("ESP selection and acceptance") {
  EspProposalConfig peer;
  peer.encryption = {EncrAlg::Aes256Cbc, EncrAlg::TripleDesCbc};
  peer.integrity = {IntegAlg::HmacSha1_96};
  EspProposalConfig ours = peer;
  ours.encryption = {EncrAlg::TripleDesCbc, EncrAlg::Aes256Cbc};
  auto offer = over_the_wire(esp_offer(peer, 0x11223344, EncapsulationMode::Tunnel));
  auto choice = select_esp(offer, ours, false);
  REQUIRE(choice);
  CHECK(choice->suite.encr == EncrAlg::Aes256Cbc);
  CHECK(choice->suite.integ == IntegAlg::HmacSha1_96);
  CHECK(choice->peer_spi == 0x11223344u);
  CHECK(choice->responder_lifetime.empty());
  CHECK(choice->reply.proposals[0].spi.empty());
  choice->reply.proposals[0].spi = {0xaa, 0xbb, 0xcc, 0xdd};
  auto accepted = accept_esp(over_the_wire(choice->reply), peer, false);
  REQUIRE(accepted);
  CHECK(accepted->peer_spi == 0xaabbccddu);
  CHECK(to_string(accepted->suite) == "aes256-sha1");

  SECTION("UDP encapsulation must match NAT detection") {
    CHECK_FALSE(select_esp(offer, ours, true));
    auto udp = over_the_wire(esp_offer(peer, 1, EncapsulationMode::UdpTunnel));
    CHECK(select_esp(udp, ours, true));
    CHECK_FALSE(select_esp(udp, ours, false));
    auto draft = over_the_wire(esp_offer(peer, 1, EncapsulationMode::UdpTunnelDraft));
    auto d = select_esp(draft, ours, true);
    REQUIRE(d);
    CHECK(d->suite.encap == EncapsulationMode::UdpTunnelDraft);
    CHECK(tunnel_encapsulation(true, true) == EncapsulationMode::UdpTunnelDraft);
    CHECK(tunnel_encapsulation(true, false) == EncapsulationMode::UdpTunnel);
    CHECK(tunnel_encapsulation(false, true) == EncapsulationMode::Tunnel);
  }
  SECTION("PFS: required group, or the peer's when we have none") {
    auto with_pfs = peer;
    with_pfs.pfs = DhGroup::Modp2048;
    auto pfs_offer = over_the_wire(esp_offer(with_pfs, 1, EncapsulationMode::Tunnel));
    auto ok = select_esp(pfs_offer, ours, false);
    REQUIRE(ok);
    CHECK(ok->suite.pfs == DhGroup::Modp2048);
    auto strict = ours;
    strict.pfs = DhGroup::Modp1536;
    CHECK_FALSE(select_esp(pfs_offer, strict, false));
    CHECK_FALSE(select_esp(offer, strict, false));
    // An initiator without PFS does not take a group it did not ask for.
    auto reply = pfs_offer;
    reply.proposals[0].transforms.resize(1);
    CHECK_FALSE(accept_esp(reply, peer, false));
    CHECK(accept_esp(reply, with_pfs, false));
  }
  SECTION("AH bundles are skipped") {
    auto bundle = offer;
    bundle.proposals.push_back(Proposal{1, ProtocolId::Ah, {0, 0, 0, 2}, {Transform{1, 3, {}}}});
    CHECK_FALSE(select_esp(bundle, ours, false));
  }
}

TEST_CASE("ESP lifetimes: the responder lowers and says so, the initiator applies it") {
  EspProposalConfig peer;
  peer.lifetime = Seconds{28800};
  peer.lifetime_kb = 5000000;
  EspProposalConfig ours;
  ours.lifetime = Seconds{3600};
  ours.lifetime_kb = 1000000;
  auto choice = select_esp(over_the_wire(esp_offer(peer, 7, EncapsulationMode::Tunnel)), ours, false);
  REQUIRE(choice);
  CHECK(choice->suite.life_seconds == 3600);
  CHECK(choice->suite.life_kb == 1000000);
  REQUIRE(choice->responder_lifetime.size() == 4);
  Bytes data;
  Writer w(data);
  REQUIRE(encode_attributes(choice->responder_lifetime, w));
  EspSuite initiator_view;
  initiator_view.life_seconds = 28800;
  initiator_view.life_kb = 5000000;
  apply_responder_lifetime(initiator_view, data);
  CHECK(initiator_view.life_seconds == 3600);
  CHECK(initiator_view.life_kb == 1000000);
  // A higher value in the notify changes nothing.
  EspSuite low;
  low.life_seconds = 60;
  low.life_kb = 10;
  apply_responder_lifetime(low, data);
  CHECK(low.life_seconds == 60);
  CHECK(low.life_kb == 10);
  apply_responder_lifetime(low, Bytes{0x80});  // garbage is ignored
  CHECK(low.life_seconds == 60);
}

TEST_CASE("transform numbers round trip, private SM4/SM3 numbers") {
  for (auto e : {EncrAlg::DesCbc, EncrAlg::TripleDesCbc, EncrAlg::Aes128Cbc, EncrAlg::Aes192Cbc, EncrAlg::Aes256Cbc,
                 EncrAlg::Sm4Cbc}) {
    auto p1 = phase1_cipher(e);
    REQUIRE(p1);
    CHECK(phase1_cipher_alg(p1->id, p1->key_bits) == e);
    auto esp = esp_cipher(e);
    REQUIRE(esp);
    CHECK(esp_cipher_alg(esp->id, esp->key_bits) == e);
  }
  CHECK_FALSE(phase1_cipher(EncrAlg::Aes128Gcm16));
  CHECK_FALSE(esp_cipher(EncrAlg::ChaCha20Poly1305));
  CHECK(phase1_cipher_alg(7, 0) == EncrAlg::Aes128Cbc);  // AES without Key Length
  CHECK_FALSE(esp_cipher_alg(12, 0));                    // ESP AES needs it (RFC 3602)
  CHECK(phase1_cipher(EncrAlg::Sm4Cbc)->id == 65031);
  CHECK(esp_cipher(EncrAlg::Sm4Cbc)->id == 250);
  CHECK(phase1_hash(IntegAlg::HmacSm3_128) == 65031);
  CHECK(esp_auth(IntegAlg::HmacSm3_128) == 65031);
  for (auto i : {IntegAlg::HmacMd5_96, IntegAlg::HmacSha1_96, IntegAlg::HmacSha256_128, IntegAlg::HmacSha384_192,
                 IntegAlg::HmacSha512_256}) {
    CHECK(phase1_hash_alg(*phase1_hash(i)) == i);
    CHECK(esp_auth_alg(*esp_auth(i)) == i);
  }
  CHECK_FALSE(phase1_hash(IntegAlg::AesXcbc96));
  CHECK(esp_auth(IntegAlg::AesXcbc96) == 9);
}
