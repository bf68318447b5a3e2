#include "libike/ikev2/transforms.hpp"

#include <fmt/format.h>

namespace ike::v2 {
namespace {

using crypto::EncrAlg;
using crypto::IntegAlg;
using crypto::PrfAlg;

struct EncrEntry {
  EncrAlg alg;
  EncrId id;
  std::uint16_t key_bits;  // 0: fixed-length cipher, no Key Length attribute
};

// RFC 7296 §3.3.5: AES and AES-GCM carry a Key Length attribute; DES,
// 3DES, ChaCha20-Poly1305 (RFC 7634 §3) and SM4 do not.
constexpr EncrEntry kEncr[] = {
    {EncrAlg::DesCbc, EncrId::Des, 0},
    {EncrAlg::TripleDesCbc, EncrId::TripleDes, 0},
    {EncrAlg::Aes128Cbc, EncrId::AesCbc, 128},
    {EncrAlg::Aes192Cbc, EncrId::AesCbc, 192},
    {EncrAlg::Aes256Cbc, EncrId::AesCbc, 256},
    {EncrAlg::Sm4Cbc, EncrId::KiteSm4Cbc, 0},
    {EncrAlg::Aes128Gcm16, EncrId::AesGcm16, 128},
    {EncrAlg::Aes256Gcm16, EncrId::AesGcm16, 256},
    {EncrAlg::Aes128Gcm12, EncrId::AesGcm12, 128},
    {EncrAlg::Aes256Gcm12, EncrId::AesGcm12, 256},
    {EncrAlg::Aes128Gcm8, EncrId::AesGcm8, 128},
    {EncrAlg::Aes256Gcm8, EncrId::AesGcm8, 256},
    {EncrAlg::ChaCha20Poly1305, EncrId::ChaCha20Poly1305, 0},
};

constexpr std::pair<IntegAlg, IntegId> kInteg[] = {
    {IntegAlg::HmacMd5_96, IntegId::HmacMd5_96},
    {IntegAlg::HmacSha1_96, IntegId::HmacSha1_96},
    {IntegAlg::HmacSha256_128, IntegId::HmacSha256_128},
    {IntegAlg::HmacSha384_192, IntegId::HmacSha384_192},
    {IntegAlg::HmacSha512_256, IntegId::HmacSha512_256},
    {IntegAlg::HmacSm3_128, IntegId::KiteHmacSm3_128},
    {IntegAlg::AesXcbc96, IntegId::AesXcbc96},
    {IntegAlg::AesCmac96, IntegId::AesCmac96},
};

constexpr std::pair<PrfAlg, PrfId> kPrf[] = {
    {PrfAlg::HmacMd5, PrfId::HmacMd5},     {PrfAlg::HmacSha1, PrfId::HmacSha1},
    {PrfAlg::HmacSha256, PrfId::HmacSha256}, {PrfAlg::HmacSha384, PrfId::HmacSha384},
    {PrfAlg::HmacSha512, PrfId::HmacSha512}, {PrfAlg::HmacSm3, PrfId::KiteHmacSm3},
    {PrfAlg::AesXcbc, PrfId::AesXcbc},     {PrfAlg::AesCmac, PrfId::AesCmac},
};

}  // namespace

Transform encr_transform(crypto::EncrAlg alg) {
  for (const auto& e : kEncr)
    if (e.alg == alg) return Transform::encr(e.id, e.key_bits);
  return Transform::encr(EncrId::AesCbc, 128);  // unreachable: every alg is listed
}

Transform integ_transform(crypto::IntegAlg alg) {
  for (const auto& [a, id] : kInteg)
    if (a == alg) return Transform::integ(id);
  return Transform::integ(IntegId::None);
}

Transform prf_transform(crypto::PrfAlg alg) {
  for (const auto& [a, id] : kPrf)
    if (a == alg) return Transform::prf(id);
  return Transform::prf(PrfId::HmacSha256);
}

Transform dh_transform(crypto::DhGroup group) {
  return Transform::dh(static_cast<std::uint16_t>(group));
}

std::optional<crypto::EncrAlg> encr_of(const Transform& t) {
  if (t.type != TransformType::Encr) return std::nullopt;
  auto bits = t.key_length().value_or(0);
  for (const auto& e : kEncr)
    if (static_cast<std::uint16_t>(e.id) == t.id && e.key_bits == bits) return e.alg;
  return std::nullopt;
}

std::optional<crypto::IntegAlg> integ_of(const Transform& t) {
  if (t.type != TransformType::Integ) return std::nullopt;
  for (const auto& [a, id] : kInteg)
    if (static_cast<std::uint16_t>(id) == t.id) return a;
  return std::nullopt;
}

std::optional<crypto::PrfAlg> prf_of(const Transform& t) {
  if (t.type != TransformType::Prf) return std::nullopt;
  for (const auto& [a, id] : kPrf)
    if (static_cast<std::uint16_t>(id) == t.id) return a;
  return std::nullopt;
}

std::optional<crypto::DhGroup> dh_of(const Transform& t) {
  if (t.type != TransformType::Dh) return std::nullopt;
  return crypto::dh_group_from_number(t.id);
}

std::string transform_name(const Transform& t) {
  switch (t.type) {
    case TransformType::Encr:
      if (auto a = encr_of(t)) return std::string(crypto::name(*a));
      return fmt::format("encr#{}", t.id);
    case TransformType::Integ:
      if (t.id == 0) return "none";
      if (auto a = integ_of(t)) return std::string(crypto::name(*a));
      return fmt::format("integ#{}", t.id);
    case TransformType::Prf:
      if (auto a = prf_of(t)) return std::string(crypto::name(*a));
      return fmt::format("prf#{}", t.id);
    case TransformType::Dh:
      if (t.id == 0) return "none";
      if (auto g = dh_of(t)) return std::string(crypto::name(*g));
      return fmt::format("dh#{}", t.id);
    case TransformType::Esn:
      return t.id == 1 ? "esn" : "noesn";
  }
  return fmt::format("transform#{}", static_cast<unsigned>(t.type));
}

}  // namespace ike::v2
