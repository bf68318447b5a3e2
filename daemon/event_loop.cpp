#include "daemon/event_loop.hpp"

#include <exception>

#include <sys/epoll.h>

#include <array>
#include <cerrno>

#include "daemon/sys_error.hpp"

namespace kite::daemon {

EventLoop::EventLoop() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

ike::Status EventLoop::add(int fd, std::uint32_t events, Handler handler) {
  if (!epoll_) return sys_fail("epoll_create1");
  if (by_fd_.contains(fd)) return ike::fail("fd " + std::to_string(fd) + " is already watched");
  const std::uint64_t token = next_token_++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return sys_fail("epoll_ctl add");
  by_token_[token] = Entry{fd, std::make_shared<Handler>(std::move(handler))};
  by_fd_[fd] = token;
  return {};
}

ike::Status EventLoop::modify(int fd, std::uint32_t events) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return ike::fail("fd " + std::to_string(fd) + " is not watched");
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = it->second;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) return sys_fail("epoll_ctl mod");
  return {};
}

void EventLoop::remove(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  by_token_.erase(it->second);
  by_fd_.erase(it);
}

ike::Status EventLoop::run_once(int timeout_ms) {
  std::array<epoll_event, 32> events{};
  const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                             timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return {};
    return sys_fail("epoll_wait");
  }
  for (int i = 0; i < n && !stopped_; ++i) {
    // epoll_event is packed on x86-64: copy the token out before use.
    const std::uint64_t token = events[i].data.u64;
    const std::uint32_t ready = events[i].events;
    auto it = by_token_.find(token);
    if (it == by_token_.end()) continue;  // removed by an earlier handler
    auto handler = it->second.handler;     // keeps it alive if it removes itself
    guarded([&] { (*handler)(ready); });
  }
  if (after_dispatch_) guarded(after_dispatch_);
  return {};
}

template <typename F>
void EventLoop::guarded(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    if (report_) report_(e.what());
  } catch (...) {
    if (report_) report_("unknown exception");
  }
}

ike::Status EventLoop::run() {
  while (!stopped_) {
    if (auto st = run_once(-1); !st) return st;
  }
  return {};
}

}  // namespace kite::daemon
