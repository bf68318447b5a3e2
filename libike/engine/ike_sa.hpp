// The version-neutral seam between a tunnel and its IKE SAs. The engine's
// tunnel layer (libike/engine/) knows only these interfaces; IKEv2
// (libike/ikev2/) implements IkeSa, IKEv1 (libike/ikev1/) will too. An IKE
// SA negotiates; the tunnel owns what lands in the kernel (CHILD SA
// installs, policies, rollback), so both versions share that code.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libike/common/address.hpp"
#include "libike/common/result.hpp"
#include "libike/common/secret.hpp"
#include "libike/crypto/algorithms.hpp"
#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/environment.hpp"
#include "libike/tunnel/kernel.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike {

// A CHILD SA (IPsec SA pair) as negotiated, ready for the kernel.
struct NegotiatedChild {
  std::uint32_t spi_in = 0;   // we allocated it (Kernel::allocate_spi)
  std::uint32_t spi_out = 0;  // the peer's
  std::uint32_t reqid = 0;
  IpAddress local, remote;  // outer (tunnel) addresses
  std::optional<UdpEncap> encap;  // NAT-T: src = our port, dst = the peer's
  crypto::EncrAlg encryption{};
  std::optional<crypto::IntegAlg> integrity;  // none for AEAD
  std::optional<crypto::DhGroup> pfs_group;
  bool esn = false;
  Secret encr_key_in, integ_key_in;    // peer -> us
  Secret encr_key_out, integ_key_out;  // us -> peer
  // Negotiated selector pairs (local, remote), each inside one configured
  // mapping; one policy triple (out/in/fwd) per pair.
  std::vector<SpdMapping> selectors;
  SaLifetime lifetime;
  // The responder of a rekey installs its outbound SA only once the SA it
  // replaces goes (install_outbound): until the initiator has the new
  // inbound SA, packets keep using the old pair (make-before-break).
  bool defer_outbound = false;
};

// How an IKE SA ended, for the tunnel's state and last_error.
struct IkeSaEnd {
  bool failed = false;  // an error (auth, proposals, timeout), not a clean delete
  std::string reason;   // one line, no secrets; empty for a clean delete
  bool peer_dead = false;  // DPD: the peer stopped answering (the tunnel's dpd.action applies)
};

class IkeSa;

// What an IKE SA asks of the tunnel that owns it.
class IkeSaOwner {
 public:
  virtual ~IkeSaOwner() = default;
  virtual const TunnelConfig& config() const = 0;
  virtual const GatewayConfig& gateway() const = 0;
  virtual Environment& env() = 0;
  // The kite reqid of configured mapping `index` (config().mappings).
  virtual std::uint32_t reqid(std::size_t mapping_index) const = 0;
  // Installs both ESP SAs and the policies of every selector pair, all or
  // nothing: on failure everything installed for this child is removed
  // again (including the larval inbound SA) and the error returned.
  virtual Status install_child(const NegotiatedChild& child, TimePoint now) = 0;
  // Removes what install_child installed for the CHILD SA with this
  // inbound SPI; a larval SPI that was never installed is freed too.
  virtual void remove_child(std::uint32_t spi_in) = 0;
  // Frees an allocated inbound SPI whose CHILD SA never got installed.
  virtual void release_spi(std::uint32_t spi_in) = 0;
  // Installs the outbound SA held back by NegotiatedChild::defer_outbound.
  virtual Status install_outbound(std::uint32_t spi_in) {
    (void)spi_in;
    return {};
  }
  // Whether another IKE SA of this tunnel is established (INITIAL_CONTACT
  // is sent only when this one will be the only one, RFC 7296 §2.4).
  virtual bool has_other_ike_sa(const IkeSa& self) const = 0;
  // The peer sent INITIAL_CONTACT on `self`: every other IKE SA of the
  // tunnel is stale and goes without telling the peer.
  virtual void initial_contact(const IkeSa& self, TimePoint now) = 0;
  virtual void ike_established(IkeSa& sa, TimePoint now) = 0;
  // IKE SA rekeying (RFC 7296 §2.18): a fresh local SPI, and the
  // successor that takes over the CHILD SAs (the old SA is deleted later).
  // An owner that cannot host a successor (test harnesses) keeps these
  // defaults: SPI 0 means "no", and the IKE SA refuses the rekey.
  virtual std::uint64_t new_ike_spi() { return 0; }
  virtual void adopt(std::unique_ptr<IkeSa> successor, TimePoint now) {
    (void)successor;
    (void)now;
  }
  // The tunnel's IKE SA with this local SPI (a successor), if any.
  virtual IkeSa* find_sa(std::uint64_t local_spi) {
    (void)local_spi;
    return nullptr;
  }
  // The IKE SA that carries the tunnel now (established), if any.
  virtual IkeSa* carrier() { return nullptr; }
  // The IKE SA is gone (its children were removed before this call).
  virtual void ike_ended(IkeSa& sa, const IkeSaEnd& end, TimePoint now) = 0;
  // A CHILD SA for a configured mapping could not be created.
  virtual void child_failed(IkeSa& sa, const std::string& reason, TimePoint now) = 0;
  // Engine-wide knobs (retransmission, timeouts) and counters.
  virtual const EngineOptions& options() const = 0;
  virtual EngineCounters& counters() = 0;
};

// The protocol phase of one IKE SA, version-neutral.
enum class IkeSaPhase : std::uint8_t {
  Connecting,   // handshake in progress
  Established,  // authenticated, children may exist
  Deleting,     // our DELETE is outstanding
  Closed,       // gone; may linger to answer retransmits, then finished()
};

// One CHILD SA as the IKE SA sees it, for status.
struct ChildView {
  std::uint32_t spi_in = 0, spi_out = 0;
  std::vector<SpdMapping> selectors;
  crypto::EncrAlg encryption{};
  std::optional<crypto::IntegAlg> integrity;
  std::optional<crypto::DhGroup> pfs_group;
  bool udp_encap = false;
  TimePoint established{};
  Seconds lifetime{0};
};

class IkeSa {
 public:
  virtual ~IkeSa() = default;
  virtual IkeVersion version() const = 0;
  virtual bool is_initiator() const = 0;
  virtual std::uint64_t local_spi() const = 0;
  virtual std::uint64_t remote_spi() const = 0;
  virtual IkeSaPhase phase() const = 0;
  // The peer's current IKE endpoint (changes when NAT-T floats to 4500).
  virtual Endpoint remote_endpoint() const = 0;
  virtual TimePoint created_at() const = 0;
  virtual std::optional<TimePoint> established_at() const = 0;

  // Initiator: sends the first message.
  virtual void start(TimePoint now) = 0;
  // A datagram whose SPIs name this SA (or, for a new responder, the
  // IKE_SA_INIT request that created it).
  virtual void on_datagram(const Datagram& datagram, TimePoint now) = 0;
  virtual void on_timer(TimePoint now) = 0;
  virtual std::optional<TimePoint> next_deadline() const = 0;

  // Negotiates a CHILD SA for configured mapping `index` (queued behind
  // the handshake and any exchange in flight).
  virtual void create_child(std::size_t mapping_index, TimePoint now) = 0;
  // Whether a CHILD SA for mapping `index` exists or is being negotiated.
  virtual bool has_child_for(std::size_t mapping_index) const = 0;
  // Whether one of its CHILD SAs uses this SPI (either direction).
  virtual bool owns_child_spi(std::uint32_t spi) const = 0;
  // The kernel's lifetime expired for that CHILD SA: hard = the kernel
  // deleted the SA, so the pair goes (telling the peer); soft = time to
  // rekey (issue 6).
  virtual void on_child_expire(std::uint32_t spi, bool hard, TimePoint now) = 0;
  // Deletes the IKE SA and its children, telling the peer.
  virtual void close(TimePoint now) = 0;
  // Drops the IKE SA without a word to the peer (stale after
  // INITIAL_CONTACT, shutdown of an unreachable peer): children removed.
  virtual void abandon(const std::string& reason, TimePoint now) = 0;
  // Closed and done lingering: the engine may destroy it.
  virtual bool finished() const = 0;

  // Dead peer detection (the tunnel decides when, dpd.cpp). When an
  // authenticated message last came from the peer; nullopt if unknown.
  virtual std::optional<TimePoint> last_heard() const { return std::nullopt; }
  // The lower of the two nonces the SA was keyed from (IKE_SA_INIT, or
  // the CREATE_CHILD_SA that rekeyed it); empty if not applicable. Two
  // IKE SAs from a simultaneous initiation are told apart by it.
  virtual Bytes lowest_nonce() const { return {}; }
  // An IKE or CHILD SA rekey is under way (status: `rekeying`).
  virtual bool rekeying() const { return false; }
  // `heir`, an IKE SA of the same tunnel whose negotiation began after this
  // one was established, is now established. IKEv1 (no IKE SA rekey
  // exchange: RFC 2409 rekeys phase 1 by a new one) hands its IPsec SAs to
  // the heir and retires; true if it did. IKEv2 rekeys by CREATE_CHILD_SA
  // (§2.18) and keeps the default.
  virtual bool succeeded_by(IkeSa& heir, TimePoint now) {
    (void)heir;
    (void)now;
    return false;
  }
  // Rekeys now: this IKE SA, or every CHILD SA. False if unsupported.
  virtual bool rekey(bool ike_sa, TimePoint now) {
    (void)ike_sa;
    (void)now;
    return false;
  }
  // Asks the peer whether it is alive (IKEv2: an empty INFORMATIONAL,
  // RFC 7296 §2.4; IKEv1: R-U-THERE, RFC 3706) unless a check or another
  // exchange is under way already. Without any answer within `budget` the
  // SA ends with IkeSaEnd::peer_dead. False if this SA cannot probe.
  virtual bool probe_liveness(TimePoint now, std::chrono::milliseconds budget) {
    (void)now;
    (void)budget;
    return false;
  }

  // Status of the IKE SA part (SPIs, algorithms, NAT) and its children.
  virtual void fill_status(TunnelStatus& status) const = 0;
  virtual std::vector<ChildView> children() const = 0;
};

}  // namespace ike
