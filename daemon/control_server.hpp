// kited's side of the control protocol: accepts many clients on the Unix
// socket, decodes one JSON request per line and answers from the Engine.
// Nothing here blocks the loop: `up` keeps its client pending until the
// tunnel is up, failed, or the timeout passed; `monitor` turns a client
// into an event stream. The server only forwards to the engine (STYLE.md
// §6: a control process could take its place unchanged).
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/control_access.hpp"
#include "daemon/control_socket.hpp"
#include "daemon/event_loop.hpp"
#include "daemon/protocol.hpp"
#include "libike/tunnel/engine.hpp"

namespace kite::daemon {

inline constexpr std::size_t kMaxClients = 64;
// A client that lets this much output pile up (a stuck monitor) is dropped.
inline constexpr std::size_t kMaxClientOutput = 4 * 1024 * 1024;

struct ControlHooks {
  std::function<ike::TimePoint()> now = [] { return ike::Clock::now(); };
  std::function<std::chrono::system_clock::time_point()> wall_now = [] {
    return std::chrono::system_clock::now();
  };
  // Answers "reload": {"ok":true,...} or {"ok":false,"error":...}.
  std::function<Json()> reload = [] { return error_reply("reload is not available"); };
  // One log line about the control socket itself (kind Info/Warning).
  std::function<void(const ike::TunnelEvent&)> log = [](const ike::TunnelEvent&) {};
  std::string version;
  std::string gateway;
};

class ControlServer {
 public:
  ControlServer(EventLoop& loop, ike::Engine& engine, ControlHooks hooks);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Listens; only root, kited's user and members of the socket's group
  // may then talk to it (control_access.hpp).
  ike::Status listen(const ListenOptions& options);
  const std::string& path() const { return path_; }

  // An engine event: streamed to monitor clients, and noted for pending
  // `up` requests. Safe to call from inside engine calls (it never calls
  // the engine back).
  void publish(const ike::TunnelEvent& event);
  // Resolves pending `up` requests and drops dead clients; kited calls it
  // after every batch of events.
  void poll();
  // When poll() must run next (the earliest `up` timeout).
  std::optional<ike::TimePoint> next_deadline() const;
  std::size_t client_count() const { return clients_.size(); }
  std::size_t monitor_count() const;

 private:
  struct PendingUp {
    std::string tunnel;
    ike::TimePoint deadline;
    std::chrono::seconds timeout;
    std::optional<std::string> failure;  // from a negotiation_failed/down event
  };
  struct Client {
    Fd fd;
    LineBuffer input{kMaxRequestLine};
    std::string output;
    bool want_write = false;
    bool monitor = false;
    bool monitor_debug = false;
    bool eof = false;   // the client shut down its sending side
    bool dead = false;  // reaped by poll()
    bool close_after_flush = false;
    long uid = -1;  // SO_PEERCRED, for the log lines of operator commands
    std::optional<PendingUp> pending;
  };

  void on_accept();
  // Checks a new client's credentials; a refused one gets one error line
  // and is closed once that is out.
  void admit(Client& c);
  void on_client(std::uint64_t id, std::uint32_t events);
  void read_input(Client& c);
  void process_lines(Client& c);
  void handle(Client& c, const Request& req);
  void handle_up(Client& c, const Request& req);
  Json status_reply() const;
  Json show_reply(const std::string& tunnel) const;
  void resolve_pending(Client& c, ike::TimePoint now);
  void send(Client& c, const Json& object);
  void flush(Client& c);
  void finish_if_done(Client& c);
  void reap();
  void log(ike::TunnelEvent::Kind kind, std::string message) const;
  void log_command(const Client& c, const Request& req) const;

  EventLoop& loop_;
  ike::Engine& engine_;
  ControlHooks hooks_;
  Fd listener_;
  std::string path_;
  AccessPolicy access_;
  std::map<std::uint64_t, std::unique_ptr<Client>> clients_;
  std::uint64_t next_id_ = 1;
};

}  // namespace kite::daemon
