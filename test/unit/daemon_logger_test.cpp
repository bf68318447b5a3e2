// kited's log lines: levels, the journal's <N> prefixes, the stderr form.
#include <catch2/catch.hpp>

#include "daemon/logger.hpp"

using namespace kite::daemon;

TEST_CASE("log levels from the config") {
  CHECK(log_level_from_name("error") == LogLevel::Error);
  CHECK(log_level_from_name("warning") == LogLevel::Warning);
  CHECK(log_level_from_name("info") == LogLevel::Info);
  CHECK(log_level_from_name("debug") == LogLevel::Debug);
  CHECK_FALSE(log_level_from_name("verbose"));
  Logger logger(LogSink::Stderr, LogLevel::Warning);
  CHECK(logger.enabled(LogLevel::Error));
  CHECK(logger.enabled(LogLevel::Warning));
  CHECK_FALSE(logger.enabled(LogLevel::Info));
}

TEST_CASE("event kinds map onto syslog priorities") {
  using K = ike::TunnelEvent::Kind;
  CHECK(level_of(K::NegotiationFailed) == LogLevel::Error);
  CHECK(level_of(K::DpdTimeout) == LogLevel::Warning);
  CHECK(level_of(K::Up) == LogLevel::Info);
  CHECK(level_of(K::Debug) == LogLevel::Debug);
}

TEST_CASE("one line per event in each sink's form") {
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  CHECK(format_log_line(LogSink::Journal, LogLevel::Error, "t1", "AUTHENTICATION_FAILED", when) ==
        "<3>t1: AUTHENTICATION_FAILED");
  CHECK(format_log_line(LogSink::Journal, LogLevel::Info, "", "ready", when) == "<6>ready");
  CHECK(format_log_line(LogSink::Stderr, LogLevel::Warning, "t1", "DPD timeout", when) ==
        "2023-11-14T22:13:20.000Z warning t1: DPD timeout");
  CHECK(format_log_line(LogSink::Syslog, LogLevel::Info, "t1", "up", when) == "t1: up");
}
