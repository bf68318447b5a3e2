// A kernel for tests: records SAs (larval and installed) and policies the
// way XFRM would key them, allocates SPIs deterministically, counts calls,
// and fails a chosen call on request.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

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
  void set_counters(std::uint32_t spi, ike::SaCounters c) { counters_[spi] = c; }

 private:
  bool should_fail(Call call);
  struct Entry {
    bool larval = true;
    ike::EspSa sa;
  };
  std::uint32_t next_spi_;
  std::map<std::uint32_t, Entry> sas_;  // by SPI (unique in tests)
  std::vector<ike::Policy> policies_;
  std::map<std::uint32_t, ike::SaCounters> counters_;
  std::map<Call, unsigned> calls_;
  std::map<Call, unsigned> failures_;
};

}  // namespace kite::test
