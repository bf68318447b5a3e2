// A kernel for tests: records SAs (larval and installed) and policies the
// way XFRM would key them, allocates SPIs deterministically, counts calls,
// and fails a chosen call on request. Like XFRM it keeps per-SA counters
// (traffic() simulates packets), enforces soft/hard lifetimes in seconds
// and bytes against `now` (expires(): soft once, hard deletes the SA) and
// picks the newest outbound SA of a reqid (outbound_for()).
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/kernel.hpp"

namespace kite::test {

class FakeKernel final : public ike::Kernel {
 public:
  enum class Call : std::uint8_t { AllocateSpi, AddSa, DeleteSa, QuerySa, AddPolicy, DeletePolicy };

  explicit FakeKernel(std::uint32_t spi_base) : next_spi_(spi_base) {}

  ike::Result<std::uint32_t> allocate_spi(const ike::IpAddress& src, const ike::IpAddress& dst,
                                          std::uint32_t reqid) override;
  ike::Status add_sa(const ike::EspSa& sa) override;
  ike::Status delete_sa(const ike::SaId& id) override;
  ike::Result<ike::SaCounters> query_sa(const ike::SaId& id) override;
  ike::Status add_policy(const ike::Policy& policy) override;
  ike::Status delete_policy(const ike::PolicyId& id) override;

  // The nth (1-based) future call of this kind fails.
  void fail_on(Call call, unsigned nth = 1) { failures_[call] = calls_[call] + nth; }
  unsigned calls(Call call) const;

  // State.
  std::vector<ike::EspSa> sas() const;           // installed (not larval)
  std::vector<std::uint32_t> larval() const;     // allocated, not yet completed
  const std::vector<ike::Policy>& policies() const { return policies_; }
  const ike::EspSa* find_sa(std::uint32_t spi) const;
  const ike::Policy* find_policy(const ike::PolicyId& id) const;
  bool empty() const { return sas_.empty() && policies_.empty(); }
  // A loaded tunnel with nothing negotiated: no SA (larval or installed)
  // and only fail-closed trap policies, `traps` of them.
  bool idle(std::size_t traps) const {
    return sas_.empty() && policies_.size() == traps &&
           std::all_of(policies_.begin(), policies_.end(), [](const ike::Policy& p) { return p.trap; });
  }
  void set_counters(std::uint32_t spi, ike::SaCounters c) { counters_[spi] = c; }

  // Simulated traffic through an installed SA (ignored for unknown SPIs).
  void traffic(std::uint32_t spi, std::uint64_t bytes, std::uint64_t packets = 1);
  // The kernel's clock: lifetimes count from the install time.
  ike::TimePoint now{};
  // Lifetime events due at `now` (XFRM_MSG_EXPIRE): each soft limit fires
  // once; a hard limit deletes the SA, as XFRM does, and reports it.
  std::vector<ike::Expire> expires();
  std::optional<ike::TimePoint> next_expiry() const;
  // The SA XFRM would pick for outbound packets of this reqid: the newest
  // installed one (xfrm_state_find prefers the latest add_time).
  const ike::EspSa* outbound_for(std::uint32_t reqid) const;

 private:
  bool should_fail(Call call);
  struct Entry {
    bool larval = true;
    ike::EspSa sa;
    ike::TimePoint added{};
    std::uint64_t order = 0;
    bool soft_fired = false;
  };
  std::uint32_t next_spi_;
  std::map<std::uint32_t, Entry> sas_;  // by SPI (unique in tests)
  std::vector<ike::Policy> policies_;
  std::map<std::uint32_t, ike::SaCounters> counters_;
  std::map<Call, unsigned> calls_;
  std::map<Call, unsigned> failures_;
  std::uint64_t installs_ = 0;
};

}  // namespace kite::test
