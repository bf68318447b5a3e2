// RFC 3948 framing on the NAT-T port, and the UDP transport that applies
// it (over loopback, without the kernel-only socket options).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "daemon/nat_t.hpp"
#include "daemon/udp_transport.hpp"

using namespace kite::daemon;

TEST_CASE("non-ESP marker is stripped on receive") {
  const ike::Bytes d{0, 0, 0, 0, 0x11, 0x22, 0x33};
  auto r = classify_nat_t(d);
  CHECK(r.kind == NatTKind::Ike);
  CHECK(ike::Bytes(r.ike.begin(), r.ike.end()) == ike::Bytes{0x11, 0x22, 0x33});
}

TEST_CASE("keepalives, ESP and short datagrams are not IKE") {
  CHECK(classify_nat_t(ike::Bytes{0xff}).kind == NatTKind::Keepalive);
  CHECK(classify_nat_t(ike::Bytes{0x00}).kind == NatTKind::Malformed);
  CHECK(classify_nat_t(ike::Bytes{}).kind == NatTKind::Malformed);
  CHECK(classify_nat_t(ike::Bytes{0, 0, 0, 0}).kind == NatTKind::Malformed);
  CHECK(classify_nat_t(ike::Bytes{0, 0, 0, 1, 9, 9}).kind == NatTKind::Esp);
  CHECK(classify_nat_t(ike::Bytes{0xff, 0xff}).kind == NatTKind::Malformed);
  // Every truncated prefix of a marked message classifies without reading
  // past its end.
  const ike::Bytes full{0, 0, 0, 0, 1, 2, 3, 4, 5};
  for (std::size_t n = 0; n <= full.size(); ++n) {
    auto r = classify_nat_t(ike::ByteView(full).first(n));
    CHECK((r.kind == NatTKind::Ike) == (n > 4));
    if (r.kind == NatTKind::Ike) CHECK(r.ike.size() == n - 4);
  }
}

TEST_CASE("non-ESP marker is added on send") {
  CHECK(add_non_esp_marker(ike::Bytes{7, 8}) == ike::Bytes{0, 0, 0, 0, 7, 8});
  const auto framed = add_non_esp_marker(ike::Bytes{1, 2, 3});
  auto back = classify_nat_t(framed);
  REQUIRE(back.kind == NatTKind::Ike);
  CHECK(ike::Bytes(back.ike.begin(), back.ike.end()) == ike::Bytes{1, 2, 3});
}

namespace {

struct PlainUdp {
  Fd fd{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
  std::uint16_t port = 0;
  PlainUdp() {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    socklen_t len = sizeof sin;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sin), &len);
    port = ntohs(sin.sin_port);
  }
  void send_to(std::uint16_t to, const ike::Bytes& data) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(to);
    ::sendto(fd.get(), data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  }
  ike::Bytes receive() {
    ike::Bytes buf(2048);
    const ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }
};

}  // namespace

TEST_CASE("UDP transport frames IKE on the NAT-T port only") {
  const auto lo = *ike::IpAddress::parse("127.0.0.1");
  std::vector<std::string> notes;
  int bypassed = 0;
  auto t = UdpTransport::open({lo, 0, 0, /*kernel_options=*/false,
                               [&](int, bool v6) -> ike::Status {
                                 CHECK_FALSE(v6);
                                 ++bypassed;
                                 return {};
                               }},
                              notes);
  REQUIRE(t);
  CHECK(notes.empty());
  CHECK(bypassed == 2);
  EventLoop loop;
  std::vector<ike::Datagram> got;
  REQUIRE(t->watch(loop, [&](const ike::Datagram& d) { got.push_back(d); }));
  PlainUdp peer;
  const std::uint16_t ike_port = t->ike_endpoint().port, nat_t_port = t->nat_t_endpoint().port;
  REQUIRE(ike_port != nat_t_port);

  peer.send_to(ike_port, {1, 2, 3});
  peer.send_to(nat_t_port, {0xff});                 // keepalive: dropped
  peer.send_to(nat_t_port, {0, 0, 0, 0, 4, 5, 6});  // marked IKE
  for (int i = 0; i < 20 && got.size() < 2; ++i) REQUIRE(loop.run_once(100));
  REQUIRE(got.size() == 2);
  const auto& plain = got[0].local.port == ike_port ? got[0] : got[1];
  const auto& natt = got[0].local.port == ike_port ? got[1] : got[0];
  CHECK(plain.payload == ike::Bytes{1, 2, 3});
  CHECK(natt.payload == ike::Bytes{4, 5, 6});
  CHECK(natt.remote == ike::Endpoint{lo, peer.port});
  CHECK(t->counters().keepalives == 1);

  REQUIRE(t->send({{lo, nat_t_port}, {lo, peer.port}, {9, 9}}));
  CHECK(peer.receive() == ike::Bytes{0, 0, 0, 0, 9, 9});
  REQUIRE(t->send({{lo, ike_port}, {lo, peer.port}, {8}}));
  CHECK(peer.receive() == ike::Bytes{8});
  CHECK_FALSE(t->send({{lo, 1}, {lo, peer.port}, {8}}));
  t->unwatch(loop);
}
