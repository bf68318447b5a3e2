#include "libike/ikev1/transform_ids.hpp"

#include <array>

#include "libike/ikev1/codec/constants.hpp"

namespace ike::v1 {
namespace {

using crypto::EncrAlg;
using crypto::IntegAlg;

constexpr std::uint16_t kKiteSm4 = 65031;      // phase-1 encryption, private use
constexpr std::uint16_t kKiteSm3 = 65031;      // phase-1 hash / ESP auth, private use
constexpr std::uint16_t kKiteEspSm4 = 250;     // ESP transform, private use

struct CipherRow {
  EncrAlg alg;
  CipherNumber number;
};
struct IntegRow {
  IntegAlg alg;
  std::uint16_t number;
};

constexpr auto p1(Phase1Encryption e) { return static_cast<std::uint16_t>(e); }
constexpr auto esp(EspTransform e) { return static_cast<std::uint16_t>(e); }

// RFC 2409 Appendix A, RFC 3602 §5 (AES-CBC = 7 with Key Length).
constexpr std::array kPhase1Ciphers{
    CipherRow{EncrAlg::DesCbc, {p1(Phase1Encryption::DesCbc), 0}},
    CipherRow{EncrAlg::TripleDesCbc, {p1(Phase1Encryption::TripleDesCbc), 0}},
    CipherRow{EncrAlg::Aes128Cbc, {p1(Phase1Encryption::AesCbc), 128}},
    CipherRow{EncrAlg::Aes192Cbc, {p1(Phase1Encryption::AesCbc), 192}},
    CipherRow{EncrAlg::Aes256Cbc, {p1(Phase1Encryption::AesCbc), 256}},
    CipherRow{EncrAlg::Sm4Cbc, {kKiteSm4, 0}},
};

// RFC 2409 Appendix A hash numbers (SHA-2 from the IANA registry).
constexpr std::array kPhase1Hashes{
    IntegRow{IntegAlg::HmacMd5_96, static_cast<std::uint16_t>(Phase1Hash::Md5)},
    IntegRow{IntegAlg::HmacSha1_96, static_cast<std::uint16_t>(Phase1Hash::Sha)},
    IntegRow{IntegAlg::HmacSha256_128, static_cast<std::uint16_t>(Phase1Hash::Sha2_256)},
    IntegRow{IntegAlg::HmacSha384_192, static_cast<std::uint16_t>(Phase1Hash::Sha2_384)},
    IntegRow{IntegAlg::HmacSha512_256, static_cast<std::uint16_t>(Phase1Hash::Sha2_512)},
    IntegRow{IntegAlg::HmacSm3_128, kKiteSm3},
};

// RFC 2407 §4.4.4, RFC 3602 (AES-CBC), RFC 4106 §8.1 (GCM, key lengths
// 128/256 in the Key Length attribute).
constexpr std::array kEspCiphers{
    CipherRow{EncrAlg::DesCbc, {esp(EspTransform::Des), 0}},
    CipherRow{EncrAlg::TripleDesCbc, {esp(EspTransform::TripleDes), 0}},
    CipherRow{EncrAlg::Aes128Cbc, {esp(EspTransform::AesCbc), 128}},
    CipherRow{EncrAlg::Aes192Cbc, {esp(EspTransform::AesCbc), 192}},
    CipherRow{EncrAlg::Aes256Cbc, {esp(EspTransform::AesCbc), 256}},
    CipherRow{EncrAlg::Sm4Cbc, {kKiteEspSm4, 0}},
    CipherRow{EncrAlg::Aes128Gcm16, {esp(EspTransform::AesGcm16), 128}},
    CipherRow{EncrAlg::Aes256Gcm16, {esp(EspTransform::AesGcm16), 256}},
    CipherRow{EncrAlg::Aes128Gcm12, {esp(EspTransform::AesGcm12), 128}},
    CipherRow{EncrAlg::Aes256Gcm12, {esp(EspTransform::AesGcm12), 256}},
    CipherRow{EncrAlg::Aes128Gcm8, {esp(EspTransform::AesGcm8), 128}},
    CipherRow{EncrAlg::Aes256Gcm8, {esp(EspTransform::AesGcm8), 256}},
};

// RFC 2407 §4.5 Authentication Algorithm, RFC 4868 §2.4 (SHA-2, truncated
// to half the output as in IKEv2).
constexpr std::array kEspAuths{
    IntegRow{IntegAlg::HmacMd5_96, static_cast<std::uint16_t>(IpsecAuthAlg::HmacMd5)},
    IntegRow{IntegAlg::HmacSha1_96, static_cast<std::uint16_t>(IpsecAuthAlg::HmacSha)},
    IntegRow{IntegAlg::HmacSha256_128, static_cast<std::uint16_t>(IpsecAuthAlg::HmacSha2_256)},
    IntegRow{IntegAlg::HmacSha384_192, static_cast<std::uint16_t>(IpsecAuthAlg::HmacSha2_384)},
    IntegRow{IntegAlg::HmacSha512_256, static_cast<std::uint16_t>(IpsecAuthAlg::HmacSha2_512)},
    IntegRow{IntegAlg::AesXcbc96, static_cast<std::uint16_t>(IpsecAuthAlg::AesXcbcMac)},
    IntegRow{IntegAlg::HmacSm3_128, kKiteSm3},
};

template <typename Table>
std::optional<CipherNumber> cipher_number(const Table& table, EncrAlg alg) {
  for (const auto& row : table)
    if (row.alg == alg) return row.number;
  return std::nullopt;
}

template <typename Table>
std::optional<EncrAlg> cipher_alg(const Table& table, std::uint16_t id, std::uint16_t key_bits) {
  for (const auto& row : table)
    if (row.number.id == id && row.number.key_bits == key_bits) return row.alg;
  return std::nullopt;
}

template <typename Table>
std::optional<std::uint16_t> integ_number(const Table& table, IntegAlg alg) {
  for (const auto& row : table)
    if (row.alg == alg) return row.number;
  return std::nullopt;
}

template <typename Table>
std::optional<IntegAlg> integ_alg(const Table& table, std::uint16_t id) {
  for (const auto& row : table)
    if (row.number == id) return row.alg;
  return std::nullopt;
}

}  // namespace

std::optional<CipherNumber> phase1_cipher(EncrAlg alg) { return cipher_number(kPhase1Ciphers, alg); }

std::optional<EncrAlg> phase1_cipher_alg(std::uint16_t id, std::uint16_t key_bits) {
  // Some peers leave out the Key Length of AES-128; RFC 3602 §5 makes 128
  // the only sensible reading.
  if (id == p1(Phase1Encryption::AesCbc) && key_bits == 0) key_bits = 128;
  return cipher_alg(kPhase1Ciphers, id, key_bits);
}

std::optional<std::uint16_t> phase1_hash(IntegAlg alg) { return integ_number(kPhase1Hashes, alg); }

std::optional<IntegAlg> phase1_hash_alg(std::uint16_t id) { return integ_alg(kPhase1Hashes, id); }

std::optional<CipherNumber> esp_cipher(EncrAlg alg) { return cipher_number(kEspCiphers, alg); }

std::optional<EncrAlg> esp_cipher_alg(std::uint16_t id, std::uint16_t key_bits) {
  return cipher_alg(kEspCiphers, id, key_bits);
}

std::optional<std::uint16_t> esp_auth(IntegAlg alg) { return integ_number(kEspAuths, alg); }

std::optional<IntegAlg> esp_auth_alg(std::uint16_t id) { return integ_alg(kEspAuths, id); }

}  // namespace ike::v1
