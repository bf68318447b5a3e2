#include "daemon/reload.hpp"

#include <algorithm>

namespace kite::daemon {

ReloadResult apply_reload(ike::Engine& engine, const conf::ConfigDiff& plan,
                          const ike::Config& next, ike::TimePoint now) {
  ReloadResult result{plan, {}, {}};
  auto note = [&](const std::string& name, const ike::Status& st) {
    if (!st) result.errors.push_back(name + ": " + st.error().message);
  };
  auto add = [&](const std::string& name) {
    auto st = engine.add_tunnel(*next.find_tunnel(name), now);
    if (!st) result.refused.push_back(name);
    note(name, st);
  };
  for (const auto& name : plan.removed) note(name, engine.remove_tunnel(name, now));
  for (const auto& name : plan.changed) {
    note(name, engine.remove_tunnel(name, now));
    add(name);
  }
  for (const auto& name : plan.added) add(name);
  return result;
}

bool ReloadResult::was_refused(const std::string& name) const {
  return std::find(refused.begin(), refused.end(), name) != refused.end();
}

ike::Config running_config(ike::Config next, const std::vector<std::string>& refused) {
  std::erase_if(next.tunnels, [&](const ike::TunnelConfig& t) {
    return std::find(refused.begin(), refused.end(), t.name) != refused.end();
  });
  return next;
}

Json reload_reply(const ReloadResult& result) {
  Json reply = result.errors.empty() ? ok_reply() : error_reply(result.errors.front());
  reply["added"] = result.diff.added;
  reply["removed"] = result.diff.removed;
  reply["changed"] = result.diff.changed;
  reply["unchanged"] = result.diff.unchanged.size();
  if (!result.errors.empty()) reply["errors"] = result.errors;
  if (result.diff.gateway_changed)
    reply["warning"] = "gateway settings changed: restart kited to apply them";
  return reply;
}

}  // namespace kite::daemon
