// ProposalMatcher, offers and their descriptions (libike/ikev2/proposals).
#include <catch2/catch.hpp>

#include "libike/ikev2/proposals.hpp"
#include "libike/ikev2/transforms.hpp"

using namespace ike;
using namespace ike::v2;
using E = crypto::EncrAlg;
using I = crypto::IntegAlg;
using G = crypto::DhGroup;

namespace {

IkeProposalConfig ike_cfg(std::vector<E> e, std::vector<I> i, std::vector<G> g) {
  IkeProposalConfig c;
  c.encryption = std::move(e);
  c.integrity = std::move(i);
  c.dh_groups = std::move(g);
  return c;
}

EspProposalConfig esp_cfg(std::vector<E> e, std::vector<I> i, std::optional<G> pfs = {}) {
  EspProposalConfig c;
  c.encryption = std::move(e);
  c.integrity = std::move(i);
  c.pfs = pfs;
  return c;
}

}  // namespace

TEST_CASE("transform mapping round-trips every algorithm") {
  for (auto e : {E::DesCbc, E::TripleDesCbc, E::Aes128Cbc, E::Aes192Cbc, E::Aes256Cbc, E::Sm4Cbc,
                 E::Aes128Gcm16, E::Aes256Gcm16, E::Aes128Gcm12, E::Aes256Gcm12, E::Aes128Gcm8,
                 E::Aes256Gcm8, E::ChaCha20Poly1305})
    CHECK(encr_of(encr_transform(e)) == e);
  for (auto i : {I::HmacMd5_96, I::HmacSha1_96, I::HmacSha256_128, I::HmacSha384_192, I::HmacSha512_256,
                 I::HmacSm3_128, I::AesXcbc96, I::AesCmac96})
    CHECK(integ_of(integ_transform(i)) == i);
  CHECK(dh_of(dh_transform(G::Curve25519)) == G::Curve25519);
  CHECK(encr_transform(E::Aes256Cbc).key_length() == 256);
  CHECK_FALSE(encr_transform(E::TripleDesCbc).key_length());
  CHECK_FALSE(encr_transform(E::ChaCha20Poly1305).key_length());
  CHECK(transform_name(Transform::encr(EncrId::CamelliaCbc, 128)) == "encr#23");
}

TEST_CASE("IKE offer: one non-AEAD and one AEAD proposal") {
  auto offer = ike_offer(ike_cfg({E::Aes128Cbc, E::Aes256Gcm16}, {I::HmacSha256_128}, {G::Modp2048, G::Ecp256}));
  REQUIRE(offer.proposals.size() == 2);
  CHECK(offer.proposals[0].number == 1);
  CHECK(offer.proposals[1].number == 2);
  CHECK(offer.proposals[1].of_type(TransformType::Integ).empty());
  CHECK(describe(offer) == "aes128-sha256-modp2048/ecp256 aes256gcm-prfsha256-modp2048/ecp256");
}

TEST_CASE("responder picks the first acceptable proposal, in the peer's order") {
  auto ours = ike_cfg({E::Aes256Cbc, E::Aes128Cbc}, {I::HmacSha256_128, I::HmacSha1_96}, {G::Modp2048, G::Ecp256});
  auto theirs = ike_offer(ike_cfg({E::Aes128Cbc, E::Aes256Cbc}, {I::HmacSha1_96, I::HmacSha256_128}, {G::Ecp256, G::Modp2048}));
  auto c = ProposalMatcher::select_ike(theirs, ours, std::nullopt);
  REQUIRE(c);
  CHECK(c->suite.encr == E::Aes128Cbc);
  CHECK(c->suite.integ == I::HmacSha1_96);
  CHECK(c->suite.prf == crypto::PrfAlg::HmacSha1);
  CHECK(c->suite.dh == G::Ecp256);
  // The KE group is preferred when the proposal holds it.
  auto k = ProposalMatcher::select_ike(theirs, ours, 14);
  REQUIRE(k);
  CHECK(k->suite.dh == G::Modp2048);
  // The reply is acceptable to the initiator.
  CHECK(ProposalMatcher::accept_ike(SaPayload{{c->reply}}, ike_cfg({E::Aes128Cbc, E::Aes256Cbc}, {I::HmacSha1_96, I::HmacSha256_128}, {G::Ecp256, G::Modp2048})) == c->suite);
}

TEST_CASE("no common proposal") {
  auto ours = ike_cfg({E::Aes256Cbc}, {I::HmacSha512_256}, {G::Ecp384});
  auto theirs = ike_offer(ike_cfg({E::Aes128Cbc}, {I::HmacSha256_128}, {G::Modp2048}));
  CHECK_FALSE(ProposalMatcher::select_ike(theirs, ours, 14));
  // Same encryption but another key length does not match.
  auto other_len = ike_offer(ike_cfg({E::Aes128Cbc}, {I::HmacSha512_256}, {G::Ecp384}));
  CHECK_FALSE(ProposalMatcher::select_ike(other_len, ours, 20));
}

TEST_CASE("AEAD: no integrity, or NONE; never a real integrity transform") {
  auto ours = ike_cfg({E::Aes256Gcm16}, {I::HmacSha384_192}, {G::Ecp384});
  SaPayload theirs{{Proposal{1, ProtocolId::Ike, {},
                             {encr_transform(E::Aes256Gcm16), prf_transform(crypto::PrfAlg::HmacSha384),
                              dh_transform(G::Ecp384)}}}};
  auto c = ProposalMatcher::select_ike(theirs, ours, 20);
  REQUIRE(c);
  CHECK_FALSE(c->suite.integ);
  theirs.proposals[0].transforms.push_back(integ_transform(I::HmacSha384_192));
  CHECK_FALSE(ProposalMatcher::select_ike(theirs, ours, 20));
  theirs.proposals[0].transforms.back() = Transform::integ(IntegId::None);
  CHECK(ProposalMatcher::select_ike(theirs, ours, 20));
}

TEST_CASE("ESP: SPI, ESN and PFS rules") {
  auto ours = esp_cfg({E::Aes128Cbc}, {I::HmacSha256_128}, G::Modp2048);
  auto offer = esp_offer(ours, 0x11223344, PfsUse::Config);
  auto c = ProposalMatcher::select_esp(offer, ours, PfsUse::Config);
  REQUIRE(c);
  CHECK(c->peer_spi == 0x11223344);
  CHECK(c->suite.dh == G::Modp2048);
  CHECK(describe(offer) == "aes128-sha256-modp2048");
  // In IKE_AUTH the DH transform is ignored and not answered.
  auto auth = ProposalMatcher::select_esp(offer, ours, PfsUse::Ignore);
  REQUIRE(auth);
  CHECK_FALSE(auth->suite.dh);
  CHECK(auth->reply.of_type(TransformType::Dh).empty());
  // PFS configured but not offered: no match.
  auto no_pfs = esp_offer(esp_cfg({E::Aes128Cbc}, {I::HmacSha256_128}), 1, PfsUse::Config);
  CHECK_FALSE(ProposalMatcher::select_esp(no_pfs, ours, PfsUse::Config));
  // ESN only: refused (kite runs without ESN).
  auto esn = offer;
  for (auto& t : esn.proposals[0].transforms)
    if (t.type == TransformType::Esn) t.id = 1;
  CHECK_FALSE(ProposalMatcher::select_esp(esn, ours, PfsUse::Config));
  // The initiator accepts only what it offered (with the responder's SPI).
  CHECK(c->reply.spi.empty());
  c->reply.spi = Proposal::spi32(0x55667788);
  auto back = ProposalMatcher::accept_esp(SaPayload{{c->reply}}, ours, PfsUse::Config);
  REQUIRE(back);
  CHECK(back->peer_spi == 0x55667788);
  CHECK_FALSE(ProposalMatcher::accept_esp(offer, esp_cfg({E::Aes256Cbc}, {I::HmacSha256_128}), PfsUse::Config));
}

TEST_CASE("suite names in config words") {
  CHECK(to_string(IkeSuite{E::Aes128Cbc, I::HmacSha256_128, crypto::PrfAlg::HmacSha256, G::Modp2048}) ==
        "aes128-sha256-prfsha256-modp2048");
  CHECK(to_string(ChildSuite{E::Aes256Gcm16, {}, {}, false}) == "aes256gcm");
  CHECK(describe(esp_cfg({E::Aes256Gcm16}, {}), PfsUse::Ignore) == "aes256gcm");
}
