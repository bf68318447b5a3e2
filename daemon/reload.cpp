#include "daemon/reload.hpp"

namespace kite::daemon {

ReloadResult apply_reload(ike::Engine& engine, const conf::ConfigDiff& plan,
                          const ike::Config& next, ike::TimePoint now) {
  ReloadResult result{plan, {}};
  auto note = [&](const std::string& name, const ike::Status& st) {
    if (!st) result.errors.push_back(name + ": " + st.error().message);
  };
  for (const auto& name : plan.removed) note(name, engine.remove_tunnel(name, now));
  for (const auto& name : plan.changed) {
    note(name, engine.remove_tunnel(name, now));
    note(name, engine.add_tunnel(*next.find_tunnel(name), now));
  }
  for (const auto& name : plan.added) note(name, engine.add_tunnel(*next.find_tunnel(name), now));
  return result;
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
