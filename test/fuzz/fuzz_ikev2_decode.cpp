// libFuzzer target for the IKEv2 codec (libike/ikev2/codec). Three paths
// per input:
//  1. decode(input); when it succeeds, encode -> decode must succeed, give
//     the same Message, and encode to the same bytes again;
//  2. decode_protected(input) with fixed keys (the pre-authentication
//     checks: almost every input stops at the ICV);
//  3. the input sealed as the plaintext of a protected message with the
//     same keys, so that the inner payload parser runs behind a valid ICV;
//     when that decodes, encode_protected -> decode_protected must agree.
#include <cstdint>
#include <cstdlib>

#include "libike/common/random.hpp"
#include "libike/ikev2/codec/codec.hpp"

using namespace ike;
using namespace ike::v2;

namespace {

struct FixedKeys {
  std::unique_ptr<crypto::Cipher> cipher = crypto::make_cipher(crypto::EncrAlg::Aes128Cbc);
  std::unique_ptr<crypto::Integrity> integ = crypto::make_integrity(crypto::IntegAlg::HmacSha256_128);
  Bytes ekey = Bytes(16, 0x11);
  Bytes akey = Bytes(32, 0x22);
  SkKeys keys() const { return {cipher.get(), integ.get(), ekey, akey}; }
};

const FixedKeys& fixed() {
  static const FixedKeys k;
  return k;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void plain_round_trip(ByteView data) {
  auto m = decode(data);
  if (!m) return;
  Bytes again = encode(*m);
  auto m2 = decode(again);
  check(m2.ok());
  check(*m2 == *m);
  check(encode(*m2) == again);
}

// The input's header (Next Payload forced to SK, length recomputed) and
// its payload bytes as the SK plaintext, first inner type = the input's
// Next Payload: RFC 7296 §3.14 layout, CBC + HMAC.
Bytes seal(ByteView data) {
  const FixedKeys& k = fixed();
  Bytes pt(data.begin() + kHeaderSize, data.end());
  std::size_t block = k.cipher->block_size();
  std::size_t pad = (block - (pt.size() + 1) % block) % block;
  pt.insert(pt.end(), pad, 0);
  pt.push_back(static_cast<std::uint8_t>(pad));
  Bytes iv(k.cipher->iv_size(), 0x33);
  auto ct = k.cipher->encrypt(k.ekey, iv, pt, {});
  if (!ct) return {};
  std::size_t sk_len = kGenericHeaderSize + iv.size() + ct->size() + k.integ->icv_size();
  std::size_t total = kHeaderSize + sk_len;
  Bytes wire(data.begin(), data.begin() + kHeaderSize);
  wire[16] = static_cast<std::uint8_t>(PayloadType::Sk);
  for (int i = 0; i < 4; ++i) wire[24 + i] = static_cast<std::uint8_t>(total >> (24 - 8 * i));
  wire.push_back(data[16]);
  wire.push_back(0);
  wire.push_back(static_cast<std::uint8_t>(sk_len >> 8));
  wire.push_back(static_cast<std::uint8_t>(sk_len));
  wire.insert(wire.end(), iv.begin(), iv.end());
  wire.insert(wire.end(), ct->begin(), ct->end());
  Bytes icv = k.integ->sign(k.akey, wire);
  wire.insert(wire.end(), icv.begin(), icv.end());
  return wire;
}

void protected_round_trip(ByteView data) {
  if (data.size() < kHeaderSize || data.size() > 8192) return;
  Bytes sealed = seal(data);
  auto m = decode_protected(sealed, fixed().keys());
  if (!m) return;
  SeededRandom rng(1);
  auto again = encode_protected(*m, fixed().keys(), rng);
  check(again.ok());
  auto m2 = decode_protected(*again, fixed().keys());
  check(m2.ok());
  check(*m2 == *m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView input(data, size);
  plain_round_trip(input);
  (void)decode_protected(input, fixed().keys());
  protected_round_trip(input);
  return 0;
}
