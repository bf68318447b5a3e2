// What a protocol engine needs from the world, injected (STYLE.md §1): a
// way to send datagrams, report events, reach the kernel and draw random
// bytes. Time is never read here: every engine call takes `now`. The daemon
// implements this over sockets/netlink; tests and the two-peer simulation
// implement it with queues, a fake kernel and SeededRandom.
#pragma once
#include <chrono>
#include <string>

#include "libike/common/address.hpp"
#include "libike/common/bytes.hpp"
#include "libike/common/random.hpp"
#include "libike/tunnel/kernel.hpp"

namespace ike {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// One IKE message. On port 4500 the daemon strips/adds the RFC 3948
// non-ESP marker, so payload always starts with the IKE header.
struct Datagram {
  Endpoint local;
  Endpoint remote;
  Bytes payload;
};

// Something an operator wants to know (log line, `kitectl monitor`). The
// message never contains key material.
struct TunnelEvent {
  enum class Kind { Up, Down, Rekeyed, DpdTimeout, NegotiationFailed, Warning, Info, Debug };
  Kind kind = Kind::Info;
  std::string tunnel;   // empty for gateway-wide events
  std::string message;  // one line
};

class Environment {
 public:
  virtual ~Environment() = default;
  virtual void send(const Datagram& datagram) = 0;
  virtual void event(const TunnelEvent& event) = 0;
  virtual Kernel& kernel() = 0;
  virtual Random& random() = 0;
};

}  // namespace ike
