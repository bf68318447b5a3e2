// kitectl version: versions of kitectl and of the running kited.
#include <ostream>
#include <sstream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

// "kitectl: why\n" -> "why" (the reason call() printed).
std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  return text.starts_with("kitectl: ") ? text.substr(9) : text;
}

int run_version(Context& ctx) {
  Json reply;
  std::ostringstream quiet;  // an unreachable daemon is reported below
  Context probe{ctx.socket, false, {}, {}, quiet, quiet};
  const int rc = call(probe, Json{{"command", "version"}}, reply);
  const Json kited = rc == kDone ? Json(text(reply, "version")) : Json(nullptr);
  if (ctx.json) {
    Json out{{"ok", rc == kDone}, {"kitectl", KITE_VERSION}, {"kited", kited}};
    if (rc != kDone) out["error"] = last_line(quiet.str());
    print_json(ctx, out);
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
