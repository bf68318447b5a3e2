// kited's command line (SPEC.md §4): every path can be chosen so several
// instances run side by side (one per network namespace in the lab).
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libike/common/result.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/kite/kite.yaml";
inline constexpr const char* kDefaultRuntimeDir = "/run/kite";

struct KitedOptions {
  std::string config = kDefaultConfigPath;
  bool foreground = false;
  std::optional<std::string> socket;       // --socket
  std::optional<std::string> runtime_dir;  // --runtime-dir
  bool version = false;
  bool help = false;
  friend bool operator==(const KitedOptions&, const KitedOptions&) = default;
};

// Parses the arguments after argv[0]; "--opt value" and "--opt=value".
ike::Result<KitedOptions> parse_kited_args(std::span<const std::string_view> args);
std::vector<std::string_view> args_of(int argc, char** argv);  // argv[1..]
std::string kited_usage();

// --socket, else <runtime-dir>/kited.sock when --runtime-dir is given,
// else the config's gateway.control_socket.
std::string control_socket_path(const KitedOptions& options, const ike::GatewayConfig& gateway);
// --runtime-dir, else the directory of the control socket.
std::string runtime_dir(const KitedOptions& options, const ike::GatewayConfig& gateway);

}  // namespace kite::daemon
