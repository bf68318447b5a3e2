#include "libike/crypto/kdf_v2.hpp"

#include <algorithm>

namespace ike::crypto::v2 {

namespace {

// RFC 7296 §2.13: the counter is one octet, so at most 255 blocks.
constexpr std::size_t kMaxPrfPlusBlocks = 255;
// RFC 7296 §2.14: fixed-key PRFs take 64 bits of each nonce.
constexpr std::size_t kFixedKeyNonceBytes = 8;

bool has_fixed_key(const Prf& prf) {
  return prf.alg() == PrfAlg::AesXcbc || prf.alg() == PrfAlg::AesCmac;
}

// Cuts consecutive pieces off the front of `keymat` (callers size it).
class KeyCutter {
 public:
  explicit KeyCutter(const Secret& keymat) : keymat_(keymat) {}
  Secret next(std::size_t n) {
    Secret piece = keymat_.slice(offset_, n);
    offset_ += n;
    return piece;
  }

 private:
  const Secret& keymat_;
  std::size_t offset_ = 0;
};

}  // namespace

Result<Secret> prf_plus(const Prf& prf, ByteView key, ByteView seed, std::size_t length) {
  const std::size_t blocks = (length + prf.output_size() - 1) / prf.output_size();
  if (blocks > kMaxPrfPlusBlocks) return fail("prf+: more key material requested than 255 blocks");
  Secret out;
  Secret t;  // T0 is empty
  for (std::size_t n = 1; n <= blocks; ++n) {
    Secret input = t;  // Tn-1 | S | n
    input.append(seed);
    const std::uint8_t counter = static_cast<std::uint8_t>(n);
    input.append(ByteView(&counter, 1));
    t = prf.compute(key, input.view());
    out.append(t.view());
  }
  wipe(out.data() + length, out.size() - length);
  out.resize(length);
  return out;
}

Secret skeyseed(const Prf& prf, ByteView ni, ByteView nr, const Secret& g_ir) {
  if (has_fixed_key(prf)) {
    Secret key(ni.first(std::min(ni.size(), kFixedKeyNonceBytes)));
    key.append(nr.first(std::min(nr.size(), kFixedKeyNonceBytes)));
    return prf.compute(key.view(), g_ir.view());
  }
  return prf.compute(concat(ni, nr), g_ir.view());
}

Secret rekey_skeyseed(const Prf& prf, const Secret& sk_d_old, const Secret& g_ir_new, ByteView ni,
                      ByteView nr) {
  Secret input = g_ir_new;
  input.append(ni);
  input.append(nr);
  return prf.compute(sk_d_old.view(), input.view());
}

IkeSaKeySizes ike_sa_key_sizes(const Prf& prf, const Integrity* integ, const Cipher& cipher) {
  IkeSaKeySizes sizes;
  sizes.sk_d = prf.key_size();
  sizes.integ = (integ != nullptr && !cipher.is_aead()) ? integ->key_size() : 0;
  sizes.encr = cipher.keymat_size();
  return sizes;
}

Result<IkeSaKeys> derive_ike_sa_keys(const Prf& prf, const Secret& skeyseed, ByteView ni,
                                     ByteView nr, ByteView spi_i, ByteView spi_r,
                                     const IkeSaKeySizes& sizes) {
  const std::size_t total = 3 * sizes.sk_d + 2 * sizes.integ + 2 * sizes.encr;
  auto keymat = prf_plus(prf, skeyseed.view(), concat(ni, nr, spi_i, spi_r), total);
  if (!keymat) return fail(keymat.error());
  KeyCutter cut(*keymat);
  IkeSaKeys keys;
  keys.sk_d = cut.next(sizes.sk_d);
  keys.sk_ai = cut.next(sizes.integ);
  keys.sk_ar = cut.next(sizes.integ);
  keys.sk_ei = cut.next(sizes.encr);
  keys.sk_er = cut.next(sizes.encr);
  keys.sk_pi = cut.next(sizes.sk_d);
  keys.sk_pr = cut.next(sizes.sk_d);
  return keys;
}

Result<Secret> child_sa_keymat(const Prf& prf, const Secret& sk_d, ByteView ni, ByteView nr,
                               std::size_t length) {
  return prf_plus(prf, sk_d.view(), concat(ni, nr), length);
}

Result<Secret> child_sa_keymat_pfs(const Prf& prf, const Secret& sk_d, const Secret& g_ir_new,
                                   ByteView ni, ByteView nr, std::size_t length) {
  Secret seed = g_ir_new;
  seed.append(ni);
  seed.append(nr);
  return prf_plus(prf, sk_d.view(), seed.view(), length);
}

std::size_t child_sa_keymat_size(std::size_t encr, std::size_t integ) { return 2 * (encr + integ); }

Result<ChildSaKeys> split_child_sa_keymat(const Secret& keymat, std::size_t encr,
                                          std::size_t integ) {
  if (keymat.size() < child_sa_keymat_size(encr, integ)) return fail("child SA KEYMAT too short");
  KeyCutter cut(keymat);
  ChildSaKeys keys;
  keys.encr_i = cut.next(encr);
  keys.integ_i = cut.next(integ);
  keys.encr_r = cut.next(encr);
  keys.integ_r = cut.next(integ);
  return keys;
}

}  // namespace ike::crypto::v2
