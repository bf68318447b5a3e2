// Known answers for the ciphers: NIST SP 800-38A F.2 (AES-CBC), the GCM
// specification's test cases 2-4 and 14-16 (McGrew/Viega, = NIST SP
// 800-38D validation set), RFC 7539/8439 §2.8.2 (ChaCha20-Poly1305 AEAD,
// with its 32-bit fixed field as the RFC 7634 salt), GB/T 32907 (SM4),
// FIPS 81 (DES-CBC) and SP 800-67 (3DES).
#include <catch2/catch.hpp>

#include <string>

#include "libike/crypto/crypto.hpp"

using namespace ike;
using namespace ike::crypto;

namespace {

const char* kAesIv = "000102030405060708090a0b0c0d0e0f";
const char* kAesPlain =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

std::string encrypt_hex(EncrAlg alg, std::string_view key, std::string_view iv,
                        std::string_view plain, std::string_view aad = "") {
  auto cipher = make_cipher(alg);
  auto out = cipher->encrypt(from_hex(key), from_hex(iv), from_hex(plain), from_hex(aad));
  REQUIRE(out.ok());
  return to_hex(*out);
}

// Encrypts, compares, then decrypts back.
void check_round_trip(EncrAlg alg, std::string_view key, std::string_view iv,
                      std::string_view plain, std::string_view expected,
                      std::string_view aad = "") {
  CHECK(encrypt_hex(alg, key, iv, plain, aad) == to_hex(from_hex(expected)));
  auto back = make_cipher(alg)->decrypt(from_hex(key), from_hex(iv), from_hex(expected), from_hex(aad));
  REQUIRE(back.ok());
  CHECK(to_hex(*back) == to_hex(from_hex(plain)));
}

}  // namespace

TEST_CASE("AES-CBC: NIST SP 800-38A F.2.1, F.2.3, F.2.5") {
  check_round_trip(EncrAlg::Aes128Cbc, "2b7e151628aed2a6abf7158809cf4f3c", kAesIv, kAesPlain,
                   "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                   "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
  check_round_trip(EncrAlg::Aes192Cbc, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", kAesIv,
                   kAesPlain,
                   "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
                   "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd");
  check_round_trip(EncrAlg::Aes256Cbc,
                   "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", kAesIv,
                   kAesPlain,
                   "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
                   "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
}

TEST_CASE("SM4-CBC: GB/T 32907 sample (one block, zero IV = the ECB answer)") {
  check_round_trip(EncrAlg::Sm4Cbc, "0123456789abcdeffedcba9876543210",
                   "00000000000000000000000000000000", "0123456789abcdeffedcba9876543210",
                   "681edf34d206965e86b3e94f536e4246");
}

TEST_CASE("DES-CBC: FIPS 81 Appendix C example") {
  check_round_trip(EncrAlg::DesCbc, "0123456789abcdef", "1234567890abcdef",
                   "4e6f77206973207468652074696d6520666f7220616c6c20",  // "Now is the time for all "
                   "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
}

TEST_CASE("3DES-CBC: NIST SP 800-67 example, block by block with a zero IV") {
  const char* key = "0123456789abcdef23456789abcdef01456789abcdef0123";
  const char* zero = "0000000000000000";
  // "The qufck brown fox jump" -> A826FD8C.. CCE21C81.. 68D5C05D.. (ECB).
  check_round_trip(EncrAlg::TripleDesCbc, key, zero, "5468652071756663", "a826fd8ce53b855f");
  check_round_trip(EncrAlg::TripleDesCbc, key, zero, "6b2062726f776e20", "cce21c8112256fe6");
  check_round_trip(EncrAlg::TripleDesCbc, key, zero, "666f78206a756d70", "68d5c05dd9b6b900");
}

TEST_CASE("CBC rejects bad lengths instead of padding") {
  auto aes = make_cipher(EncrAlg::Aes128Cbc);
  Bytes key(16, 1);
  Bytes iv(16, 2);
  CHECK(aes->block_size() == 16);
  CHECK(aes->iv_size() == 16);
  CHECK(aes->icv_size() == 0);
  CHECK_FALSE(aes->is_aead());
  CHECK_FALSE(aes->encrypt(key, iv, Bytes(15, 0), {}).ok());
  CHECK_FALSE(aes->decrypt(key, iv, Bytes(17, 0), {}).ok());
  CHECK_FALSE(aes->encrypt(Bytes(15, 1), iv, Bytes(16, 0), {}).ok());
  CHECK_FALSE(aes->encrypt(key, Bytes(8, 0), Bytes(16, 0), {}).ok());
  auto out = aes->encrypt(key, iv, Bytes(32, 0), {});
  REQUIRE(out.ok());
  CHECK(out->size() == 32);  // no padding block added
  CHECK(make_cipher(EncrAlg::TripleDesCbc)->block_size() == 8);
  CHECK(make_cipher(EncrAlg::DesCbc)->keymat_size() == 8);
}

// The GCM spec's 96-bit IVs split as RFC 4106 does: salt = first 4 bytes
// (last 4 bytes of the keying material), explicit IV = last 8 bytes.
TEST_CASE("AES-GCM: GCM spec test cases 2-4 (AES-128) and 14-16 (AES-256)") {
  const char* p64 =
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  const char* p60 =
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
  const char* aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
  const char* k128 = "feffe9928665731c6d6a8f9467308308" "cafebabe";
  const char* k256 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308" "cafebabe";
  const char* iv = "facedbaddecaf888";
  // Test case 2: zero key, zero IV, one zero block.
  check_round_trip(EncrAlg::Aes128Gcm16, "00000000000000000000000000000000" "00000000",
                   "0000000000000000", "00000000000000000000000000000000",
                   "0388dace60b6a392f328c2b971b2fe78" "ab6e47d42cec13bdf53a67b21257bddf");
  check_round_trip(EncrAlg::Aes128Gcm16, k128, iv, p64,
                   "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
                   "4d5c2af327cd64a62cf35abd2ba6fab4");
  check_round_trip(EncrAlg::Aes128Gcm16, k128, iv, p60,
                   "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                   "5bc94fbc3221a5db94fae95ae7121a47",
                   aad);
  // Test case 14: zero 256-bit key.
  check_round_trip(EncrAlg::Aes256Gcm16,
                   "0000000000000000000000000000000000000000000000000000000000000000" "00000000",
                   "0000000000000000", "00000000000000000000000000000000",
                   "cea7403d4d606b6e074ec5d3baf39d18" "d0d1c8a799996bf0265b98b5d48ab919");
  check_round_trip(EncrAlg::Aes256Gcm16, k256, iv, p64,
                   "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                   "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
                   "b094dac5d93471bdec1a502270e3cc6c");
  check_round_trip(EncrAlg::Aes256Gcm16, k256, iv, p60,
                   "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                   "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                   "76fc6ece0f4e1768cddf8853bb2d551b",
                   aad);
  // RFC 4106 §6: the 8- and 12-byte ICVs are the leftmost bytes of the tag.
  check_round_trip(EncrAlg::Aes128Gcm12, k128, iv, p60,
                   "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                   "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                   "5bc94fbc3221a5db94fae95a",
                   aad);
  check_round_trip(EncrAlg::Aes256Gcm8, k256, iv, p60,
                   "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                   "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                   "76fc6ece0f4e1768",
                   aad);
}

TEST_CASE("ChaCha20-Poly1305: RFC 8439 §2.8.2 AEAD vector as RFC 7634 keymat") {
  // Key || 32-bit constant (the RFC 7634 salt); IV is the 64-bit part.
  const char* keymat =
      "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" "07000000";
  const char* plain =
      "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
      "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
      "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
      "637265656e20776f756c642062652069742e";
  check_round_trip(EncrAlg::ChaCha20Poly1305, keymat, "4041424344454647", plain,
                   "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                   "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                   "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                   "3ff4def08e4b7a9de576d26586cec64b6116"
                   "1ae10b594f09e26a7e902ecbd0600691",
                   "50515253c0c1c2c3c4c5c6c7");
  auto cipher = make_cipher(EncrAlg::ChaCha20Poly1305);
  CHECK(cipher->keymat_size() == 36);
  CHECK(cipher->iv_size() == 8);
  CHECK(cipher->icv_size() == 16);
  CHECK(cipher->block_size() == 1);
}

TEST_CASE("AEAD decryption fails on any tampering") {
  for (auto alg : {EncrAlg::Aes128Gcm16, EncrAlg::Aes256Gcm12, EncrAlg::Aes128Gcm8,
                   EncrAlg::ChaCha20Poly1305}) {
    auto cipher = make_cipher(alg);
    CAPTURE(name(alg));
    Bytes keymat(cipher->keymat_size(), 0x11);
    Bytes iv(cipher->iv_size(), 0x22);
    Bytes aad = from_hex("0102030405060708");
    Bytes plain(37, 0x33);
    auto sealed = cipher->encrypt(keymat, iv, plain, aad);
    REQUIRE(sealed.ok());
    REQUIRE(sealed->size() == plain.size() + cipher->icv_size());
    auto opened = cipher->decrypt(keymat, iv, *sealed, aad);
    REQUIRE(opened.ok());
    CHECK(*opened == plain);
    for (std::size_t at : {std::size_t{0}, plain.size(), sealed->size() - 1}) {
      Bytes bad = *sealed;
      bad[at] ^= 0x80;
      CHECK_FALSE(cipher->decrypt(keymat, iv, bad, aad).ok());
    }
    auto sealed_empty = cipher->encrypt(keymat, iv, {}, aad);
    REQUIRE(sealed_empty.ok());
    CHECK(sealed_empty->size() == cipher->icv_size());
    auto opened_empty = cipher->decrypt(keymat, iv, *sealed_empty, aad);
    REQUIRE(opened_empty.ok());
    CHECK(opened_empty->empty());
    Bytes other_aad = aad;
    other_aad[0] ^= 1;
    CHECK_FALSE(cipher->decrypt(keymat, iv, *sealed, other_aad).ok());
    Bytes other_salt = keymat;
    other_salt.back() ^= 1;
    CHECK_FALSE(cipher->decrypt(other_salt, iv, *sealed, aad).ok());
    CHECK_FALSE(cipher->decrypt(keymat, iv, ByteView(*sealed).first(cipher->icv_size() - 1), aad).ok());
    CHECK_FALSE(cipher->decrypt(keymat, Bytes(12, 0), *sealed, aad).ok());
  }
}

TEST_CASE("cipher metadata matches algorithms.hpp") {
  for (auto alg : {EncrAlg::DesCbc, EncrAlg::TripleDesCbc, EncrAlg::Aes128Cbc, EncrAlg::Aes192Cbc,
                   EncrAlg::Aes256Cbc, EncrAlg::Sm4Cbc, EncrAlg::Aes128Gcm16, EncrAlg::Aes256Gcm16,
                   EncrAlg::Aes128Gcm12, EncrAlg::Aes256Gcm12, EncrAlg::Aes128Gcm8,
                   EncrAlg::Aes256Gcm8, EncrAlg::ChaCha20Poly1305}) {
    auto cipher = make_cipher(alg);
    CAPTURE(name(alg));
    CHECK(cipher->alg() == alg);
    CHECK(cipher->is_aead() == is_aead(alg));
    CHECK(cipher->keymat_size() == key_size(alg) + (is_aead(alg) ? 4 : 0));
  }
  CHECK(dh_group_from_number(14) == DhGroup::Modp2048);
  CHECK_FALSE(dh_group_from_number(17).has_value());
  CHECK(is_weak(EncrAlg::DesCbc));
  CHECK(is_weak(DhGroup::Modp1024));
  CHECK_FALSE(is_weak(DhGroup::Curve25519));
  CHECK(name(EncrAlg::Aes256Gcm16) == "aes256gcm");
  CHECK(key_bits(EncrAlg::Aes192Cbc) == 192);
}
