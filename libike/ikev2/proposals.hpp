// SA proposals (RFC 7296 §2.7, §3.3): what kite offers from a tunnel's
// config, how a responder picks from the peer's offer (ProposalMatcher),
// how an initiator checks the answer, and the config-word descriptions
// that go into NO_PROPOSAL_CHOSEN log lines.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "libike/crypto/algorithms.hpp"
#include "libike/ikev2/codec/payloads.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike::v2 {

// The algorithms of a negotiated IKE SA.
struct IkeSuite {
  crypto::EncrAlg encr{};
  std::optional<crypto::IntegAlg> integ;  // none with AEAD
  crypto::PrfAlg prf{};
  crypto::DhGroup dh{};
  friend bool operator==(const IkeSuite&, const IkeSuite&) = default;
};

// The algorithms of a negotiated CHILD SA (ESP).
struct ChildSuite {
  crypto::EncrAlg encr{};
  std::optional<crypto::IntegAlg> integ;  // none with AEAD
  std::optional<crypto::DhGroup> dh;      // PFS group of CREATE_CHILD_SA
  bool esn = false;
  friend bool operator==(const ChildSuite&, const ChildSuite&) = default;
};

// "aes128-sha256-prfsha256-modp2048", "aes256gcm-sha256" (ESP).
std::string to_string(const IkeSuite& s);
std::string to_string(const ChildSuite& s);

// How the DH transform of an ESP proposal is treated.
enum class PfsUse : std::uint8_t {
  Ignore,  // IKE_AUTH: no KE there (RFC 7296 §1.2), DH transforms ignored
  Config,  // CREATE_CHILD_SA: as TunnelConfig.ipsec.pfs says (§1.3.1)
};

// The PRFs kite pairs with a config's integrity list (crypto::prf_for),
// or SHA-2 PRFs when the list is empty (AEAD only).
std::vector<crypto::PrfAlg> prfs_for(const IkeProposalConfig& cfg);

// RFC 7296 §3.3: one proposal with every non-AEAD cipher, integrity, PRF
// and group, and one with the AEAD ciphers (no integrity, RFC 5282 §8).
SaPayload ike_offer(const IkeProposalConfig& cfg);
// ESP proposals the same way, with our inbound SPI; ESN off (the
// mandatory ESN transform, §3.3.2), DH only for PfsUse::Config with pfs.
SaPayload esp_offer(const EspProposalConfig& cfg, std::uint32_t spi, PfsUse pfs);

// One proposal per word group, space separated:
// "aes128/aes256-sha256-modp2048 aes128gcm-prfsha256-modp2048".
std::string describe(const SaPayload& sa);
std::string describe(const IkeProposalConfig& cfg);
std::string describe(const EspProposalConfig& cfg, PfsUse pfs);

struct IkeChoice {
  Proposal reply;  // the chosen proposal as it goes back (§3.3.6)
  IkeSuite suite;
};
struct EspChoice {
  Proposal reply;  // SPI still empty: the caller allocates ours and sets it
  ChildSuite suite;
  std::uint32_t peer_spi = 0;
};

class ProposalMatcher {
 public:
  // Responder, IKE_SA_INIT (§2.7): the first of the peer's proposals we
  // accept, one transform of each type, the peer's order deciding. A
  // proposal holding the group of the peer's KE payload (`ke_group`) is
  // answered with that group, so no INVALID_KE round trip is needed.
  static std::optional<IkeChoice> select_ike(const SaPayload& offer, const IkeProposalConfig& ours,
                                             std::optional<std::uint16_t> ke_group);
  // Responder, ESP in IKE_AUTH or CREATE_CHILD_SA.
  static std::optional<EspChoice> select_esp(const SaPayload& offer, const EspProposalConfig& ours,
                                             PfsUse pfs);
  // Initiator: the reply must be a single proposal we could have offered.
  static std::optional<IkeSuite> accept_ike(const SaPayload& reply, const IkeProposalConfig& ours);
  static std::optional<EspChoice> accept_esp(const SaPayload& reply, const EspProposalConfig& ours,
                                             PfsUse pfs);
};

}  // namespace ike::v2
