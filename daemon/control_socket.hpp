// The Unix socket under the control protocol: creating the listening socket
// (directory, stale-socket check, mode 0660 and group `kite`) and
// connecting to it from kitectl.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "daemon/fd.hpp"
#include "libike/common/result.hpp"

namespace kite::daemon {

inline constexpr const char* kDefaultSocketPath = "/run/kite/kited.sock";
inline constexpr const char* kSocketGroup = "kite";

struct ListenOptions {
  std::string path = kDefaultSocketPath;
  // The group that may use the socket (mode 0660). Empty, or a group that
  // does not exist: the socket stays owner-only (0600).
  std::string group = kSocketGroup;
};

struct ListeningSocket {
  Fd fd;
  // The group the socket was given (mode 0660); nullopt: owner-only (0600).
  std::optional<gid_t> group;
  // Things worth one log line each (e.g. "group kite does not exist").
  std::vector<std::string> notes;
};

// Creates the socket's directory (0755) if missing, refuses a path another
// process is listening on, replaces a stale socket, binds, sets the mode
// and group, and listens. Non-blocking, close-on-exec.
ike::Result<ListeningSocket> listen_unix(const ListenOptions& options);

// Connects (blocking, close-on-exec). The error names the path and says
// what an operator should check.
ike::Result<Fd> connect_unix(const std::string& path);

// mkdir -p with `mode` for the directories it creates.
ike::Status make_directories(const std::string& dir, unsigned mode);

}  // namespace kite::daemon
