// Helpers for the conf tests: a throw-away config directory, a known-good
// base config to vary, and lookups of diagnostics by rule and position.
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "conf/load.hpp"

namespace kite::conf::test {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kite-conf-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path write(const std::string& rel, std::string_view text, mode_t mode = 0644) const {
    auto p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }
  // Writes kite.yaml and loads it (with any tunnels.d/ written before).
  ike::Result<LoadedConfig, Diagnostics> load_main(std::string_view text) const {
    return conf::load(write("kite.yaml", text));
  }

 private:
  fs::path path_;
};

// A valid config; tests append keys to the tunnel (4-space indent) or
// whole tunnels (2-space "  - name:" items) with the parameters.
inline std::string base_config(std::string_view tunnel_extra = "", std::string_view more_tunnels = "") {
  std::string s =
      "gateway:\n"
      "  name: gw\n"
      "  local_address: 203.195.147.82\n"
      "customer_gateways:\n"
      "  - name: idc\n"
      "    address: 202.108.22.5\n"
      "tunnels:\n"
      "  - name: t1\n"
      "    customer_gateway: idc\n"
      "    pre_shared_key: \"123456\"\n";
  s += tunnel_extra;
  if (tunnel_extra.find("    spd:") == std::string_view::npos &&
      tunnel_extra.find("    route:") == std::string_view::npos)
    s += "    spd:\n"
         "      - local: 192.168.1.0/24\n"
         "        remote: [10.0.1.0/24, 10.0.2.0/24]\n";
  s += more_tunnels;
  return s;
}

// 1-based line:column of the n-th (0-based) occurrence of `needle`.
inline std::string pos_of(std::string_view text, std::string_view needle, int nth = 0) {
  std::size_t at = text.find(needle);
  for (int i = 0; i < nth && at != std::string_view::npos; ++i) at = text.find(needle, at + 1);
  REQUIRE(at != std::string_view::npos);
  auto before = text.substr(0, at);
  auto line = std::count(before.begin(), before.end(), '\n') + 1;
  auto line_start = before.rfind('\n');
  auto column = line_start == std::string_view::npos ? at + 1 : at - line_start;
  return std::to_string(line) + ":" + std::to_string(column);
}

inline std::string pos(const Diagnostic& d) { return std::to_string(d.line) + ":" + std::to_string(d.column); }

// Loads `text` as kite.yaml in a fresh directory.
inline ike::Result<LoadedConfig, Diagnostics> load_text(std::string_view text) {
  TempDir dir;
  return dir.load_main(text);
}

// The positions ("line:col") of every diagnostic of `rule`.
inline std::vector<std::string> where(const Diagnostics& ds, std::string_view rule) {
  std::vector<std::string> out;
  for (const auto& d : ds.items())
    if (d.rule == rule) out.push_back(pos(d));
  return out;
}

inline const Diagnostic* find_rule(const Diagnostics& ds, std::string_view rule) {
  for (const auto& d : ds.items())
    if (d.rule == rule) return &d;
  return nullptr;
}

// Everything the loader said: errors on failure, warnings on success.
inline Diagnostics all(const ike::Result<LoadedConfig, Diagnostics>& r) { return r ? r->warnings : r.error(); }

}  // namespace kite::conf::test

// Catch2 prints diagnostics readably when an assertion fails.
namespace Catch {
template <>
struct StringMaker<kite::conf::Diagnostics> {
  static std::string convert(const kite::conf::Diagnostics& d) { return "\n" + d.format(); }
};
}  // namespace Catch
