// kite's ESP algorithms as the Linux crypto API names them, with the key
// and ICV sizes the XFRM netlink attributes carry. Kept here (not in
// libike/crypto) because the names are a kernel contract: they must match
// the kernel's xfrm_algo tables (net/xfrm/xfrm_algo.c).
#pragma once
#include <cstddef>
#include <string_view>

#include "libike/crypto/algorithms.hpp"

namespace kite::xfrm {

enum class AlgorithmKind { Cipher, Aead, Integrity };

struct KernelAlgorithm {
  std::string_view name;        // e.g. "cbc(aes)", "rfc4106(gcm(aes))"
  std::string_view config;      // the kernel option that provides it
  AlgorithmKind kind = AlgorithmKind::Cipher;
  std::size_t key_bytes = 0;    // what the kernel expects, AEAD salt included
  unsigned icv_bits = 0;        // AEAD ICV or integrity truncation; 0 for ciphers
};

KernelAlgorithm kernel_algorithm(ike::crypto::EncrAlg alg);
KernelAlgorithm kernel_algorithm(ike::crypto::IntegAlg alg);

}  // namespace kite::xfrm
