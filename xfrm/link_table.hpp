// The socket side of route mode's interfaces (link.hpp has the messages):
// a NETLINK_ROUTE request socket that finds, creates, brings up and
// deletes xfrm interfaces and VTIs, and installs the routes through them.
// Only interfaces is_owned_link() recognises are ever deleted.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libike/common/address.hpp"
#include "libike/common/result.hpp"
#include "xfrm/link.hpp"
#include "xfrm/socket.hpp"

namespace kite::xfrm {

// The main routing table (rtnetlink.h RT_TABLE_MAIN): route mode's routes
// go where `ip route` shows them.
inline constexpr std::uint32_t kMainTable = 254;

class LinkTable {
 public:
  static ike::Result<LinkTable> open();

  // The interface of that name, if there is one.
  ike::Result<std::optional<LinkInfo>> find(const std::string& name);
  // Whether the kernel can make xfrm interfaces: creates and deletes an
  // owned probe interface ("kite-probe"). false when the kind is unknown
  // (EOPNOTSUPP: no xfrm_interface module).
  ike::Result<bool> supports_xfrm_interfaces();
  // Creates the interface, brings it up with kInterfaceMtu (a VTI also with
  // disable_policy, link.hpp) and returns it. Undone on failure.
  ike::Result<LinkInfo> create_xfrm(const XfrmLinkSpec& spec);
  ike::Result<LinkInfo> create_vti(const VtiLinkSpec& spec);
  // Deletes an owned interface (its routes go with it); gone is success.
  ike::Status remove(const std::string& name);
  // Deletes every owned interface (daemon start after a crash, shutdown);
  // returns their names.
  ike::Result<std::vector<std::string>> flush_owned();

  // A route to dst through the interface (scope link, kite's protocol).
  ike::Status add_route(const ike::Subnet& dst, std::uint32_t index, std::uint32_t table = kMainTable);
  ike::Status delete_route(const ike::Subnet& dst, std::uint32_t table = kMainTable);

 private:
  explicit LinkTable(NetlinkSocket socket) : socket_(std::move(socket)) {}
  ike::Result<LinkInfo> create(const std::string& name, ike::Result<ike::Bytes> message, bool vti);
  NetlinkSocket socket_;
};

}  // namespace kite::xfrm
