// The algorithms kite knows, independent of any wire encoding. Codecs map
// IKEv1/IKEv2 transform IDs onto these; conf/ maps config names onto these.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace ike::crypto {

// Encryption. Key length is part of the identity (aes128 != aes256).
enum class EncrAlg : std::uint8_t {
  DesCbc,            // 64-bit block, 8-byte key (weak)
  TripleDesCbc,      // 24-byte key
  Aes128Cbc,
  Aes192Cbc,
  Aes256Cbc,
  Sm4Cbc,            // private-use transform ID (no IANA number)
  Aes128Gcm16,       // RFC 4106/5282, 16-byte ICV (also 8 and 12 below)
  Aes256Gcm16,
  Aes128Gcm12,
  Aes256Gcm12,
  Aes128Gcm8,
  Aes256Gcm8,
  ChaCha20Poly1305,  // RFC 7634
};

// Hash functions behind HMAC integrity and PRFs.
enum class HashAlg : std::uint8_t { Md5, Sha1, Sha256, Sha384, Sha512, Sm3 };

// Integrity (truncated HMAC per RFC 2404 / RFC 4868 / RFC 4595-style).
enum class IntegAlg : std::uint8_t {
  HmacMd5_96,
  HmacSha1_96,
  HmacSha256_128,
  HmacSha384_192,
  HmacSha512_256,
  HmacSm3_128,  // private-use transform ID
  AesXcbc96,    // optional (RFC 3566)
  AesCmac96,    // optional (RFC 4494)
};

// Pseudo-random functions (IKEv2 transform type 2; IKEv1 uses HMAC of the
// negotiated hash).
enum class PrfAlg : std::uint8_t {
  HmacMd5,
  HmacSha1,
  HmacSha256,
  HmacSha384,
  HmacSha512,
  HmacSm3,
  AesXcbc,  // optional (RFC 4434)
  AesCmac,  // optional (RFC 4615)
};

// Diffie-Hellman groups, numbered as IANA does (RFC 2409, 3526, 5114,
// 5903, 8031).
enum class DhGroup : std::uint16_t {
  Modp768 = 1,
  Modp1024 = 2,
  Modp1536 = 5,
  Modp2048 = 14,
  Modp3072 = 15,
  Modp4096 = 16,
  Modp2048s256 = 24,
  Ecp256 = 19,
  Ecp384 = 20,
  Ecp521 = 21,
  Curve25519 = 31,
};

bool is_aead(EncrAlg alg);
std::size_t key_size(EncrAlg alg);     // key bytes without salt
std::size_t key_bits(EncrAlg alg);     // for the IKE key-length attribute
std::string_view name(EncrAlg alg);    // config name: "aes128", "aes256gcm"...
std::string_view name(IntegAlg alg);   // "sha256"...
std::string_view name(PrfAlg alg);     // "prfsha256"...
std::string_view name(DhGroup group);  // "modp2048", "ecp384", "curve25519"...
// The hash behind an HMAC PRF (IKEv1 IVs use it). The AES PRFs have none
// and report Sha256; only IKEv2 negotiates them and it never asks.
HashAlg hash_of(PrfAlg alg);
PrfAlg prf_for(IntegAlg alg);  // the PRF that goes with an integrity choice
std::optional<DhGroup> dh_group_from_number(unsigned number);
// Weak by today's standards: still accepted, warned about (SPEC.md §2).
bool is_weak(EncrAlg alg);
bool is_weak(IntegAlg alg);
bool is_weak(DhGroup group);

}  // namespace ike::crypto
