// kitectl's side of the control protocol: connect, send one request line,
// read reply (and, for monitor, event) lines.
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "daemon/fd.hpp"
#include "daemon/protocol.hpp"
#include "libike/common/result.hpp"

namespace kite::daemon {

// Why a call failed: the daemon could not be reached or went away (kitectl
// exit 3), or it answered something that is not the protocol.
struct ClientError {
  enum class Kind { Unreachable, Protocol, Timeout };
  Kind kind = Kind::Unreachable;
  std::string message;
};

class ControlClient {
 public:
  static ike::Result<ControlClient, ClientError> connect(const std::string& path);

  ike::Result<bool, ClientError> send(const Json& request);
  // The next line as a JSON object; waits at most `timeout` (forever when
  // unset). End of stream is an Unreachable error ("kited closed ...").
  ike::Result<Json, ClientError> receive(std::optional<std::chrono::milliseconds> timeout);
  // send + receive.
  ike::Result<Json, ClientError> request(const Json& request,
                                         std::optional<std::chrono::milliseconds> timeout);
  const std::string& path() const { return path_; }

 private:
  ControlClient(Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Fd fd_;
  std::string path_;
  LineBuffer input_{kMaxReplyLine};
};

}  // namespace kite::daemon
