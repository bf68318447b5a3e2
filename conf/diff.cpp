#include "conf/diff.hpp"

namespace kite::conf {

ConfigDiff diff(const ike::Config& running, const ike::Config& next) {
  ConfigDiff d;
  d.gateway_changed = !(running.gateway == next.gateway);
  for (const auto& t : next.tunnels) {
    const auto* old = running.find_tunnel(t.name);
    if (!old) d.added.push_back(t.name);
    else if (*old == t) d.unchanged.push_back(t.name);
    else d.changed.push_back(t.name);
  }
  for (const auto& t : running.tunnels)
    if (!next.find_tunnel(t.name)) d.removed.push_back(t.name);
  return d;
}

}  // namespace kite::conf
