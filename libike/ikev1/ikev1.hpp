// IKEv1 (RFC 2409) for the engine: the two ways an ISAKMP SA comes to be,
// and what the engine needs to route IKEv1 datagrams. Everything else
// goes through the version-neutral ike::IkeSa (libike/engine/ike_sa.hpp).
//
// Routing (RFC 2408 §3.1): an IKEv1 header has major version 1 (high
// nibble of octet 17). Our cookie is the initiator cookie when we
// initiated, else the responder cookie, and local_spi() returns it. A
// message with a zero responder cookie that starts Main or Aggressive
// Mode (message ID 0) is a peer's first message: new, or a retransmission
// that belongs to the responder SA made for (peer endpoint, CKY-I).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>

#include "libike/engine/ike_sa.hpp"

namespace ike::v1 {

// We initiate: start() sends Main Mode 1 or Aggressive Mode 1 as the
// tunnel's exchange_mode says. `local_cookie` is CKY-I (never 0).
std::unique_ptr<ike::IkeSa> make_initiator(IkeSaOwner& owner, std::uint64_t local_cookie,
                                           TimePoint now);
// A peer's Main/Aggressive Mode 1 for the owner's tunnel arrived; pass it
// to on_datagram next. `local_cookie` becomes CKY-R (never 0).
std::unique_ptr<ike::IkeSa> make_responder(IkeSaOwner& owner, std::uint64_t local_cookie,
                                           const Datagram& first, TimePoint now);

struct DatagramRoute {
  std::uint64_t initiator_cookie = 0, responder_cookie = 0;
  bool starts_phase1 = false;  // Main/Aggressive Mode, CKY-R 0, message ID 0
  bool aggressive = false;
};
// nullopt when the datagram has no IKEv1 header.
std::optional<DatagramRoute> route(ByteView datagram);
// The identity in an Aggressive Mode 1 (for picking among tunnels that
// share a peer address by remote_id); nullopt if none can be read.
std::optional<Identity> aggressive_mode_identity(ByteView datagram);

}  // namespace ike::v1
