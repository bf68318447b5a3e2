// xfrm/xfrm_kernel against the host's real XFRM stack, each test in a
// throwaway network namespace (unshare(CLONE_NEWNET)), so nothing on the
// host is touched. Needs root (CAP_NET_ADMIN); without it each case is
// skipped with a note. The host kernel may lack ESP (then SAs other than
// larval ones cannot be added), but policies, ALLOCSPI, GETSA, DELSA,
// dumps and ACQUIRE/EXPIRE events all work without it; real ESP is the
// kernel lab's job (test/lab/scenarios/xfrm-static.sh).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "xfrm/bypass.hpp"
#include "xfrm/messages.hpp"
#include "xfrm/ownership.hpp"
#include "xfrm/xfrm_kernel.hpp"

using namespace kite::xfrm;

namespace {

ike::IpAddress ip(const char* s) { return *ike::IpAddress::parse(s); }
ike::Subnet net(const char* s) { return *ike::Subnet::parse(s); }

// A fresh, empty network namespace for the calling test; false when the
// process may not create one (not root).
bool fresh_netns() {
  if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
    SUCCEED("skipped: needs root to create a network namespace");
    return false;
  }
  return true;
}

std::unique_ptr<XfrmKernel> open_kernel() {
  auto k = XfrmKernel::open();
  REQUIRE(k.ok());
  return std::move(*k);
}

ike::Policy policy(const char* src, const char* dst, ike::Direction dir, std::uint32_t reqid) {
  ike::Policy p;
  p.id = {net(src), net(dst), dir, 0, 0};
  bool v6 = p.id.src.is_v6();
  p.tmpl_src = ip(v6 ? "2001:db8::1" : "192.0.2.1");
  p.tmpl_dst = ip(v6 ? "2001:db8::2" : "192.0.2.2");
  p.reqid = reqid;
  p.tunnel = "t1";
  return p;
}

std::size_t count_policies(XfrmKernel& k) {
  auto list = k.list_policies();
  REQUIRE(list.ok());
  return list->size();
}

std::size_t count_sas(XfrmKernel& k) {
  auto list = k.list_sas();
  REQUIRE(list.ok());
  return list->size();
}

// Waits up to `seconds` for the event socket and returns what it read.
std::vector<KernelEvent> wait_events(XfrmEvents& events, int seconds) {
  std::vector<KernelEvent> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (out.empty() && std::chrono::steady_clock::now() < deadline) {
    pollfd p{events.fd(), POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    auto batch = events.read_events();
    REQUIRE(batch.ok());
    out = std::move(batch->events);
  }
  return out;
}

void run(const char* command) { REQUIRE(std::system(command) == 0); }

// Sends one datagram 10.1.0.1 -> 10.2.0.5:9, optionally IPsec-exempt.
void send_to_10_2(bool bypass) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(s >= 0);
  if (bypass) REQUIRE(bypass_ipsec(s, false).ok());
  sockaddr_in from{AF_INET, 0, {htonl(0x0a010001)}, {}};
  sockaddr_in to{AF_INET, htons(9), {htonl(0x0a020005)}, {}};
  REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
  (void)sendto(s, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  close(s);
}

}  // namespace

TEST_CASE("policies: add, list, replace kite's own, refuse others', delete", "[root]") {
  if (!fresh_netns()) return;
  auto k = open_kernel();
  auto out4 = policy("10.1.0.0/24", "10.2.0.0/24", ike::Direction::Out, kOwnedReqidFirst + 1);
  auto in6 = policy("fd00:2::/64", "fd00:1::/64", ike::Direction::In, kOwnedReqidFirst + 2);
  REQUIRE(k->add_policy(out4).ok());
  REQUIRE(k->add_policy(in6).ok());

  auto list = k->list_policies();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  for (const auto& p : *list) {
    const auto& want = p.id == out4.id ? out4 : in6;
    CHECK(p.id == want.id);
    CHECK(p.reqids == std::vector<std::uint32_t>{want.reqid});
    CHECK(p.priority == default_priority(want.id));
  }

  // The same selector again: kite's own policy is replaced (trap -> live).
  out4.reqid = kOwnedReqidFirst + 9;
  CHECK(k->add_policy(out4).ok());
  CHECK(count_policies(*k) == 2);

  // A selector held by somebody else's policy is not taken over.
  auto foreign = policy("10.5.0.0/24", "10.6.0.0/24", ike::Direction::Out, 7);
  REQUIRE(k->add_policy(foreign).ok());
  auto mine = foreign;
  mine.reqid = kOwnedReqidFirst + 3;
  auto refused = k->add_policy(mine);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("kite did not install") != std::string::npos);
  CHECK(refused.error().message.find("tunnel t1") != std::string::npos);

  CHECK(k->delete_policy(out4.id).ok());
  CHECK(k->delete_policy(out4.id).ok());  // already gone: still success
  CHECK(k->delete_policy(in6.id).ok());
  CHECK(k->delete_policy(foreign.id).ok());
  CHECK(count_policies(*k) == 0);
}

TEST_CASE("ALLOCSPI reserves an SPI in kite's range; GETSA and DELSA find it", "[root]") {
  if (!fresh_netns()) return;
  auto k = open_kernel();
  auto spi = k->allocate_spi(ip("192.0.2.2"), ip("192.0.2.1"), kOwnedReqidFirst + 4);
  REQUIRE(spi.ok());
  CHECK(*spi >= kSpiMin);
  CHECK(*spi <= kSpiMax);
  ike::SaId id{ip("192.0.2.1"), *spi};
  auto counters = k->query_sa(id);
  REQUIRE(counters.ok());
  CHECK(counters->bytes == 0);
  CHECK(counters->packets == 0);
  auto sas = k->list_sas();
  REQUIRE(sas.ok());
  REQUIRE(sas->size() == 1);
  CHECK(sas->front().id == id);
  CHECK(sas->front().reqid == kOwnedReqidFirst + 4);

  REQUIRE(k->delete_sa(id).ok());
  CHECK(count_sas(*k) == 0);
  CHECK(k->delete_sa(id).ok());  // already gone: still success
  auto missing = k->query_sa(id);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("ESRCH") != std::string::npos);
}

TEST_CASE("a refused SA leaves nothing behind and says why", "[root]") {
  if (!fresh_netns()) return;
  auto k = open_kernel();
  ike::EspSa sa;
  sa.id = {ip("192.0.2.2"), 0xc0000100};
  sa.src = ip("192.0.2.1");
  sa.reqid = kOwnedReqidFirst + 5;
  sa.encryption = ike::crypto::EncrAlg::Sm4Cbc;
  sa.encryption_key = ike::Secret(ike::Bytes(16, 1));
  sa.integrity = ike::crypto::IntegAlg::HmacSm3_128;
  sa.integrity_key = ike::Secret(ike::Bytes(32, 2));
  sa.tunnel = "sm-tunnel";
  auto added = k->add_sa(sa);
  if (added.ok()) {  // a kernel with ESP, SM4 and SM3: fine too
    CHECK(k->delete_sa(sa.id).ok());
  } else {
    // No ESP at all (EPROTONOSUPPORT) or no SM4/SM3 (ENOSYS/ENOENT).
    CHECK(added.error().message.rfind("kernel has no ", 0) == 0);
    CHECK(added.error().message.find("tunnel sm-tunnel not installed") != std::string::npos);
  }
  CHECK(count_sas(*k) == 0);
}

TEST_CASE("flush_owned removes kite's policies and SAs and nothing else", "[root]") {
  if (!fresh_netns()) return;
  auto k = open_kernel();
  for (auto dir : {ike::Direction::Out, ike::Direction::In, ike::Direction::Fwd})
    REQUIRE(k->add_policy(policy("10.1.0.0/24", "10.2.0.0/24", dir, kOwnedReqidFirst + 6)).ok());
  auto marked = policy("fd00:1::/64", "fd00:2::/64", ike::Direction::Out, kOwnedReqidLast);
  marked.id.mark = 0x42;
  REQUIRE(k->add_policy(marked).ok());
  REQUIRE(k->add_policy(policy("10.7.0.0/24", "10.8.0.0/24", ike::Direction::Out, 7)).ok());
  REQUIRE(k->allocate_spi(ip("192.0.2.2"), ip("192.0.2.1"), kOwnedReqidFirst + 6).ok());
  REQUIRE(k->allocate_spi(ip("192.0.2.2"), ip("192.0.2.1"), 7).ok());
  REQUIRE(count_policies(*k) == 5);
  REQUIRE(count_sas(*k) == 2);

  REQUIRE(k->flush_owned().ok());
  auto policies = k->list_policies();
  REQUIRE(policies.ok());
  REQUIRE(policies->size() == 1);
  CHECK(policies->front().reqids == std::vector<std::uint32_t>{7});
  auto sas = k->list_sas();
  REQUIRE(sas.ok());
  REQUIRE(sas->size() == 1);
  CHECK(sas->front().reqid == 7);
  REQUIRE(k->flush_owned().ok());  // nothing left of kite's: a no-op
}

TEST_CASE("traffic hitting a trap policy raises ACQUIRE; IKE sockets bypass it", "[root]") {
  if (!fresh_netns()) return;
  // A veth, not lo: routes through lo are local and skip the XFRM lookup.
  run("ip link add kite0 type veth peer name kite1 && ip link set kite0 up && "
      "ip link set kite1 up && ip addr add 10.1.0.1/24 dev kite0 && "
      "ip route add 10.2.0.0/24 dev kite0");
  auto k = open_kernel();
  auto events = XfrmEvents::open();
  REQUIRE(events.ok());
  auto trap = policy("10.1.0.0/24", "10.2.0.0/24", ike::Direction::Out, kOwnedReqidFirst + 8);
  trap.trap = true;
  REQUIRE(k->add_policy(trap).ok());

  // A socket exempt from IPsec (kited's IKE sockets) passes in clear...
  send_to_10_2(true);
  CHECK(wait_events(*events, 1).empty());
  // ...any other traffic hits the trap.
  send_to_10_2(false);

  auto got = wait_events(*events, 5);
  REQUIRE(got.size() >= 1);
  const auto* acquire = std::get_if<ike::Acquire>(&got.front());
  REQUIRE(acquire != nullptr);
  CHECK(acquire->reqid == kOwnedReqidFirst + 8);
  CHECK(acquire->src == net("10.1.0.0/24"));
  CHECK(acquire->dst == net("10.2.0.0/24"));
  // The kernel keeps a larval ACQUIRE state (SPI 0) of the trap's reqid;
  // flush_owned takes it too, not only the policy.
  auto before = k->list_sas();
  REQUIRE(before.ok());
  CHECK(std::any_of(before->begin(), before->end(),
                    [](const SaInfo& sa) { return sa.id.spi == 0 && sa.reqid == kOwnedReqidFirst + 8; }));
  CHECK(k->flush_owned().ok());
  auto after = k->list_sas();
  REQUIRE(after.ok());
  CHECK(after->empty());
}

TEST_CASE("a larval SA that times out raises a hard EXPIRE", "[root]") {
  if (!fresh_netns()) return;
  // Per-namespace lifetime of larval SAs (net.core.xfrm_acq_expires).
  std::ofstream("/proc/sys/net/core/xfrm_acq_expires") << 1;
  auto k = open_kernel();
  auto events = XfrmEvents::open();
  REQUIRE(events.ok());
  auto spi = k->allocate_spi(ip("2001:db8::2"), ip("2001:db8::1"), kOwnedReqidFirst + 10);
  REQUIRE(spi.ok());
  auto got = wait_events(*events, 10);
  REQUIRE(got.size() == 1);
  const auto* expire = std::get_if<ike::Expire>(&got.front());
  REQUIRE(expire != nullptr);
  CHECK(expire->hard);
  CHECK(expire->sa == ike::SaId{ip("2001:db8::1"), *spi});
  CHECK(count_sas(*k) == 0);
}
