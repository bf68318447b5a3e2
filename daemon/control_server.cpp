#include "daemon/control_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "daemon/status_json.hpp"
#include "daemon/sys_error.hpp"

namespace kite::daemon {
namespace {

using Kind = ike::TunnelEvent::Kind;

bool ends_pending_up(Kind kind) {
  return kind == Kind::NegotiationFailed || kind == Kind::DpdTimeout || kind == Kind::Down;
}

}  // namespace

ControlServer::ControlServer(EventLoop& loop, ike::Engine& engine, ControlHooks hooks)
    : loop_(loop), engine_(engine), hooks_(std::move(hooks)) {}

ControlServer::~ControlServer() {
  for (auto& [id, c] : clients_) loop_.remove(c->fd.get());
  if (listener_) {
    loop_.remove(listener_.get());
    ::unlink(path_.c_str());
  }
}

ike::Status ControlServer::listen(const ListenOptions& options) {
  auto sock = listen_unix(options);
  if (!sock) return ike::fail(sock.error());
  for (auto& note : sock->notes) log(Kind::Warning, note);
  listener_ = std::move(sock->fd);
  path_ = options.path;
  access_ = AccessPolicy{::geteuid(), sock->group, options.group.empty() ? kSocketGroup : options.group};
  return loop_.add(listener_.get(), EPOLLIN, [this](std::uint32_t) { on_accept(); });
}

void ControlServer::on_accept() {
  for (;;) {
    Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno != EAGAIN && errno != EINTR) log(Kind::Warning, errno_text("control accept"));
      return;
    }
    if (clients_.size() >= kMaxClients) {
      log(Kind::Warning, "control: too many clients, refusing one");
      continue;  // closes it
    }
    const std::uint64_t id = next_id_++;
    auto client = std::make_unique<Client>();
    client->fd = std::move(fd);
    const int raw = client->fd.get();
    Client& c = *client;
    clients_[id] = std::move(client);
    auto added = loop_.add(raw, EPOLLIN | EPOLLRDHUP,
                           [this, id](std::uint32_t events) { on_client(id, events); });
    if (!added) {
      log(Kind::Warning, "control: " + added.error().message);
      clients_.erase(id);
      continue;
    }
    admit(c);  // a refused client is answered and closed once that is out
  }
}

void ControlServer::admit(Client& c) {
  auto peer = peer_credentials(c.fd.get());
  std::optional<std::string> refusal;
  if (!peer) {
    refusal = "permission denied: " + peer.error().message;
  } else {
    c.uid = static_cast<long>(peer->uid);
    refusal = access_refusal(*peer, access_);
  }
  if (!refusal) return;
  log(Kind::Warning, "control: refused " +
                         (peer ? "uid " + std::to_string(peer->uid) + " (pid " +
                                     std::to_string(peer->pid) + ")"
                               : std::string("a client")) +
                         ": " + *refusal);
  // Answered before the request is read: every request of this client
  // would get the same line, and a stranger holds no slot for long.
  Json reply = error_reply(*refusal);
  reply["permission_denied"] = true;
  c.close_after_flush = true;
  send(c, reply);
}

void ControlServer::on_client(std::uint64_t id, std::uint32_t events) {
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second->dead) return;
  Client& c = *it->second;
  if (events & (EPOLLERR | EPOLLHUP)) {
    c.dead = true;  // the peer is gone: nothing can be delivered
    return;
  }
  if (events & EPOLLOUT) {
    flush(c);
    finish_if_done(c);
  }
  if (events & (EPOLLIN | EPOLLRDHUP)) {
    read_input(c);
    process_lines(c);
  }
}

void ControlServer::read_input(Client& c) {
  std::array<char, 4096> buf{};
  while (!c.eof && !c.dead) {
    const ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), 0);
    if (n > 0) {
      if (!c.monitor && !c.input.append({buf.data(), static_cast<std::size_t>(n)})) return;
    } else if (n == 0) {
      c.eof = true;
    } else if (errno == EINTR) {
      continue;
    } else {
      if (errno != EAGAIN) c.dead = true;
      return;
    }
  }
}

void ControlServer::process_lines(Client& c) {
  while (!c.dead && !c.close_after_flush && !c.pending && !c.monitor) {
    auto line = c.input.next_line();
    if (!line && c.input.overflowed()) {
      send(c, error_reply("request line longer than " + std::to_string(kMaxRequestLine) +
                          " bytes"));
      c.close_after_flush = true;
      flush(c);
    }
    if (!line) break;
    if (line->empty()) continue;
    auto req = parse_request(*line);
    if (!req) {
      send(c, error_reply(req.error().message));
      continue;
    }
    handle(c, *req);
  }
  finish_if_done(c);
}

void ControlServer::handle(Client& c, const Request& req) {
  switch (req.command) {
    case Command::Status:
      send(c, status_reply());
      return;
    case Command::Show:
      send(c, show_reply(req.tunnel));
      return;
    case Command::Up:
      handle_up(c, req);
      return;
    case Command::Down: {
      log_command(c, req);
      auto st = engine_.down(req.tunnel, hooks_.now());
      send(c, st ? ok_reply() : error_reply(st.error().message));
      return;
    }
    case Command::Reload:
      log_command(c, req);
      send(c, hooks_.reload());
      return;
    case Command::Monitor:
      c.monitor = true;
      c.monitor_debug = req.debug;
      send(c, Json{{"ok", true}, {"monitor", true}});
      return;
    case Command::Version:
      send(c, Json{{"ok", true}, {"version", hooks_.version}});
      return;
  }
}

void ControlServer::handle_up(Client& c, const Request& req) {
  log_command(c, req);
  const auto now = hooks_.now();
  // Pending before engine.up(): a failure the engine reports while
  // starting is an event like any later one.
  c.pending = PendingUp{req.tunnel, now + req.timeout, req.timeout, std::nullopt};
  auto st = engine_.up(req.tunnel, now);
  if (!st) {
    c.pending.reset();
    send(c, error_reply(st.error().message));
    return;
  }
  if (req.timeout.count() == 0) {
    c.pending.reset();
    auto status = engine_.status(req.tunnel);
    Json reply = ok_reply();
    if (status) reply["tunnel"] = tunnel_summary(*status, now);
    send(c, reply);
    return;
  }
  resolve_pending(c, now);
}

Json ControlServer::status_reply() const {
  const auto now = hooks_.now();
  Json tunnels = Json::array();
  for (const auto& t : engine_.status_all()) tunnels.push_back(tunnel_summary(t, now));
  return Json{{"ok", true},
              {"gateway", hooks_.gateway},
              {"tunnels", std::move(tunnels)},
              {"counters", counters_json(engine_.counters())}};
}

Json ControlServer::show_reply(const std::string& tunnel) const {
  auto status = engine_.status(tunnel);
  if (!status) return error_reply("no tunnel named \"" + tunnel + "\"");
  return Json{{"ok", true}, {"tunnel", tunnel_detail(*status, hooks_.now())}};
}

void ControlServer::resolve_pending(Client& c, ike::TimePoint now) {
  if (!c.pending || c.dead) return;
  const PendingUp& p = *c.pending;
  auto status = engine_.status(p.tunnel);
  Json reply;
  if (!status) {
    reply = error_reply("tunnel \"" + p.tunnel + "\" was removed");
  } else if (status->state == ike::TunnelState::Up) {
    reply = ok_reply();
  } else if (p.failure) {
    reply = error_reply("tunnel \"" + p.tunnel + "\" failed: " + *p.failure);
  } else if (now >= p.deadline) {
    reply = error_reply("tunnel \"" + p.tunnel + "\" is not up after " +
                        std::to_string(p.timeout.count()) + "s (state " +
                        std::string(state_name(status->state)) + ")");
  } else {
    return;  // still negotiating
  }
  if (status) reply["tunnel"] = tunnel_summary(*status, now);
  c.pending.reset();
  send(c, reply);
  process_lines(c);  // requests that queued up behind the `up`
}

void ControlServer::publish(const ike::TunnelEvent& event) {
  std::optional<std::string> line;
  for (auto& [id, c] : clients_) {
    if (c->dead) continue;
    if (c->pending && c->pending->tunnel == event.tunnel && ends_pending_up(event.kind) &&
        !c->pending->failure)
      c->pending->failure = event.message;
    if (!c->monitor || (event.kind == Kind::Debug && !c->monitor_debug)) continue;
    if (!line) line = encode_line(event_json(event, hooks_.wall_now()));
    c->output += *line;
    flush(*c);
  }
}

void ControlServer::poll() {
  const auto now = hooks_.now();
  for (auto& [id, c] : clients_) resolve_pending(*c, now);
  reap();
}

std::optional<ike::TimePoint> ControlServer::next_deadline() const {
  std::optional<ike::TimePoint> next;
  for (const auto& [id, c] : clients_) {
    if (!c->pending || c->dead) continue;
    if (!next || c->pending->deadline < *next) next = c->pending->deadline;
  }
  return next;
}

std::size_t ControlServer::monitor_count() const {
  std::size_t n = 0;
  for (const auto& [id, c] : clients_) n += (c->monitor && !c->dead) ? 1 : 0;
  return n;
}

void ControlServer::send(Client& c, const Json& object) {
  if (c.dead) return;
  c.output += encode_line(object);
  flush(c);
}

void ControlServer::flush(Client& c) {
  while (!c.output.empty() && !c.dead) {
    const ssize_t n = ::send(c.fd.get(), c.output.data(), c.output.size(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.output.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      break;
    } else {
      c.dead = true;
      return;
    }
  }
  if (c.output.size() > kMaxClientOutput) {
    log(Kind::Warning, "control: dropping a client that does not read its replies");
    c.dead = true;
    return;
  }
  const bool want_write = !c.output.empty();
  if (want_write != c.want_write) {
    c.want_write = want_write;
    (void)loop_.modify(c.fd.get(), EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u));
  }
  if (c.output.empty() && c.close_after_flush) c.dead = true;
}

void ControlServer::finish_if_done(Client& c) {
  // A client that sent everything and got every answer is done.
  if (c.eof && !c.pending && !c.monitor && c.output.empty()) c.dead = true;
}

void ControlServer::reap() {
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (it->second->dead) {
      loop_.remove(it->second->fd.get());
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
}

void ControlServer::log_command(const Client& c, const Request& req) const {
  std::string line = "control: " + std::string(command_name(req.command));
  if (!req.tunnel.empty()) line += " " + req.tunnel;
  if (c.uid >= 0) line += " (uid " + std::to_string(c.uid) + ")";
  log(Kind::Info, std::move(line));
}

void ControlServer::log(Kind kind, std::string message) const {
  hooks_.log(ike::TunnelEvent{kind, "", std::move(message)});
}

}  // namespace kite::daemon
