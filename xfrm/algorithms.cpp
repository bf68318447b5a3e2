#include "xfrm/algorithms.hpp"

namespace kite::xfrm {

using ike::crypto::EncrAlg;
using ike::crypto::IntegAlg;

namespace {

// RFC 4106 §8.1: the GCM key is followed by a 4-byte salt. RFC 7634 §2:
// ChaCha20-Poly1305 for ESP likewise takes a 32-byte key plus 4-byte salt.
constexpr std::size_t kSaltBytes = 4;

KernelAlgorithm gcm(std::size_t key_bytes, unsigned icv_bits) {
  return {"rfc4106(gcm(aes))", "CONFIG_CRYPTO_GCM", AlgorithmKind::Aead, key_bytes + kSaltBytes,
          icv_bits};
}

KernelAlgorithm cbc(std::string_view name, std::string_view config, std::size_t key_bytes) {
  return {name, config, AlgorithmKind::Cipher, key_bytes, 0};
}

}  // namespace

KernelAlgorithm kernel_algorithm(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::DesCbc: return cbc("cbc(des)", "CONFIG_CRYPTO_DES", 8);
    case EncrAlg::TripleDesCbc: return cbc("cbc(des3_ede)", "CONFIG_CRYPTO_DES", 24);
    case EncrAlg::Aes128Cbc: return cbc("cbc(aes)", "CONFIG_CRYPTO_AES", 16);
    case EncrAlg::Aes192Cbc: return cbc("cbc(aes)", "CONFIG_CRYPTO_AES", 24);
    case EncrAlg::Aes256Cbc: return cbc("cbc(aes)", "CONFIG_CRYPTO_AES", 32);
    case EncrAlg::Sm4Cbc: return cbc("cbc(sm4)", "CONFIG_CRYPTO_SM4_GENERIC", 16);
    // RFC 4106 §3: ICVs of 16, 12 or 8 bytes.
    case EncrAlg::Aes128Gcm16: return gcm(16, 128);
    case EncrAlg::Aes256Gcm16: return gcm(32, 128);
    case EncrAlg::Aes128Gcm12: return gcm(16, 96);
    case EncrAlg::Aes256Gcm12: return gcm(32, 96);
    case EncrAlg::Aes128Gcm8: return gcm(16, 64);
    case EncrAlg::Aes256Gcm8: return gcm(32, 64);
    case EncrAlg::ChaCha20Poly1305:
      return {"rfc7539esp(chacha20,poly1305)", "CONFIG_CRYPTO_CHACHA20POLY1305",
              AlgorithmKind::Aead, 32 + kSaltBytes, 128};
  }
  return {};
}

KernelAlgorithm kernel_algorithm(IntegAlg alg) {
  auto hmac = [](std::string_view name, std::string_view config, std::size_t key, unsigned bits) {
    return KernelAlgorithm{name, config, AlgorithmKind::Integrity, key, bits};
  };
  switch (alg) {
    // RFC 2403/2404: HMAC-MD5-96, HMAC-SHA1-96, key = hash output size.
    case IntegAlg::HmacMd5_96: return hmac("hmac(md5)", "CONFIG_CRYPTO_MD5", 16, 96);
    case IntegAlg::HmacSha1_96: return hmac("hmac(sha1)", "CONFIG_CRYPTO_SHA1", 20, 96);
    // RFC 4868 §2.3: SHA-2 truncated to half the hash length.
    case IntegAlg::HmacSha256_128: return hmac("hmac(sha256)", "CONFIG_CRYPTO_SHA256", 32, 128);
    case IntegAlg::HmacSha384_192: return hmac("hmac(sha384)", "CONFIG_CRYPTO_SHA512", 48, 192);
    case IntegAlg::HmacSha512_256: return hmac("hmac(sha512)", "CONFIG_CRYPTO_SHA512", 64, 256);
    // SM3 is a 256-bit hash; kite truncates like SHA-256 (128 bits).
    case IntegAlg::HmacSm3_128: return hmac("hmac(sm3)", "CONFIG_CRYPTO_SM3_GENERIC", 32, 128);
    // RFC 3566 / RFC 4494: AES-XCBC-MAC-96 and AES-CMAC-96, 128-bit key.
    case IntegAlg::AesXcbc96: return hmac("xcbc(aes)", "CONFIG_CRYPTO_XCBC", 16, 96);
    case IntegAlg::AesCmac96: return hmac("cmac(aes)", "CONFIG_CRYPTO_CMAC", 16, 96);
  }
  return {};
}

}  // namespace kite::xfrm
