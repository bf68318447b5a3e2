// kitectl monitor [--count N] [--debug]: stream events (up, down, rekey,
// DPD, errors) as they happen, until interrupted or N events were shown.
// With --json: {"ok":true,"monitor":true}, then one event per line.
#include <charconv>
#include <ostream>

#include "daemon/kitectl/cli.hpp"
#include "daemon/kitectl/format.hpp"

namespace kite::kitectl {
namespace {

int stream_events(Context& ctx, daemon::ControlClient& client, std::optional<long> count) {
  for (long shown = 0; !count || shown < *count; ++shown) {
    auto event = client.receive(std::nullopt);
    if (!event) return report_client_error(ctx, event.error());
    if (ctx.json)
      print_json(ctx, *event);
    else
      ctx.out << format_event(*event);
    ctx.out.flush();
  }
  return kDone;
}

int run_monitor(Context& ctx) {
  std::optional<long> count;
  if (auto c = ctx.option("--count")) {
    long n = 0;
    auto [end, ec] = std::from_chars(c->data(), c->data() + c->size(), n);
    if (ec != std::errc() || end != c->data() + c->size() || n <= 0)
      return usage_error(ctx, "monitor: --count takes a positive number");
    count = n;
  }
  auto client = daemon::ControlClient::connect(ctx.socket);
  if (!client) return report_client_error(ctx, client.error());
  Json request{{"command", "monitor"}};
  if (ctx.has("--debug")) request["debug"] = true;
  auto ack = client->request(request, std::chrono::seconds(30));
  if (!ack) return report_client_error(ctx, ack.error());
  if (!ack->value("ok", false)) {
    if (ctx.json) print_json(ctx, *ack);
    ctx.err << "kitectl: " << text(*ack, "error", "kited refused to monitor") << "\n";
    return failure_code(*ack);
  }
  // --json prints the wire lines exactly: the acknowledgement first (a
  // script knows it is subscribed from then on), then the events.
  if (ctx.json) {
    print_json(ctx, *ack);
    ctx.out.flush();
  }
  return stream_events(ctx, *client, count);
}

}  // namespace

const CommandSpec cmd_monitor{"monitor", "[--count N] [--debug]",
                              "stream events as they happen", 0, 0, {"--count"}, {"--debug"},
                              run_monitor};

}  // namespace kite::kitectl
