// Key exchange: the group constants against OpenSSL's independent copies
// of RFC 2409/3526/5114, the RFC 5903 §8 ECDH vectors, the RFC 7748 §5.2
// and §6.1 X25519 vectors, agreement for every group, and rejection of
// invalid peer values (RFC 6989 / RFC 7296 §5 / RFC 8031 §2.3).
#include <catch2/catch.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "libike/crypto/key_exchange.hpp"

using namespace ike;
using namespace ike::crypto;

namespace {

const DhGroup kAllGroups[] = {DhGroup::Modp768,  DhGroup::Modp1024, DhGroup::Modp1536,
                              DhGroup::Modp2048, DhGroup::Modp3072, DhGroup::Modp4096,
                              DhGroup::Modp2048s256, DhGroup::Ecp256, DhGroup::Ecp384,
                              DhGroup::Ecp521,   DhGroup::Curve25519};

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::string bn_hex(const BIGNUM* bn) {
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  return to_hex(out);
}

std::string lower_hex(std::string_view hex) { return to_hex(from_hex(hex)); }

std::unique_ptr<KeyExchange> from_private(DhGroup group, std::string_view hex) {
  auto kx = make_key_exchange_from_private(group, Secret(from_hex(hex)));
  REQUIRE(kx.ok());
  return std::move(*kx);
}

// RFC 5114 §2.3's group as OpenSSL ships it (named group "dh_2048_256").
void openssl_dh_2048_256(Bn& p, Bn& q, Bn& g) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "DHX", nullptr);
  REQUIRE(ctx != nullptr);
  REQUIRE(EVP_PKEY_paramgen_init(ctx) == 1);
  char group_name[] = "dh_2048_256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0),
                         OSSL_PARAM_construct_end()};
  REQUIRE(EVP_PKEY_CTX_set_params(ctx, params) == 1);
  EVP_PKEY* pkey = nullptr;
  REQUIRE(EVP_PKEY_paramgen(ctx, &pkey) == 1);
  BIGNUM *bp = nullptr, *bq = nullptr, *bg = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_P, &bp) == 1);
  REQUIRE(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_Q, &bq) == 1);
  REQUIRE(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_G, &bg) == 1);
  p.reset(bp);
  q.reset(bq);
  g.reset(bg);
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
}

}  // namespace

TEST_CASE("MODP primes equal OpenSSL's copies of RFC 2409 §6 and RFC 3526") {
  struct Case {
    DhGroup group;
    BIGNUM* (*openssl)(BIGNUM*);
  };
  const Case cases[] = {{DhGroup::Modp768, BN_get_rfc2409_prime_768},
                        {DhGroup::Modp1024, BN_get_rfc2409_prime_1024},
                        {DhGroup::Modp1536, BN_get_rfc3526_prime_1536},
                        {DhGroup::Modp2048, BN_get_rfc3526_prime_2048},
                        {DhGroup::Modp3072, BN_get_rfc3526_prime_3072},
                        {DhGroup::Modp4096, BN_get_rfc3526_prime_4096}};
  for (const auto& c : cases) {
    CAPTURE(name(c.group));
    auto params = modp_params(c.group);
    REQUIRE(params.has_value());
    Bn p(c.openssl(nullptr));
    CHECK(lower_hex(params->prime) == bn_hex(p.get()));
    CHECK(lower_hex(params->generator) == "02");
    CHECK(params->order.empty());
    CHECK(public_value_size(c.group) == static_cast<std::size_t>(BN_num_bytes(p.get())));
  }
}

TEST_CASE("group 24 constants equal RFC 5114 §2.3 and g generates the order-q subgroup") {
  auto params = modp_params(DhGroup::Modp2048s256);
  REQUIRE(params.has_value());
  Bn p, q, g;
  openssl_dh_2048_256(p, q, g);
  CHECK(lower_hex(params->prime) == bn_hex(p.get()));
  CHECK(lower_hex(params->order) == bn_hex(q.get()));
  CHECK(lower_hex(params->generator) == bn_hex(g.get()));
  // g^q mod p == 1 and q divides p - 1.
  BN_CTX* ctx = BN_CTX_new();
  Bn r(BN_new());
  REQUIRE(BN_mod_exp(r.get(), g.get(), q.get(), p.get(), ctx) == 1);
  CHECK(BN_is_one(r.get()));
  Bn pm1(BN_dup(p.get()));
  BN_sub_word(pm1.get(), 1);
  REQUIRE(BN_mod(r.get(), pm1.get(), q.get(), ctx) == 1);
  CHECK(BN_is_zero(r.get()));
  BN_CTX_free(ctx);
}

TEST_CASE("ECDH: RFC 5903 §8 test vectors for groups 19, 20, 21") {
  struct Vector {
    DhGroup group;
    const char *i, *gix, *giy, *r, *grx, *gry, *girx;
  };
  const Vector vectors[] = {
      {DhGroup::Ecp256,
       "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
       "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
       "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
       "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
       "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
       "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
       "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE"},
      {DhGroup::Ecp384,
       "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
       "E35B5380 41E649EE 3FAEF896 783AB194",
       "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
       "DE3AC808 ACB4BDB4 C88732AE E95F41AA",
       "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
       "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
       "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
       "E0308312 916B8ED2 960E4BD5 5A7448FC",
       "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
       "0D1AC43A 0336DEF9 6FDA41D0 774A3571",
       "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
       "F83FA401 42209DFF 5EAAD96D B9E6386C",
       "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
       "D6031355 69B9E9D0 9CF5D4A2 70F59746"},
      {DhGroup::Ecp521,
       "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0"
       "95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D 4A52",
       "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE"
       "E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C ED3E",
       "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A"
       "D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F 9582",
       "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E"
       "9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168 5EB9",
       "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21"
       "9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9 460F",
       "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87"
       "220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F C56A",
       "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04"
       "D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3 DDEA"},
  };
  for (const auto& v : vectors) {
    CAPTURE(name(v.group));
    auto initiator = from_private(v.group, v.i);
    auto responder = from_private(v.group, v.r);
    Bytes gi = concat(from_hex(v.gix), from_hex(v.giy));
    Bytes gr = concat(from_hex(v.grx), from_hex(v.gry));
    CHECK(to_hex(initiator->public_value()) == to_hex(gi));
    CHECK(to_hex(responder->public_value()) == to_hex(gr));
    CHECK(initiator->public_value().size() == public_value_size(v.group));
    auto z_i = initiator->shared_secret(gr);
    auto z_r = responder->shared_secret(gi);
    REQUIRE(z_i.ok());
    REQUIRE(z_r.ok());
    CHECK(to_hex(z_i->view()) == lower_hex(v.girx));
    CHECK(to_hex(z_r->view()) == lower_hex(v.girx));
  }
}

TEST_CASE("X25519: RFC 7748 §5.2 scalar multiplication vectors") {
  auto k1 = from_private(DhGroup::Curve25519,
                         "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  auto out1 = k1->shared_secret(from_hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
  REQUIRE(out1.ok());
  CHECK(to_hex(out1->view()) == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  auto k2 = from_private(DhGroup::Curve25519,
                         "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
  auto out2 = k2->shared_secret(from_hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"));
  REQUIRE(out2.ok());
  CHECK(to_hex(out2->view()) == "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST_CASE("X25519: RFC 7748 §6.1 Diffie-Hellman vector") {
  auto alice = from_private(DhGroup::Curve25519,
                            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  auto bob = from_private(DhGroup::Curve25519,
                          "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  CHECK(to_hex(alice->public_value()) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(to_hex(bob->public_value()) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto k_a = alice->shared_secret(bob->public_value());
  auto k_b = bob->shared_secret(alice->public_value());
  REQUIRE(k_a.ok());
  REQUIRE(k_b.ok());
  CHECK(to_hex(k_a->view()) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  CHECK(*k_a == *k_b);
}

TEST_CASE("both sides agree in every group, deterministically under SeededRandom") {
  for (auto group : kAllGroups) {
    CAPTURE(name(group));
    SeededRandom rng_a(1), rng_b(2), rng_a_again(1);
    auto a = make_key_exchange(group, rng_a);
    auto b = make_key_exchange(group, rng_b);
    auto a_again = make_key_exchange(group, rng_a_again);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a_again.ok());
    CHECK((*a)->group() == group);
    CHECK((*a)->public_value().size() == public_value_size(group));
    CHECK(to_hex((*a)->public_value()) == to_hex((*a_again)->public_value()));
    CHECK(to_hex((*a)->public_value()) != to_hex((*b)->public_value()));
    auto z_a = (*a)->shared_secret((*b)->public_value());
    auto z_b = (*b)->shared_secret((*a)->public_value());
    REQUIRE(z_a.ok());
    REQUIRE(z_b.ok());
    CHECK(*z_a == *z_b);
    std::size_t expected = family(group) == GroupFamily::Ecp ? public_value_size(group) / 2
                                                              : public_value_size(group);
    CHECK(z_a->size() == expected);
  }
}

TEST_CASE("MODP rejects 0, 1, p-1, p, values above p, wrong lengths") {
  for (auto group : {DhGroup::Modp768, DhGroup::Modp1024, DhGroup::Modp1536, DhGroup::Modp2048,
                     DhGroup::Modp3072, DhGroup::Modp4096, DhGroup::Modp2048s256}) {
    CAPTURE(name(group));
    SeededRandom rng(7);
    auto kx = make_key_exchange(group, rng);
    REQUIRE(kx.ok());
    const std::size_t n = public_value_size(group);
    Bytes p = from_hex(modp_params(group)->prime);
    Bytes zero(n, 0);
    Bytes one(n, 0);
    one.back() = 1;
    Bytes p_minus_1 = p;
    p_minus_1.back() -= 1;  // p is odd
    Bytes p_plus_1 = p;  // big-endian increment with carry
    for (auto it = p_plus_1.rbegin(); it != p_plus_1.rend() && ++*it == 0; ++it) {
    }
    Bytes all_ff(n, 0xff);
    for (const Bytes& bad : {zero, one, p_minus_1, p, p_plus_1, all_ff}) {
      CHECK_FALSE((*kx)->shared_secret(bad).ok());
    }
    Bytes good((*kx)->public_value().begin(), (*kx)->public_value().end());
    CHECK_FALSE((*kx)->shared_secret(ByteView(good).first(n - 1)).ok());
    CHECK_FALSE((*kx)->shared_secret(concat(Bytes{0}, good)).ok());
    CHECK_FALSE((*kx)->shared_secret({}).ok());
  }
}

TEST_CASE("group 24 rejects peer values outside the prime-order subgroup") {
  SeededRandom rng(9);
  auto kx = make_key_exchange(DhGroup::Modp2048s256, rng);
  REQUIRE(kx.ok());
  Bytes two(256, 0);
  two.back() = 2;  // 2 is not of order q in this group
  CHECK_FALSE((*kx)->shared_secret(two).ok());
  // An exponent at or above q is refused.
  Bytes q = from_hex(modp_params(DhGroup::Modp2048s256)->order);
  CHECK_FALSE(make_key_exchange_from_private(DhGroup::Modp2048s256, Secret(q)).ok());
}

TEST_CASE("ECP rejects off-curve points, coordinates >= p, the zero encoding, wrong lengths") {
  for (auto group : {DhGroup::Ecp256, DhGroup::Ecp384, DhGroup::Ecp521}) {
    CAPTURE(name(group));
    SeededRandom rng_a(3), rng_b(4);
    auto a = make_key_exchange(group, rng_a);
    auto b = make_key_exchange(group, rng_b);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    const std::size_t n = public_value_size(group);
    Bytes peer((*b)->public_value().begin(), (*b)->public_value().end());
    Bytes off_curve = peer;
    off_curve.back() ^= 0x01;  // y changed: not on the curve
    CHECK_FALSE((*a)->shared_secret(off_curve).ok());
    CHECK_FALSE((*a)->shared_secret(Bytes(n, 0)).ok());     // "infinity"
    CHECK_FALSE((*a)->shared_secret(Bytes(n, 0xff)).ok());  // x, y >= p
    CHECK_FALSE((*a)->shared_secret(ByteView(peer).first(n - 1)).ok());
    CHECK_FALSE((*a)->shared_secret(concat(Bytes{0x04}, peer)).ok());  // SEC 1 form
    CHECK((*a)->shared_secret(peer).ok());
  }
  CHECK_FALSE(make_key_exchange_from_private(DhGroup::Ecp256, Secret(Bytes(32, 0))).ok());
  CHECK_FALSE(make_key_exchange_from_private(DhGroup::Ecp256, Secret(Bytes(32, 0xff))).ok());
}

TEST_CASE("X25519 rejects wrong lengths and low-order points (all-zero output)") {
  SeededRandom rng(5);
  auto kx = make_key_exchange(DhGroup::Curve25519, rng);
  REQUIRE(kx.ok());
  Bytes zero(32, 0);
  Bytes one(32, 0);
  one[0] = 1;
  CHECK_FALSE((*kx)->shared_secret(zero).ok());
  CHECK_FALSE((*kx)->shared_secret(one).ok());
  CHECK_FALSE((*kx)->shared_secret(Bytes(31, 9)).ok());
  CHECK_FALSE((*kx)->shared_secret(Bytes(33, 9)).ok());
  CHECK_FALSE(make_key_exchange_from_private(DhGroup::Curve25519, Secret(Bytes(31, 1))).ok());
}
