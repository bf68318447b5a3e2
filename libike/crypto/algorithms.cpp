#include "libike/crypto/algorithms.hpp"

namespace ike::crypto {

bool is_aead(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::Aes128Gcm16:
    case EncrAlg::Aes256Gcm16:
    case EncrAlg::Aes128Gcm12:
    case EncrAlg::Aes256Gcm12:
    case EncrAlg::Aes128Gcm8:
    case EncrAlg::Aes256Gcm8:
    case EncrAlg::ChaCha20Poly1305:
      return true;
    default:
      return false;
  }
}

std::size_t key_size(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::DesCbc: return 8;
    case EncrAlg::TripleDesCbc: return 24;
    case EncrAlg::Aes128Cbc: return 16;
    case EncrAlg::Aes192Cbc: return 24;
    case EncrAlg::Aes256Cbc: return 32;
    case EncrAlg::Sm4Cbc: return 16;
    case EncrAlg::Aes128Gcm16:
    case EncrAlg::Aes128Gcm12:
    case EncrAlg::Aes128Gcm8: return 16;
    case EncrAlg::Aes256Gcm16:
    case EncrAlg::Aes256Gcm12:
    case EncrAlg::Aes256Gcm8: return 32;
    case EncrAlg::ChaCha20Poly1305: return 32;
  }
  return 0;
}

// DES and 3DES have fixed key lengths and never carry the IKE key-length
// attribute; their bit count (with parity bits) is reported for logs.
std::size_t key_bits(EncrAlg alg) { return key_size(alg) * 8; }

std::string_view name(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::DesCbc: return "des";
    case EncrAlg::TripleDesCbc: return "3des";
    case EncrAlg::Aes128Cbc: return "aes128";
    case EncrAlg::Aes192Cbc: return "aes192";
    case EncrAlg::Aes256Cbc: return "aes256";
    case EncrAlg::Sm4Cbc: return "sm4";
    case EncrAlg::Aes128Gcm16: return "aes128gcm";
    case EncrAlg::Aes256Gcm16: return "aes256gcm";
    case EncrAlg::Aes128Gcm12: return "aes128gcm12";
    case EncrAlg::Aes256Gcm12: return "aes256gcm12";
    case EncrAlg::Aes128Gcm8: return "aes128gcm8";
    case EncrAlg::Aes256Gcm8: return "aes256gcm8";
    case EncrAlg::ChaCha20Poly1305: return "chacha20poly1305";
  }
  return "unknown";
}

std::string_view name(IntegAlg alg) {
  switch (alg) {
    case IntegAlg::HmacMd5_96: return "md5";
    case IntegAlg::HmacSha1_96: return "sha1";
    case IntegAlg::HmacSha256_128: return "sha256";
    case IntegAlg::HmacSha384_192: return "sha384";
    case IntegAlg::HmacSha512_256: return "sha512";
    case IntegAlg::HmacSm3_128: return "sm3";
    case IntegAlg::AesXcbc96: return "aesxcbc";
    case IntegAlg::AesCmac96: return "aescmac";
  }
  return "unknown";
}

std::string_view name(PrfAlg alg) {
  switch (alg) {
    case PrfAlg::HmacMd5: return "prfmd5";
    case PrfAlg::HmacSha1: return "prfsha1";
    case PrfAlg::HmacSha256: return "prfsha256";
    case PrfAlg::HmacSha384: return "prfsha384";
    case PrfAlg::HmacSha512: return "prfsha512";
    case PrfAlg::HmacSm3: return "prfsm3";
    case PrfAlg::AesXcbc: return "prfaesxcbc";
    case PrfAlg::AesCmac: return "prfaescmac";
  }
  return "unknown";
}

std::string_view name(DhGroup group) {
  switch (group) {
    case DhGroup::Modp768: return "modp768";
    case DhGroup::Modp1024: return "modp1024";
    case DhGroup::Modp1536: return "modp1536";
    case DhGroup::Modp2048: return "modp2048";
    case DhGroup::Modp3072: return "modp3072";
    case DhGroup::Modp4096: return "modp4096";
    case DhGroup::Modp2048s256: return "modp2048s256";
    case DhGroup::Ecp256: return "ecp256";
    case DhGroup::Ecp384: return "ecp384";
    case DhGroup::Ecp521: return "ecp521";
    case DhGroup::Curve25519: return "curve25519";
  }
  return "unknown";
}

// The AES-based PRFs (RFC 4434, RFC 4615) have no underlying hash; for
// them this returns SHA-256, which no IKEv2 code path uses (IKEv1, the
// only user of a bare hash, always negotiates an HMAC PRF).
HashAlg hash_of(PrfAlg alg) {
  switch (alg) {
    case PrfAlg::HmacMd5: return HashAlg::Md5;
    case PrfAlg::HmacSha1: return HashAlg::Sha1;
    case PrfAlg::HmacSha256: return HashAlg::Sha256;
    case PrfAlg::HmacSha384: return HashAlg::Sha384;
    case PrfAlg::HmacSha512: return HashAlg::Sha512;
    case PrfAlg::HmacSm3: return HashAlg::Sm3;
    case PrfAlg::AesXcbc:
    case PrfAlg::AesCmac: return HashAlg::Sha256;
  }
  return HashAlg::Sha256;
}

PrfAlg prf_for(IntegAlg alg) {
  switch (alg) {
    case IntegAlg::HmacMd5_96: return PrfAlg::HmacMd5;
    case IntegAlg::HmacSha1_96: return PrfAlg::HmacSha1;
    case IntegAlg::HmacSha256_128: return PrfAlg::HmacSha256;
    case IntegAlg::HmacSha384_192: return PrfAlg::HmacSha384;
    case IntegAlg::HmacSha512_256: return PrfAlg::HmacSha512;
    case IntegAlg::HmacSm3_128: return PrfAlg::HmacSm3;
    case IntegAlg::AesXcbc96: return PrfAlg::AesXcbc;
    case IntegAlg::AesCmac96: return PrfAlg::AesCmac;
  }
  return PrfAlg::HmacSha256;
}

std::optional<DhGroup> dh_group_from_number(unsigned number) {
  switch (number) {
    case 1: case 2: case 5: case 14: case 15: case 16: case 24:
    case 19: case 20: case 21: case 31:
      return static_cast<DhGroup>(number);
    default:
      return std::nullopt;
  }
}

bool is_weak(EncrAlg alg) { return alg == EncrAlg::DesCbc; }

bool is_weak(IntegAlg alg) { return alg == IntegAlg::HmacMd5_96; }

// SPEC.md §2: groups 1, 2, 5 (under 2048 bits) and 24 (RFC 8247 §2.4:
// SHOULD NOT, its subgroup size is questioned) are weak.
bool is_weak(DhGroup group) {
  switch (group) {
    case DhGroup::Modp768:
    case DhGroup::Modp1024:
    case DhGroup::Modp1536:
    case DhGroup::Modp2048s256:
      return true;
    default:
      return false;
  }
}

}  // namespace ike::crypto
