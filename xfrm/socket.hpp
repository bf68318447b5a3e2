// The socket side of netlink, over libmnl: request/ACK with sequence
// numbers, dumps, and non-blocking reads for multicast event sockets. The
// messages themselves come from the pure builders (messages.hpp, route.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "libike/common/bytes.hpp"
#include "libike/common/result.hpp"
#include "xfrm/netlink.hpp"

struct mnl_socket;

namespace kite::xfrm {

// A failed request: a positive errno (from the kernel's NLMSG_ERROR or from
// the socket itself) and, when the kernel gave one, its extended-ACK text.
struct NetlinkFailure {
  int error = 0;
  std::string message;
  std::string describe() const;  // "ESRCH (No such process): <message>"
};

using NetlinkStatus = ike::Result<void, NetlinkFailure>;

// Called for each data message of a reply. The payload points into a
// receive buffer that is wiped right after (replies to GETSA carry keys),
// so parse what you need and keep no views.
using MessageHandler = std::function<void(const NetlinkMessage&)>;

class NetlinkSocket {
 public:
  // bus: NETLINK_XFRM or NETLINK_ROUTE. groups: multicast bitmask for
  // event sockets (0 for request sockets); event sockets are non-blocking.
  static ike::Result<NetlinkSocket> open(int bus, unsigned groups = 0);
  NetlinkSocket(NetlinkSocket&&) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&&) noexcept;
  ~NetlinkSocket();

  int fd() const;

  // Sends one request built with NLM_F_ACK and waits for its ACK or error;
  // data messages answering it (ALLOCSPI, GETSA) go to on_reply. The
  // request buffer is wiped after sending (it may hold keys).
  NetlinkStatus request(ike::Bytes message, const MessageHandler& on_reply = {});
  // Sends an NLM_F_DUMP request and passes every message up to NLMSG_DONE.
  NetlinkStatus dump(ike::Bytes message, const MessageHandler& on_message);
  // Event sockets: handles every message already queued, without blocking.
  // ENOBUFS (the kernel dropped events because we were slow) is reported
  // after the queued messages have been handled.
  NetlinkStatus drain(const MessageHandler& on_message);

 private:
  explicit NetlinkSocket(mnl_socket* socket);
  // Numbers, sends and wipes the message; returns its sequence number.
  ike::Result<std::uint32_t, NetlinkFailure> send(ike::Bytes& message);
  // Receives until the ACK/error (request) or NLMSG_DONE (dump) for seq.
  NetlinkStatus receive(std::uint32_t seq, bool is_dump, const MessageHandler& on_message);

  mnl_socket* socket_ = nullptr;
  std::uint32_t port_ = 0;
  std::uint32_t next_seq_ = 1;
};

}  // namespace kite::xfrm
