// Loading kite's configuration (SPEC.md §2): the main file (kite.yaml) plus
// every *.yaml drop-in in tunnels.d/ beside it, into a validated
// ike::Config with every default applied. This is the whole public API of
// kite_conf with diagnostics.hpp and diff.hpp; nothing here exposes yaml-cpp.
//
//   auto loaded = kite::conf::load("/etc/kite/kite.yaml");
//   if (!loaded) { std::fputs(loaded.error().format().c_str(), stderr); return 2; }
//   for (auto& w : loaded->warnings.items()) log_warning(kite::conf::format(w));
//   run(loaded->config);
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "conf/diagnostics.hpp"
#include "libike/common/result.hpp"
#include "libike/tunnel/tunnel_config.hpp"

namespace kite::conf {

struct LoadedConfig {
  ike::Config config;
  Diagnostics warnings;            // weak algorithms and the like; no errors
  std::vector<std::string> files;  // what was read: the main file, then drop-ins
};

// Errors (with any warnings) when anything is wrong; all problems of all
// files are reported, sorted by file, line and column.
ike::Result<LoadedConfig, Diagnostics> load(const std::filesystem::path& main_file);

// For `kitectl check`: everything load() would say, errors and warnings.
// Exit 2 when has_errors(), else 0.
Diagnostics check(const std::filesystem::path& main_file);

// Text already in memory (tests, fuzzing): `file` names it in diagnostics.
struct Source {
  std::string file;
  std::string text;
};
// Relative pre_shared_key_file paths are resolved against `base_dir`
// (load() passes the main file's directory).
ike::Result<LoadedConfig, Diagnostics> load_sources(const Source& main_file, const std::vector<Source>& drop_ins,
                                                    const std::filesystem::path& base_dir);

// The drop-in files load() reads for `main_file`: tunnels.d/*.yaml beside
// it, sorted by name, hidden files skipped. Missing tunnels.d means none.
std::vector<std::filesystem::path> drop_in_files(const std::filesystem::path& main_file);

}  // namespace kite::conf
