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
};

// Removes, re-creates (remove + add) and adds tunnels per the diff.
ReloadResult apply_reload(ike::Engine& engine, const conf::ConfigDiff& diff,
                          const ike::Config& next, ike::TimePoint now);

// {"ok":true,"added":[...],"removed":[...],"changed":[...],"unchanged":N}
// or ok:false with "error" and "errors" when the engine refused a tunnel.
Json reload_reply(const ReloadResult& result);

}  // namespace kite::daemon
