// Encrypted ISAKMP messages (RFC 2409 Appendix B): 3DES and AES-CBC round
// trips, IV chaining, padding tolerance, framing errors, IV derivation.
#include <catch2/catch.hpp>

#include "ikev1_samples.hpp"
#include "libike/crypto/crypto.hpp"
#include "libike/ikev1/codec/codec.hpp"

using namespace ike;
using namespace ike::v1;
using crypto::EncrAlg;

namespace {

struct Suite {
  EncrAlg alg;
  std::unique_ptr<crypto::Cipher> cipher;
  Bytes key;
  Bytes iv;
};

Suite suite(EncrAlg alg) {
  auto c = crypto::make_cipher(alg);
  REQUIRE(c);
  Bytes key = samples::filled(c->keymat_size(), 0x40);
  Bytes iv = samples::filled(c->block_size(), 0x70);
  return Suite{alg, std::move(c), std::move(key), std::move(iv)};
}

EncryptedMessage must_encrypt(const Message& m, const Suite& s, ByteView iv) {
  auto e = encrypt_message(m, *s.cipher, s.key, iv);
  INFO((e ? "" : to_string(e.error())));
  REQUIRE(e.ok());
  return std::move(*e);
}

DecryptedMessage must_decrypt(ByteView wire, const Suite& s, ByteView iv) {
  auto d = decrypt_body(wire, *s.cipher, s.key, iv);
  INFO((d ? "" : to_string(d.error())));
  REQUIRE(d.ok());
  return std::move(*d);
}

void set_length(Bytes& wire) {
  auto n = static_cast<std::uint32_t>(wire.size());
  for (int i = 0; i < 4; ++i) wire[24 + i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
}

}  // namespace

TEST_CASE("Main Mode 5/6 encrypt, decrypt and chain IVs (3DES, AES-CBC)") {
  for (auto alg : {EncrAlg::TripleDesCbc, EncrAlg::Aes128Cbc, EncrAlg::Aes256Cbc}) {
    Suite s = suite(alg);
    INFO("cipher " << crypto::name(alg));
    Message m5 = samples::main_mode(5);
    auto e5 = must_encrypt(m5, s, s.iv);
    const auto& w = e5.wire;
    CHECK((w[19] & flags::kEncryption) != 0);
    CHECK((w.size() - kHeaderSize) % s.cipher->block_size() == 0);
    // RFC 2409 App. B: the next IV is the last ciphertext block.
    CHECK(e5.next_iv == Bytes(w.end() - static_cast<std::ptrdiff_t>(s.cipher->block_size()), w.end()));
    auto wh = decode_header(w);
    REQUIRE(wh.ok());
    CHECK(wh->length == w.size());

    auto d5 = must_decrypt(w, s, s.iv);
    CHECK(d5.message.payloads == m5.payloads);
    CHECK(d5.message.header.encrypted());
    CHECK(d5.next_iv == e5.next_iv);

    // Message 6 goes out under the IV message 5 left behind.
    Message m6 = samples::main_mode(6);
    auto e6 = must_encrypt(m6, s, d5.next_iv);
    auto d6 = must_decrypt(e6.wire, s, e5.next_iv);
    CHECK(d6.message.payloads == m6.payloads);
    CHECK(d6.next_iv == e6.next_iv);
    CHECK(d6.next_iv != d5.next_iv);
    // Under the stale IV only the first block garbles: the message does
    // not come back the same.
    auto stale = decrypt_body(e6.wire, *s.cipher, s.key, s.iv);
    CHECK((!stale.ok() || stale->message.payloads != m6.payloads));
  }
}

TEST_CASE("the plaintext is the payload chain padded with zeros") {
  Suite s = suite(EncrAlg::Aes128Cbc);
  Message m = samples::main_mode(6);
  auto e = must_encrypt(m, s, s.iv);
  auto plain = s.cipher->decrypt(s.key, s.iv, ByteView(e.wire).subspan(kHeaderSize), {});
  REQUIRE(plain.ok());
  auto chain = encode_payloads(m.payloads);
  REQUIRE(chain.ok());
  Bytes expect = *chain;
  expect.resize((expect.size() + 15) / 16 * 16, 0);
  CHECK(*plain == expect);
}

TEST_CASE("any padding after the last payload is accepted on receipt") {
  Suite s = suite(EncrAlg::TripleDesCbc);
  Message m = samples::quick_mode_1();
  auto chain = encode_payloads(m.payloads);
  REQUIRE(chain.ok());
  Bytes plain = *chain;
  // Non-zero padding, more than a block of it, last byte = pad length
  // (the RFC 2409 App. B variant some peers send).
  std::size_t pad = 8 - plain.size() % 8 + 8;
  for (std::size_t i = 0; i < pad; ++i) plain.push_back(static_cast<std::uint8_t>(0xa0 + i));
  plain.back() = static_cast<std::uint8_t>(pad - 1);
  auto ct = s.cipher->encrypt(s.key, s.iv, plain, {});
  REQUIRE(ct.ok());
  Message h = m;
  h.header.flags = 0;
  Writer w;
  write_header(m.header, PayloadType::Hash, 0, w);
  Bytes wire = w.take();
  wire[19] = flags::kEncryption;
  wire.insert(wire.end(), ct->begin(), ct->end());
  set_length(wire);
  auto d = must_decrypt(wire, s, s.iv);
  CHECK(d.message.payloads == m.payloads);
  // HASH(1) covers the payloads after HASH without the padding.
  std::vector<Payload> rest(m.payloads.begin() + 1, m.payloads.end());
  CHECK(*bytes_after_hash(d.message) == *encode_payloads(rest));
}

TEST_CASE("framing and cipher errors are DecryptFailed; garbage is flagged after decryption") {
  Suite s = suite(EncrAlg::Aes256Cbc);
  auto e = must_encrypt(samples::main_mode(5), s, s.iv);

  Bytes plain_wire = *encode(samples::main_mode(5));
  CHECK(decrypt_body(plain_wire, *s.cipher, s.key, s.iv).error().code == ParseErrc::DecryptFailed);

  Bytes cut = e.wire;
  cut.resize(cut.size() - 3);
  set_length(cut);
  CHECK(decrypt_body(cut, *s.cipher, s.key, s.iv).error().code == ParseErrc::DecryptFailed);

  Bytes empty(e.wire.begin(), e.wire.begin() + kHeaderSize);
  set_length(empty);
  CHECK(decrypt_body(empty, *s.cipher, s.key, s.iv).error().code == ParseErrc::DecryptFailed);

  Bytes short_iv(8, 0);
  CHECK(decrypt_body(e.wire, *s.cipher, s.key, short_iv).error().code == ParseErrc::DecryptFailed);
  CHECK(encrypt_message(samples::main_mode(5), *s.cipher, s.key, short_iv).error().code ==
        ParseErrc::EncryptFailed);
  Bytes short_key(5, 0);
  CHECK(encrypt_message(samples::main_mode(5), *s.cipher, short_key, s.iv).error().code ==
        ParseErrc::EncryptFailed);

  auto gcm = crypto::make_cipher(EncrAlg::Aes128Gcm16);
  REQUIRE(gcm);
  CHECK(decrypt_body(e.wire, *gcm, Bytes(20, 0), Bytes(8, 0)).error().code ==
        ParseErrc::DecryptFailed);

  // Nothing to encrypt, or an encrypted header announcing no payload.
  Message none{samples::header(kMainMode, true), {}, {}};
  CHECK(encrypt_message(none, *s.cipher, s.key, s.iv).error().code == ParseErrc::BadValue);
  Bytes no_first = e.wire;
  no_first[16] = 0;
  CHECK(decrypt_body(no_first, *s.cipher, s.key, s.iv).error().code == ParseErrc::BadValue);

  // Wrong key (a PSK mismatch): the plaintext is noise.
  Bytes wrong = s.key;
  wrong[0] ^= 1;
  auto d = decrypt_body(e.wire, *s.cipher, wrong, s.iv);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().after_decryption);
  CHECK(to_string(d.error()).find("wrong key?") != std::string::npos);

  // Every truncated (block-aligned, header-consistent) prefix fails cleanly.
  for (std::size_t n = kHeaderSize; n < e.wire.size(); n += 1) {
    Bytes p(e.wire.begin(), e.wire.begin() + static_cast<std::ptrdiff_t>(n));
    set_length(p);
    CHECK_FALSE(decrypt_body(p, *s.cipher, s.key, s.iv).ok());
  }
}

TEST_CASE("phase-1 and phase-2 IVs (RFC 2409 Appendix B)") {
  // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
  CHECK(phase1_iv(crypto::HashAlg::Sha1, as_bytes("a"), as_bytes("bc"), 8) ==
        from_hex("a9993e364706816a"));
  CHECK(phase1_iv(crypto::HashAlg::Sha1, as_bytes("a"), as_bytes("bc"), 16) ==
        from_hex("a9993e364706816aba3e25717850c26c"));
  Bytes last = samples::filled(16, 3);
  Bytes expect = crypto::hash(crypto::HashAlg::Sha256, concat(last, from_hex("5eed1234")));
  expect.resize(16);
  CHECK(phase2_iv(crypto::HashAlg::Sha256, last, 0x5eed1234, 16) == expect);
}
