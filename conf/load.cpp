#include "conf/load.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "conf/parse.hpp"

namespace kite::conf {

namespace {

void parse_source(const Source& src, bool is_main, const ParseOptions& opts, Model& model, Diagnostics& diags) {
  FileCtx ctx(src.file, diags);
  YAML::Node root;
  try {
    root = YAML::Load(src.text);
  } catch (const YAML::ParserException& e) {
    ctx.error(ctx.at(e.mark, ctx.start()), "yaml-syntax", e.msg);
    return;
  } catch (const YAML::Exception& e) {
    ctx.error(ctx.at(e.mark, ctx.start()), "yaml-syntax", e.msg);
    return;
  }
  parse_file(ctx, root, is_main, opts, model);
}

std::optional<std::string> read_text(const std::filesystem::path& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.add({Severity::Error, path.string(), 0, 0, "io", "cannot open the file"});
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A tunnels.d/ that exists but cannot be listed would silently drop tunnels.
void check_drop_in_dir(const std::filesystem::path& main_file, Diagnostics& diags) {
  auto dir = main_file.parent_path() / "tunnels.d";
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    diags.add({Severity::Error, dir.string(), 0, 0, "io", fmt::format("cannot read the directory: {}", ec.message())});
}

}  // namespace

std::vector<std::filesystem::path> drop_in_files(const std::filesystem::path& main_file) {
  std::vector<std::filesystem::path> out;
  auto dir = main_file.parent_path() / "tunnels.d";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    if (name.starts_with('.') || entry.path().extension() != ".yaml") continue;
    if (!entry.is_regular_file(ec)) continue;
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ike::Result<LoadedConfig, Diagnostics> load_sources(const Source& main_file, const std::vector<Source>& drop_ins,
                                                    const std::filesystem::path& base_dir) {
  Diagnostics diags;
  Model model;
  ParseOptions opts{base_dir};
  parse_source(main_file, true, opts, model, diags);
  for (const auto& src : drop_ins) parse_source(src, false, opts, model, diags);
  LoadedConfig loaded{check_model(model, diags), {}, {main_file.file}};
  for (const auto& src : drop_ins) loaded.files.push_back(src.file);
  diags.sort(loaded.files);
  if (diags.has_errors()) return ike::fail(std::move(diags));
  loaded.warnings = std::move(diags);
  return loaded;
}

ike::Result<LoadedConfig, Diagnostics> load(const std::filesystem::path& main_file) {
  Diagnostics io;
  auto text = read_text(main_file, io);
  if (!text) return ike::fail(std::move(io));
  check_drop_in_dir(main_file, io);
  std::vector<Source> drop_ins;
  for (const auto& path : drop_in_files(main_file))
    if (auto t = read_text(path, io)) drop_ins.push_back({path.string(), std::move(*t)});
  auto dir = main_file.parent_path();
  auto result = load_sources({main_file.string(), std::move(*text)}, drop_ins, dir.empty() ? "." : dir);
  if (io.empty()) return result;
  Diagnostics all = std::move(io);
  all.append(result ? result->warnings : result.error());
  return ike::fail(std::move(all));
}

Diagnostics check(const std::filesystem::path& main_file) {
  auto result = load(main_file);
  return result ? result->warnings : result.error();
}

}  // namespace kite::conf
