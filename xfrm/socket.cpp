#include "xfrm/socket.hpp"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <utility>

#include "libike/common/secret.hpp"

namespace kite::xfrm {

namespace {

// Dumps of many SAs arrive in datagrams of up to a page or more each; 64 KiB
// is comfortably above what the kernel packs into one.
constexpr std::size_t kReceiveBuffer = 64 * 1024;
// A request socket never waits forever for the kernel.
constexpr int kReplyTimeoutSeconds = 10;
// Event sockets get a large queue so bursts of ACQUIREs are not dropped.
constexpr int kEventBufferBytes = 4 * 1024 * 1024;

NetlinkFailure from_errno(int error, std::string message = {}) {
  return NetlinkFailure{error, std::move(message)};
}

// A receive buffer that is wiped whenever it is released: replies to GETSA
// and SA dumps carry key material.
struct WipedBuffer {
  ike::Bytes data = ike::Bytes(kReceiveBuffer);
  ~WipedBuffer() { ike::wipe(data.data(), data.size()); }
};

ike::Status configure(mnl_socket* socket, unsigned groups) {
  int one = 1;
  // Extended ACKs carry the kernel's own explanation of an error;
  // capped ACKs keep the kernel from echoing our request (and its keys).
  mnl_socket_setsockopt(socket, NETLINK_EXT_ACK, &one, sizeof one);
  mnl_socket_setsockopt(socket, NETLINK_CAP_ACK, &one, sizeof one);
  int fd = mnl_socket_get_fd(socket);
  if (groups != 0) {
    int size = kEventBufferBytes;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  } else {
    timeval timeout{kReplyTimeoutSeconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  if (mnl_socket_bind(socket, groups, MNL_SOCKET_AUTOPID) != 0)
    return ike::fail(fmt::format("cannot bind netlink socket: {}", describe_errno(errno)));
  return {};
}

}  // namespace

std::string NetlinkFailure::describe() const {
  auto text = describe_errno(error);
  return message.empty() ? text : fmt::format("{}: {}", text, message);
}

ike::Result<NetlinkSocket> NetlinkSocket::open(int bus, unsigned groups) {
  int flags = SOCK_CLOEXEC | (groups != 0 ? SOCK_NONBLOCK : 0);
  mnl_socket* socket = mnl_socket_open2(bus, flags);
  if (!socket)
    return ike::fail(fmt::format("cannot open netlink socket: {}", describe_errno(errno)));
  NetlinkSocket out(socket);
  if (auto ok = configure(socket, groups); !ok) return ike::fail(ok.error());
  out.port_ = mnl_socket_get_portid(socket);
  return out;
}

NetlinkSocket::NetlinkSocket(mnl_socket* socket) : socket_(socket) {}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept
    : socket_(std::exchange(other.socket_, nullptr)),
      port_(other.port_),
      next_seq_(other.next_seq_) {}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
  if (this != &other) {
    if (socket_) mnl_socket_close(socket_);
    socket_ = std::exchange(other.socket_, nullptr);
    port_ = other.port_;
    next_seq_ = other.next_seq_;
  }
  return *this;
}

NetlinkSocket::~NetlinkSocket() {
  if (socket_) mnl_socket_close(socket_);
}

int NetlinkSocket::fd() const { return mnl_socket_get_fd(socket_); }

ike::Result<std::uint32_t, NetlinkFailure> NetlinkSocket::send(ike::Bytes& message) {
  std::uint32_t seq = next_seq_++;
  set_sequence(message, seq);
  auto sent = mnl_socket_sendto(socket_, message.data(), message.size());
  int error = errno;
  ike::wipe(message.data(), message.size());
  if (sent < 0) return ike::fail(from_errno(error, "sending to the kernel failed"));
  return seq;
}

NetlinkStatus NetlinkSocket::request(ike::Bytes message, const MessageHandler& on_reply) {
  auto seq = send(message);
  if (!seq) return ike::fail(seq.error());
  return receive(*seq, false, on_reply);
}

NetlinkStatus NetlinkSocket::dump(ike::Bytes message, const MessageHandler& on_message) {
  auto seq = send(message);
  if (!seq) return ike::fail(seq.error());
  return receive(*seq, true, on_message);
}

NetlinkStatus NetlinkSocket::receive(std::uint32_t seq, bool is_dump,
                                     const MessageHandler& on_message) {
  WipedBuffer buf;
  for (;;) {
    auto n = mnl_socket_recvfrom(socket_, buf.data.data(), buf.data.size());
    if (n < 0) {
      // ESRCH: libmnl dropped a datagram that did not come from the kernel.
      if (errno == EINTR || errno == ESRCH) continue;
      if (errno == EAGAIN) return ike::fail(from_errno(ETIMEDOUT, "no answer from the kernel"));
      return ike::fail(from_errno(errno, "receiving from the kernel failed"));
    }
    auto messages = split_messages(ike::ByteView(buf.data).first(static_cast<std::size_t>(n)));
    if (!messages) return ike::fail(from_errno(EBADMSG, "malformed netlink reply"));
    for (const auto& m : *messages) {
      if (m.seq != seq) continue;  // a late answer to an earlier, timed-out request
      if (m.type == NLMSG_ERROR) {
        auto err = parse_error(m.payload, m.flags);
        if (!err) return ike::fail(from_errno(EBADMSG, "malformed netlink error"));
        if (err->error == 0) return {};
        return ike::fail(NetlinkFailure{err->error, err->message});
      }
      if (m.type == NLMSG_DONE) {
        // A dump's NLMSG_DONE carries an int: 0 or -errno.
        auto status = read_struct<int>(m.payload);
        if (status && *status < 0) return ike::fail(from_errno(-*status));
        if (is_dump) return {};
        continue;
      }
      if (on_message) on_message(m);
    }
  }
}

NetlinkStatus NetlinkSocket::drain(const MessageHandler& on_message) {
  WipedBuffer buf;
  bool overrun = false;
  for (;;) {
    auto n = mnl_socket_recvfrom(socket_, buf.data.data(), buf.data.size());
    if (n < 0) {
      if (errno == EINTR || errno == ESRCH) continue;
      if (errno == ENOBUFS) {
        overrun = true;
        continue;
      }
      if (errno == EAGAIN) break;
      return ike::fail(from_errno(errno, "receiving kernel events failed"));
    }
    auto messages = split_messages(ike::ByteView(buf.data).first(static_cast<std::size_t>(n)));
    if (!messages) continue;  // one bad datagram must not stop the event stream
    for (const auto& m : *messages) on_message(m);
  }
  if (overrun) return ike::fail(from_errno(ENOBUFS, "kernel events were lost (queue overrun)"));
  return {};
}

}  // namespace kite::xfrm
