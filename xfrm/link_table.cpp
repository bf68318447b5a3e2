#include "xfrm/link_table.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <fmt/format.h>

#include <cerrno>

#include "xfrm/ownership.hpp"
#include "xfrm/route.hpp"

namespace kite::xfrm {

using ike::fail;

namespace {

constexpr const char* kProbeName = "kite-probe";

}  // namespace

ike::Result<LinkTable> LinkTable::open() {
  auto socket = NetlinkSocket::open(NETLINK_ROUTE);
  if (!socket) return fail(fmt::format("rtnetlink: {}", socket.error().message));
  return LinkTable(std::move(*socket));
}

ike::Result<std::optional<LinkInfo>> LinkTable::find(const std::string& name) {
  std::optional<LinkInfo> found;
  auto done = socket_.request(build_get_link(name), [&](const NetlinkMessage& m) {
    if (m.type == RTM_NEWLINK) found = parse_link(m.payload);
  });
  if (!done && done.error().error == ENODEV) return std::optional<LinkInfo>{};
  if (!done) return fail(fmt::format("cannot look up interface {}: {}", name, done.error().describe()));
  return found;
}

ike::Result<bool> LinkTable::supports_xfrm_interfaces() {
  auto message = build_add_xfrm_link({kProbeName, kOwnedReqidFirst, 0});
  if (!message) return fail(message.error());
  auto done = socket_.request(std::move(*message));
  if (!done && done.error().error == EOPNOTSUPP) return false;
  if (!done)
    return fail(fmt::format("cannot probe for xfrm interfaces: {}", done.error().describe()));
  if (auto st = remove(kProbeName); !st) return fail(st.error());
  return true;
}

ike::Result<LinkInfo> LinkTable::create(const std::string& name, ike::Result<ike::Bytes> message, bool vti) {
  if (!message) return fail(fmt::format("interface {}: {}", name, message.error().message));
  auto done = socket_.request(std::move(*message));
  if (!done)
    return fail(fmt::format("cannot create interface {}: {}", name, done.error().describe()));
  auto link = find(name);
  if (!link || !*link) {
    (void)remove(name);
    return fail(fmt::format("interface {} vanished after creation", name));
  }
  auto up = socket_.request(build_set_link_up((*link)->index, kInterfaceMtu, vti));
  if (!up) {
    (void)remove(name);
    return fail(fmt::format("cannot bring up interface {}: {}", name, up.error().describe()));
  }
  return **link;
}

ike::Result<LinkInfo> LinkTable::create_xfrm(const XfrmLinkSpec& spec) {
  return create(spec.name, build_add_xfrm_link(spec), false);
}

ike::Result<LinkInfo> LinkTable::create_vti(const VtiLinkSpec& spec) {
  // disable_policy is an IPv4 devconf; a vti6 needs none (ip6_vti.c drops
  // the secpath on decapsulation, so the forward check finds no policy).
  return create(spec.name, build_add_vti_link(spec), !spec.local.is_v6());
}

ike::Status LinkTable::remove(const std::string& name) {
  auto link = find(name);
  if (!link) return fail(link.error());
  if (!*link) return {};
  if (!is_owned_link(**link))
    return fail(fmt::format("interface {} is not kite's; not deleting it", name));
  auto done = socket_.request(build_delete_link((*link)->index));
  if (!done && done.error().error != ENODEV)
    return fail(fmt::format("cannot delete interface {}: {}", name, done.error().describe()));
  return {};
}

ike::Result<std::vector<std::string>> LinkTable::flush_owned() {
  std::vector<std::string> owned;
  auto done = socket_.dump(build_dump_links(), [&](const NetlinkMessage& m) {
    if (m.type != RTM_NEWLINK) return;
    if (auto link = parse_link(m.payload); link && is_owned_link(*link)) owned.push_back(link->name);
  });
  if (!done) return fail(fmt::format("cannot list interfaces: {}", done.error().describe()));
  for (const auto& name : owned)
    if (auto st = remove(name); !st) return fail(st.error());
  return owned;
}

ike::Status LinkTable::add_route(const ike::Subnet& dst, std::uint32_t index, std::uint32_t table) {
  auto message = build_add_route({dst, table, index, std::nullopt, std::nullopt});
  if (!message) return fail(message.error());
  auto done = socket_.request(std::move(*message));
  if (!done)
    return fail(fmt::format("cannot add route to {}: {}", dst.to_string(), done.error().describe()));
  return {};
}

ike::Status LinkTable::delete_route(const ike::Subnet& dst, std::uint32_t table) {
  auto done = socket_.request(build_delete_route({dst, table, kRouteProtocol}));
  if (!done && done.error().error != ESRCH)
    return fail(fmt::format("cannot delete route to {}: {}", dst.to_string(), done.error().describe()));
  return {};
}

}  // namespace kite::xfrm
