// The proposals the customer gateway must offer and accept so that they
// match kited's (libike/ikev2/proposals.cpp, libike/ikev1/proposals_*.cpp):
//   IKEv2: one proposal for the classic ciphers (every cipher x integrity
//          x group) and one for the AEAD ciphers (with PRFs instead of
//          integrity), as kited builds its SA payloads;
//   IKEv1: one proposal per combination (IKEv1 carries one algorithm of
//          each kind per transform), in kited's order.
#pragma once
#include <string>
#include <vector>

#include "export/names.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::exporter {

// One proposal in a dialect's names, each list most preferred first.
struct Suite {
  std::vector<std::string> encryption;
  std::vector<std::string> integrity;  // empty with AEAD ciphers
  std::vector<std::string> prf;        // IKE with AEAD only
  std::vector<std::string> groups;     // ESP: the PFS group, if any
};

ike::Result<std::vector<Suite>> ike_suites(Dialect dialect, const ike::IkeProposalConfig& ike,
                                           ike::IkeVersion version);
ike::Result<std::vector<Suite>> esp_suites(Dialect dialect, const ike::EspProposalConfig& esp,
                                           ike::IkeVersion version);

// swanctl.conf: "aes128-sha256-modp2048, aes256gcm16-prfsha256-modp2048"
std::string swanctl_proposals(const std::vector<Suite>& suites);
// ipsec.conf: "aes128+aes256-sha2_256-modp2048,aes_gcm256-sha2_256-modp2048";
// an AEAD ESP proposal with PFS reads "aes_gcm128-none-modp2048".
std::string libreswan_proposals(const std::vector<Suite>& suites);

}  // namespace kite::exporter
