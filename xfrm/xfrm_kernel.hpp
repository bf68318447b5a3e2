// ike::Kernel over XFRM netlink (STYLE.md §3): each call builds its
// message with the pure builders and does one request/ACK exchange on a
// NETLINK_XFRM socket. Kernel refusals become ike::Error lines naming the
// tunnel, the SA or policy and the errno (describe.hpp); keys never appear.
//
// Ownership: kite owns exactly the SAs and policies whose reqid lies in
// [kOwnedReqidFirst, kOwnedReqidLast] (ownership.hpp). flush_owned()
// removes those and nothing else.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "libike/tunnel/engine.hpp"
#include "libike/tunnel/kernel.hpp"
#include "xfrm/parsers.hpp"
#include "xfrm/socket.hpp"

namespace kite::xfrm {

class XfrmKernel final : public ike::Kernel {
 public:
  static ike::Result<std::unique_ptr<XfrmKernel>> open();

  ike::Result<std::uint32_t> allocate_spi(const ike::IpAddress& src, const ike::IpAddress& dst,
                                          std::uint32_t reqid) override;
  ike::Status add_sa(const ike::EspSa& sa) override;
  // Deleting an SA or policy that is already gone (a hard expiry got there
  // first) succeeds: the caller wanted it gone.
  ike::Status delete_sa(const ike::SaId& id) override;
  ike::Result<ike::SaCounters> query_sa(const ike::SaId& id) override;
  // NEWPOLICY; if the selector is taken by a policy kite owns (a trap
  // policy, a leftover), it is replaced; anyone else's is left alone.
  ike::Status add_policy(const ike::Policy& policy) override;
  ike::Status delete_policy(const ike::PolicyId& id) override;

  // Deletes every policy, then every SA, whose reqid is kite's. Called at
  // daemon start (leftovers of a crash) and after shutdown.
  ike::Status flush_owned();

  // What the kernel holds (ESP SAs, policies), for tools and tests.
  ike::Result<std::vector<SaInfo>> list_sas();
  ike::Result<std::vector<PolicyInfo>> list_policies();

 private:
  explicit XfrmKernel(NetlinkSocket socket) : socket_(std::move(socket)) {}
  std::uint32_t mark_of(const ike::SaId& id) const;
  ike::Result<bool> policy_owned_by_kite(const ike::PolicyId& id);

  NetlinkSocket socket_;
  // An SA with a mark is only found again with that mark; SaId has none,
  // so remember the marks of SAs installed through this object.
  std::map<std::pair<ike::IpAddress, std::uint32_t>, std::uint32_t> marks_;
};

using KernelEvent = std::variant<ike::Acquire, ike::Expire>;

// The event carried by one message of the event socket, if it is one kite
// acts on (pure). EXPIREs of SPI 0 (the kernel's own larval acquire
// states) are dropped: no SA of kite's can have that SPI.
std::optional<KernelEvent> parse_event(const NetlinkMessage& message);

struct EventBatch {
  std::vector<KernelEvent> events;
  // Set when the kernel dropped events (socket queue overrun): the daemon
  // should re-check its SAs rather than trust the stream.
  bool lost = false;
};

// The multicast socket for XFRMNLGRP_ACQUIRE and XFRMNLGRP_EXPIRE. fd() is
// non-blocking and goes into the daemon's epoll; read_events() when ready.
class XfrmEvents {
 public:
  static ike::Result<XfrmEvents> open();
  int fd() const { return socket_.fd(); }
  ike::Result<EventBatch> read_events();

 private:
  explicit XfrmEvents(NetlinkSocket socket) : socket_(std::move(socket)) {}
  NetlinkSocket socket_;
};

}  // namespace kite::xfrm
