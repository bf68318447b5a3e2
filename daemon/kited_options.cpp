#include "daemon/kited_options.hpp"

#include <filesystem>

namespace kite::daemon {
namespace {

// Splits "--name=value" into name and value.
std::pair<std::string_view, std::optional<std::string_view>> split_option(std::string_view arg) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos) return {arg, std::nullopt};
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

}  // namespace

ike::Result<KitedOptions> parse_kited_args(std::span<const std::string_view> args) {
  KitedOptions opts;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto parts = split_option(args[i]);
    const std::string_view name = parts.first;
    const std::optional<std::string_view> inline_value = parts.second;
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return std::string(*inline_value);
      if (i + 1 < args.size()) return std::string(args[++i]);
      return std::nullopt;
    };
    auto flag = [&](bool& target) {
      target = true;
      return !inline_value.has_value();
    };
    bool ok = true;
    if (name == "--config") {
      auto v = value();
      ok = v && !v->empty();
      if (ok) opts.config = *v;
    } else if (name == "--socket") {
      opts.socket = value();
      ok = opts.socket && !opts.socket->empty();
    } else if (name == "--runtime-dir") {
      opts.runtime_dir = value();
      ok = opts.runtime_dir && !opts.runtime_dir->empty();
    } else if (name == "--foreground" || name == "-f") {
      ok = flag(opts.foreground);
    } else if (name == "--version") {
      ok = flag(opts.version);
    } else if (name == "--help" || name == "-h") {
      ok = flag(opts.help);
    } else {
      return ike::fail("unknown option \"" + std::string(args[i]) + "\"");
    }
    if (!ok) return ike::fail("option " + std::string(name) + " needs a value");
  }
  return opts;
}

std::vector<std::string_view> args_of(int argc, char** argv) {
  std::vector<std::string_view> out;
  for (int i = 1; i < argc; ++i) out.emplace_back(argv[i]);
  return out;
}

std::string kited_usage() {
  return "usage: kited [--config PATH] [--foreground] [--socket PATH] [--runtime-dir DIR]\n"
         "             [--version] [--help]\n"
         "  --config PATH      main config (default /etc/kite/kite.yaml; tunnels.d/ beside it)\n"
         "  --foreground, -f   stay attached and log to stderr\n"
         "  --socket PATH      control socket (default: gateway.control_socket, or\n"
         "                     DIR/kited.sock with --runtime-dir)\n"
         "  --runtime-dir DIR  directory for the control socket (created if missing)\n";
}

std::string control_socket_path(const KitedOptions& options, const ike::GatewayConfig& gateway) {
  if (options.socket) return *options.socket;
  if (options.runtime_dir) return (std::filesystem::path(*options.runtime_dir) / "kited.sock").string();
  return gateway.control_socket;
}

std::string runtime_dir(const KitedOptions& options, const ike::GatewayConfig& gateway) {
  if (options.runtime_dir) return *options.runtime_dir;
  return std::filesystem::path(control_socket_path(options, gateway)).parent_path().string();
}

}  // namespace kite::daemon
