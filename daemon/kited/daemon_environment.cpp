#include "daemon/kited/daemon_environment.hpp"

namespace kite::daemon {

void DaemonEnvironment::send(const ike::Datagram& datagram) {
  // A failed send is like a lost datagram: the engine's retransmission
  // covers it, so it is worth a debug line, not a failure.
  if (auto st = udp_.send(datagram); !st) logger_.debug(st.error().message);
}

void DaemonEnvironment::event(const ike::TunnelEvent& event) {
  logger_.event(event);
  if (sink_) sink_(event);
}

}  // namespace kite::daemon
