// What a reload changes (STYLE.md §4, wireguard-tools' syncconf): tunnels
// by name, compared with TunnelConfig's operator== (PSK included, in
// constant time). The daemon keeps `unchanged` tunnels and their SAs,
// re-negotiates `changed`, brings up `added` and tears down `removed`.
#pragma once
#include <string>
#include <vector>

#include "libike/tunnel/tunnel_config.hpp"

namespace kite::conf {

struct ConfigDiff {
  std::vector<std::string> added;      // in next only, in next's order
  std::vector<std::string> removed;    // in running only, in running's order
  std::vector<std::string> changed;    // in both, different
  std::vector<std::string> unchanged;  // in both, equal
  // Gateway settings differ (ports, control socket, log level, routing):
  // the daemon applies what it can live and says which need a restart.
  bool gateway_changed = false;
  bool empty() const { return added.empty() && removed.empty() && changed.empty() && !gateway_changed; }
};

ConfigDiff diff(const ike::Config& running, const ike::Config& next);

}  // namespace kite::conf
