// kited's log: one line per event — time, level, tunnel, message. Under
// systemd (JOURNAL_STREAM set) lines go to stderr with sd-daemon(3)
// "<N>" priority prefixes, which journald turns into priorities; otherwise
// they get a timestamp on stderr, until a kited without systemd detaches
// from its terminal and logs to syslog. Messages never hold key material
// (libike guarantees that for events; Secret cannot be formatted).
#pragma once
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "libike/tunnel/environment.hpp"

namespace kite::daemon {

// syslog(3) priorities.
enum class LogLevel { Error = 3, Warning = 4, Info = 6, Debug = 7 };

std::optional<LogLevel> log_level_from_name(std::string_view name);  // error|warning|info|debug
std::string_view log_level_name(LogLevel level);
LogLevel level_of(ike::TunnelEvent::Kind kind);

enum class LogSink { Stderr, Journal, Syslog };

// JOURNAL_STREAM names stderr's device:inode when systemd connected it to
// the journal (systemd.exec(5)).
LogSink detect_log_sink(bool foreground);

// The text of one line for a sink (without the trailing newline).
std::string format_log_line(LogSink sink, LogLevel level, std::string_view tunnel,
                            std::string_view message, std::chrono::system_clock::time_point when);

class Logger {
 public:
  explicit Logger(LogSink sink = LogSink::Stderr, LogLevel threshold = LogLevel::Info);
  void set_threshold(LogLevel level) { threshold_ = level; }
  void set_sink(LogSink sink);
  LogLevel threshold() const { return threshold_; }
  bool enabled(LogLevel level) const { return level <= threshold_; }

  void log(LogLevel level, std::string_view tunnel, std::string_view message) const;
  void event(const ike::TunnelEvent& event) const {
    log(level_of(event.kind), event.tunnel, event.message);
  }
  void error(std::string_view message) const { log(LogLevel::Error, {}, message); }
  void warning(std::string_view message) const { log(LogLevel::Warning, {}, message); }
  void info(std::string_view message) const { log(LogLevel::Info, {}, message); }
  void debug(std::string_view message) const { log(LogLevel::Debug, {}, message); }

 private:
  LogSink sink_;
  LogLevel threshold_;
};

}  // namespace kite::daemon
