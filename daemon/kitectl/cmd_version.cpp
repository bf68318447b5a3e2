// kitectl version: versions of kitectl and of the running kited.
#include <ostream>
#include <sstream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

int run_version(Context& ctx) {
  Json reply;
  std::ostringstream quiet;  // an unreachable daemon is reported below
  Context probe{ctx.socket, false, {}, {}, quiet, quiet};
  const int rc = call(probe, Json{{"command", "version"}}, reply);
  const Json kited = rc == kDone ? Json(text(reply, "version")) : Json(nullptr);
  if (ctx.json) {
    print_json(ctx, Json{{"ok", rc == kDone}, {"kitectl", KITE_VERSION}, {"kited", kited}});
  } else {
    ctx.out << "kitectl " << KITE_VERSION << "\n";
    if (rc == kDone) ctx.out << "kited " << kited.get<std::string>() << "\n";
  }
  if (rc != kDone) ctx.err << quiet.str();
  return rc;
}

}  // namespace

const CommandSpec cmd_version{"version", "", "versions of kitectl and kited", 0, 0, {}, {},
                              run_version};

}  // namespace kite::kitectl
