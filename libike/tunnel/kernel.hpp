// The narrow kernel interface (STYLE.md §3, after strongSwan's
// kernel_ipsec_t): everything libike asks of the kernel's IPsec stack. The
// requests are plain structs so a fake kernel can record and assert them;
// xfrm/ implements this over XFRM netlink. Calls are synchronous because
// their results decide what the protocol does next (an SPI goes into the
// message being built; a failed install fails the tunnel and rolls back).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "libike/common/address.hpp"
#include "libike/common/result.hpp"
#include "libike/common/secret.hpp"
#include "libike/crypto/algorithms.hpp"

namespace ike {

enum class Direction : std::uint8_t { In, Out, Fwd };

// RFC 3948 UDP encapsulation of ESP (NAT-T).
struct UdpEncap {
  std::uint16_t src_port = 4500;
  std::uint16_t dst_port = 4500;
  friend bool operator==(const UdpEncap&, const UdpEncap&) = default;
};

// Soft limits trigger a rekey (XFRM_MSG_EXPIRE soft), hard ones delete.
// Zero means no limit.
struct SaLifetime {
  std::uint64_t soft_seconds = 0, hard_seconds = 0;
  std::uint64_t soft_bytes = 0, hard_bytes = 0;
  friend bool operator==(const SaLifetime&, const SaLifetime&) = default;
};

// Identifies one installed ESP SA (the kernel's key: daddr, spi, proto).
struct SaId {
  IpAddress dst;
  std::uint32_t spi = 0;  // host order
  friend bool operator==(const SaId&, const SaId&) = default;
};

// A tunnel-mode ESP SA.
struct EspSa {
  SaId id;
  IpAddress src;
  std::uint32_t reqid = 0;
  bool inbound = false;  // inbound SAs complete the SPI allocated earlier (UPDSA)
  crypto::EncrAlg encryption{};
  Secret encryption_key;  // includes the AEAD salt (RFC 4106 §8.1, RFC 7634 §2)
  std::optional<crypto::IntegAlg> integrity;  // none for AEAD
  Secret integrity_key;
  bool esn = false;
  std::uint32_t replay_window = 32;  // packets
  std::optional<UdpEncap> encap;
  SaLifetime lifetime;
  // Traffic the SA protects (informational for the kernel in tunnel mode).
  std::optional<Subnet> selector_src, selector_dst;
  std::uint32_t if_id = 0;  // route mode: the xfrm interface id (0 = none)
  std::uint32_t mark = 0;   // route mode fallback (VTI key/mark)
  std::string tunnel;       // owning tunnel name, for error messages only
};

struct PolicyId {
  Subnet src, dst;
  Direction dir = Direction::Out;
  std::uint32_t if_id = 0;
  std::uint32_t mark = 0;
  friend bool operator==(const PolicyId&, const PolicyId&) = default;
};

// An IPsec policy with one ESP tunnel-mode template tied to SAs by reqid.
struct Policy {
  PolicyId id;
  IpAddress tmpl_src, tmpl_dst;  // outer addresses of the tunnel
  std::uint32_t reqid = 0;
  std::uint32_t priority = 0;    // 0: let xfrm/ choose from prefix lengths
  bool trap = false;             // negotiation: traffic — no SA yet, kernel sends ACQUIRE
  std::string tunnel;            // owning tunnel name, for error messages only
};

struct SaCounters {
  std::uint64_t bytes = 0, packets = 0;
  std::uint64_t replay_errors = 0, integrity_errors = 0;
  std::optional<std::chrono::system_clock::time_point> last_used;  // kernel's use time
  std::chrono::system_clock::time_point added;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // Reserves an inbound SPI (XFRM_MSG_ALLOCSPI: a larval SA from src to dst).
  virtual Result<std::uint32_t> allocate_spi(const IpAddress& src, const IpAddress& dst,
                                             std::uint32_t reqid) = 0;
  virtual Status add_sa(const EspSa& sa) = 0;
  virtual Status delete_sa(const SaId& id) = 0;
  virtual Result<SaCounters> query_sa(const SaId& id) = 0;
  virtual Status add_policy(const Policy& policy) = 0;
  virtual Status delete_policy(const PolicyId& id) = 0;
};

}  // namespace ike
