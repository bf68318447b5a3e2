// kitectl down TUNNEL: delete the tunnel's SAs, telling the peer.
#include <ostream>

#include "daemon/kitectl/cli.hpp"

namespace kite::kitectl {
namespace {

int run_down(Context& ctx) {
  Json reply;
  const Json request{{"command", "down"}, {"tunnel", ctx.args.at(0)}};
  if (int rc = call(ctx, request, reply); rc != kDone) return rc;
  if (ctx.json)
    print_json(ctx, reply);
  else
    ctx.out << ctx.args.at(0) << ": down\n";
  return kDone;
}

}  // namespace

const CommandSpec cmd_down{"down", "TUNNEL", "delete the tunnel's SAs (telling the peer)", 1, 1,
                           {}, {}, run_down};

}  // namespace kite::kitectl
