// The IKEv2 Encrypted payload (RFC 7296 §3.14, RFC 5282, RFC 7634):
// round trips with CBC+HMAC and AEAD, integrity before anything else,
// padding, framing after authentication.
#include <catch2/catch.hpp>

#include "ikev2_samples.hpp"
#include "libike/common/random.hpp"
#include "libike/ikev2/codec/protected.hpp"

using namespace ike;
using namespace ike::v2;

namespace {

// One direction's algorithms and keys, owned for the test.
struct Suite {
  std::unique_ptr<crypto::Cipher> cipher;
  std::unique_ptr<crypto::Integrity> integrity;
  Bytes ekey, akey;

  Suite(crypto::EncrAlg e, std::optional<crypto::IntegAlg> a, std::uint64_t seed) {
    SeededRandom rng(seed);
    cipher = crypto::make_cipher(e);
    ekey = rng.bytes(cipher->keymat_size());
    if (a) {
      integrity = crypto::make_integrity(*a);
      akey = rng.bytes(integrity->key_size());
    }
  }
  SkKeys keys() const { return {cipher.get(), integrity.get(), ekey, akey}; }
};

Suite suite_named(const std::string& name) {
  using crypto::EncrAlg;
  if (name == "aes128-cbc+hmac-sha256") return {EncrAlg::Aes128Cbc, crypto::IntegAlg::HmacSha256_128, 1};
  if (name == "aes256-cbc+hmac-sha512") return {EncrAlg::Aes256Cbc, crypto::IntegAlg::HmacSha512_256, 2};
  if (name == "aes128-gcm16") return {EncrAlg::Aes128Gcm16, std::nullopt, 3};
  if (name == "aes256-gcm16") return {EncrAlg::Aes256Gcm16, std::nullopt, 4};
  return {EncrAlg::ChaCha20Poly1305, std::nullopt, 5};
}

const char* kSuites[] = {"aes128-cbc+hmac-sha256", "aes256-cbc+hmac-sha512", "aes128-gcm16", "aes256-gcm16",
                         "chacha20-poly1305"};

Bytes protect(const Message& m, const Suite& s, std::uint64_t seed = 7) {
  SeededRandom rng(seed);
  auto wire = encode_protected(m, s.keys(), rng);
  if (!wire) FAIL(wire.error().message);
  return *wire;
}

// A protected message built by hand, for what encode_protected never
// produces: chosen padding bytes, a lying pad length, a wrong Next Payload
// in the header. CBC + HMAC only.
Bytes seal_by_hand(const Suite& s, const Header& h, PayloadType header_next, ByteView inner,
                   PayloadType first_inner, ByteView padding, std::uint8_t pad_length) {
  Bytes pt(inner.begin(), inner.end());
  pt.insert(pt.end(), padding.begin(), padding.end());
  pt.push_back(pad_length);
  Bytes iv(s.cipher->iv_size(), 0x42);
  std::size_t sk_body = iv.size() + pt.size() + s.integrity->icv_size();
  Bytes wire = encode(Message{h, {EncryptedPayload{first_inner, Bytes(sk_body)}}});
  wire.resize(kHeaderSize + kGenericHeaderSize);
  wire[16] = static_cast<std::uint8_t>(header_next);
  auto ct = s.cipher->encrypt(s.ekey, iv, pt, {});
  REQUIRE(ct.ok());
  wire.insert(wire.end(), iv.begin(), iv.end());
  wire.insert(wire.end(), ct->begin(), ct->end());
  Bytes icv = s.integrity->sign(s.akey, wire);
  wire.insert(wire.end(), icv.begin(), icv.end());
  return wire;
}

Bytes inner_chain(const Message& m, PayloadType& first) { return encode_chain(m.payloads, first); }

}  // namespace

TEST_CASE("ikev2 SK: round trip and layout", "[ikev2][sk]") {
  for (const char* name : kSuites) {
    INFO(name);
    Suite s = suite_named(name);
    Message m = samples::auth_request_inner();
    Bytes wire = protect(m, s);

    auto back = decode_protected(wire, s.keys());
    if (!back) FAIL(to_string(back.error()));
    CHECK(*back == m);

    // On the wire: HDR, SK {...} with the SK payload's Next Payload = IDi.
    auto outer = decode(wire);
    REQUIRE(outer.ok());
    REQUIRE(outer->payloads.size() == 1);
    const auto& sk = std::get<EncryptedPayload>(outer->payloads[0]);
    CHECK(sk.first_inner == PayloadType::IdI);
    std::size_t icv = s.integrity ? s.integrity->icv_size() : s.cipher->icv_size();
    std::size_t ct = sk.data.size() - s.cipher->iv_size() - icv;
    CHECK(ct % std::max<std::size_t>(1, s.cipher->block_size()) == 0);
    CHECK(wire.size() <= encode(m).size() + protected_overhead(s.keys()));

    // A fresh IV every time.
    CHECK(protect(m, s, 8) != wire);
  }
}

TEST_CASE("ikev2 SK: empty INFORMATIONAL (liveness check)", "[ikev2][sk]") {
  for (const char* name : kSuites) {
    INFO(name);
    Suite s = suite_named(name);
    Message m{samples::auth_header(), {}};
    m.header.exchange = ExchangeType::Informational;
    m.header.message_id = 5;
    Bytes wire = protect(m, s);
    auto back = decode_protected(wire, s.keys());
    REQUIRE(back.ok());
    CHECK(back->payloads.empty());
    CHECK(back->header == m.header);
  }
}

TEST_CASE("ikev2 SK: any flipped bit fails integrity", "[ikev2][sk]") {
  for (const char* name : kSuites) {
    INFO(name);
    Suite s = suite_named(name);
    Bytes wire = protect(samples::auth_request_inner(), s);
    for (std::size_t i = 0; i < wire.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = wire;
        bad[i] = static_cast<std::uint8_t>(bad[i] ^ (1 << bit));
        auto r = decode_protected(bad, s.keys());
        INFO("byte " << i << " bit " << bit);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ParseErrc::IntegrityFailed);
      }
    }
  }
}

TEST_CASE("ikev2 SK: wrong keys, truncation, bad key sizes", "[ikev2][sk]") {
  for (const char* name : kSuites) {
    INFO(name);
    Suite s = suite_named(name);
    Bytes wire = protect(samples::auth_request_inner(), s);

    Suite other = suite_named(name);
    other.ekey[0] ^= 1;
    if (!other.akey.empty()) {
      other.ekey = s.ekey;
      other.akey[0] ^= 1;
    }
    auto wrong = decode_protected(wire, other.keys());
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ParseErrc::IntegrityFailed);
    CHECK_FALSE(error_notify(wrong.error()));

    for (std::size_t n = 0; n < wire.size(); ++n)
      CHECK_FALSE(decode_protected(ByteView(wire).first(n), s.keys()).ok());
    Bytes longer = wire;
    longer.push_back(0);
    CHECK_FALSE(decode_protected(longer, s.keys()).ok());

    SkKeys broken = s.keys();
    broken.encryption_key = ByteView(s.ekey).first(s.ekey.size() - 1);
    SeededRandom rng(1);
    CHECK_FALSE(encode_protected(samples::auth_request_inner(), broken, rng).ok());
    auto r = decode_protected(wire, broken);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ParseErrc::DecryptFailed);
  }
}

TEST_CASE("ikev2 SK: an unprotected message is refused", "[ikev2][sk]") {
  Suite s = suite_named("aes128-gcm16");
  auto r = decode_protected(encode(samples::init_request()), s.keys());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ParseErrc::IntegrityFailed);
  Message nested = samples::auth_request_inner();
  nested.add(EncryptedPayload{PayloadType::None, {1, 2, 3}});
  SeededRandom rng(1);
  CHECK_FALSE(encode_protected(nested, s.keys(), rng).ok());
}

TEST_CASE("ikev2 SK: padding and framing after authentication", "[ikev2][sk]") {
  Suite s = suite_named("aes128-cbc+hmac-sha256");
  Message m = samples::auth_request_inner();
  PayloadType first = PayloadType::None;
  Bytes inner = inner_chain(m, first);
  std::size_t block = s.cipher->block_size();
  std::size_t fill = block - (inner.size() + 1) % block + block;  // more than one block of padding

  SECTION("any padding value is accepted (§3.14)") {
    Bytes padding(fill, 0xee);
    Bytes wire = seal_by_hand(s, m.header, PayloadType::Sk, inner, first, padding,
                              static_cast<std::uint8_t>(fill));
    auto back = decode_protected(wire, s.keys());
    if (!back) FAIL(to_string(back.error()));
    CHECK(back->payloads == m.payloads);
  }
  SECTION("pad length beyond the plaintext") {
    Bytes padding(fill, 0);
    Bytes wire = seal_by_hand(s, m.header, PayloadType::Sk, inner, first, padding, 255);
    auto r = decode_protected(wire, s.keys());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ParseErrc::BadPadding);
  }
  SECTION("wrong pad length shifts the inner chain") {
    Bytes padding(fill, 0);
    Bytes wire = seal_by_hand(s, m.header, PayloadType::Sk, inner, first, padding,
                              static_cast<std::uint8_t>(fill - 1));
    auto r = decode_protected(wire, s.keys());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().inner);
  }
  SECTION("header does not announce SK") {
    Bytes padding(fill, 0);
    Bytes wire = seal_by_hand(s, m.header, PayloadType::Nonce, inner, first, padding,
                              static_cast<std::uint8_t>(fill));
    auto r = decode_protected(wire, s.keys());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ParseErrc::BadNesting);
  }
  SECTION("inner chain errors are typed and marked inner") {
    Message bad = m;
    bad.payloads.insert(bad.payloads.begin(), UnknownPayload{PayloadType{222}, true, {1}});
    Bytes wire = protect(bad, s);
    auto r = decode_protected(wire, s.keys());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ParseErrc::UnsupportedCritical);
    CHECK(r.error().payload == PayloadType{222});
    CHECK(r.error().inner);
    CHECK(r.error().offset == 0);
  }
  SECTION("SK inside SK") {
    PayloadType f2 = PayloadType::None;
    Bytes sk_chain = encode_chain({EncryptedPayload{PayloadType::None, {1, 2, 3, 4}}}, f2);
    Bytes padding(block - (sk_chain.size() + 1) % block, 0);
    Bytes wire = seal_by_hand(s, m.header, PayloadType::Sk, sk_chain, f2, padding,
                              static_cast<std::uint8_t>(padding.size()));
    auto r = decode_protected(wire, s.keys());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ParseErrc::BadNesting);
  }
}
