#include "libike/crypto/algorithms.hpp"
#include "libike/crypto/ossl.hpp"

#include <openssl/provider.h>

#include <cstdio>
#include <cstdlib>

namespace ike::crypto::detail {

namespace {

[[noreturn]] void missing(const char* what, const char* name) {
  // A name, never key material: safe to print.
  std::fprintf(stderr, "kite: OpenSSL lacks %s %s\n", what, name);
  std::abort();
}

struct LibraryContext {
  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  OSSL_PROVIDER* default_provider = nullptr;
  OSSL_PROVIDER* legacy_provider = nullptr;

  LibraryContext() {
    if (ctx == nullptr) missing("library context", "");
    default_provider = OSSL_PROVIDER_load(ctx, "default");
    if (default_provider == nullptr) missing("provider", "default");
    // Single DES lives only in "legacy"; without it only DES is lost.
    legacy_provider = OSSL_PROVIDER_load(ctx, "legacy");
  }
  // Kept for the process lifetime: providers are unloaded by OpenSSL's
  // own atexit handler.
};

}  // namespace

OSSL_LIB_CTX* libctx() {
  static LibraryContext context;  // C++ guarantees thread-safe init
  return context.ctx;
}

EVP_MAC* fetch_mac(const char* name) {
  EVP_MAC* mac = EVP_MAC_fetch(libctx(), name, nullptr);
  if (mac == nullptr) missing("MAC", name);
  return mac;
}

EVP_CIPHER* fetch_cipher(const char* name) {
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(libctx(), name, nullptr);
  if (cipher == nullptr) missing("cipher", name);
  return cipher;
}

EVP_MD* fetch_md(const char* name) {
  EVP_MD* md = EVP_MD_fetch(libctx(), name, nullptr);
  if (md == nullptr) missing("digest", name);
  return md;
}

const char* md_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::Md5: return "MD5";
    case HashAlg::Sha1: return "SHA1";
    case HashAlg::Sha256: return "SHA2-256";
    case HashAlg::Sha384: return "SHA2-384";
    case HashAlg::Sha512: return "SHA2-512";
    case HashAlg::Sm3: return "SM3";
  }
  return "SHA2-256";
}

BnPtr new_bn() {
  BnPtr bn(BN_new());
  if (!bn) std::abort();
  return bn;
}

BnPtr bn_from_bytes(const std::uint8_t* data, std::size_t size) {
  BnPtr bn(BN_bin2bn(data, static_cast<int>(size), nullptr));
  if (!bn) std::abort();
  return bn;
}

}  // namespace ike::crypto::detail
