// Key derivation: the NIST SP 800-135 (ACVP kdf135) IKEv1 and IKEv2 known
// answers from /work/shared/vectors/ike-kdf.md, plus checks that rebuild
// RFC 2409 §5.5 KEYMAT, the Appendix B key expansion and IVs, and the
// RFC 7296 key set layout from single PRF calls.
#include <catch2/catch.hpp>

#include <string>

#include "libike/crypto/kdf_v1.hpp"
#include "libike/crypto/kdf_v2.hpp"

using namespace ike;
using namespace ike::crypto;

namespace {

Secret secret_hex(std::string_view hex) { return Secret(from_hex(hex)); }
std::string hex_of(const Secret& s) { return to_hex(s.view()); }

// SP 800-135 IKEv1 test case (pre-shared key, SHA-1).
struct V1Vector {
  Bytes cky_i = from_hex("83d374c30b3b5082");
  Bytes cky_r = from_hex("5afc0da06c728029");
  Bytes ni = from_hex("b9a2d0e922dc66dd");
  Bytes nr = from_hex("2130166863b5ddef");
  Secret gxy = secret_hex("739003ba2c11c982946c65e26acf661fbf8ebb78011a9fead79efa12fe3e71cc");
  Secret psk = secret_hex("75");
};

// SP 800-135 IKEv2 test case (SHA-1, DKM length 1056 bits).
struct V2Vector {
  Bytes ni = from_hex("32b50d5f4a3763f3");
  Bytes nr = from_hex("9206a04b26564cb1");
  Secret gir = secret_hex("4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52");
  Secret gir_new = secret_hex("863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330");
  Bytes spi_i = from_hex("34c9e7c188868785");
  Bytes spi_r = from_hex("3ff77d760d2b2199");
  std::string skeyseed = "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7";
  std::string dkm =
      "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a63080e514a062768b7660"
      "6f9fa5e992204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52204b702c979fa280870d2ed"
      "41efa9c549fd11198af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435a7a56cc4";
  std::string dkm_child =
      "8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c5811a8e7b5d1cdabd9560b2d5e0"
      "92d1f24e2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20"
      "754a2d883ba0c2cf285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e664994d234cb4";
  std::string dkm_child_dh =
      "bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d37301628190e38c66232eab4b3ab14"
      "c400a5197dd3730ed4820a8a10394d51e1c0400052f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8b"
      "bb5ffb7857240f9a05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054d56fd74c";
  std::string skeyseed_rekey = "63e81194946ebd05df7df5ebf5d8750056bf1f1d";
};

}  // namespace

TEST_CASE("IKEv1 SKEYID set: SP 800-135 IKEv1 PSK/SHA-1 known answer") {
  V1Vector v;
  auto prf = make_prf(PrfAlg::HmacSha1);
  CHECK(hex_of(v1::skeyid_psk(*prf, v.psk, v.ni, v.nr)) == "62b04d112877e442fc3282fc37c076997718a0b9");
  auto keys = v1::derive_phase1_keys_psk(*prf, v.psk, v.ni, v.nr, v.gxy, v.cky_i, v.cky_r);
  CHECK(hex_of(keys.skeyid) == "62b04d112877e442fc3282fc37c076997718a0b9");
  CHECK(hex_of(keys.skeyid_d) == "369e5aad1bdb5faf6a3d929d500cdc236710a9ab");
  CHECK(hex_of(keys.skeyid_a) == "588e957d8d790d093b3a39f121473473af78e9bb");
  CHECK(hex_of(keys.skeyid_e) == "cd74b0c048219db81384d3fda8f6cda51e398a2b");
}

TEST_CASE("IKEv2 SKEYSEED, DKM, child DKM and rekey: SP 800-135 IKEv2 SHA-1 known answer") {
  V2Vector v;
  auto prf = make_prf(PrfAlg::HmacSha1);
  Secret skeyseed = v2::skeyseed(*prf, v.ni, v.nr, v.gir);
  CHECK(hex_of(skeyseed) == v.skeyseed);
  auto dkm = v2::prf_plus(*prf, skeyseed.view(), concat(v.ni, v.nr, v.spi_i, v.spi_r), 1056 / 8);
  REQUIRE(dkm.ok());
  CHECK(hex_of(*dkm) == v.dkm);
  Secret sk_d = dkm->slice(0, 20);  // SK_d: the first 160 bits of DKM
  auto child = v2::child_sa_keymat(*prf, sk_d, v.ni, v.nr, 1056 / 8);
  REQUIRE(child.ok());
  CHECK(hex_of(*child) == v.dkm_child);
  auto child_dh = v2::child_sa_keymat_pfs(*prf, sk_d, v.gir_new, v.ni, v.nr, 1056 / 8);
  REQUIRE(child_dh.ok());
  CHECK(hex_of(*child_dh) == v.dkm_child_dh);
  CHECK(hex_of(v2::rekey_skeyseed(*prf, sk_d, v.gir_new, v.ni, v.nr)) == v.skeyseed_rekey);
}

TEST_CASE("IKEv2 key set is cut from DKM in RFC 7296 §2.14 order") {
  V2Vector v;
  auto prf = make_prf(PrfAlg::HmacSha1);
  auto integ = make_integrity(IntegAlg::HmacSha1_96);
  auto cipher = make_cipher(EncrAlg::Aes128Cbc);
  auto sizes = v2::ike_sa_key_sizes(*prf, integ.get(), *cipher);
  CHECK(sizes.sk_d == 20);
  CHECK(sizes.integ == 20);
  CHECK(sizes.encr == 16);  // 3*20 + 2*20 + 2*16 = 132 bytes = the vector's 1056 bits
  Secret skeyseed = v2::skeyseed(*prf, v.ni, v.nr, v.gir);
  auto keys = v2::derive_ike_sa_keys(*prf, skeyseed, v.ni, v.nr, v.spi_i, v.spi_r, sizes);
  REQUIRE(keys.ok());
  Bytes dkm = from_hex(v.dkm);
  auto piece = [&](std::size_t at, std::size_t n) { return to_hex(ByteView(dkm).subspan(at, n)); };
  CHECK(hex_of(keys->sk_d) == piece(0, 20));
  CHECK(hex_of(keys->sk_ai) == piece(20, 20));
  CHECK(hex_of(keys->sk_ar) == piece(40, 20));
  CHECK(hex_of(keys->sk_ei) == piece(60, 16));
  CHECK(hex_of(keys->sk_er) == piece(76, 16));
  CHECK(hex_of(keys->sk_pi) == piece(92, 20));
  CHECK(hex_of(keys->sk_pr) == piece(112, 20));
}

TEST_CASE("IKEv2 AEAD key set: no integrity keys, encryption keys carry the salt") {
  auto prf = make_prf(PrfAlg::HmacSha256);
  auto cipher = make_cipher(EncrAlg::Aes256Gcm16);
  auto sizes = v2::ike_sa_key_sizes(*prf, nullptr, *cipher);
  CHECK(sizes.integ == 0);
  CHECK(sizes.encr == 36);  // RFC 5282 §7.1: 32-byte key + 4-byte salt
  auto keys = v2::derive_ike_sa_keys(*prf, Secret(Bytes(32, 1)), Bytes(16, 2), Bytes(16, 3),
                                     Bytes(8, 4), Bytes(8, 5), sizes);
  REQUIRE(keys.ok());
  CHECK(keys->sk_ai.empty());
  CHECK(keys->sk_ar.empty());
  CHECK(keys->sk_ei.size() == 36);
  CHECK(keys->sk_pr.size() == 32);
}

TEST_CASE("prf+ follows RFC 7296 §2.13 and stops at 255 blocks") {
  auto prf = make_prf(PrfAlg::HmacSha256);
  Bytes key(32, 0x0a);
  Bytes seed = from_hex("0102030405");
  // T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02).
  Secret t1 = prf->compute(key, concat(seed, Bytes{0x01}));
  Secret t2 = prf->compute(key, concat(t1.view(), seed, Bytes{0x02}));
  auto out = v2::prf_plus(*prf, key, seed, 40);
  REQUIRE(out.ok());
  CHECK(hex_of(*out) == to_hex(concat(t1.view(), t2.view().first(8))));
  CHECK(v2::prf_plus(*prf, key, seed, 255 * 32).ok());
  CHECK_FALSE(v2::prf_plus(*prf, key, seed, 255 * 32 + 1).ok());
  auto empty = v2::prf_plus(*prf, key, seed, 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("SKEYSEED with a fixed-key PRF uses 64 bits of each nonce (RFC 7296 §2.14)") {
  Bytes ni = from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  Bytes nr = from_hex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
  Secret gir(Bytes(32, 0x77));
  for (auto alg : {PrfAlg::AesXcbc, PrfAlg::AesCmac}) {
    auto prf = make_prf(alg);
    Secret expected = prf->compute(from_hex("0001020304050607" "2021222324252627"), gir.view());
    CHECK(v2::skeyseed(*prf, ni, nr, gir) == expected);
  }
}

TEST_CASE("child SA KEYMAT splits as RFC 7296 §2.17 orders it") {
  Secret keymat(from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  CHECK(v2::child_sa_keymat_size(4, 12) == 32);
  auto keys = v2::split_child_sa_keymat(keymat, 4, 12);
  REQUIRE(keys.ok());
  CHECK(hex_of(keys->encr_i) == "00010203");
  CHECK(hex_of(keys->integ_i) == "0405060708090a0b0c0d0e0f");
  CHECK(hex_of(keys->encr_r) == "10111213");
  CHECK(hex_of(keys->integ_r) == "1415161718191a1b1c1d1e1f");
  CHECK_FALSE(v2::split_child_sa_keymat(keymat, 4, 13).ok());
}

TEST_CASE("IKEv1 encryption key: SKEYID_e prefix or the Appendix B expansion") {
  auto prf = make_prf(PrfAlg::HmacSha1);
  Secret skeyid_e = secret_hex("cd74b0c048219db81384d3fda8f6cda51e398a2b");
  // Long enough (AES-128): the first 16 bytes of SKEYID_e.
  CHECK(hex_of(v1::encryption_key(*prf, skeyid_e, 16)) == "cd74b0c048219db81384d3fda8f6cda5");
  // 3DES needs 24 > 20 bytes: K1 = prf(SKEYID_e, 0), K2 = prf(SKEYID_e, K1).
  Secret k1 = prf->compute(skeyid_e.view(), Bytes{0x00});
  Secret k2 = prf->compute(skeyid_e.view(), k1.view());
  CHECK(hex_of(v1::encryption_key(*prf, skeyid_e, 24)) ==
        to_hex(concat(k1.view(), k2.view().first(4))));
  // AES-256 from a SHA-1 SKEYID_e: 32 bytes = K1 | K2[0..12].
  CHECK(hex_of(v1::encryption_key(*prf, skeyid_e, 32)) ==
        to_hex(concat(k1.view(), k2.view().first(12))));
}

TEST_CASE("IKEv1 quick mode KEYMAT (RFC 2409 §5.5), with and without PFS") {
  V1Vector v;
  auto prf = make_prf(PrfAlg::HmacSha1);
  Secret skeyid_d = secret_hex("369e5aad1bdb5faf6a3d929d500cdc236710a9ab");
  Bytes spi = from_hex("c0ffee01");
  const std::uint8_t esp = 3;
  Bytes tail = concat(Bytes{esp}, spi, v.ni, v.nr);
  Secret k1 = prf->compute(skeyid_d.view(), tail);
  Secret k2 = prf->compute(skeyid_d.view(), concat(k1.view(), tail));
  CHECK(hex_of(v1::quick_mode_keymat(*prf, skeyid_d, esp, spi, v.ni, v.nr, 16)) ==
        to_hex(k1.view().first(16)));
  // AES-128 + HMAC-SHA-1 needs 36 bytes: K1 | K2[0..16].
  CHECK(hex_of(v1::quick_mode_keymat(*prf, skeyid_d, esp, spi, v.ni, v.nr, 36)) ==
        to_hex(concat(k1.view(), k2.view().first(16))));
  Secret gqm = secret_hex("0badc0de0badc0de0badc0de0badc0de");
  Bytes pfs_tail = concat(gqm.view(), Bytes{esp}, spi, v.ni, v.nr);
  Secret p1 = prf->compute(skeyid_d.view(), pfs_tail);
  Secret p2 = prf->compute(skeyid_d.view(), concat(p1.view(), pfs_tail));
  CHECK(hex_of(v1::quick_mode_keymat_pfs(*prf, skeyid_d, gqm, esp, spi, v.ni, v.nr, 36)) ==
        to_hex(concat(p1.view(), p2.view().first(16))));
  // Different SPIs (the two directions) give different keys.
  CHECK_FALSE(v1::quick_mode_keymat(*prf, skeyid_d, esp, from_hex("c0ffee02"), v.ni, v.nr, 36) ==
              v1::quick_mode_keymat(*prf, skeyid_d, esp, spi, v.ni, v.nr, 36));
}

TEST_CASE("IKEv1 IVs (RFC 2409 Appendix B)") {
  Bytes gxi(128, 0x11);
  Bytes gxr(128, 0x22);
  Bytes full = hash(HashAlg::Sha1, concat(gxi, gxr));
  CHECK(to_hex(v1::phase1_iv(HashAlg::Sha1, gxi, gxr, 16)) == to_hex(ByteView(full).first(16)));
  CHECK(to_hex(v1::phase1_iv(HashAlg::Sha1, gxi, gxr, 8)) == to_hex(ByteView(full).first(8)));
  Bytes last_block = from_hex("00112233445566778899aabbccddeeff");
  Bytes expected = hash(HashAlg::Sha256, concat(last_block, from_hex("01020304")));
  CHECK(to_hex(v1::phase2_iv(HashAlg::Sha256, last_block, 0x01020304, 16)) ==
        to_hex(ByteView(expected).first(16)));
}
