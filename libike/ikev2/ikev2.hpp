// IKEv2 (RFC 7296) for the engine: the two ways an IKEv2 SA comes to be.
// Everything else goes through the version-neutral ike::IkeSa.
#pragma once
#include <cstdint>
#include <memory>

#include "libike/engine/ike_sa.hpp"

namespace ike::v2 {

// We initiate: start() sends IKE_SA_INIT.
std::unique_ptr<ike::IkeSa> make_initiator(IkeSaOwner& owner, std::uint64_t local_spi,
                                           TimePoint now);
// A peer's IKE_SA_INIT request arrived (cookie checks already passed);
// pass it to on_datagram next.
std::unique_ptr<ike::IkeSa> make_responder(IkeSaOwner& owner, std::uint64_t local_spi,
                                           const Datagram& request, TimePoint now);

}  // namespace ike::v2
