// Internal to libike/crypto: factories for the AES-based PRFs and
// integrity algorithms (aes_prf.cpp), used by make_prf/make_integrity.
#pragma once
#include <memory>

#include "libike/crypto/crypto.hpp"

namespace ike::crypto::detail {

std::unique_ptr<Prf> make_aes_prf(PrfAlg alg);
std::unique_ptr<Integrity> make_aes_integrity(IntegAlg alg);

}  // namespace ike::crypto::detail
