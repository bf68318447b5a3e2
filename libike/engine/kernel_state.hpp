// What one tunnel put into the kernel, so it can take out exactly that:
// the ESP SA pairs of its CHILD SAs, their policies (shared by CHILD SAs
// of the same mapping, e.g. while one replaces another) and the trap
// policies of `negotiation: traffic`. Installs are all or nothing: a
// failure rolls back whatever this install added.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libike/engine/ike_sa.hpp"
#include "libike/tunnel/kernel.hpp"

namespace ike {

class KernelState {
 public:
  KernelState(Kernel& kernel, std::string tunnel, IpAddress local)
      : kernel_(kernel), tunnel_(std::move(tunnel)), local_(local) {}

  // Route mode: every SA and policy installed from now on carries this
  // xfrm interface id / mark (0 = none; engine/route_mode.hpp).
  void bind(std::uint32_t if_id, std::uint32_t mark) {
    if_id_ = if_id;
    mark_ = mark;
  }

  // Trap policies (out, in, fwd) for each mapping; reqids parallel to
  // mappings. All or nothing.
  Status install_traps(const std::vector<SpdMapping>& mappings, const std::vector<std::uint32_t>& reqids,
                       const IpAddress& local, const IpAddress& remote);
  void remove_traps();

  Status install_child(const NegotiatedChild& child);
  // The outbound SA a child installed with defer_outbound held back.
  Status install_outbound(std::uint32_t spi_in);
  // Removes a CHILD SA's SAs and the policies no other CHILD SA uses (a
  // trap policy takes its place again). Unknown SPIs are ignored.
  void remove_child(std::uint32_t spi_in);
  // Frees a larval inbound SA (allocated SPI, never installed).
  void release_spi(std::uint32_t spi_in);
  void remove_all();
  bool empty() const { return children_.empty() && traps_.empty(); }

  // Kernel counters of a CHILD SA (inbound, outbound).
  struct Traffic {
    SaCounters in, out;
  };
  std::optional<Traffic> traffic(std::uint32_t spi_in) const;
  // Packets received so far on a CHILD SA's inbound SA (DPD: signs of life).
  std::optional<std::uint64_t> inbound_packets(std::uint32_t spi_in) const;

 private:
  struct Installed {
    std::uint32_t spi_in = 0;
    SaId in, out;
    std::vector<PolicyId> policies;
    std::optional<EspSa> pending_out;  // deferred outbound SA (not in the kernel yet)
  };
  struct PolicyRef {
    Policy policy;
    unsigned users = 0;
  };

  std::vector<Policy> policies_for(const NegotiatedChild& c) const;
  // Stamps the route-mode binding (bind()) on what is about to be installed.
  std::vector<Policy> bound(std::vector<Policy> policies) const;
  EspSa bound(EspSa sa) const;
  Status add_policies(const std::vector<Policy>& wanted, std::vector<PolicyId>& added);
  void release_policy(const PolicyId& id);
  PolicyRef* find_ref(const PolicyId& id);
  const Policy* find_trap(const PolicyId& id) const;

  Kernel& kernel_;
  std::string tunnel_;
  IpAddress local_;
  std::vector<Installed> children_;
  std::vector<PolicyRef> refs_;
  std::vector<Policy> traps_;
  std::uint32_t if_id_ = 0, mark_ = 0;
};

}  // namespace ike
