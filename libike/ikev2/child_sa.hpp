// A CHILD SA as the IKEv2 SA keeps it (RFC 7296 §1.3, §2.17), and the
// conversion of negotiated material into the kernel request the tunnel
// installs (ike::NegotiatedChild).
#pragma once
#include <cstdint>
#include <vector>

#include "libike/common/random.hpp"
#include "libike/engine/ike_sa.hpp"
#include "libike/ikev2/keys.hpp"
#include "libike/ikev2/proposals.hpp"

namespace ike::v2 {

enum class ChildState : std::uint8_t {
  Installed,  // SAs and policies in the kernel
  Rekeying,   // installed; we are negotiating its replacement (§1.3.3)
  Rekeyed,    // installed; replaced by the peer's rekey, the peer deletes it
  Deleting,   // our DELETE is outstanding
};

struct ChildSa {
  ChildState state = ChildState::Installed;
  // We answered the peer's rekey that made this one: its outbound SA waits
  // until the replaced CHILD SA goes (make-before-break), unless the
  // collision rules (§2.8.1) made it redundant.
  std::optional<std::uint32_t> replaces;  // inbound SPI of the replaced CHILD SA
  bool outbound_installed = true;
  bool redundant = false;
  // The peer surely has it: we initiated it, or the peer sent its next
  // request on the IKE SA whose exchange made it (window size 1, §2.3:
  // it has our answer then). Until then CHILD_SA_NOT_FOUND to its rekey
  // may only mean our answer has not reached the peer yet.
  bool confirmed = true;
  std::uint64_t made_on = 0;   // our SPI of the IKE SA of that exchange
  std::uint32_t made_by = 0;   // the peer's message ID of that request
  std::size_t mapping_index = 0;
  std::uint32_t spi_in = 0, spi_out = 0;
  ChildSuite suite;
  std::vector<SpdMapping> selectors;
  TimePoint established{};
  Seconds lifetime{0};
  bool udp_encap = false;
};

// RFC 7296 §2.8 leaves lifetimes local: hard = the configured lifetime,
// soft = ~90% of it minus up to 5% random jitter so both ends do not
// start rekeying together; byte limits from lifetime_kb the same way.
SaLifetime child_lifetime(const EspProposalConfig& cfg, Random& random);

struct ChildMaterial {
  ChildSuite suite;
  ChildKeys keys;
  bool we_initiated = false;  // we sent the request that created it (§2.17 key order)
  std::uint32_t spi_in = 0, spi_out = 0;
  std::uint32_t reqid = 0;
  std::vector<SpdMapping> selectors;
};

NegotiatedChild to_negotiated(ChildMaterial material, const IpAddress& local,
                              const IpAddress& remote, std::optional<UdpEncap> encap,
                              SaLifetime lifetime);

ChildView to_view(const ChildSa& child);

}  // namespace ike::v2
