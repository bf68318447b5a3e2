#include "daemon/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include "daemon/control_socket.hpp"
#include "daemon/sys_error.hpp"

namespace kite::daemon {
namespace {

using Clock = std::chrono::steady_clock;

ike::Failure<ClientError> client_fail(ClientError::Kind kind, std::string message) {
  return ike::fail(ClientError{kind, std::move(message)});
}

// Milliseconds left until `deadline` for poll(): -1 waits forever.
int poll_timeout(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

}  // namespace

ike::Result<ControlClient, ClientError> ControlClient::connect(const std::string& path) {
  auto fd = connect_unix(path);
  if (!fd) return client_fail(ClientError::Kind::Unreachable, fd.error().message);
  return ControlClient(std::move(*fd), path);
}

ike::Result<bool, ClientError> ControlClient::send(const Json& request) {
  const std::string line = encode_line(request);
  std::size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return client_fail(ClientError::Kind::Unreachable, errno_text("write to kited at " + path_));
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

ike::Result<Json, ClientError> ControlClient::receive(
    std::optional<std::chrono::milliseconds> timeout) {
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  std::array<char, 65536> buf{};
  for (;;) {
    if (auto line = input_.next_line()) {
      auto object = parse_object(*line);
      if (!object)
        return client_fail(ClientError::Kind::Protocol, "kited sent " + object.error().message);
      return std::move(*object);
    }
    if (input_.overflowed())
      return client_fail(ClientError::Kind::Protocol, "kited sent an over-long line");
    pollfd pfd{fd_.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, poll_timeout(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return client_fail(ClientError::Kind::Timeout, "no answer from kited in time");
    const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return client_fail(ClientError::Kind::Unreachable,
                         "kited at " + path_ + " closed the connection");
    if (!input_.append({buf.data(), static_cast<std::size_t>(n)}))
      return client_fail(ClientError::Kind::Protocol, "kited sent an over-long line");
  }
}

ike::Result<Json, ClientError> ControlClient::request(
    const Json& request, std::optional<std::chrono::milliseconds> timeout) {
  auto sent = send(request);
  if (!sent) {
    // kited may have answered and closed before reading the request (a
    // refused peer, see control_access.hpp): that line is still readable.
    if (auto early = receive(std::chrono::milliseconds(0))) return early;
    return ike::fail(sent.error());
  }
  return receive(timeout);
}

}  // namespace kite::daemon
