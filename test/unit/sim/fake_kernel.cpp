#include "test/unit/sim/fake_kernel.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace kite::test {

using namespace ike;

bool FakeKernel::should_fail(Call call) {
  auto n = ++calls_[call];
  auto it = failures_.find(call);
  if (it == failures_.end() || it->second != n) return false;
  failures_.erase(it);
  return true;
}

unsigned FakeKernel::calls(Call call) const {
  auto it = calls_.find(call);
  return it == calls_.end() ? 0 : it->second;
}

Result<std::uint32_t> FakeKernel::allocate_spi(const IpAddress& src, const IpAddress& dst,
                                               std::uint32_t reqid) {
  if (should_fail(Call::AllocateSpi)) return fail("fake: ALLOCSPI refused");
  auto spi = next_spi_++;
  Entry e;
  e.sa.id = {dst, spi};
  e.sa.src = src;
  e.sa.reqid = reqid;
  sas_[spi] = e;
  return spi;
}

Status FakeKernel::add_sa(const EspSa& sa) {
  if (should_fail(Call::AddSa)) return fail(fmt::format("fake: cannot install SA {:08x}", sa.id.spi));
  auto it = sas_.find(sa.id.spi);
  if (sa.inbound) {
    if (it == sas_.end() || !it->second.larval) return fail("fake: UPDSA without a larval SA");
  } else if (it != sas_.end()) {
    return fail("fake: SA exists");
  }
  sas_[sa.id.spi] = {false, sa, now, ++installs_, false};
  return {};
}

Status FakeKernel::delete_sa(const SaId& id) {
  if (should_fail(Call::DeleteSa)) return fail("fake: DELSA refused");
  sas_.erase(id.spi);
  counters_.erase(id.spi);
  return {};
}

Result<SaCounters> FakeKernel::query_sa(const SaId& id) {
  if (should_fail(Call::QuerySa)) return fail("fake: GETSA refused");
  if (!sas_.contains(id.spi)) return fail("fake: no such SA");
  auto it = counters_.find(id.spi);
  return it == counters_.end() ? SaCounters{} : it->second;
}

Status FakeKernel::add_policy(const Policy& p) {
  if (should_fail(Call::AddPolicy)) return fail("fake: cannot install policy");
  // As xfrm/ does: a policy with the same selector is replaced.
  std::erase_if(policies_, [&](const Policy& x) { return x.id == p.id; });
  policies_.push_back(p);
  return {};
}

Status FakeKernel::delete_policy(const PolicyId& id) {
  if (should_fail(Call::DeletePolicy)) return fail("fake: DELPOLICY refused");
  std::erase_if(policies_, [&](const Policy& x) { return x.id == id; });
  return {};
}

std::vector<EspSa> FakeKernel::sas() const {
  std::vector<EspSa> out;
  for (const auto& [spi, e] : sas_)
    if (!e.larval) out.push_back(e.sa);
  return out;
}

std::vector<std::uint32_t> FakeKernel::larval() const {
  std::vector<std::uint32_t> out;
  for (const auto& [spi, e] : sas_)
    if (e.larval) out.push_back(spi);
  return out;
}

const EspSa* FakeKernel::find_sa(std::uint32_t spi) const {
  auto it = sas_.find(spi);
  return it == sas_.end() || it->second.larval ? nullptr : &it->second.sa;
}

const Policy* FakeKernel::find_policy(const PolicyId& id) const {
  for (const auto& p : policies_)
    if (p.id == id) return &p;
  return nullptr;
}

void FakeKernel::traffic(std::uint32_t spi, std::uint64_t bytes, std::uint64_t packets) {
  auto it = sas_.find(spi);
  if (it == sas_.end() || it->second.larval) return;
  auto& c = counters_[spi];
  c.bytes += bytes;
  c.packets += packets;
}

namespace {

ike::TimePoint at(ike::TimePoint added, std::uint64_t seconds) {
  return added + std::chrono::seconds(static_cast<std::int64_t>(seconds));
}

}  // namespace

std::vector<Expire> FakeKernel::expires() {
  std::vector<Expire> out;
  for (auto it = sas_.begin(); it != sas_.end();) {
    auto& e = it->second;
    const auto& l = e.sa.lifetime;
    auto bytes = counters_.contains(it->first) ? counters_[it->first].bytes : 0;
    bool hard = !e.larval && ((l.hard_seconds && now >= at(e.added, l.hard_seconds)) ||
                              (l.hard_bytes && bytes >= l.hard_bytes));
    if (hard) {
      out.push_back({e.sa.id, true});
      counters_.erase(it->first);
      it = sas_.erase(it);
      continue;
    }
    bool soft = !e.larval && !e.soft_fired &&
                ((l.soft_seconds && now >= at(e.added, l.soft_seconds)) || (l.soft_bytes && bytes >= l.soft_bytes));
    if (soft) {
      e.soft_fired = true;
      out.push_back({e.sa.id, false});
    }
    ++it;
  }
  return out;
}

std::optional<TimePoint> FakeKernel::next_expiry() const {
  std::optional<TimePoint> best;
  auto consider = [&](TimePoint t) {
    if (!best || t < *best) best = t;
  };
  for (const auto& [spi, e] : sas_) {
    if (e.larval) continue;
    // A byte limit crossed by traffic() is due at once.
    auto c = counters_.find(spi);
    auto bytes = c == counters_.end() ? 0 : c->second.bytes;
    const auto& l = e.sa.lifetime;
    if ((l.hard_bytes && bytes >= l.hard_bytes) || (l.soft_bytes && !e.soft_fired && bytes >= l.soft_bytes))
      consider(now);
    if (e.sa.lifetime.hard_seconds) consider(at(e.added, e.sa.lifetime.hard_seconds));
    if (e.sa.lifetime.soft_seconds && !e.soft_fired) consider(at(e.added, e.sa.lifetime.soft_seconds));
  }
  return best;
}

const EspSa* FakeKernel::outbound_for(std::uint32_t reqid) const {
  const Entry* best = nullptr;
  for (const auto& [spi, e] : sas_)
    if (!e.larval && !e.sa.inbound && e.sa.reqid == reqid && (!best || e.order > best->order)) best = &e;
  return best ? &best->sa : nullptr;
}

}  // namespace kite::test
