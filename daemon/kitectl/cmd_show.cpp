// kitectl show TUNNEL: algorithms, SPIs, SA ages and lifetimes, mappings,
// counters and the last error of one tunnel.
#include <ostream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

int run_show(Context& ctx) {
  Json reply;
  const Json request{{"command", "show"}, {"tunnel", ctx.args.at(0)}};
  if (int rc = call(ctx, request, reply); rc != kDone) return rc;
  if (ctx.json)
    print_json(ctx, reply);
  else
    ctx.out << format_show(reply.value("tunnel", Json::object()));
  return kDone;
}

}  // namespace

const CommandSpec cmd_show{"show", "TUNNEL", "everything about one tunnel", 1, 1, {}, {},
                           run_show};

}  // namespace kite::kitectl
