#include "export/names.hpp"

#include <fmt/format.h>

namespace kite::exporter {
namespace {

using ike::crypto::DhGroup;
using ike::crypto::EncrAlg;
using ike::crypto::IntegAlg;
using ike::crypto::PrfAlg;

// Both names of one algorithm; an empty one means "has no counterpart",
// and `why` then says what the operator can do about it.
struct Names {
  std::string_view strongswan;
  std::string_view libreswan;
  std::string_view why = {};
};

constexpr std::string_view kSmWhy =
    "kite numbers it with a private-use transform ID, so it works between two kite "
    "gateways only";

Names names_of(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::DesCbc: return {"des", "", "libreswan removed single DES"};
    case EncrAlg::TripleDesCbc: return {"3des", "3des"};
    case EncrAlg::Aes128Cbc: return {"aes128", "aes128"};
    case EncrAlg::Aes192Cbc: return {"aes192", "aes192"};
    case EncrAlg::Aes256Cbc: return {"aes256", "aes256"};
    case EncrAlg::Sm4Cbc: return {"", "", kSmWhy};
    // libreswan: aes_gcm = aes_gcm_c (16-octet ICV), _b 12, _a 8.
    case EncrAlg::Aes128Gcm16: return {"aes128gcm16", "aes_gcm128"};
    case EncrAlg::Aes256Gcm16: return {"aes256gcm16", "aes_gcm256"};
    case EncrAlg::Aes128Gcm12: return {"aes128gcm12", "aes_gcm_b128"};
    case EncrAlg::Aes256Gcm12: return {"aes256gcm12", "aes_gcm_b256"};
    case EncrAlg::Aes128Gcm8: return {"aes128gcm8", "aes_gcm_a128"};
    case EncrAlg::Aes256Gcm8: return {"aes256gcm8", "aes_gcm_a256"};
    case EncrAlg::ChaCha20Poly1305: return {"chacha20poly1305", "chacha20_poly1305"};
  }
  return {};
}

Names names_of(IntegAlg alg) {
  switch (alg) {
    case IntegAlg::HmacMd5_96: return {"md5", "md5"};
    case IntegAlg::HmacSha1_96: return {"sha1", "sha1"};
    case IntegAlg::HmacSha256_128: return {"sha256", "sha2_256"};
    case IntegAlg::HmacSha384_192: return {"sha384", "sha2_384"};
    case IntegAlg::HmacSha512_256: return {"sha512", "sha2_512"};
    case IntegAlg::HmacSm3_128: return {"", "", kSmWhy};
    case IntegAlg::AesXcbc96: return {"aesxcbc", "aes_xcbc"};
    case IntegAlg::AesCmac96: return {"aescmac", "aes_cmac"};
  }
  return {};
}

Names names_of(PrfAlg alg) {
  switch (alg) {
    case PrfAlg::HmacMd5: return {"prfmd5", "md5"};
    case PrfAlg::HmacSha1: return {"prfsha1", "sha1"};
    case PrfAlg::HmacSha256: return {"prfsha256", "sha2_256"};
    case PrfAlg::HmacSha384: return {"prfsha384", "sha2_384"};
    case PrfAlg::HmacSha512: return {"prfsha512", "sha2_512"};
    case PrfAlg::HmacSm3: return {"", "", kSmWhy};
    case PrfAlg::AesXcbc: return {"prfaesxcbc", "aes_xcbc"};
    case PrfAlg::AesCmac: return {"prfaescmac", "aes_cmac"};
  }
  return {};
}

// libreswan 4 (Debian 12 ships 4.10) builds without DH groups 1, 2 and 22-24.
Names names_of(DhGroup group) {
  constexpr std::string_view kGone = "libreswan 4 no longer supports it";
  switch (group) {
    case DhGroup::Modp768: return {"modp768", "", kGone};
    case DhGroup::Modp1024: return {"modp1024", "", kGone};
    case DhGroup::Modp1536: return {"modp1536", "modp1536"};
    case DhGroup::Modp2048: return {"modp2048", "modp2048"};
    case DhGroup::Modp3072: return {"modp3072", "modp3072"};
    case DhGroup::Modp4096: return {"modp4096", "modp4096"};
    case DhGroup::Modp2048s256: return {"modp2048s256", "", kGone};
    case DhGroup::Ecp256: return {"ecp256", "dh19"};
    case DhGroup::Ecp384: return {"ecp384", "dh20"};
    case DhGroup::Ecp521: return {"ecp521", "dh21"};
    case DhGroup::Curve25519: return {"x25519", "dh31"};
  }
  return {};
}

// `label` names the algorithm as the kite config does.
ike::Result<std::string> pick(Dialect dialect, const Names& n, const std::string& label) {
  const std::string_view name = dialect == Dialect::StrongSwan ? n.strongswan : n.libreswan;
  if (!name.empty()) return std::string(name);
  return ike::fail(fmt::format("{} has no counterpart in {}{}{}", label, dialect_name(dialect),
                               n.why.empty() ? "" : ": ", n.why));
}

}  // namespace

std::string_view dialect_name(Dialect dialect) {
  return dialect == Dialect::StrongSwan ? "strongSwan" : "libreswan";
}

ike::Result<std::string> encryption_name(Dialect dialect, EncrAlg alg) {
  return pick(dialect, names_of(alg), fmt::format("encryption {}", ike::crypto::name(alg)));
}
ike::Result<std::string> integrity_name(Dialect dialect, IntegAlg alg) {
  return pick(dialect, names_of(alg), fmt::format("integrity {}", ike::crypto::name(alg)));
}
ike::Result<std::string> prf_name(Dialect dialect, PrfAlg alg) {
  return pick(dialect, names_of(alg), fmt::format("PRF {}", ike::crypto::name(alg)));
}
ike::Result<std::string> group_name(Dialect dialect, DhGroup group) {
  return pick(dialect, names_of(group),
              fmt::format("DH group {} ({})", static_cast<unsigned>(group), ike::crypto::name(group)));
}

}  // namespace kite::exporter
