#include "daemon/deadline_timer.hpp"

#include <sys/timerfd.h>

#include <chrono>
#include <cstdint>

#include "daemon/sys_error.hpp"

namespace kite::daemon {

// std::chrono::steady_clock is CLOCK_MONOTONIC on Linux (libstdc++), so
// its time_since_epoch is directly a timerfd absolute time.
static_assert(std::is_same_v<ike::Clock, std::chrono::steady_clock>);

DeadlineTimer::DeadlineTimer()
    : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {}

ike::Status DeadlineTimer::arm(std::optional<ike::TimePoint> when) {
  if (when == armed_) return {};
  itimerspec spec{};
  if (when) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        when->time_since_epoch())
                        .count();
    // A zero it_value would disarm: a deadline at or before the epoch
    // still has to fire, so clamp it to 1 ns.
    const auto abs_ns = ns > 0 ? ns : 1;
    spec.it_value.tv_sec = static_cast<time_t>(abs_ns / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(abs_ns % 1'000'000'000);
  }
  if (::timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0)
    return sys_fail("timerfd_settime");
  armed_ = when;
  return {};
}

void DeadlineTimer::acknowledge() {
  std::uint64_t expirations = 0;
  [[maybe_unused]] auto n = ::read(fd_.get(), &expirations, sizeof expirations);
  armed_.reset();
}

std::optional<ike::TimePoint> earliest(std::optional<ike::TimePoint> a,
                                       std::optional<ike::TimePoint> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace kite::daemon
