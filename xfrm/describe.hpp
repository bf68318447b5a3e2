// Turning kernel refusals into one clear log line (STYLE.md §9): which
// tunnel, which SA or policy, and what the errno means — with dedicated
// wording when the kernel lacks an algorithm. Pure, so the wording is
// unit-tested; never prints key material.
#pragma once
#include <string>

#include "libike/tunnel/kernel.hpp"

namespace kite::xfrm {

// "ESP SA 0xc0000001 192.0.2.1 -> 192.0.2.2"
std::string describe(const ike::EspSa& sa);
// "ESP SA 0xc0000001 to 192.0.2.2"
std::string describe(const ike::SaId& id);
// "policy out 10.1.0.0/24 -> 10.2.0.0/24"
std::string describe(const ike::PolicyId& id);

// True for the errors the kernel gives when an SA names an algorithm it
// cannot instantiate (attach_one_algo() and friends: ENOSYS; crypto API
// lookups: ENOENT), and for a missing ESP protocol (EPROTONOSUPPORT).
bool is_missing_algorithm(int error);

// The error for a refused add_sa. For missing algorithms:
//   "kernel has no cbc(sm4) (CONFIG_CRYPTO_SM4_GENERIC); tunnel t1 not
//    installed (ESP SA 0x... a -> b: ENOSYS (...))"
// otherwise: "tunnel t1: cannot install ESP SA ... (reqid ...): <errno>".
// kernel_message is the kernel's extended-ACK text (may be empty).
std::string add_sa_error(const ike::EspSa& sa, int error, const std::string& kernel_message);

std::string policy_error(const ike::Policy& policy, const char* action, int error,
                         const std::string& kernel_message);
// add_policy found the selector held by a policy that is not kite's.
std::string policy_conflict_error(const ike::Policy& policy);

}  // namespace kite::xfrm
