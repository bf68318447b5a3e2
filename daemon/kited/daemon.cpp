#include "daemon/kited/daemon.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "conf/load.hpp"
#include "daemon/reload.hpp"
#include "daemon/sys_error.hpp"
#include "xfrm/bypass.hpp"

#ifdef KITE_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace kite::daemon {
namespace {

// sd_notify(3) for Type=notify units; a no-op outside systemd or when built
// without libsystemd.
void notify([[maybe_unused]] const char* state) {
#ifdef KITE_HAVE_SYSTEMD
  ::sd_notify(0, state);
#endif
}

// Engine knobs. KITE_TEST_LIFETIME_DIVISOR (test only, the kernel lab's
// rekey scenarios) divides every configured lifetime so that rekeys come
// within seconds; it is never meant for a production gateway, hence the
// warning.
ike::EngineOptions engine_options(Logger& logger, ike::InterfaceKind route_interface) {
  ike::EngineOptions options;
  options.route_interface = route_interface;
  if (const char* divisor = std::getenv("KITE_TEST_LIFETIME_DIVISOR")) {
    auto n = std::strtoul(divisor, nullptr, 10);
    if (n > 1 && n <= 10000) {
      options.lifetime_divisor = static_cast<unsigned>(n);
      logger.warning(fmt::format("test only: KITE_TEST_LIFETIME_DIVISOR={}: every lifetime is divided by {}", n, n));
    }
  }
  return options;
}

// Gateway settings that cannot change without a restart (sockets, routing).
bool needs_restart(ike::GatewayConfig running, ike::GatewayConfig next) {
  running.log_level = next.log_level;
  return !(running == next);
}

}  // namespace

Daemon::Daemon(KitedOptions options, Logger& logger)
    : options_(std::move(options)), logger_(logger) {}

Daemon::~Daemon() {
  // The server and engine refer to the loop and environment: go first.
  control_.reset();
  engine_.reset();
}

int Daemon::load_config() {
  auto loaded = conf::load(options_.config);
  if (!loaded) {
    std::fputs(loaded.error().format().c_str(), stderr);
    std::fprintf(stderr, "kited: %s: invalid configuration, not starting\n",
                 options_.config.c_str());
    return kExitConfig;
  }
  for (const auto& w : loaded->warnings.items()) logger_.warning(conf::format(w));
  config_ = std::move(loaded->config);
  apply_log_level(config_.gateway);
  return kExitOk;
}

void Daemon::apply_log_level(const ike::GatewayConfig& gateway) {
  if (auto level = log_level_from_name(gateway.log_level)) logger_.set_threshold(*level);
}

int Daemon::start() {
  // Sockets first: a second kited for the same address fails on bind
  // before it could flush the running one's kernel state.
  for (auto step : {&Daemon::open_sockets, &Daemon::open_kernel, &Daemon::watch_signals}) {
    if (auto st = (this->*step)(); !st) {
      logger_.error(st.error().message);
      return kExitFailure;
    }
  }
  routes_.emplace(config_.gateway, logger_);
  routes_->open();
  route_mode_.emplace(logger_);
  route_mode_->open();
  env_ = std::make_unique<DaemonEnvironment>(*udp_, *kernel_, logger_, nullptr);
  engine_ = ike::make_engine(*env_, config_.gateway, engine_options(logger_, route_mode_->kind()));
  if (auto st = open_control(); !st) {
    logger_.error(st.error().message);
    return kExitFailure;
  }
  env_->set_sink([this](const ike::TunnelEvent& e) { control_->publish(e); });
  add_tunnels();
  loop_.set_after_dispatch([this] { after_dispatch(); });
  // What threw names no packet bytes or keys, only the exception's text.
  loop_.set_exception_reporter([this](const char* what) {
    logger_.error(fmt::format("internal error, input dropped: {}", what));
  });
  after_dispatch();
  logger_.info(fmt::format("kited {} ready: gateway {}, IKE on {} and {}, {} tunnels, control {}",
                           KITE_VERSION, config_.gateway.name, udp_->ike_endpoint().to_string(),
                           udp_->nat_t_endpoint().to_string(), config_.tunnels.size(),
                           control_->path()));
  notify("READY=1");
  return kExitOk;
}

ike::Status Daemon::open_kernel() {
  auto kernel = xfrm::XfrmKernel::open();
  if (!kernel) return ike::fail("XFRM netlink: " + kernel.error().message);
  kernel_ = std::move(*kernel);
  // Leftovers of a kited that crashed: its SAs and policies still steer
  // traffic into SAs nobody negotiates any more.
  if (auto st = kernel_->flush_owned(); !st)
    logger_.warning("removing stale kernel state: " + st.error().message);
  auto events = xfrm::XfrmEvents::open();
  if (!events) return ike::fail("XFRM event socket: " + events.error().message);
  kernel_events_.emplace(std::move(*events));
  return loop_.add(kernel_events_->fd(), EPOLLIN, [this](std::uint32_t) { on_kernel_events(); });
}

ike::Status Daemon::open_sockets() {
  std::vector<std::string> notes;
  const auto& gw = config_.gateway;
  auto udp = UdpTransport::open(
      {gw.local_address, gw.ike_port, gw.nat_t_port, true, &xfrm::bypass_ipsec}, notes);
  if (!udp) return ike::fail(udp.error());
  for (const auto& n : notes) logger_.warning(n);
  udp_.emplace(std::move(*udp));
  if (auto st = udp_->watch(loop_, [this](const ike::Datagram& d) {
        engine_->on_datagram(d, ike::Clock::now());
      });
      !st)
    return st;
  if (!timer_.valid()) return sys_fail("timerfd_create");
  return loop_.add(timer_.fd(), EPOLLIN, [this](std::uint32_t) {
    timer_.acknowledge();
    engine_->on_timer(ike::Clock::now());
  });
}

ike::Status Daemon::open_control() {
  ControlHooks hooks;
  hooks.reload = [this] { return reload(); };
  hooks.log = [this](const ike::TunnelEvent& e) { logger_.event(e); };
  hooks.version = KITE_VERSION;
  hooks.gateway = config_.gateway.name;
  control_ = std::make_unique<ControlServer>(loop_, *engine_, std::move(hooks));
  if (auto st = make_directories(runtime_dir(options_, config_.gateway), 0755); !st) return st;
  return control_->listen({control_socket_path(options_, config_.gateway), kSocketGroup});
}

ike::Status Daemon::watch_signals() {
  // Called again in the child after detaching: epoll watches a signalfd
  // through the wait queue of the process that added it, so a forked
  // child needs its own (signalfd(2), "epoll(7) semantics").
  if (signals_) {
    loop_.remove(signals_.get());
    signals_.reset();
  }
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return sys_fail("sigprocmask");
  ::signal(SIGPIPE, SIG_IGN);
  signals_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signals_) return sys_fail("signalfd");
  return loop_.add(signals_.get(), EPOLLIN, [this](std::uint32_t) { on_signal(); });
}

void Daemon::add_tunnels() {
  std::vector<std::string> refused;
  for (const auto& t : config_.tunnels) {
    if (auto st = add_tunnel(t); !st) {
      logger_.log(LogLevel::Error, t.name, "not started: " + st.error().message);
      refused.push_back(t.name);
    }
  }
  // Not running, so not in the running config: a reload offers them again.
  config_ = running_config(std::move(config_), refused);
}

ike::Status Daemon::add_tunnel(const ike::TunnelConfig& t) {
  if (auto st = route_mode_->check(t); !st) return st;
  if (auto st = engine_->add_tunnel(t, ike::Clock::now()); !st) return st;
  if (auto st = add_interface(t); !st) return st;
  routes_->add(t);
  return {};
}

ike::Status Daemon::add_interface(const ike::TunnelConfig& t) {
  if (t.mode != ike::TunnelMode::Route) return {};
  auto status = engine_->status(t.name);
  ike::Status st = status && status->route ? route_mode_->add(t, *status->route)
                                           : ike::fail("the engine reports no interface binding");
  // No interface, no tunnel: its SAs would carry nothing.
  if (!st) (void)engine_->remove_tunnel(t.name, ike::Clock::now());
  return st;
}

void Daemon::remove_extras(const ike::TunnelConfig& t) {
  routes_->remove(t);
  route_mode_->remove(t);
}

// After apply_reload changed the engine: routes and route-mode interfaces
// follow. A route-mode tunnel whose interface cannot be made is refused
// like one the engine refused.
void Daemon::update_routes(ReloadResult& result, const ike::Config& running, const ike::Config& next) {
  const auto& diff = result.diff;
  for (const auto& name : diff.removed) remove_extras(*running.find_tunnel(name));
  for (const auto& name : diff.changed) remove_extras(*running.find_tunnel(name));
  std::vector<std::string> wanted = diff.changed;
  wanted.insert(wanted.end(), diff.added.begin(), diff.added.end());
  for (const auto& name : wanted) {
    if (result.was_refused(name)) continue;
    const auto& t = *next.find_tunnel(name);
    ike::Status st = route_mode_->check(t);
    if (st) st = add_interface(t);
    else (void)engine_->remove_tunnel(name, ike::Clock::now());
    if (!st) {
      result.errors.push_back(fmt::format("tunnel {}: {}", name, st.error().message));
      result.refused.push_back(name);
      continue;
    }
    routes_->add(t);
  }
}

int Daemon::run() {
  auto st = loop_.run();
  if (!st) {
    logger_.error(st.error().message);
    stop();
    return kExitFailure;
  }
  return kExitOk;
}

void Daemon::on_signal() {
  signalfd_siginfo info{};
  while (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo == SIGHUP) {
      const Json reply = reload();
      if (!reply.value("ok", false)) logger_.error("reload: " + reply.value("error", std::string()));
    } else {
      logger_.info(fmt::format("signal {}: stopping", ::strsignal(static_cast<int>(info.ssi_signo))));
      stop();
      return;
    }
  }
}

void Daemon::on_kernel_events() {
  auto batch = kernel_events_->read_events();
  if (!batch) {
    logger_.warning("XFRM events: " + batch.error().message);
    return;
  }
  if (batch->lost) logger_.warning("XFRM events were lost (socket overrun)");
  const auto now = ike::Clock::now();
  for (const auto& event : batch->events) {
    std::visit(
        [&](const auto& e) {
          if constexpr (std::is_same_v<std::decay_t<decltype(e)>, ike::Acquire>)
            engine_->on_acquire(e, now);
          else
            engine_->on_expire(e, now);
        },
        event);
  }
}

void Daemon::after_dispatch() {
  if (!engine_ || loop_.stopped()) return;
  control_->poll();
  if (auto st = timer_.arm(earliest(engine_->next_deadline(), control_->next_deadline())); !st)
    logger_.error(st.error().message);
}

Json Daemon::reload() {
  notify("RELOADING=1");
  auto loaded = conf::load(options_.config);
  if (!loaded) {
    const auto& diags = loaded.error();
    for (const auto& d : diags.items()) logger_.error(conf::format(d));
    const auto n = diags.error_count();
    Json reply = error_reply(fmt::format("{}: invalid configuration ({} error{}); nothing changed",
                                         options_.config, n, n == 1 ? "" : "s"));
    reply["invalid_config"] = true;
    Json lines = Json::array();
    for (const auto& d : diags.items()) lines.push_back(conf::format(d));
    reply["diagnostics"] = std::move(lines);
    notify("READY=1");
    return reply;
  }
  for (const auto& w : loaded->warnings.items()) logger_.warning(conf::format(w));
  conf::ConfigDiff diff = conf::diff(config_, loaded->config);
  diff.gateway_changed = needs_restart(config_.gateway, loaded->config.gateway);
  apply_log_level(loaded->config.gateway);
  auto result = apply_reload(*engine_, diff, loaded->config, ike::Clock::now());
  update_routes(result, config_, loaded->config);
  for (const auto& e : result.errors) logger_.error("reload: " + e);
  config_ = running_config(std::move(loaded->config), result.refused);
  logger_.info(fmt::format("reloaded {}: {} added, {} removed, {} changed, {} unchanged",
                           options_.config, diff.added.size(), diff.removed.size(),
                           diff.changed.size(), diff.unchanged.size()));
  if (diff.gateway_changed) logger_.warning("gateway settings changed: restart kited to apply them");
  notify("READY=1");
  return reload_reply(result);
}

void Daemon::stop() {
  notify("STOPPING=1");
  if (engine_) engine_->shutdown(ike::Clock::now());  // DELETEs to every peer
  if (kernel_)
    if (auto st = kernel_->flush_owned(); !st) logger_.warning("final flush: " + st.error().message);
  if (routes_) routes_->clear();
  if (route_mode_) route_mode_->clear();
  loop_.stop();
}

}  // namespace kite::daemon
