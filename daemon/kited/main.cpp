// kited: the kite daemon (SPEC.md §4).
//
// kited makes itself non-dumpable first thing: a core file or a ptrace
// attach by a non-root user would expose PSKs and negotiated keys, which
// live in its memory (PR_SET_DUMPABLE also makes /proc/<pid>/mem
// root-only).
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "daemon/kited/daemon.hpp"
#include "daemon/sys_error.hpp"

namespace {

using namespace kite::daemon;

// Detaches from the terminal once started, unless --foreground or run by
// systemd (NOTIFY_SOCKET: a Type=notify unit tracks this very process).
// Starting first means start-up errors reach the terminal and the exit
// code: `kited && echo started` means started. Every descriptor (sockets,
// epoll, signalfd, netlink) is inherited by the child.
bool detach(Logger& logger) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    logger.error(errno_text("fork"));
    return false;
  }
  if (pid > 0) std::_Exit(kExitOk);
  ::setsid();
  [[maybe_unused]] int ignored = ::chdir("/");
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd : {0, 1, 2}) ::dup2(null, fd);
  logger.set_sink(LogSink::Syslog);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  ::prctl(PR_SET_DUMPABLE, 0);
  const auto args = args_of(argc, argv);
  auto options = parse_kited_args(args);
  if (!options) {
    std::fprintf(stderr, "kited: %s\n%s", options.error().message.c_str(), kited_usage().c_str());
    return kExitConfig;
  }
  if (options->help || options->version) {
    std::fputs(options->help ? kited_usage().c_str() : "kited " KITE_VERSION "\n", stdout);
    return kExitOk;
  }
  const bool detach_when_started =
      !options->foreground && std::getenv("NOTIFY_SOCKET") == nullptr;
  Logger logger(detect_log_sink(true));
  Daemon daemon(*options, logger);
  if (int rc = daemon.load_config(); rc != kExitOk) return rc;
  if (int rc = daemon.start(); rc != kExitOk) return rc;
  if (detach_when_started) {
    if (!detach(logger)) return kExitFailure;
    if (auto st = daemon.after_detach(); !st) {
      logger.error(st.error().message);
      return kExitFailure;
    }
  }
  return daemon.run();
}
