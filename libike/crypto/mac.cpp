// HMAC PRFs and integrity algorithms, and plain hashes, over OpenSSL 3's
// EVP_MAC / EVP_MD. RFC 2104 (HMAC), RFC 2404 (HMAC-SHA-1-96), RFC 2403
// (HMAC-MD5-96), RFC 4868 (HMAC-SHA-256/384/512 truncated to half).
#include <array>
#include <cstdlib>

#include "libike/crypto/crypto.hpp"
#include "libike/crypto/mac_internal.hpp"
#include "libike/crypto/ossl.hpp"

namespace ike::crypto {

namespace {

using detail::MacCtxPtr;
using detail::MacPtr;

// HMAC(key, data) with the full digest output into a Secret.
Secret hmac(EVP_MAC* mac, HashAlg alg, ByteView key, ByteView data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  if (!ctx) std::abort();
  std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(detail::md_name(alg)), 0),
      OSSL_PARAM_construct_end()};
  // OpenSSL treats a null key as "keep the previous key"; an empty
  // (RFC 2104: zero-padded) key needs a non-null pointer.
  static constexpr std::uint8_t empty_key = 0;
  const std::uint8_t* key_ptr = key.empty() ? &empty_key : key.data();
  Secret out(hash_size(alg));
  std::size_t out_len = 0;
  if (EVP_MAC_init(ctx.get(), key_ptr, key.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) != 1 || out_len != out.size()) {
    std::abort();  // only allocation failure can get here
  }
  return out;
}

class HmacPrf final : public Prf {
 public:
  HmacPrf(PrfAlg alg, HashAlg hash_alg)
      : alg_(alg), hash_(hash_alg), mac_(detail::fetch_mac("HMAC")) {}
  PrfAlg alg() const override { return alg_; }
  std::size_t output_size() const override { return hash_size(hash_); }
  // RFC 7296 §2.13: for HMAC PRFs the preferred key length is the output.
  std::size_t key_size() const override { return hash_size(hash_); }
  Secret compute(ByteView key, ByteView data) const override {
    return hmac(mac_.get(), hash_, key, data);
  }

 private:
  PrfAlg alg_;
  HashAlg hash_;
  MacPtr mac_;
};

// HMAC truncated to its leftmost icv_size bytes (RFC 2404 §2, RFC 4868
// §2.3); the key is as long as the digest (RFC 4868 §2.1.1).
class HmacIntegrity final : public Integrity {
 public:
  HmacIntegrity(IntegAlg alg, HashAlg hash_alg, std::size_t icv_size)
      : alg_(alg), hash_(hash_alg), icv_size_(icv_size), mac_(detail::fetch_mac("HMAC")) {}
  IntegAlg alg() const override { return alg_; }
  std::size_t key_size() const override { return hash_size(hash_); }
  std::size_t icv_size() const override { return icv_size_; }
  Bytes sign(ByteView key, ByteView data) const override {
    Secret full = hmac(mac_.get(), hash_, key, data);
    return Bytes(full.data(), full.data() + icv_size_);
  }
  bool verify(ByteView key, ByteView data, ByteView icv) const override {
    if (icv.size() != icv_size_) return false;
    Secret full = hmac(mac_.get(), hash_, key, data);
    return equal_constant_time(full.view().first(icv_size_), icv);
  }

 private:
  IntegAlg alg_;
  HashAlg hash_;
  std::size_t icv_size_;
  MacPtr mac_;
};

}  // namespace

std::unique_ptr<Prf> make_prf(PrfAlg alg) {
  switch (alg) {
    case PrfAlg::AesXcbc:
    case PrfAlg::AesCmac:
      return detail::make_aes_prf(alg);
    default:
      return std::make_unique<HmacPrf>(alg, hash_of(alg));
  }
}

std::unique_ptr<Integrity> make_integrity(IntegAlg alg) {
  switch (alg) {
    case IntegAlg::HmacMd5_96:
      return std::make_unique<HmacIntegrity>(alg, HashAlg::Md5, 12);  // RFC 2403
    case IntegAlg::HmacSha1_96:
      return std::make_unique<HmacIntegrity>(alg, HashAlg::Sha1, 12);  // RFC 2404
    case IntegAlg::HmacSha256_128:
      return std::make_unique<HmacIntegrity>(alg, HashAlg::Sha256, 16);  // RFC 4868
    case IntegAlg::HmacSha384_192:
      return std::make_unique<HmacIntegrity>(alg, HashAlg::Sha384, 24);  // RFC 4868
    case IntegAlg::HmacSha512_256:
      return std::make_unique<HmacIntegrity>(alg, HashAlg::Sha512, 32);  // RFC 4868
    case IntegAlg::HmacSm3_128:
      // Private-use: SM3's 256-bit HMAC truncated to half, as RFC 4868
      // does for SHA-256.
      return std::make_unique<HmacIntegrity>(alg, HashAlg::Sm3, 16);
    case IntegAlg::AesXcbc96:
    case IntegAlg::AesCmac96:
      return detail::make_aes_integrity(alg);
  }
  return nullptr;
}

Bytes hash(HashAlg alg, ByteView data) {
  static constexpr std::uint8_t empty = 0;
  detail::MdPtr md(detail::fetch_md(detail::md_name(alg)));
  Bytes out(hash_size(alg));
  unsigned int out_len = 0;
  if (EVP_Digest(data.empty() ? &empty : data.data(), data.size(), out.data(), &out_len, md.get(),
                 nullptr) != 1 ||
      out_len != out.size()) {
    std::abort();
  }
  return out;
}

std::size_t hash_size(HashAlg alg) {
  switch (alg) {
    case HashAlg::Md5: return 16;
    case HashAlg::Sha1: return 20;
    case HashAlg::Sha256: return 32;
    case HashAlg::Sha384: return 48;
    case HashAlg::Sha512: return 64;
    case HashAlg::Sm3: return 32;
  }
  return 0;
}

}  // namespace ike::crypto
