// kitectl reload: kited re-reads its config and applies the difference.
// An invalid config changes nothing; its diagnostics are printed and the
// exit code is 2 (SPEC.md §3).
#include <ostream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

std::string names(const Json& reply, std::string_view key) {
  auto it = reply.find(key);
  if (it == reply.end() || !it->is_array() || it->empty()) return "0";
  std::string s = std::to_string(it->size()) + " (";
  for (std::size_t i = 0; i < it->size(); ++i)
    s += (i ? ", " : "") + ((*it)[i].is_string() ? (*it)[i].get<std::string>() : "?");
  return s + ")";
}

void print_lines(std::ostream& os, const Json& reply, std::string_view key) {
  auto it = reply.find(key);
  if (it == reply.end() || !it->is_array()) return;
  for (const auto& line : *it)
    if (line.is_string()) os << "  " << line.get<std::string>() << "\n";
}

int run_reload(Context& ctx) {
  Json reply;
  const int rc = call(ctx, Json{{"command", "reload"}}, reply);
  if (rc == kFailed) {
    print_lines(ctx.err, reply, "diagnostics");
    print_lines(ctx.err, reply, "errors");
    return reply.value("invalid_config", false) ? kUsage : kFailed;
  }
  if (rc != kDone) return rc;
  if (ctx.json) {
    print_json(ctx, reply);
    return kDone;
  }
  ctx.out << "reloaded: added " << names(reply, "added") << ", removed "
          << names(reply, "removed") << ", changed " << names(reply, "changed") << ", unchanged "
          << number(reply, "unchanged") << "\n";
  if (auto w = text(reply, "warning", ""); !w.empty()) ctx.err << "kitectl: warning: " << w << "\n";
  return kDone;
}

}  // namespace

const CommandSpec cmd_reload{"reload", "", "re-read the config; apply only what changed", 0, 0,
                             {}, {}, run_reload};

}  // namespace kite::kitectl
