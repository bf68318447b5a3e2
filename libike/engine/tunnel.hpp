// One configured tunnel: its IKE SAs (any version, through ike::IkeSa),
// what it installed in the kernel (KernelState), retry timing for
// `active` tunnels, and its status. Version-neutral: IKEv2 and IKEv1 SAs
// are made by the factories in tunnel.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libike/engine/dpd.hpp"
#include "libike/engine/ike_sa.hpp"
#include "libike/engine/kernel_state.hpp"

namespace ike {

class Tunnel;

// What a tunnel needs from the engine that holds it.
class TunnelHost {
 public:
  virtual ~TunnelHost() = default;
  virtual Environment& env() = 0;
  virtual const GatewayConfig& gateway() const = 0;
  virtual const EngineOptions& options() const = 0;
  virtual EngineCounters& counters() = 0;
  // A fresh local IKE SPI, unique in the engine, never 0.
  virtual std::uint64_t new_ike_spi() = 0;
  // A new IKE SA of `tunnel`: index it for dispatch.
  virtual void register_sa(Tunnel& tunnel, IkeSa& sa) = 0;
};

class Tunnel final : public IkeSaOwner {
 public:
  Tunnel(TunnelHost& host, TunnelConfig config, std::vector<std::uint32_t> reqids);
  ~Tunnel() override;

  // ---- engine side -------------------------------------------------------
  // Installs the fail-closed trap policies (every negotiation type) and
  // starts negotiating (active).
  Status start(TimePoint now);
  void up(TimePoint now);
  void down(TimePoint now);
  Status rekey(bool ike_sa, TimePoint now);
  // Deletes everything (telling the peer); the tunnel is gone once its
  // IKE SAs have finished.
  void remove(TimePoint now);
  bool removed() const { return removed_; }
  void on_acquire(std::uint32_t reqid, TimePoint now);
  // True if one of its CHILD SAs has that SPI.
  bool on_expire(const Expire& expire, TimePoint now);
  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  // A peer's IKE_SA_INIT for this tunnel: a new responder SA.
  IkeSa* add_responder(std::uint64_t spi, const Datagram& request, TimePoint now);
  // Destroys finished SAs; returns them for the engine to unindex first.
  std::vector<IkeSa*> finished_sas() const;
  void destroy(IkeSa* sa);
  bool has_sas() const { return !sas_.empty(); }
  const std::vector<std::uint32_t>& reqids() const { return reqids_; }
  TunnelStatus status() const;
  std::size_t half_open() const;

  // ---- IkeSaOwner ----------------------------------------------------------
  const TunnelConfig& config() const override { return config_; }
  const GatewayConfig& gateway() const override { return host_.gateway(); }
  Environment& env() override { return host_.env(); }
  std::uint32_t reqid(std::size_t mapping_index) const override;
  Status install_child(const NegotiatedChild& child, TimePoint now) override;
  void remove_child(std::uint32_t spi_in) override;
  void release_spi(std::uint32_t spi_in) override;
  Status install_outbound(std::uint32_t spi_in) override { return kernel_.install_outbound(spi_in); }
  bool has_other_ike_sa(const IkeSa& self) const override;
  void initial_contact(const IkeSa& self, TimePoint now) override;
  void ike_established(IkeSa& sa, TimePoint now) override;
  std::uint64_t new_ike_spi() override { return host_.new_ike_spi(); }
  void adopt(std::unique_ptr<IkeSa> successor, TimePoint now) override;
  IkeSa* find_sa(std::uint64_t local_spi) override;
  IkeSa* carrier() override {
    auto* sa = current();
    return sa && sa->phase() == IkeSaPhase::Established ? sa : nullptr;
  }
  void ike_ended(IkeSa& sa, const IkeSaEnd& end, TimePoint now) override;
  void child_failed(IkeSa& sa, const std::string& reason, TimePoint now) override;
  const EngineOptions& options() const override { return host_.options(); }
  EngineCounters& counters() override { return host_.counters(); }

 private:
  void initiate(TimePoint now);
  // The IKE SA that carries the tunnel (established, else connecting).
  IkeSa* current() const;
  bool negotiating_or_up() const;
  std::vector<IkeSa*> established() const;
  // Both ends initiated at once: one of two working IKE SAs goes.
  void drop_duplicate(TimePoint now);
  // DPD declared the peer dead: dpd.action (clear | restart).
  void peer_dead(IkeSa& sa, const std::string& reason, TimePoint now);
  void event(TunnelEvent::Kind kind, const std::string& message);
  std::unique_ptr<IkeSa> make_sa(bool initiator, std::uint64_t spi, const Datagram* request,
                                 TimePoint now);

  TunnelHost& host_;
  TunnelConfig config_;
  std::vector<std::uint32_t> reqids_;
  KernelState kernel_;
  DeadPeerDetector dpd_;
  std::vector<std::unique_ptr<IkeSa>> sas_;
  std::optional<TimePoint> retry_at_;
  bool admin_down_ = false;
  // dpd.action clear: no automatic re-negotiation until `up`, an acquire
  // or the peer itself brings the tunnel back.
  bool dpd_cleared_ = false;
  std::optional<TimePoint> duplicate_check_at_;  // after an IKE SA came up
  bool removed_ = false;
  std::string last_error_;
  std::optional<RouteBinding> route_;  // mode route
};

}  // namespace ike
