// SA negotiation for IKEv1 (RFC 2409 §5, RFC 2408 §4.2, RFC 2407 §4.5):
// the SA payloads kite offers from a tunnel's config, how a responder
// picks one transform from the peer's offer, how an initiator checks the
// answer, and config-word descriptions for NO-PROPOSAL-CHOSEN log lines.
//
// Phase 1: one ISAKMP proposal with one transform per encryption x hash x
// group combination, in config order (most preferred first). The hash is
// the one behind the configured integrity (sha256 -> SHA2-256); no PRF
// attribute, so the prf is HMAC of that hash (RFC 2409 §4).
//
// Lifetimes (documented policy): the responder echoes the chosen transform
// unchanged (RFC 2409 §5: the responder MUST NOT alter attributes) and
// keeps the lower of the two lifetimes for itself. For the ISAKMP SA that
// is only logged; for IPsec SAs a RESPONDER-LIFETIME notify (RFC 2407
// §4.6.3.1) tells the initiator, which honours it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "libike/ikev1/codec/codec.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike::v1 {

// ---- phase 1 ---------------------------------------------------------------

struct Phase1Suite {
  crypto::EncrAlg encr{};
  crypto::IntegAlg integ{};  // names the hash (and with it the prf)
  crypto::DhGroup group{};
  Seconds lifetime{0};       // in force: the lower of both sides'
  Seconds peer_lifetime{0};  // as the initiator proposed it (0: none)

  crypto::PrfAlg prf() const { return crypto::prf_for(integ); }
  crypto::HashAlg hash() const { return crypto::hash_of(prf()); }
};
// "aes128-sha256-modp2048".
std::string to_string(const Phase1Suite& s);

// The initiator's SA. Aggressive Mode sends its KE with the first
// message, so every transform carries that group (`only_group`; RFC 2409
// §4: in Aggressive Mode the group cannot be negotiated).
SaPayload phase1_offer(const IkeProposalConfig& cfg,
                       std::optional<crypto::DhGroup> only_group = std::nullopt);

struct Phase1Choice {
  SaPayload reply;  // one proposal holding the chosen transform as received
  Phase1Suite suite;
};
// Responder: the first of the peer's transforms (the peer's order) that
// matches our config and uses pre-shared keys.
std::optional<Phase1Choice> select_phase1(const SaPayload& offer, const IkeProposalConfig& ours);
// Initiator: the answer must be one transform we could have offered.
std::optional<Phase1Suite> accept_phase1(const SaPayload& reply, const IkeProposalConfig& ours);

// "3des-sha1-modp1024 aes128-sha1-modp2048" for the log; numbers kite has
// no name for print as "encr#8", "hash#3", "group#30", "auth#3".
std::string describe_phase1(const SaPayload& sa);
std::string describe_phase1(const IkeProposalConfig& cfg);

// ---- phase 2: ESP ------------------------------------------------------------

struct EspSuite {
  crypto::EncrAlg encr{};
  std::optional<crypto::IntegAlg> integ;  // none for AEAD
  std::optional<crypto::DhGroup> pfs;
  EncapsulationMode encap = EncapsulationMode::Tunnel;
  std::uint64_t life_seconds = 0, life_kb = 0;  // in force (0: none)
};
// "aes128-sha256-modp2048" (group only with PFS).
std::string to_string(const EspSuite& s);

// The Encapsulation Mode for tunnel-mode ESP: 1, or with NAT-T the UDP
// tunnel mode of RFC 3947 (3) or of the drafts (61443) the peer speaks.
EncapsulationMode tunnel_encapsulation(bool udp, bool draft_nat_t);

// The initiator's SA: one ESP proposal with our inbound SPI and one
// transform per encryption x integrity combination (AEAD ciphers without
// integrity), each with SA lifetimes in seconds and kilobytes and, with
// PFS, the group.
SaPayload esp_offer(const EspProposalConfig& cfg, std::uint32_t spi_in, EncapsulationMode mode);

struct EspChoice {
  SaPayload reply;  // the chosen transform as received; the caller sets our SPI
  EspSuite suite;
  std::uint32_t peer_spi = 0;
  // RFC 2407 §4.6.3.1: our lifetimes where they are below the initiator's.
  Attributes responder_lifetime;
};
// Responder: the first acceptable transform of the first acceptable
// proposal (single-protocol ESP proposals only, no AH bundles). `udp`:
// NAT was detected, so UDP encapsulation is required. PFS: a group is
// required when ours is configured (and must be ours); when ours is none
// the peer's PFS group is accepted.
std::optional<EspChoice> select_esp(const SaPayload& offer, const EspProposalConfig& ours, bool udp);
// Initiator: one proposal, one transform, something we offered.
std::optional<EspChoice> accept_esp(const SaPayload& reply, const EspProposalConfig& ours, bool udp);
// Applies a RESPONDER-LIFETIME notify's attributes (the lower wins).
void apply_responder_lifetime(EspSuite& suite, ByteView notify_data);

std::string describe_esp(const SaPayload& sa);
std::string describe_esp(const EspProposalConfig& cfg);

}  // namespace ike::v1
