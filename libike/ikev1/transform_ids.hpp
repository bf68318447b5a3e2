// IKEv1 numbers for kite's algorithms: RFC 2409 Appendix A (phase 1),
// RFC 2407 §4.4.4 and §4.5 (ESP transforms, Authentication Algorithm),
// RFC 3602 (AES-CBC), RFC 4106 §8 (AES-GCM in IKEv1), RFC 4868 §2.4
// (HMAC-SHA-2). SM4 and SM3 have no IANA numbers; for kite-to-kite tunnels
// kite uses private-use values: phase-1 encryption 65031 and hash 65031
// (RFC 2409 Appendix A: 65001-65535), ESP transform 250 (RFC 2407 §4.4.4:
// 249-255) and Authentication Algorithm 65031 (61440-65535).
#pragma once
#include <cstdint>
#include <optional>

#include "libike/crypto/algorithms.hpp"

namespace ike::v1 {

// An encryption algorithm as IKEv1 names it: an ID and, for variable-key
// ciphers, the Key Length attribute in bits (0: no such attribute).
struct CipherNumber {
  std::uint16_t id = 0;
  std::uint16_t key_bits = 0;
};

// Phase 1 (ISAKMP SA). AEAD ciphers have no phase-1 number (RFC 2409
// encrypts ISAKMP with CBC only): nullopt.
std::optional<CipherNumber> phase1_cipher(crypto::EncrAlg alg);
// key_bits 0 = no Key Length attribute (AES then means AES-128).
std::optional<crypto::EncrAlg> phase1_cipher_alg(std::uint16_t id, std::uint16_t key_bits);
// The Hash Algorithm attribute for an integrity choice: HMAC-SHA-256
// integrity means hash SHA2-256, whose HMAC is the phase-1 prf (RFC 2409 §4).
std::optional<std::uint16_t> phase1_hash(crypto::IntegAlg alg);
std::optional<crypto::IntegAlg> phase1_hash_alg(std::uint16_t id);

// ESP (IPsec DOI): the transform ID and Key Length attribute.
std::optional<CipherNumber> esp_cipher(crypto::EncrAlg alg);
std::optional<crypto::EncrAlg> esp_cipher_alg(std::uint16_t id, std::uint16_t key_bits);
std::optional<std::uint16_t> esp_auth(crypto::IntegAlg alg);
std::optional<crypto::IntegAlg> esp_auth_alg(std::uint16_t id);

}  // namespace ike::v1
