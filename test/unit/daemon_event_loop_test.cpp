// The epoll loop and the timerfd armed from deadlines.
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/deadline_timer.hpp"
#include "daemon/event_loop.hpp"

using namespace kite::daemon;
using namespace std::chrono_literals;

TEST_CASE("handlers run for ready descriptors and may remove themselves") {
  EventLoop loop;
  Fd a(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)), b(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
  int a_calls = 0, b_calls = 0, batches = 0;
  REQUIRE(loop.add(a.get(), EPOLLIN, [&](std::uint32_t) {
    ++a_calls;
    loop.remove(a.get());
    loop.remove(b.get());  // b's pending event in this batch must not run
  }));
  REQUIRE(loop.add(b.get(), EPOLLIN, [&](std::uint32_t) {
    ++b_calls;
    loop.remove(a.get());
    loop.remove(b.get());
  }));
  CHECK_FALSE(loop.add(a.get(), EPOLLIN, [](std::uint32_t) {}));  // already watched
  loop.set_after_dispatch([&] { ++batches; });
  REQUIRE(loop.run_once(1000));
  CHECK(a_calls + b_calls == 1);
  CHECK(batches == 1);
  CHECK_FALSE(loop.watching(a.get()));
  REQUIRE(loop.run_once(0));
  CHECK(a_calls + b_calls == 1);
}

TEST_CASE("a handler that throws loses its input only: reported, the loop serves the others") {
  EventLoop loop;
  Fd a(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)), b(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
  std::vector<std::string> reports;
  int b_calls = 0, batches = 0;
  loop.set_exception_reporter([&](const char* what) { reports.emplace_back(what); });
  REQUIRE(loop.add(a.get(), EPOLLIN, [&](std::uint32_t) {
    std::uint64_t v = 0;
    CHECK(::read(a.get(), &v, sizeof v) == sizeof v);
    throw std::length_error("payload too long");
  }));
  REQUIRE(loop.add(b.get(), EPOLLIN, [&](std::uint32_t) {
    std::uint64_t v = 0;
    CHECK(::read(b.get(), &v, sizeof v) == sizeof v);
    ++b_calls;
  }));
  loop.set_after_dispatch([&] {
    if (++batches == 1) throw std::runtime_error("after dispatch");
  });
  REQUIRE(loop.run_once(1000));
  CHECK(b_calls == 1);
  CHECK(batches == 1);
  REQUIRE(reports.size() == 2);
  CHECK(reports[0] == "payload too long");
  CHECK(reports[1] == "after dispatch");
  // Still serving: the thrower's descriptor is watched and runs again.
  std::uint64_t one = 1;
  REQUIRE(::write(a.get(), &one, sizeof one) == sizeof one);
  REQUIRE(loop.run_once(1000));
  CHECK(reports.size() == 3);
  CHECK(batches == 2);
}

TEST_CASE("run() returns after stop()") {
  EventLoop loop;
  Fd e(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
  REQUIRE(loop.add(e.get(), EPOLLIN, [&](std::uint32_t) { loop.stop(); }));
  REQUIRE(loop.run());
  CHECK(loop.stopped());
}

TEST_CASE("deadline timer fires at the deadline, or at once when it passed") {
  EventLoop loop;
  DeadlineTimer timer;
  REQUIRE(timer.valid());
  int fired = 0;
  REQUIRE(loop.add(timer.fd(), EPOLLIN, [&](std::uint32_t) {
    timer.acknowledge();
    ++fired;
  }));
  const auto start = ike::Clock::now();
  REQUIRE(timer.arm(start + 30ms));
  CHECK(timer.armed_at() == start + 30ms);
  while (fired == 0) REQUIRE(loop.run_once(1000));
  CHECK(ike::Clock::now() - start >= 30ms);

  REQUIRE(timer.arm(start - 1s));
  REQUIRE(loop.run_once(1000));
  CHECK(fired == 2);

  REQUIRE(timer.arm(ike::Clock::now() + 10ms));
  REQUIRE(timer.arm(std::nullopt));
  REQUIRE(loop.run_once(50));
  CHECK(fired == 2);

  CHECK(earliest(std::nullopt, std::nullopt) == std::nullopt);
  CHECK(earliest(start, std::nullopt) == start);
  CHECK(earliest(start + 1s, start) == start);
}
