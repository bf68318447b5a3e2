// kite's algorithms under the names strongSwan (swanctl.conf proposals)
// and libreswan (ipsec.conf ike=/esp=) give them. An algorithm the other
// implementation lacks is an error that says so: the exported config must
// load there, or not be written at all.
#pragma once
#include <string>

#include "libike/common/result.hpp"
#include "libike/crypto/algorithms.hpp"

namespace kite::exporter {

enum class Dialect { StrongSwan, Libreswan };

std::string_view dialect_name(Dialect dialect);  // "strongSwan", "libreswan"

ike::Result<std::string> encryption_name(Dialect dialect, ike::crypto::EncrAlg alg);
ike::Result<std::string> integrity_name(Dialect dialect, ike::crypto::IntegAlg alg);
// IKEv2 PRF, written out only beside AEAD ciphers (otherwise both derive
// it from the integrity algorithm).
ike::Result<std::string> prf_name(Dialect dialect, ike::crypto::PrfAlg alg);
ike::Result<std::string> group_name(Dialect dialect, ike::crypto::DhGroup group);

}  // namespace kite::exporter
