// Identities for PSK authentication (RFC 7296 §3.5, §2.15): the ID we
// send, and the check of the peer's ID against the tunnel's config.
#pragma once
#include <string>

#include "libike/common/result.hpp"
#include "libike/ikev2/codec/payloads.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike::v2 {

// local_id if configured, else ID_IPV4_ADDR/ID_IPV6_ADDR of local_address.
Identification local_identification(const TunnelConfig& cfg);
// The peer's ID must equal remote_id if configured (FQDNs without regard
// to case), else be an address ID of peer_address.
Status check_peer_identity(const Identification& id, const TunnelConfig& cfg);
// "192.0.2.1", "fqdn:vpn.example", "id-type#11" for logs.
std::string describe(const Identification& id);

}  // namespace ike::v2
