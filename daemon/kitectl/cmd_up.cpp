// kitectl up TUNNEL [--timeout SECS]: negotiate now and wait until the
// tunnel is up or failed; exit 0 only when it is up.
#include <charconv>
#include <ostream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

std::optional<long> parse_seconds(const std::string& text) {
  long value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > daemon::kMaxUpTimeout.count())
    return std::nullopt;
  return value;
}

int run_up(Context& ctx) {
  long timeout = daemon::kDefaultUpTimeout.count();
  if (auto t = ctx.option("--timeout")) {
    auto parsed = parse_seconds(*t);
    if (!parsed)
      return usage_error(ctx, "up: --timeout takes 0.." +
                                  std::to_string(daemon::kMaxUpTimeout.count()) + " seconds");
    timeout = *parsed;
  }
  const std::string& name = ctx.args.at(0);
  Json reply;
  const Json request{{"command", "up"}, {"tunnel", name}, {"timeout", timeout}};
  // kited answers by the timeout; the margin only catches a hung daemon.
  if (int rc = call(ctx, request, reply, std::chrono::seconds(timeout + 15)); rc != kDone)
    return rc;
  if (ctx.json) {
    print_json(ctx, reply);
  } else {
    const Json t = reply.value("tunnel", Json::object());
    ctx.out << name << ": " << text(t, "state", timeout == 0 ? "negotiating" : "up") << "\n";
  }
  return kDone;
}

}  // namespace

const CommandSpec cmd_up{"up",  "TUNNEL [--timeout SECS]",
                         "negotiate now; wait until up or failed (default 30s)",
                         1,     1,
                         {"--timeout"},
                         {},    run_up};

}  // namespace kite::kitectl
