// kitectl export TUNNEL [--format swanctl|libreswan] [--config PATH]
// [--output FILE]: the configuration of the customer gateway's side of one
// tunnel (export/exporter.hpp), read from the config file: no daemon needed.
// Written to stdout, or to FILE created mode 0600 (it holds the PSK);
// --json wraps it as {"ok":true,"tunnel":..,"format":..,"text":..}.
// Exit 0 written, 1 the tunnel is missing or cannot be expressed for that
// peer (e.g. SM4), 2 bad usage or an invalid config.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "conf/load.hpp"
#include "daemon/kited_options.hpp"
#include "daemon/kitectl/cli.hpp"
#include "export/exporter.hpp"
#include "libike/common/secret.hpp"

namespace kite::kitectl {
namespace {

int fail_with(Context& ctx, const std::string& message, int code) {
  ctx.err << "kitectl: export: " << message << "\n";
  if (ctx.json) print_json(ctx, daemon::error_reply(message));
  return code;
}

// Creates or truncates `path` readable by its owner only, and writes `text`.
ike::Status write_private(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ike::fail(path + ": " + std::strerror(errno));
  ike::Status st;
  if (::fchmod(fd, 0600) != 0) st = ike::fail(path + ": chmod 600: " + std::strerror(errno));
  for (std::size_t done = 0; st && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = ike::fail(path + ": " + std::strerror(errno));
    else done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && st) st = ike::fail(path + ": " + std::strerror(errno));
  return st;
}

int emit(Context& ctx, exporter::Format format, const std::string& tunnel, const std::string& text) {
  const auto output = ctx.option("--output");
  if (output) {
    if (auto st = write_private(*output, text); !st) return fail_with(ctx, st.error().message, kFailed);
  }
  if (ctx.json) {
    Json reply{{"ok", true}, {"tunnel", tunnel}, {"format", exporter::format_name(format)}};
    if (output) reply["output"] = *output;
    else reply["text"] = text;
    print_json(ctx, reply);
  } else if (output) {
    ctx.err << "kitectl: export: wrote " << *output << " (mode 0600: it holds the pre-shared key)\n";
  } else {
    ctx.out << text;
  }
  return kDone;
}

int run_export(Context& ctx) {
  const std::string path = ctx.option("--config").value_or(daemon::kDefaultConfigPath);
  const std::string format_arg = ctx.option("--format").value_or("swanctl");
  const auto format = exporter::parse_format(format_arg);
  if (!format)
    return fail_with(ctx, "unknown format \"" + format_arg + "\" (swanctl or libreswan)", kUsage);
  auto loaded = conf::load(path);
  if (!loaded) {
    ctx.err << loaded.error().format();
    return fail_with(ctx, path + ": invalid config (see kitectl check)", kUsage);
  }
  const std::string& name = ctx.args.at(0);
  const auto* tunnel = loaded->config.find_tunnel(name);
  if (!tunnel) return fail_with(ctx, "no tunnel \"" + name + "\" in " + path, kFailed);
  auto text = exporter::export_tunnel(*format, *tunnel, loaded->config.gateway);
  if (!text) return fail_with(ctx, text.error().message, kFailed);
  const int rc = emit(ctx, *format, name, *text);
  ike::wipe(text->data(), text->size());  // the PSK is in it
  return rc;
}

}  // namespace

const CommandSpec cmd_export{
    "export", "TUNNEL [--format swanctl|libreswan] [--config PATH] [--output FILE]",
    "the customer gateway's config (holds the PSK; no daemon)",
    1, 1, {"--format", "--config", "--output"}, {}, run_export};

}  // namespace kite::kitectl
