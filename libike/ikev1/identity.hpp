// Phase-1 identities (RFC 2409 §5, RFC 2407 §4.6.2): the ID payload we
// send from local_id (default: our address), and the check of the peer's
// ID against remote_id (default: the peer's address).
#pragma once
#include <optional>
#include <string>

#include "libike/common/result.hpp"
#include "libike/ikev1/codec/payloads.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike::v1 {

// ID_IPV4_ADDR, ID_IPV6_ADDR or ID_FQDN with protocol and port 0 (RFC 2407
// §4.6.2: zero, or UDP/500, in phase 1).
IdPayload local_identification(const TunnelConfig& cfg);
// The peer's ID as a config identity; nullopt for types kite does not use.
std::optional<Identity> to_identity(const IdPayload& id);
// Equal to remote_id if configured (FQDNs without regard to case), else an
// address ID of peer_address. Protocol and port are not checked: peers
// send 0/0, 17/500 or 17/4500 behind NAT.
Status check_peer_identity(const IdPayload& id, const TunnelConfig& cfg);
// "192.0.2.1", "fqdn:vpn.example", "id-type#9" for logs.
std::string describe(const IdPayload& id);
std::string describe(const Identity& id);

}  // namespace ike::v1
