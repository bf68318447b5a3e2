// kitectl as a table of subcommands (STYLE.md §12, after wireguard-tools'
// wg.c): each command is one CommandSpec in its own cmd_*.cpp; cli.cpp
// parses the global options (--socket, --json, anywhere on the line), finds
// the command and checks its arguments before running it.
#pragma once
#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/control_client.hpp"
#include "daemon/control_socket.hpp"
#include "daemon/protocol.hpp"

namespace kite::kitectl {

using daemon::Json;

// SPEC.md §3 exit codes.
enum ExitCode : int { kDone = 0, kFailed = 1, kUsage = 2, kUnreachable = 3 };

struct Context {
  std::string socket;
  bool json = false;
  std::vector<std::string> args;                // positional arguments
  std::map<std::string, std::string> options;  // "--timeout" -> "5"; flags -> ""
  std::ostream& out;
  std::ostream& err;

  bool has(std::string_view option) const { return options.contains(std::string(option)); }
  std::optional<std::string> option(std::string_view name) const;
};

struct CommandSpec {
  std::string_view name;
  std::string_view usage;    // arguments after the name, e.g. "TUNNEL [--timeout SECS]"
  std::string_view summary;  // one line for `kitectl --help`
  std::size_t min_args = 0, max_args = 0;
  std::vector<std::string_view> value_options;  // take a value: "--timeout"
  std::vector<std::string_view> flag_options;   // "--debug"
  int (*run)(Context&) = nullptr;
};

extern const CommandSpec cmd_status, cmd_show, cmd_up, cmd_down, cmd_reload, cmd_check,
    cmd_monitor, cmd_export, cmd_version;

std::span<const CommandSpec* const> commands();
const CommandSpec* find_command(std::string_view name);

struct Invocation {
  const CommandSpec* command = nullptr;
  std::string socket = daemon::kDefaultSocketPath;
  bool json = false;
  bool help = false;
  std::vector<std::string> args;
  std::map<std::string, std::string> options;
};

// Parses argv[1..]; the error is a usage message.
ike::Result<Invocation> parse_args(std::span<const std::string_view> args);
std::string usage();

// Runs kitectl; returns the exit code.
int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

// One request/reply exchange for a command: prints unreachable/protocol
// errors and ok:false replies (exit 3 / 1); on success `reply` is set and
// kDone returned.
int call(Context& ctx, const Json& request, Json& reply,
         std::optional<std::chrono::milliseconds> timeout = std::chrono::seconds(30));
int report_client_error(Context& ctx, const daemon::ClientError& error);
// A bad option value: the message on stderr (and as {"ok":false,"error"}
// with --json); returns kUsage.
int usage_error(Context& ctx, const std::string& message);
// The exit code of an ok:false reply: 3 when kited refused this user
// ("permission_denied", like a socket connect() denied), else 1.
int failure_code(const Json& reply);
// Prints a reply in --json mode (one line).
void print_json(Context& ctx, const Json& reply);

}  // namespace kite::kitectl
