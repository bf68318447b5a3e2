// kitectl status: one line per tunnel (SPEC.md §3).
#include <ostream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

int run_status(Context& ctx) {
  Json reply;
  if (int rc = call(ctx, Json{{"command", "status"}}, reply); rc != kDone) return rc;
  if (ctx.json)
    print_json(ctx, reply);
  else
    ctx.out << format_status(reply);
  return kDone;
}

}  // namespace

const CommandSpec cmd_status{"status", "", "one line per tunnel: state, uptime, traffic", 0, 0,
                             {}, {}, run_status};

}  // namespace kite::kitectl
