// Reading YAML nodes into typed values with positions (internal to conf/;
// the only place besides parse_*.cpp that sees yaml-cpp, STYLE.md §4).
// Every helper reports its own failure as a Diagnostic and returns nullopt,
// so a caller keeps going and all problems of a file surface in one run.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "conf/diagnostics.hpp"

namespace kite::conf {

// A 1-based source position.
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
};

// The file being read and the diagnostics it feeds.
class FileCtx {
 public:
  FileCtx(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}
  const std::string& file() const { return file_; }
  // yaml-cpp marks are 0-based; an undefined mark falls back to `fallback`.
  Where at(const YAML::Mark& mark, const Where& fallback) const;
  Where start() const { return {file_, 1, 1}; }
  void error(const Where& w, std::string rule, std::string detail);
  void warn(const Where& w, std::string rule, std::string detail);
  Diagnostics& diagnostics() { return diags_; }

 private:
  std::string file_;
  Diagnostics& diags_;
};

// A node, where to point at when it is wrong (the key for an empty value),
// its dotted name for messages ("ike.lifetime"), and where its key is (the
// element itself for list elements).
struct Value {
  YAML::Node node;
  Where where;
  std::string name;
  Where key_at;
};

// The keys of one mapping, checked against the allowed ones: a non-mapping,
// unknown keys (with "did you mean") and duplicate keys are reported here.
class Fields {
 public:
  Fields(FileCtx& ctx, const Value& map, std::span<const std::string_view> allowed);
  bool is_map() const { return is_map_; }
  const Where& where() const { return where_; }
  std::optional<Value> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }

 private:
  void read_key(FileCtx& ctx, const YAML::Node& key, const YAML::Node& value,
                std::span<const std::string_view> allowed);
  bool is_map_ = false;
  Where where_;
  std::string prefix_;
  std::vector<std::pair<std::string, Value>> entries_;
};

// "a mapping", "a list", "a scalar", "nothing" for type errors.
std::string_view kind_of(const YAML::Node& n);

std::optional<std::string> read_string(FileCtx& ctx, const Value& v);
std::optional<bool> read_bool(FileCtx& ctx, const Value& v);
// An unsigned integer in [min, max]; out of range is reported under `range_rule`.
std::optional<std::uint64_t> read_uint(FileCtx& ctx, const Value& v, std::uint64_t min,
                                       std::uint64_t max, std::string_view range_rule);
std::optional<std::chrono::seconds> read_duration(FileCtx& ctx, const Value& v);
// A scalar or a list of scalars, each element with its own position.
std::vector<Value> read_scalar_list(FileCtx& ctx, const Value& v);
// A list (of anything); a non-list is reported and yields no elements.
std::vector<Value> read_list(FileCtx& ctx, const Value& v);

// A scalar that must be one of `names`; returns its index.
std::optional<std::size_t> read_choice(FileCtx& ctx, const Value& v,
                                       std::span<const std::string_view> names);

}  // namespace kite::conf
