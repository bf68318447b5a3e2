// kited's IKE sockets: UDP on gateway.local_address, port 500 (ike_port)
// and 4500 (nat_t_port), IPv4 or IPv6 per the address. Bound to the
// address itself, so no IP_PKTINFO is needed to know the local endpoint.
// On the NAT-T socket the RFC 3948 non-ESP marker is stripped on receive
// and added on send (nat_t.hpp), and UDP_ENCAP_ESPINUDP hands ESP-in-UDP
// to the kernel. Both sockets get the `bypass` hook, so that a policy
// covering the gateway's own address cannot swallow IKE itself.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "daemon/event_loop.hpp"
#include "daemon/fd.hpp"
#include "libike/common/result.hpp"
#include "libike/tunnel/environment.hpp"

namespace kite::daemon {

struct UdpOptions {
  ike::IpAddress local;
  std::uint16_t ike_port = 500;    // 0: any free port (tests)
  std::uint16_t nat_t_port = 4500;
  // UDP_ENCAP_ESPINUDP on the NAT-T socket (needs CAP_NET_ADMIN; tests
  // turn it off).
  bool kernel_options = true;
  // Per-socket IPsec bypass for both sockets (kited: xfrm::bypass_ipsec).
  std::function<ike::Status(int fd, bool v6)> bypass;
};

struct UdpCounters {
  std::uint64_t received = 0, keepalives = 0, dropped = 0, sent = 0, send_errors = 0;
};

class UdpTransport {
 public:
  // Opens and binds both sockets; `notes` gets one line per option that
  // could not be set (non-fatal).
  static ike::Result<UdpTransport> open(const UdpOptions& options,
                                        std::vector<std::string>& notes);

  // Watches both sockets; every received IKE message goes to `deliver`.
  ike::Status watch(EventLoop& loop, std::function<void(const ike::Datagram&)> deliver);
  void unwatch(EventLoop& loop);
  // Sends on the socket whose port is datagram.local.port.
  ike::Status send(const ike::Datagram& datagram);

  ike::Endpoint ike_endpoint() const { return {local_, ike_port_}; }
  ike::Endpoint nat_t_endpoint() const { return {local_, nat_t_port_}; }
  const UdpCounters& counters() const { return counters_; }

 private:
  UdpTransport() = default;
  void drain(int fd, std::uint16_t port, bool nat_t);

  ike::IpAddress local_;
  Fd ike_fd_, nat_t_fd_;
  std::uint16_t ike_port_ = 0, nat_t_port_ = 0;
  std::function<void(const ike::Datagram&)> deliver_;
  UdpCounters counters_;
};

}  // namespace kite::daemon
