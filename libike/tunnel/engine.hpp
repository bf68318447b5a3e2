// The sans-I/O engine the daemon drives (STYLE.md §1, as ngtcp2's
// read_pkt/handle_expiry/get_expiry): configuration, datagrams, kernel
// events and the current time go in; datagrams, kernel requests and events
// come out through the Environment. One Engine serves every tunnel of the
// gateway, IKEv1 and IKEv2, and dispatches datagrams to their IKE SAs.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libike/tunnel/environment.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace ike {

enum class TunnelState : std::uint8_t { Down, Connecting, Up, Rekeying };
std::string_view to_string(TunnelState state);

// Route mode (SPEC.md §2 `mode: route`): what ties a tunnel's SAs and
// policies to its interface. An xfrm interface (`ip link add NAME type xfrm
// if_id N`) matches SAs and policies by XFRMA_IF_ID = N; a VTI (`type vti
// ikey K okey K`, the fallback where the kernel lacks xfrm interfaces)
// looks them up with the packet mark K. kited probes the kernel once and
// says which in EngineOptions::route_interface.
enum class InterfaceKind : std::uint8_t { Xfrm, Vti };
std::string_view to_string(InterfaceKind kind);  // "xfrm", "vti"

struct RouteBinding {
  std::string interface;
  InterfaceKind kind = InterfaceKind::Xfrm;
  // The xfrm interface's if_id, or the VTI's ikey/okey (= the SAs' and
  // policies' mark). The engine derives it from the tunnel's reqid, so it
  // lies in kite's range (xfrm/ownership.hpp) and is unique per tunnel.
  std::uint32_t id = 0;
  friend bool operator==(const RouteBinding&, const RouteBinding&) = default;
};

// What `kitectl show` prints about one CHILD SA (IPsec SA pair).
struct ChildSaStatus {
  std::uint32_t spi_in = 0, spi_out = 0;
  std::vector<SpdMapping> mappings;  // traffic selectors actually negotiated
  std::string encryption, integrity;  // config names ("aes128", "sha256")
  std::optional<std::uint16_t> pfs_group;
  bool udp_encap = false;
  TimePoint established{};
  Seconds lifetime{0};
  std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;  // from the kernel
};

struct TunnelStatus {
  std::string name;
  IpAddress peer;
  TunnelState state = TunnelState::Down;
  IkeVersion version = IkeVersion::V2;
  std::optional<TimePoint> established;  // IKE SA up since
  // When the IKE SA is due for rekeying and when its lifetime ends, where
  // the IKE version enforces the lifetime (IKEv2); nullopt otherwise.
  std::optional<TimePoint> ike_rekey_at, ike_expires_at;
  std::uint64_t ike_spi_i = 0, ike_spi_r = 0;
  std::string ike_encryption, ike_integrity, ike_prf;
  std::optional<std::uint16_t> ike_dh_group;
  bool nat_detected = false;
  std::vector<ChildSaStatus> children;
  std::string last_error;
  std::size_t ike_sas = 0;  // IKE SAs the tunnel holds (two while one replaces the other)
  std::optional<RouteBinding> route;  // mode route: the interface its SAs are bound to
};

// Daemon-wide counters (`kitectl status --json`, monitoring).
struct EngineCounters {
  std::uint64_t ike_sas_established = 0, ike_sas_failed = 0, half_open = 0,
                retransmits = 0, datagrams_in = 0, datagrams_dropped = 0;
};

// A kernel XFRM_MSG_ACQUIRE (negotiation: traffic) or EXPIRE.
struct Acquire {
  std::uint32_t reqid = 0;
  Subnet src, dst;
};
struct Expire {
  SaId sa;
  bool hard = false;
};

// Engine-wide knobs; the defaults suit kited, tests shrink them.
struct EngineOptions {
  // RFC 7296 §2.1 retransmission: first timeout, doubled per try; after
  // `retransmit_tries` transmissions and one last timeout the exchange
  // (and with it the IKE SA) is given up: 1+2+4+8+16 = 31 s by default.
  std::chrono::milliseconds retransmit_timeout{1000};
  unsigned retransmit_tries = 5;
  // RFC 7296 §2.6: demand cookies once this many IKE SAs are half-open.
  unsigned cookie_threshold = 50;
  // A half-open responder SA (IKE_SA_INIT answered, no IKE_AUTH) expires.
  Seconds half_open_timeout{30};
  // An `active` tunnel whose negotiation failed tries again after this.
  Seconds retry_interval{30};
  // A closed IKE SA keeps answering retransmits (its last response) this long.
  Seconds linger{30};
  // Test only (the kernel lab's rekey scenarios): every configured lifetime
  // (IKE seconds, ESP seconds and kilobytes) is divided by this, below the
  // config's minimums, so rekeys come within seconds. kited takes it from
  // the environment variable KITE_TEST_LIFETIME_DIVISOR and warns; 1 (off)
  // otherwise.
  unsigned lifetime_divisor = 1;
  // Route mode: bind SAs and policies by if_id (xfrm interface) or by mark
  // (VTI). The daemon decides from what the kernel supports.
  InterfaceKind route_interface = InterfaceKind::Xfrm;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Configuration. add_tunnel installs policies and, for `active`, starts
  // negotiating; remove_tunnel deletes its SAs (telling the peer) and
  // everything it installed in the kernel.
  virtual Status add_tunnel(const TunnelConfig& tunnel, TimePoint now) = 0;
  virtual Status remove_tunnel(std::string_view name, TimePoint now) = 0;

  // Operator commands. up() starts negotiating (no-op if up already);
  // down() deletes the SAs and informs the peer.
  virtual Status up(std::string_view name, TimePoint now) = 0;
  virtual Status down(std::string_view name, TimePoint now) = 0;
  // Deletes every SA (informing peers) before the daemon exits.
  virtual void shutdown(TimePoint now) = 0;
  // Rekeys now, make-before-break (operator command, tests): the IKE SA,
  // or every CHILD SA of the tunnel.
  virtual Status rekey(std::string_view name, bool ike_sa, TimePoint now) {
    (void)name;
    (void)ike_sa;
    (void)now;
    return fail("rekeying on demand is not supported");
  }

  // Inputs.
  virtual void on_datagram(const Datagram& datagram, TimePoint now) = 0;
  virtual void on_timer(TimePoint now) = 0;
  virtual void on_acquire(const Acquire& acquire, TimePoint now) = 0;
  virtual void on_expire(const Expire& expire, TimePoint now) = 0;
  // The earliest time on_timer must be called (retransmit, DPD, rekey).
  virtual std::optional<TimePoint> next_deadline() const = 0;

  // Views.
  virtual std::optional<TunnelStatus> status(std::string_view name) const = 0;
  virtual std::vector<TunnelStatus> status_all() const = 0;
  virtual EngineCounters counters() const = 0;
};

// The engine for this gateway (libike/engine/).
std::unique_ptr<Engine> make_engine(Environment& env, const GatewayConfig& gateway,
                                    const EngineOptions& options = {});

}  // namespace ike
