#include "daemon/udp_transport.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "daemon/nat_t.hpp"
#include "daemon/sys_error.hpp"

namespace kite::daemon {
namespace {

socklen_t to_sockaddr(const ike::Endpoint& ep, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (ep.address.is_v6()) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(ep.port);
    std::memcpy(&sin6->sin6_addr, ep.address.bytes().data(), 16);
    return sizeof *sin6;
  }
  auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(ep.port);
  std::memcpy(&sin->sin_addr, ep.address.bytes().data(), 4);
  return sizeof *sin;
}

std::optional<ike::Endpoint> from_sockaddr(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    auto addr = ike::IpAddress::from_bytes({sin6->sin6_addr.s6_addr, 16});
    if (!addr) return std::nullopt;
    return ike::Endpoint{*addr, ntohs(sin6->sin6_port)};
  }
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    auto addr = ike::IpAddress::from_bytes(
        {reinterpret_cast<const std::uint8_t*>(&sin->sin_addr.s_addr), 4});
    if (!addr) return std::nullopt;
    return ike::Endpoint{*addr, ntohs(sin->sin_port)};
  }
  return std::nullopt;
}

// RFC 3948: the kernel decapsulates ESP-in-UDP arriving on this socket.
ike::Status enable_esp_in_udp(int fd) {
  const int type = UDP_ENCAP_ESPINUDP;
  if (::setsockopt(fd, SOL_UDP, UDP_ENCAP, &type, sizeof type) != 0)
    return sys_fail("UDP_ENCAP_ESPINUDP on the NAT-T socket");
  return {};
}

ike::Result<Fd> bind_udp(const ike::IpAddress& local, std::uint16_t& port) {
  const bool v6 = local.is_v6();
  Fd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return sys_fail("socket(UDP)");
  const int one = 1;
  if (v6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  sockaddr_storage ss{};
  const socklen_t len = to_sockaddr({local, port}, ss);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return sys_fail("bind UDP " + ike::Endpoint{local, port}.to_string());
  socklen_t got = sizeof ss;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &got) == 0)
    if (auto ep = from_sockaddr(ss)) port = ep->port;
  return fd;
}

}  // namespace

ike::Result<UdpTransport> UdpTransport::open(const UdpOptions& options,
                                             std::vector<std::string>& notes) {
  UdpTransport t;
  t.local_ = options.local;
  t.ike_port_ = options.ike_port;
  t.nat_t_port_ = options.nat_t_port;
  auto ike_fd = bind_udp(t.local_, t.ike_port_);
  if (!ike_fd) return ike::fail(ike_fd.error());
  auto nat_t_fd = bind_udp(t.local_, t.nat_t_port_);
  if (!nat_t_fd) return ike::fail(nat_t_fd.error());
  t.ike_fd_ = std::move(*ike_fd);
  t.nat_t_fd_ = std::move(*nat_t_fd);
  if (options.kernel_options)
    if (auto st = enable_esp_in_udp(t.nat_t_fd_.get()); !st) notes.push_back(st.error().message);
  if (options.bypass)
    for (int fd : {t.ike_fd_.get(), t.nat_t_fd_.get()})
      if (auto st = options.bypass(fd, t.local_.is_v6()); !st)
        notes.push_back("IPsec bypass on the IKE sockets: " + st.error().message);
  return t;
}

ike::Status UdpTransport::watch(EventLoop& loop,
                                std::function<void(const ike::Datagram&)> deliver) {
  deliver_ = std::move(deliver);
  auto st = loop.add(ike_fd_.get(), EPOLLIN,
                     [this](std::uint32_t) { drain(ike_fd_.get(), ike_port_, false); });
  if (!st) return st;
  return loop.add(nat_t_fd_.get(), EPOLLIN,
                  [this](std::uint32_t) { drain(nat_t_fd_.get(), nat_t_port_, true); });
}

void UdpTransport::unwatch(EventLoop& loop) {
  loop.remove(ike_fd_.get());
  loop.remove(nat_t_fd_.get());
}

void UdpTransport::drain(int fd, std::uint16_t port, bool nat_t) {
  std::array<std::uint8_t, 65536> buf{};
  // Bounded per wake-up so one busy socket cannot starve the others; epoll
  // is level-triggered and comes back for the rest.
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return;  // EAGAIN, or an ICMP error reported on the socket
    ++counters_.received;
    auto remote = from_sockaddr(from);
    ike::ByteView payload{buf.data(), static_cast<std::size_t>(n)};
    if (nat_t) {
      const NatTDatagram d = classify_nat_t(payload);
      if (d.kind == NatTKind::Keepalive) ++counters_.keepalives;
      if (d.kind != NatTKind::Ike) {
        counters_.dropped += d.kind == NatTKind::Keepalive ? 0 : 1;
        continue;
      }
      payload = d.ike;
    }
    if (!remote) {
      ++counters_.dropped;
      continue;
    }
    deliver_(ike::Datagram{{local_, port}, *remote, ike::Bytes(payload.begin(), payload.end())});
  }
}

ike::Status UdpTransport::send(const ike::Datagram& datagram) {
  const bool nat_t = datagram.local.port == nat_t_port_;
  if (!nat_t && datagram.local.port != ike_port_)
    return ike::fail("no socket on local port " + std::to_string(datagram.local.port));
  ike::Bytes framed;
  ike::ByteView out = datagram.payload;
  if (nat_t) {
    framed = add_non_esp_marker(datagram.payload);
    out = framed;
  }
  sockaddr_storage to{};
  const socklen_t to_len = to_sockaddr(datagram.remote, to);
  const int fd = nat_t ? nat_t_fd_.get() : ike_fd_.get();
  if (::sendto(fd, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&to), to_len) < 0) {
    ++counters_.send_errors;
    return sys_fail("send to " + datagram.remote.to_string());
  }
  ++counters_.sent;
  return {};
}

}  // namespace kite::daemon
