// Live reload (SIGHUP, `kitectl reload`): conf::diff says which tunnels
// were added, removed or changed; this applies that through the Engine so
// that unchanged tunnels (and their SAs) are never touched.
#pragma once
#include <string>
#include <vector>

#include "conf/diff.hpp"
#include "daemon/protocol.hpp"
#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::daemon {

struct ReloadResult {
  conf::ConfigDiff diff;
  std::vector<std::string> errors;  // one line per tunnel the engine refused
  // Added or changed tunnels the engine refused: they do not run.
  std::vector<std::string> refused;
  bool was_refused(const std::string& name) const;
};

// Removes, re-creates (remove + add) and adds tunnels per the diff.
ReloadResult apply_reload(ike::Engine& engine, const conf::ConfigDiff& diff,
                          const ike::Config& next, ike::TimePoint now);

// The config that now runs: `next` without the tunnels the engine refused.
// Kept as the daemon's running config, so that the next reload offers them
// again as added (an operator fixed the cause and reloads) instead of
// finding them unchanged and leaving them out for good.
ike::Config running_config(ike::Config next, const std::vector<std::string>& refused);

// {"ok":true,"added":[...],"removed":[...],"changed":[...],"unchanged":N}
// or ok:false with "error" and "errors" when the engine refused a tunnel.
Json reload_reply(const ReloadResult& result);

}  // namespace kite::daemon
