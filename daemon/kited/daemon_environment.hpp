// ike::Environment over kited's real world: datagrams go out through the
// UDP sockets (picked by local port), events become log lines and monitor
// lines, the kernel is XFRM netlink, randomness is libsodium's CSPRNG.
#pragma once
#include <functional>

#include "daemon/logger.hpp"
#include "daemon/udp_transport.hpp"
#include "libike/tunnel/environment.hpp"

namespace kite::daemon {

class DaemonEnvironment final : public ike::Environment {
 public:
  using EventSink = std::function<void(const ike::TunnelEvent&)>;
  DaemonEnvironment(UdpTransport& udp, ike::Kernel& kernel, const Logger& logger, EventSink sink)
      : udp_(udp), kernel_(kernel), logger_(logger), sink_(std::move(sink)) {}

  void send(const ike::Datagram& datagram) override;
  void event(const ike::TunnelEvent& event) override;
  ike::Kernel& kernel() override { return kernel_; }
  ike::Random& random() override { return random_; }
  void set_sink(EventSink sink) { sink_ = std::move(sink); }

 private:
  UdpTransport& udp_;
  ike::Kernel& kernel_;
  const Logger& logger_;
  EventSink sink_;
  ike::SystemRandom random_;
};

}  // namespace kite::daemon
