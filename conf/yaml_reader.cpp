#include "conf/yaml_reader.hpp"

#include <fmt/format.h>

#include "conf/values.hpp"

namespace kite::conf {

Where FileCtx::at(const YAML::Mark& mark, const Where& fallback) const {
  if (mark.is_null() || mark.line < 0) return fallback;
  return {file_, mark.line + 1, mark.column + 1};
}

void FileCtx::error(const Where& w, std::string rule, std::string detail) {
  diags_.add({Severity::Error, w.file, w.line, w.column, std::move(rule), std::move(detail)});
}

void FileCtx::warn(const Where& w, std::string rule, std::string detail) {
  diags_.add({Severity::Warning, w.file, w.line, w.column, std::move(rule), std::move(detail)});
}

std::string_view kind_of(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
  }
}

static void type_error(FileCtx& ctx, const Value& v, std::string_view expected) {
  ctx.error(v.where, "type", fmt::format("{} must be {}, got {}", v.name, expected, kind_of(v.node)));
}

Fields::Fields(FileCtx& ctx, const Value& map, std::span<const std::string_view> allowed)
    : where_(map.where), prefix_(map.name.empty() ? "" : map.name + ".") {
  if (!map.node.IsMap()) {
    type_error(ctx, map, "a mapping");
    return;
  }
  is_map_ = true;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) read_key(ctx, it->first, it->second, allowed);
}

void Fields::read_key(FileCtx& ctx, const YAML::Node& key, const YAML::Node& value,
                      std::span<const std::string_view> allowed) {
  Where key_at = ctx.at(key.Mark(), where_);
  if (!key.IsScalar()) {
    ctx.error(key_at, "type", fmt::format("a key in {} must be a scalar", prefix_.empty() ? "the file" : prefix_));
    return;
  }
  const std::string& name = key.Scalar();
  std::string in = prefix_.empty() ? "at top level" : fmt::format("in {}", prefix_.substr(0, prefix_.size() - 1));
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    ctx.error(key_at, "unknown-key",
              fmt::format("unknown key '{}' {}{}", name, in, did_you_mean(name, allowed)));
    return;
  }
  if (get(name)) {
    ctx.error(key_at, "duplicate-key", fmt::format("key '{}' appears more than once {}", name, in));
    return;
  }
  // An empty value ("key:") has its mark on the next token: point at the key.
  Where value_at = value.IsNull() ? key_at : ctx.at(value.Mark(), key_at);
  entries_.emplace_back(name, Value{value, value_at, prefix_ + name, key_at});
}

std::optional<Value> Fields::get(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return v;
  return std::nullopt;
}

std::optional<std::string> read_string(FileCtx& ctx, const Value& v) {
  if (!v.node.IsScalar()) {
    type_error(ctx, v, "a scalar");
    return std::nullopt;
  }
  return v.node.Scalar();
}

std::optional<bool> read_bool(FileCtx& ctx, const Value& v) {
  bool b = false;
  if (v.node.IsScalar() && YAML::convert<bool>::decode(v.node, b)) return b;
  if (!v.node.IsScalar()) type_error(ctx, v, "true or false");
  else ctx.error(v.where, "type", fmt::format("{} must be true or false, got '{}'", v.name, v.node.Scalar()));
  return std::nullopt;
}

std::optional<std::uint64_t> read_uint(FileCtx& ctx, const Value& v, std::uint64_t min,
                                       std::uint64_t max, std::string_view range_rule) {
  auto text = read_string(ctx, v);
  if (!text) return std::nullopt;
  auto n = parse_uint(*text);
  if (!n) {
    ctx.error(v.where, "type", fmt::format("{} must be a non-negative integer, got '{}'", v.name, *text));
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    ctx.error(v.where, std::string(range_rule),
              fmt::format("{} {} is out of range {}..{}", v.name, *n, min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<std::chrono::seconds> read_duration(FileCtx& ctx, const Value& v) {
  auto text = read_string(ctx, v);
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d)
    ctx.error(v.where, "duration",
              fmt::format("{} '{}' is not a duration (seconds, or a number with s, m, h or d: 30s, 5m, 1h, 1d)",
                          v.name, *text));
  return d;
}

static Value element(FileCtx& ctx, const Value& list, const YAML::Node& item, std::size_t i) {
  Where at = ctx.at(item.Mark(), list.where);
  return {item, at, fmt::format("{}[{}]", list.name, i), at};
}

std::vector<Value> read_list(FileCtx& ctx, const Value& v) {
  std::vector<Value> out;
  if (!v.node.IsSequence()) {
    type_error(ctx, v, "a list");
    return out;
  }
  for (std::size_t i = 0; i < v.node.size(); ++i) out.push_back(element(ctx, v, v.node[i], i));
  return out;
}

std::vector<Value> read_scalar_list(FileCtx& ctx, const Value& v) {
  if (v.node.IsScalar()) return {v};
  std::vector<Value> out;
  if (!v.node.IsSequence()) {
    type_error(ctx, v, "a value or a list of values");
    return out;
  }
  for (std::size_t i = 0; i < v.node.size(); ++i) {
    Value e = element(ctx, v, v.node[i], i);
    if (e.node.IsScalar()) out.push_back(e);
    else type_error(ctx, e, "a scalar");
  }
  return out;
}

std::optional<std::size_t> read_choice(FileCtx& ctx, const Value& v,
                                       std::span<const std::string_view> names) {
  auto text = read_string(ctx, v);
  if (!text) return std::nullopt;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == *text) return i;
  ctx.error(v.where, "unknown-value",
            fmt::format("{} '{}' is not one of {}{}", v.name, *text, join(names), did_you_mean(*text, names)));
  return std::nullopt;
}

}  // namespace kite::conf
