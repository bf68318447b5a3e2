// A timerfd armed at an absolute steady-clock time (the engine's next
// deadline): the event loop sleeps in epoll_wait until then, and no timer
// state lives anywhere but in the engine.
#pragma once
#include <optional>

#include "daemon/fd.hpp"
#include "libike/common/result.hpp"
#include "libike/tunnel/environment.hpp"

namespace kite::daemon {

class DeadlineTimer {
 public:
  DeadlineTimer();
  int fd() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  // Arms at `when` (fires at once if it has passed); disarms on nullopt.
  ike::Status arm(std::optional<ike::TimePoint> when);
  // Reads the expiration count so the fd stops being readable.
  void acknowledge();
  std::optional<ike::TimePoint> armed_at() const { return armed_; }

 private:
  Fd fd_;
  std::optional<ike::TimePoint> armed_;
};

// The earlier of two optional deadlines.
std::optional<ike::TimePoint> earliest(std::optional<ike::TimePoint> a,
                                       std::optional<ike::TimePoint> b);

}  // namespace kite::daemon
