// Known answers for the PRFs and integrity algorithms: RFC 2202 (HMAC-MD5,
// HMAC-SHA-1), RFC 4231 (HMAC-SHA-2), RFC 4868 §2.7 (the IPsec truncated
// HMAC-SHA-2 authenticators), GM/T 0042-2015 D.3 (HMAC-SM3), RFC 3566 /
// RFC 4434 (AES-XCBC), RFC 4493 / RFC 4494 / RFC 4615 (AES-CMAC).
#include <catch2/catch.hpp>

#include <string>

#include "libike/crypto/crypto.hpp"

using namespace ike;
using namespace ike::crypto;

namespace {

Bytes repeat(std::uint8_t value, std::size_t n) { return Bytes(n, value); }

Bytes text(std::string_view s) {
  auto v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

std::string prf_hex(PrfAlg alg, ByteView key, ByteView data) {
  return to_hex(make_prf(alg)->compute(key, data).view());
}

}  // namespace

TEST_CASE("HMAC-MD5 and HMAC-SHA-1: RFC 2202 test cases 1 and 2") {
  CHECK(prf_hex(PrfAlg::HmacMd5, repeat(0x0b, 16), text("Hi There")) ==
        "9294727a3638bb1c13f48ef8158bfc9d");
  CHECK(prf_hex(PrfAlg::HmacMd5, text("Jefe"), text("what do ya want for nothing?")) ==
        "750c783e6ab0b503eaa86e310a5db738");
  CHECK(prf_hex(PrfAlg::HmacSha1, repeat(0x0b, 20), text("Hi There")) ==
        "b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(prf_hex(PrfAlg::HmacSha1, text("Jefe"), text("what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_CASE("HMAC-SHA-2 PRFs: RFC 4231 test cases 1 and 2 (= RFC 4868 §2.7.1)") {
  auto hi = text("Hi There");
  auto what = text("what do ya want for nothing?");
  CHECK(prf_hex(PrfAlg::HmacSha256, repeat(0x0b, 20), hi) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(prf_hex(PrfAlg::HmacSha384, repeat(0x0b, 20), hi) ==
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
        "faea9ea9076ede7f4af152e8b2fa9cb6");
  CHECK(prf_hex(PrfAlg::HmacSha512, repeat(0x0b, 20), hi) ==
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
        "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
  CHECK(prf_hex(PrfAlg::HmacSha256, text("Jefe"), what) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(prf_hex(PrfAlg::HmacSha384, text("Jefe"), what) ==
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
        "8e2240ca5e69e2c78b3239ecfab21649");
  CHECK(prf_hex(PrfAlg::HmacSha512, text("Jefe"), what) ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST_CASE("RFC 4868 §2.7.2 authenticator test vectors (truncated HMAC-SHA-2)") {
  struct Case {
    IntegAlg alg;
    Bytes key;
    Bytes data;
    std::string icv;
  };
  const Case cases[] = {
      {IntegAlg::HmacSha256_128, repeat(0x0b, 32), text("Hi There"),
       "198a607eb44bfbc69903a0f1cf2bbdc5"},
      {IntegAlg::HmacSha256_128, text("JefeJefeJefeJefeJefeJefeJefeJefe"),
       text("what do ya want for nothing?"), "167f928588c5cc2eef8e3093caa0e87c"},
      {IntegAlg::HmacSha384_192, repeat(0x0b, 48), text("Hi There"),
       "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
      {IntegAlg::HmacSha384_192, text("JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe"),
       text("what do ya want for nothing?"), "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d"},
      {IntegAlg::HmacSha384_192, repeat(0xaa, 48), repeat(0xdd, 50),
       "809f439be00274321d4a538652164b53554a508184a0c316"},
      {IntegAlg::HmacSha512_256, repeat(0x0b, 64), text("Hi There"),
       "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
      {IntegAlg::HmacSha512_256,
       text("JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe"),
       text("what do ya want for nothing?"),
       "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"},
      {IntegAlg::HmacSha512_256, repeat(0xaa, 64), repeat(0xdd, 50),
       "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"},
  };
  for (const auto& c : cases) {
    auto integ = make_integrity(c.alg);
    CAPTURE(name(c.alg), c.icv);
    CHECK(integ->key_size() == c.key.size());
    CHECK(to_hex(integ->sign(c.key, c.data)) == c.icv);
    CHECK(integ->verify(c.key, c.data, from_hex(c.icv)));
  }
}

TEST_CASE("HMAC-96 integrity: RFC 2403/2404 truncation of the RFC 2202 answers") {
  auto md5 = make_integrity(IntegAlg::HmacMd5_96);
  auto sha1 = make_integrity(IntegAlg::HmacSha1_96);
  CHECK(md5->icv_size() == 12);
  CHECK(sha1->icv_size() == 12);
  CHECK(to_hex(md5->sign(repeat(0x0b, 16), text("Hi There"))) == "9294727a3638bb1c13f48ef8");
  CHECK(to_hex(sha1->sign(repeat(0x0b, 20), text("Hi There"))) == "b617318655057264e28bc0b6");
}

TEST_CASE("SM3 and HMAC-SM3: GB/T 32905 sample and GM/T 0042-2015 D.3") {
  CHECK(to_hex(hash(HashAlg::Sm3, text("abc"))) ==
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  Bytes key;
  for (std::uint8_t i = 1; i <= 0x25; ++i) key.push_back(i);
  CHECK(prf_hex(PrfAlg::HmacSm3, key, repeat(0xcd, 50)) ==
        "220bf579ded555393f0159f66c99877822a3ecf610d1552154b41d44b94db3ae");
  auto integ = make_integrity(IntegAlg::HmacSm3_128);
  CHECK(to_hex(integ->sign(key, repeat(0xcd, 50))) == "220bf579ded555393f0159f66c998778");
}

TEST_CASE("AES-XCBC-MAC-96 and PRF-AES-XCBC-128: RFC 3566 §4.6 and RFC 4434 §2.1") {
  Bytes key = from_hex("000102030405060708090a0b0c0d0e0f");
  auto counting = [](std::size_t n) {
    Bytes m;
    for (std::size_t i = 0; i < n; ++i) m.push_back(static_cast<std::uint8_t>(i));
    return m;
  };
  auto prf = make_prf(PrfAlg::AesXcbc);
  CHECK(to_hex(prf->compute(key, {}).view()) == "75f0251d528ac01c4573dfd584d79f29");
  CHECK(to_hex(prf->compute(key, counting(3)).view()) == "5b376580ae2f19afe7219ceef172756f");
  CHECK(to_hex(prf->compute(key, counting(16)).view()) == "d2a246fa349b68a79998a4394ff7a263");
  CHECK(to_hex(prf->compute(key, counting(20)).view()) == "47f51b4564966215b8985c63055ed308");
  CHECK(to_hex(prf->compute(key, counting(32)).view()) == "f54f0ec8d2b9f3d36807734bd5283fd4");
  CHECK(to_hex(prf->compute(key, counting(34)).view()) == "becbb3bccdb518a30677d5481fb6b4d8");
  CHECK(to_hex(prf->compute(key, Bytes(1000, 0)).view()) == "f0dafee895db30253761103b5d84528f");
  // RFC 4434: keys shorter and longer than 128 bits.
  CHECK(to_hex(prf->compute(from_hex("00010203040506070809"), counting(20)).view()) ==
        "0fa087af7d866e7653434e602fdde835");
  CHECK(to_hex(prf->compute(from_hex("000102030405060708090a0b0c0d0e0fedcb"), counting(20)).view()) ==
        "8cd3c93ae598a9803006ffb67c40e9e4");
  auto integ = make_integrity(IntegAlg::AesXcbc96);
  CHECK(to_hex(integ->sign(key, Bytes(1000, 0))) == "f0dafee895db30253761103b");
}

TEST_CASE("AES-CMAC-96 and PRF-AES-CMAC-128: RFC 4493 §4, RFC 4494, RFC 4615 §4") {
  Bytes key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  Bytes m64 = from_hex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  auto prf = make_prf(PrfAlg::AesCmac);
  CHECK(to_hex(prf->compute(key, {}).view()) == "bb1d6929e95937287fa37d129b756746");
  CHECK(to_hex(prf->compute(key, ByteView(m64).first(16)).view()) == "070a16b46b4d4144f79bdd9dd04a287c");
  CHECK(to_hex(prf->compute(key, ByteView(m64).first(40)).view()) == "dfa66747de9ae63030ca32611497c827");
  CHECK(to_hex(prf->compute(key, m64).view()) == "51f0bebf7e3b9d92fc49741779363cfe");
  auto integ = make_integrity(IntegAlg::AesCmac96);
  CHECK(to_hex(integ->sign(key, m64)) == "51f0bebf7e3b9d92fc497417");
  Bytes msg = from_hex("000102030405060708090a0b0c0d0e0f10111213");
  CHECK(to_hex(prf->compute(from_hex("000102030405060708090a0b0c0d0e0fedcb"), msg).view()) ==
        "84a348a4a45d235babfffc0d2b4da09a");
  CHECK(to_hex(prf->compute(from_hex("000102030405060708090a0b0c0d0e0f"), msg).view()) ==
        "980ae87b5f4c9c5214f5b6a8455e4c2d");
  CHECK(to_hex(prf->compute(from_hex("00010203040506070809"), msg).view()) ==
        "290d9e112edb09ee141fcf64c0b72f3d");
}

TEST_CASE("integrity verify rejects a wrong, truncated or foreign ICV") {
  for (auto alg : {IntegAlg::HmacMd5_96, IntegAlg::HmacSha1_96, IntegAlg::HmacSha256_128,
                   IntegAlg::HmacSha384_192, IntegAlg::HmacSha512_256, IntegAlg::HmacSm3_128,
                   IntegAlg::AesXcbc96, IntegAlg::AesCmac96}) {
    auto integ = make_integrity(alg);
    CAPTURE(name(alg));
    Bytes key(integ->key_size(), 0x42);
    Bytes data = text("an IKE message");
    Bytes icv = integ->sign(key, data);
    REQUIRE(icv.size() == integ->icv_size());
    CHECK(integ->verify(key, data, icv));
    Bytes flipped = icv;
    flipped.back() ^= 0x01;
    CHECK_FALSE(integ->verify(key, data, flipped));
    CHECK_FALSE(integ->verify(key, data, ByteView(icv).first(icv.size() - 1)));
    CHECK_FALSE(integ->verify(key, text("another IKE message"), icv));
    Bytes other_key(integ->key_size(), 0x43);
    CHECK_FALSE(integ->verify(other_key, data, icv));
    CHECK(prf_for(alg) == make_prf(prf_for(alg))->alg());
  }
}

TEST_CASE("PRF sizes follow RFC 7296 §2.13 (preferred key length)") {
  CHECK(make_prf(PrfAlg::HmacSha1)->output_size() == 20);
  CHECK(make_prf(PrfAlg::HmacSha256)->key_size() == 32);
  CHECK(make_prf(PrfAlg::HmacSha512)->output_size() == 64);
  CHECK(make_prf(PrfAlg::HmacSm3)->output_size() == 32);
  CHECK(make_prf(PrfAlg::AesXcbc)->key_size() == 16);
  CHECK(make_prf(PrfAlg::AesCmac)->output_size() == 16);
  CHECK(hash_size(HashAlg::Sha384) == hash(HashAlg::Sha384, {}).size());
  // FIPS 180 "abc" answers for the plain hashes used by IKEv1 IVs and NAT-D.
  CHECK(to_hex(hash(HashAlg::Sha1, text("abc"))) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(to_hex(hash(HashAlg::Md5, text("abc"))) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(to_hex(hash(HashAlg::Sha256, text("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
