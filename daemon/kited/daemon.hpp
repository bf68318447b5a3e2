// kited: one epoll loop (STYLE.md §5) over the IKE sockets, a timerfd
// armed from the engine's next deadline, a signalfd (SIGHUP reload,
// SIGTERM/SIGINT stop), the XFRM event socket (ACQUIRE, EXPIRE) and the
// control socket. No threads; every handler runs to completion.
#pragma once
#include <memory>
#include <optional>

#include "daemon/control_server.hpp"
#include "daemon/deadline_timer.hpp"
#include "daemon/event_loop.hpp"
#include "daemon/kited/daemon_environment.hpp"
#include "daemon/kited/route_mode.hpp"
#include "daemon/kited/spd_routes.hpp"
#include "daemon/kited_options.hpp"
#include "conf/diff.hpp"
#include "daemon/logger.hpp"
#include "daemon/reload.hpp"
#include "daemon/udp_transport.hpp"
#include "libike/tunnel/engine.hpp"
#include "xfrm/xfrm_kernel.hpp"

namespace kite::daemon {

// kited's exit codes: 0 stopped cleanly, 1 could not start or run,
// 2 invalid configuration or usage.
inline constexpr int kExitOk = 0, kExitFailure = 1, kExitConfig = 2;

class Daemon {
 public:
  Daemon(KitedOptions options, Logger& logger);
  ~Daemon();

  // Loads the config (diagnostics to stderr; kExitConfig when invalid).
  int load_config();
  // Everything else before the loop: kernel leftovers flushed, sockets
  // bound, engine created with every tunnel, control socket listening.
  int start();
  // The loop until SIGTERM/SIGINT; then SAs deleted (peers told) and
  // everything kite installed removed.
  int run();
  // In the child after fork(): re-creates what is tied to the process.
  ike::Status after_detach() { return watch_signals(); }

 private:
  ike::Status open_kernel();
  ike::Status open_sockets();
  ike::Status open_control();
  ike::Status watch_signals();
  void add_tunnels();
  void on_signal();
  void on_kernel_events();
  void after_dispatch();
  Json reload();
  void stop();
  void apply_log_level(const ike::GatewayConfig& gateway);
  void update_routes(ReloadResult& result, const ike::Config& running, const ike::Config& next);
  // Engine, interface and routes of one tunnel; a failure undoes them.
  ike::Status add_tunnel(const ike::TunnelConfig& tunnel);
  // Route mode's interface for a tunnel the engine has just taken.
  ike::Status add_interface(const ike::TunnelConfig& tunnel);
  void remove_extras(const ike::TunnelConfig& tunnel);

  KitedOptions options_;
  Logger& logger_;
  ike::Config config_;
  EventLoop loop_;
  DeadlineTimer timer_;
  Fd signals_;
  std::unique_ptr<xfrm::XfrmKernel> kernel_;
  std::optional<xfrm::XfrmEvents> kernel_events_;
  std::optional<UdpTransport> udp_;
  std::optional<SpdRoutes> routes_;
  std::optional<RouteMode> route_mode_;
  std::unique_ptr<DaemonEnvironment> env_;
  std::unique_ptr<ike::Engine> engine_;
  std::unique_ptr<ControlServer> control_;
};

}  // namespace kite::daemon
