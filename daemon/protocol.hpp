// The control protocol between kitectl (or any script) and kited: a Unix
// stream socket carrying one JSON object per line in each direction
// (README.md, "Control protocol"). This file holds the pure parts: request
// decoding/encoding, reply helpers and the bounded line framing.
#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "libike/common/result.hpp"

namespace kite::daemon {

using Json = nlohmann::json;

// A request line longer than this is refused and the client dropped; replies
// (a status of many tunnels) may be longer, see kMaxReplyLine.
inline constexpr std::size_t kMaxRequestLine = 4096;
inline constexpr std::size_t kMaxReplyLine = 16 * 1024 * 1024;
inline constexpr std::chrono::seconds kDefaultUpTimeout{30};
inline constexpr std::chrono::seconds kMaxUpTimeout{3600};

enum class Command { Status, Show, Up, Down, Reload, Monitor, Version };

std::string_view command_name(Command command);
std::optional<Command> command_from_name(std::string_view name);
// show, up and down name a tunnel.
bool command_needs_tunnel(Command command);

struct Request {
  Command command = Command::Status;
  std::string tunnel;
  // up: how long to wait for the tunnel (0: start negotiating, don't wait).
  std::chrono::seconds timeout = kDefaultUpTimeout;
  // monitor: include debug events.
  bool debug = false;
  friend bool operator==(const Request&, const Request&) = default;
};

// Decodes one request line (without the newline). Unknown members are
// ignored so that newer clients can talk to older daemons.
ike::Result<Request> parse_request(std::string_view line);
Json request_json(const Request& request);

// One line on the wire: compact JSON plus '\n'; invalid UTF-8 is replaced,
// never thrown on.
std::string encode_line(const Json& object);
// Parses a reply or event line; an error when it is not a JSON object.
ike::Result<Json> parse_object(std::string_view line);

Json ok_reply();
Json error_reply(std::string_view message);

// Splits a byte stream into lines, refusing any line longer than max_line.
class LineBuffer {
 public:
  explicit LineBuffer(std::size_t max_line) : max_line_(max_line) {}
  // Appends received bytes. False once a line has grown past max_line (the
  // stream is then unusable).
  [[nodiscard]] bool append(std::string_view data);
  // The next complete line without its '\n' (a trailing '\r' is dropped).
  std::optional<std::string> next_line();
  bool overflowed() const { return overflowed_; }
  std::size_t buffered() const { return data_.size(); }

 private:
  std::size_t max_line_;
  std::string data_;
  bool overflowed_ = false;
};

}  // namespace kite::daemon
