// Internal to libike/crypto: the OpenSSL library context and RAII owners
// for OpenSSL objects. Nothing outside this folder includes this header,
// so no OpenSSL type leaks into the crypto.hpp interfaces.
#pragma once
#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "libike/crypto/algorithms.hpp"

namespace ike::crypto::detail {

// One library context with the "default" and "legacy" providers loaded
// (OpenSSL 3 moved single DES into "legacy"). Created once, on first use,
// and kept for the life of the process.
OSSL_LIB_CTX* libctx();

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};

using MacPtr = std::unique_ptr<EVP_MAC, Deleter<EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using CipherPtr = std::unique_ptr<EVP_CIPHER, Deleter<EVP_CIPHER_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_clear_free>>;

// Fetches from libctx(); aborts if the algorithm is missing, which only a
// broken OpenSSL installation can cause (Debian 12's has them all).
EVP_MAC* fetch_mac(const char* name);
EVP_CIPHER* fetch_cipher(const char* name);
EVP_MD* fetch_md(const char* name);

// OpenSSL's name for a hash ("SHA2-256", "SM3"...).
const char* md_name(HashAlg alg);

BnPtr new_bn();
// Big-endian bytes to a BIGNUM.
BnPtr bn_from_bytes(const std::uint8_t* data, std::size_t size);

}  // namespace ike::crypto::detail
