// Maps kite's algorithm identities (crypto::EncrAlg...) onto IKEv2
// transforms (RFC 7296 §3.3.2, IANA "Transform Type Values") and back, and
// names transforms for logs in config words ("aes128", "sha256").
#pragma once
#include <optional>
#include <string>

#include "libike/crypto/algorithms.hpp"
#include "libike/ikev2/codec/payloads.hpp"

namespace ike::v2 {

Transform encr_transform(crypto::EncrAlg alg);
Transform integ_transform(crypto::IntegAlg alg);
Transform prf_transform(crypto::PrfAlg alg);
Transform dh_transform(crypto::DhGroup group);

// nullopt for a transform kite does not implement (or a wrong type).
std::optional<crypto::EncrAlg> encr_of(const Transform& t);
std::optional<crypto::IntegAlg> integ_of(const Transform& t);
std::optional<crypto::PrfAlg> prf_of(const Transform& t);
std::optional<crypto::DhGroup> dh_of(const Transform& t);

// "aes256", "sha512", "prfsha384", "ecp384", "esn", "encr#23".
std::string transform_name(const Transform& t);

}  // namespace ike::v2
