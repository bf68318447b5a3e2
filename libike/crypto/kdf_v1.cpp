#include "libike/crypto/kdf_v1.hpp"

#include <algorithm>
#include <utility>

namespace ike::crypto::v1 {

namespace {

// Concatenation of secret and public parts into a wiped buffer.
template <typename... Parts>
Secret joined(const Parts&... parts) {
  Secret out;
  (out.append(parts), ...);
  return out;
}

ByteView octet(const std::uint8_t& value) { return {&value, 1}; }

// K1 | K2 | ... until `length` bytes, Kn = prf(key, Kn-1 | tail), K1 =
// prf(key, first_input): the expansion shared by Appendix B and §5.5.
Secret expand(const Prf& prf, ByteView key, const Secret& first_input, ByteView tail,
              std::size_t length) {
  Secret block = prf.compute(key, first_input.view());
  Secret out = block;
  while (out.size() < length) {
    block = prf.compute(key, joined(block.view(), tail).view());
    out.append(block.view());
  }
  wipe(out.data() + length, out.size() - length);
  out.resize(length);
  return out;
}

Bytes truncated_hash(HashAlg hash_alg, ByteView data, std::size_t block_size) {
  Bytes digest = hash(hash_alg, data);
  digest.resize(std::min(block_size, digest.size()));
  return digest;
}

}  // namespace

Secret skeyid_psk(const Prf& prf, const Secret& psk, ByteView ni_b, ByteView nr_b) {
  return prf.compute(psk.view(), concat(ni_b, nr_b));
}

Phase1Keys derive_phase1_keys(const Prf& prf, Secret skeyid, const Secret& gxy, ByteView cky_i,
                              ByteView cky_r) {
  static constexpr std::uint8_t zero = 0, one = 1, two = 2;
  Phase1Keys keys;
  keys.skeyid_d = prf.compute(skeyid.view(), joined(gxy.view(), cky_i, cky_r, octet(zero)).view());
  keys.skeyid_a = prf.compute(
      skeyid.view(), joined(keys.skeyid_d.view(), gxy.view(), cky_i, cky_r, octet(one)).view());
  keys.skeyid_e = prf.compute(
      skeyid.view(), joined(keys.skeyid_a.view(), gxy.view(), cky_i, cky_r, octet(two)).view());
  keys.skeyid = std::move(skeyid);
  return keys;
}

Phase1Keys derive_phase1_keys_psk(const Prf& prf, const Secret& psk, ByteView ni_b, ByteView nr_b,
                                  const Secret& gxy, ByteView cky_i, ByteView cky_r) {
  return derive_phase1_keys(prf, skeyid_psk(prf, psk, ni_b, nr_b), gxy, cky_i, cky_r);
}

Secret encryption_key(const Prf& prf, const Secret& skeyid_e, std::size_t key_size) {
  if (skeyid_e.size() >= key_size) return skeyid_e.slice(0, key_size);
  // Appendix B: K1 = prf(SKEYID_e, 0) with 0 a single zero octet, then
  // Kn = prf(SKEYID_e, Kn-1): the tail after Kn-1 is empty.
  static constexpr std::uint8_t zero = 0;
  return expand(prf, skeyid_e.view(), joined(octet(zero)), {}, key_size);
}

Bytes phase1_iv(HashAlg hash_alg, ByteView gxi, ByteView gxr, std::size_t block_size) {
  return truncated_hash(hash_alg, concat(gxi, gxr), block_size);
}

Bytes phase2_iv(HashAlg hash_alg, ByteView last_phase1_block, std::uint32_t message_id,
                std::size_t block_size) {
  const std::uint8_t mid[4] = {static_cast<std::uint8_t>(message_id >> 24),
                               static_cast<std::uint8_t>(message_id >> 16),
                               static_cast<std::uint8_t>(message_id >> 8),
                               static_cast<std::uint8_t>(message_id)};
  return truncated_hash(hash_alg, concat(last_phase1_block, mid), block_size);
}

Secret quick_mode_keymat(const Prf& prf, const Secret& skeyid_d, std::uint8_t protocol,
                         ByteView spi, ByteView ni_b, ByteView nr_b, std::size_t length) {
  Secret tail = joined(octet(protocol), spi, ni_b, nr_b);
  return expand(prf, skeyid_d.view(), tail, tail.view(), length);
}

Secret quick_mode_keymat_pfs(const Prf& prf, const Secret& skeyid_d, const Secret& gqm_xy,
                             std::uint8_t protocol, ByteView spi, ByteView ni_b, ByteView nr_b,
                             std::size_t length) {
  Secret tail = joined(gqm_xy.view(), octet(protocol), spi, ni_b, nr_b);
  return expand(prf, skeyid_d.view(), tail, tail.view(), length);
}

}  // namespace ike::crypto::v1
