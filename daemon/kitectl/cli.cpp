#include "daemon/kitectl/cli.hpp"

#include <algorithm>
#include <array>
#include <ostream>

namespace kite::kitectl {
namespace {

const std::array<const CommandSpec*, 9> kCommands{
    &cmd_status, &cmd_show, &cmd_up, &cmd_down, &cmd_reload, &cmd_check, &cmd_monitor,
    &cmd_export, &cmd_version,
};

bool listed(const std::vector<std::string_view>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// A command's own option; false when the command does not take it.
ike::Status take_option(Invocation& inv, std::span<const std::string_view> args, std::size_t& i) {
  std::string_view arg = args[i];
  std::optional<std::string_view> inline_value;
  if (auto eq = arg.find('='); eq != std::string_view::npos) {
    inline_value = arg.substr(eq + 1);
    arg = arg.substr(0, eq);
  }
  const CommandSpec& cmd = *inv.command;
  if (listed(cmd.flag_options, arg) && !inline_value) {
    inv.options[std::string(arg)] = "";
    return {};
  }
  if (!listed(cmd.value_options, arg))
    return ike::fail(std::string(cmd.name) + ": unknown option " + std::string(args[i]));
  if (!inline_value && i + 1 >= args.size())
    return ike::fail(std::string(cmd.name) + ": " + std::string(arg) + " needs a value");
  inv.options[std::string(arg)] = std::string(inline_value ? *inline_value : args[++i]);
  return {};
}

// Global options, valid before or after the command.
bool take_global(Invocation& inv, std::span<const std::string_view> args, std::size_t& i,
                 ike::Status& error) {
  const std::string_view arg = args[i];
  if (arg == "--json") {
    inv.json = true;
  } else if (arg == "--help" || arg == "-h") {
    inv.help = true;
  } else if (arg == "--socket") {
    if (i + 1 >= args.size() || args[i + 1].empty()) error = ike::fail("--socket needs a path");
    else inv.socket = std::string(args[++i]);
  } else if (arg.starts_with("--socket=")) {
    inv.socket = std::string(arg.substr(9));
    if (inv.socket.empty()) error = ike::fail("--socket needs a path");
  } else {
    return false;
  }
  return true;
}

ike::Status check_arity(const Invocation& inv) {
  const CommandSpec& cmd = *inv.command;
  if (inv.args.size() < cmd.min_args || inv.args.size() > cmd.max_args)
    return ike::fail("usage: kitectl " + std::string(cmd.name) + " " + std::string(cmd.usage));
  return {};
}

}  // namespace

std::optional<std::string> Context::option(std::string_view name) const {
  auto it = options.find(std::string(name));
  if (it == options.end()) return std::nullopt;
  return it->second;
}

std::span<const CommandSpec* const> commands() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
  for (const auto* c : kCommands)
    if (c->name == name) return c;
  return nullptr;
}

ike::Result<Invocation> parse_args(std::span<const std::string_view> args) {
  Invocation inv;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    ike::Status error;
    if (!options_done && take_global(inv, args, i, error)) {
      if (!error) return ike::fail(error.error());
      continue;
    }
    if (!options_done && arg == "--") {
      options_done = true;
    } else if (!options_done && arg.starts_with("-") && arg.size() > 1) {
      if (!inv.command) return ike::fail("unknown option " + std::string(arg));
      if (auto st = take_option(inv, args, i); !st) return ike::fail(st.error());
    } else if (!inv.command) {
      inv.command = find_command(arg);
      if (!inv.command) return ike::fail("unknown command \"" + std::string(arg) + "\"");
    } else {
      inv.args.emplace_back(arg);
    }
  }
  if (inv.help) return inv;
  if (!inv.command) return ike::fail("no command given");
  if (auto st = check_arity(inv); !st) return ike::fail(st.error());
  return inv;
}

std::string usage() {
  std::string text =
      "usage: kitectl [--socket PATH] [--json] COMMAND [ARGS]\n"
      "  --socket PATH  kited's control socket (default /run/kite/kited.sock)\n"
      "  --json         machine-readable output (README.md, \"Control protocol\")\n"
      "commands:\n";
  for (const auto* c : kCommands) {
    std::string line = "  " + std::string(c->name) + " " + std::string(c->usage);
    line.resize(std::max<std::size_t>(line.size() + 1, 44), ' ');
    text += line + std::string(c->summary) + "\n";
  }
  text += "exit codes: 0 done, 1 failed, 2 bad usage or invalid config, 3 kited not reachable\n";
  return text;
}

int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  auto inv = parse_args(args);
  if (!inv) {
    err << "kitectl: " << inv.error().message << "\n" << usage();
    // --json promises one JSON object on stdout, usage errors included.
    const auto end = std::find(args.begin(), args.end(), "--");
    if (std::find(args.begin(), end, "--json") != end)
      out << daemon::encode_line(daemon::error_reply(inv.error().message));
    return kUsage;
  }
  if (inv->help) {
    out << usage();
    return kDone;
  }
  Context ctx{inv->socket, inv->json, std::move(inv->args), std::move(inv->options), out, err};
  return inv->command->run(ctx);
}

int report_client_error(Context& ctx, const daemon::ClientError& error) {
  ctx.err << "kitectl: " << error.message << "\n";
  if (ctx.json) print_json(ctx, daemon::error_reply(error.message));
  return error.kind == daemon::ClientError::Kind::Protocol ? kFailed : kUnreachable;
}

void print_json(Context& ctx, const Json& reply) { ctx.out << daemon::encode_line(reply); }

int usage_error(Context& ctx, const std::string& message) {
  ctx.err << "kitectl: " << message << "\n";
  if (ctx.json) print_json(ctx, daemon::error_reply(message));
  return kUsage;
}

int failure_code(const Json& reply) {
  return reply.value("permission_denied", false) ? kUnreachable : kFailed;
}

int call(Context& ctx, const Json& request, Json& reply,
         std::optional<std::chrono::milliseconds> timeout) {
  auto client = daemon::ControlClient::connect(ctx.socket);
  if (!client) return report_client_error(ctx, client.error());
  auto got = client->request(request, timeout);
  if (!got) return report_client_error(ctx, got.error());
  reply = std::move(*got);
  if (reply.value("ok", false)) return kDone;
  if (ctx.json) print_json(ctx, reply);
  ctx.err << "kitectl: " << reply.value("error", std::string("kited refused the request")) << "\n";
  return failure_code(reply);
}

}  // namespace kite::kitectl
