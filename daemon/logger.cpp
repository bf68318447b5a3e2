#include "daemon/logger.hpp"

#include <syslog.h>

#include <cstdlib>

#include <fmt/format.h>

#include "daemon/status_json.hpp"

namespace kite::daemon {

std::optional<LogLevel> log_level_from_name(std::string_view name) {
  if (name == "error") return LogLevel::Error;
  if (name == "warning") return LogLevel::Warning;
  if (name == "info") return LogLevel::Info;
  if (name == "debug") return LogLevel::Debug;
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Error: return "error";
    case LogLevel::Warning: return "warning";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
  }
  return "info";
}

LogLevel level_of(ike::TunnelEvent::Kind kind) {
  using K = ike::TunnelEvent::Kind;
  switch (kind) {
    case K::NegotiationFailed: return LogLevel::Error;
    case K::DpdTimeout:
    case K::Warning: return LogLevel::Warning;
    case K::Up:
    case K::Down:
    case K::Rekeyed:
    case K::Info: return LogLevel::Info;
    case K::Debug: return LogLevel::Debug;
  }
  return LogLevel::Info;
}

LogSink detect_log_sink(bool foreground) {
  if (std::getenv("JOURNAL_STREAM") != nullptr) return LogSink::Journal;
  return foreground ? LogSink::Stderr : LogSink::Syslog;
}

std::string format_log_line(LogSink sink, LogLevel level, std::string_view tunnel,
                            std::string_view message, std::chrono::system_clock::time_point when) {
  const std::string where = tunnel.empty() ? std::string() : fmt::format("{}: ", tunnel);
  if (sink == LogSink::Stderr)
    return fmt::format("{} {:<7} {}{}", utc_timestamp(when), log_level_name(level), where, message);
  if (sink == LogSink::Journal)
    return fmt::format("<{}>{}{}", static_cast<int>(level), where, message);
  return fmt::format("{}{}", where, message);  // syslog adds time and priority
}

Logger::Logger(LogSink sink, LogLevel threshold) : sink_(LogSink::Stderr), threshold_(threshold) {
  set_sink(sink);
}

void Logger::set_sink(LogSink sink) {
  // A detached kited keeps its journal stream if it has one.
  if (sink == LogSink::Syslog && sink_ == LogSink::Journal) return;
  sink_ = sink;
  if (sink_ == LogSink::Syslog) ::openlog("kited", LOG_PID, LOG_DAEMON);
}

void Logger::log(LogLevel level, std::string_view tunnel, std::string_view message) const {
  if (!enabled(level)) return;
  const std::string line =
      format_log_line(sink_, level, tunnel, message, std::chrono::system_clock::now());
  if (sink_ == LogSink::Syslog) {
    ::syslog(static_cast<int>(level), "%s", line.c_str());
    return;
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace kite::daemon
