#include "libike/engine/dpd.hpp"

namespace ike {

std::chrono::milliseconds DeadPeerDetector::interval() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout) / 4;
}

std::chrono::milliseconds DeadPeerDetector::probe_budget() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout) / 2;
}

void DeadPeerDetector::start(TimePoint now) {
  if (!config_.enabled || config_.timeout.count() <= 0 || next_) return;
  next_ = now + interval();
}

void DeadPeerDetector::stop() {
  next_.reset();
  packets_.clear();
}

bool DeadPeerDetector::esp_moved(const std::vector<IkeSa*>& established, const KernelState& kernel) {
  bool moved = false;
  std::map<std::uint32_t, std::uint64_t> seen;
  for (const auto* sa : established) {
    for (const auto& child : sa->children()) {
      auto packets = kernel.inbound_packets(child.spi_in);
      if (!packets) continue;
      seen[child.spi_in] = *packets;
      auto before = packets_.find(child.spi_in);
      if (before == packets_.end() ? *packets > 0 : *packets != before->second) moved = true;
    }
  }
  packets_ = std::move(seen);
  return moved;
}

void DeadPeerDetector::check(const std::vector<IkeSa*>& established, IkeSa& carrier,
                             const KernelState& kernel, TimePoint now) {
  next_ = now + interval();
  bool alive = esp_moved(established, kernel);
  for (const auto* sa : established) {
    auto heard = sa->last_heard();
    if (heard && now - *heard < interval()) alive = true;
  }
  // RFC 7296 §2.4: a liveness check only when nothing came from the peer.
  if (!alive) (void)carrier.probe_liveness(now, probe_budget());
}

}  // namespace ike
