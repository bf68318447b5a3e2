// kitectl check [--config PATH]: validate a config without a daemon, with
// every problem as file:line:col: rule: detail. Exit 0 valid (warnings
// allowed), 2 invalid.
#include <ostream>

#include "conf/load.hpp"
#include "daemon/kited_options.hpp"
#include "daemon/kitectl/cli.hpp"

namespace kite::kitectl {
namespace {

int run_check(Context& ctx) {
  const std::string path = ctx.option("--config").value_or(daemon::kDefaultConfigPath);
  const conf::Diagnostics diagnostics = conf::check(path);
  const bool valid = !diagnostics.has_errors();
  if (ctx.json) {
    Json reply{{"ok", valid}, {"config", path}};
    // Like every failed reply, one line saying why; details in diagnostics.
    if (!valid)
      reply["error"] = path + ": invalid configuration (" +
                       std::to_string(diagnostics.error_count()) + " errors)";
    reply["diagnostics"] = Json::parse(diagnostics.to_json(), nullptr, false);
    print_json(ctx, reply);
    if (!valid) ctx.err << "kitectl: " << reply["error"].get<std::string>() << "\n";
  } else {
    ctx.err << diagnostics.format();
    ctx.out << path << ": " << (valid ? "valid" : "invalid") << " ("
            << diagnostics.error_count() << " errors, " << diagnostics.warning_count()
            << " warnings)\n";
  }
  return valid ? kDone : kUsage;
}

}  // namespace

const CommandSpec cmd_check{"check", "[--config PATH]",
                            "validate a config without a daemon (exit 0 valid, 2 invalid)",
                            0, 0, {"--config"}, {}, run_check};

}  // namespace kite::kitectl
