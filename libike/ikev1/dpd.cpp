// Dead peer detection for IKEv1 (RFC 3706): the tunnel's detector
// (libike/engine/dpd.cpp) decides when to ask; this unit asks. R-U-THERE
// is a one-way notify, so the sender retransmits it itself, each time
// with the next sequence number (§5.5), on exponential waits scaled to the
// probe budget; any authenticated message from the peer (the ACK, or
// anything else) answers it. Only a peer that announced DPD in phase 1
// (its vendor ID, §5.1) is asked.
#include <fmt/format.h>

#include "libike/ikev1/ikev1_sa.hpp"

namespace ike::v1 {

bool Ikev1Sa::probe_liveness(TimePoint now, std::chrono::milliseconds budget) {
  if (state != SaState::Established) return true;
  if (!nat.peer.dpd) return false;  // RFC 3706 §5.1: it would not answer
  if (dpd) return true;
  auto slots = (std::int64_t{1} << std::min(retransmit_policy().tries, 16u)) - 1;
  if (dpd_sequence_ == 0) dpd_sequence_ = random().u32() >> 1 | 1;  // §5.5: random start
  dpd = DpdProbe{now + budget, now, std::max(std::chrono::milliseconds(1), budget / slots), 0};
  event(TunnelEvent::Kind::Debug, "DPD: nothing from the peer lately, sending R-U-THERE");
  dpd_timer(now);
  return true;
}

void Ikev1Sa::dpd_timer(TimePoint now) {
  if (!dpd || state != SaState::Established) return;
  if (now >= dpd->deadline) {
    dpd.reset();
    return end({true,
                fmt::format("DPD: no answer from {} to R-U-THERE ({}s timeout)", remote.to_string(),
                            config().dpd.timeout.count()),
                true},
               now);
  }
  if (now < dpd->next_send) return;
  send_informational({make_dpd(NotifyType::RUThere, concat(cky_i, cky_r), dpd_sequence_++)});
  dpd->next_send = now + dpd->wait * (std::int64_t{1} << std::min(dpd->sent++, 16u));
  if (dpd->next_send > dpd->deadline) dpd->next_send = dpd->deadline;
}

void Ikev1Sa::alive(TimePoint now) {
  heard = now;
  dpd.reset();
}

}  // namespace ike::v1
