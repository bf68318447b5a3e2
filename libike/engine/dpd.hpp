// Dead peer detection for one tunnel (RFC 7296 §2.4, RFC 3706 for IKEv1),
// version-neutral: the detector decides when to ask; the IKE SA asks
// (IkeSa::probe_liveness) and ends with IkeSaEnd::peer_dead when nobody
// answers. The tunnel then applies dpd.action.
//
// Timing from dpd.timeout T: every T/4 the detector looks for signs of
// life since its previous look: an authenticated IKE message
// (IkeSa::last_heard) or inbound ESP (the kernel's packet counters of the
// inbound SAs moved; XFRM's use_time is the time of the FIRST use only, so
// counters are what tells). Only when there was none is a probe sent, and
// its retransmissions are scaled to give up after T/2. With the last sign
// of life at t, the first look that sees nothing is at most t + 2·T/4 and
// the peer is declared dead at most T/2 after that: within T.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "libike/engine/ike_sa.hpp"
#include "libike/engine/kernel_state.hpp"

namespace ike {

class DeadPeerDetector {
 public:
  explicit DeadPeerDetector(const DpdConfig& config) : config_(config) {}

  // An IKE SA carries the tunnel: look every interval() from now on.
  void start(TimePoint now);
  void stop();
  std::optional<TimePoint> deadline() const { return next_; }

  // Time to look. `established`: the tunnel's established IKE SAs (their
  // CHILD SAs' counters count); `carrier`: the one that probes.
  void check(const std::vector<IkeSa*>& established, IkeSa& carrier, const KernelState& kernel,
             TimePoint now);

  std::chrono::milliseconds interval() const;
  std::chrono::milliseconds probe_budget() const;

 private:
  bool esp_moved(const std::vector<IkeSa*>& established, const KernelState& kernel);

  DpdConfig config_;
  std::optional<TimePoint> next_;
  std::map<std::uint32_t, std::uint64_t> packets_;  // inbound SPI -> packets at the last look
};

}  // namespace ike
