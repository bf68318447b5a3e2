// The one event loop (STYLE.md §5): epoll over every descriptor kited
// watches — UDP sockets, the timerfd, the signalfd, the xfrm event socket,
// the control socket and its clients. Handlers run to completion and never
// block. After each batch of events the after-dispatch hook runs; kited
// uses it to re-arm its timer from the engine's next deadline.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include "daemon/fd.hpp"
#include "libike/common/result.hpp"

namespace kite::daemon {

class EventLoop {
 public:
  using Handler = std::function<void(std::uint32_t events)>;

  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches fd for `events` (EPOLLIN, EPOLLOUT...). The handler may add or
  // remove any descriptor, including its own.
  ike::Status add(int fd, std::uint32_t events, Handler handler);
  ike::Status modify(int fd, std::uint32_t events);
  // Stops watching fd (call before closing it).
  void remove(int fd);
  bool watching(int fd) const { return by_fd_.contains(fd); }

  void set_after_dispatch(std::function<void()> hook) { after_dispatch_ = std::move(hook); }
  // A handler (or the after-dispatch hook) that throws loses only the
  // input it was handling: the loop reports the exception here and goes
  // on, so one unexpected throw cannot end kited with SAs, policies and
  // routes left behind. Without a reporter the exception is dropped.
  using ExceptionReporter = std::function<void(const char* what)>;
  void set_exception_reporter(ExceptionReporter report) { report_ = std::move(report); }
  // Dispatches until stop(). A failed epoll_wait (other than EINTR) ends it.
  ike::Status run();
  // Dispatches one batch, waiting at most timeout_ms (-1: forever).
  ike::Status run_once(int timeout_ms);
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

 private:
  struct Entry {
    int fd;
    std::shared_ptr<Handler> handler;
  };
  Fd epoll_;
  // epoll carries a token, not the fd, so an event for a descriptor that
  // was closed and reused within one batch never reaches the new handler.
  std::unordered_map<std::uint64_t, Entry> by_token_;
  std::unordered_map<int, std::uint64_t> by_fd_;
  std::uint64_t next_token_ = 1;
  std::function<void()> after_dispatch_;
  ExceptionReporter report_;
  bool stopped_ = false;

  template <typename F>
  void guarded(F&& f);
};

}  // namespace kite::daemon
