#include "daemon/protocol.hpp"

#include <array>
#include <utility>

namespace kite::daemon {
namespace {

constexpr std::array<std::pair<Command, std::string_view>, 7> kCommands{{
    {Command::Status, "status"},
    {Command::Show, "show"},
    {Command::Up, "up"},
    {Command::Down, "down"},
    {Command::Reload, "reload"},
    {Command::Monitor, "monitor"},
    {Command::Version, "version"},
}};

ike::Result<std::chrono::seconds> parse_timeout(const Json& value) {
  if (!value.is_number()) return ike::fail("\"timeout\" must be a number of seconds");
  const double secs = value.get<double>();
  if (!(secs >= 0) || secs > static_cast<double>(kMaxUpTimeout.count()))
    return ike::fail("\"timeout\" must be between 0 and " + std::to_string(kMaxUpTimeout.count()));
  return std::chrono::seconds(static_cast<long>(secs));
}

}  // namespace

std::string_view command_name(Command command) {
  for (const auto& [c, name] : kCommands)
    if (c == command) return name;
  return "?";
}

std::optional<Command> command_from_name(std::string_view name) {
  for (const auto& [c, n] : kCommands)
    if (n == name) return c;
  return std::nullopt;
}

bool command_needs_tunnel(Command command) {
  return command == Command::Show || command == Command::Up || command == Command::Down;
}

ike::Result<Request> parse_request(std::string_view line) {
  auto parsed = parse_object(line);
  if (!parsed) return ike::fail(parsed.error());
  const Json& j = *parsed;
  auto cmd = j.find("command");
  if (cmd == j.end() || !cmd->is_string()) return ike::fail("missing \"command\"");
  auto command = command_from_name(cmd->get<std::string>());
  if (!command) return ike::fail("unknown command \"" + cmd->get<std::string>() + "\"");
  Request req;
  req.command = *command;
  if (auto t = j.find("tunnel"); t != j.end()) {
    if (!t->is_string()) return ike::fail("\"tunnel\" must be a string");
    req.tunnel = t->get<std::string>();
  }
  if (command_needs_tunnel(req.command) && req.tunnel.empty())
    return ike::fail(std::string(command_name(req.command)) + " needs \"tunnel\"");
  if (auto t = j.find("timeout"); t != j.end()) {
    auto timeout = parse_timeout(*t);
    if (!timeout) return ike::fail(timeout.error());
    req.timeout = *timeout;
  }
  if (auto d = j.find("debug"); d != j.end()) {
    if (!d->is_boolean()) return ike::fail("\"debug\" must be true or false");
    req.debug = d->get<bool>();
  }
  return req;
}

Json request_json(const Request& request) {
  Json j{{"command", command_name(request.command)}};
  if (!request.tunnel.empty()) j["tunnel"] = request.tunnel;
  if (request.command == Command::Up) j["timeout"] = request.timeout.count();
  if (request.command == Command::Monitor && request.debug) j["debug"] = true;
  return j;
}

std::string encode_line(const Json& object) {
  std::string line = object.dump(-1, ' ', false, Json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

ike::Result<Json> parse_object(std::string_view line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return ike::fail("invalid JSON");
  if (!j.is_object()) return ike::fail("expected a JSON object");
  return j;
}

Json ok_reply() { return Json{{"ok", true}}; }

Json error_reply(std::string_view message) {
  return Json{{"ok", false}, {"error", message}};
}

bool LineBuffer::append(std::string_view data) {
  if (overflowed_) return false;
  data_.append(data);
  const auto last_newline = data_.rfind('\n');
  const std::size_t tail = last_newline == std::string::npos ? data_.size()
                                                             : data_.size() - last_newline - 1;
  if (tail > max_line_) overflowed_ = true;
  return !overflowed_;
}

std::optional<std::string> LineBuffer::next_line() {
  if (overflowed_) return std::nullopt;
  const auto newline = data_.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  if (newline > max_line_) {
    overflowed_ = true;
    return std::nullopt;
  }
  std::string line = data_.substr(0, newline);
  data_.erase(0, newline + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace kite::daemon
