#include "xfrm/route.hpp"

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "xfrm/netlink.hpp"

namespace kite::xfrm {

namespace {

constexpr std::uint16_t kRequest = NLM_F_REQUEST | NLM_F_ACK;

std::uint8_t family_of(bool v6) { return v6 ? AF_INET6 : AF_INET; }
std::uint8_t family_of(const ike::IpAddress& a) { return family_of(a.is_v6()); }
std::uint8_t bits_of(const ike::IpAddress& a) { return static_cast<std::uint8_t>(a.size() * 8); }

// rtm_table is 8 bits; larger table ids go in RTA_TABLE only (rtnetlink(7)).
std::uint8_t short_table(std::uint32_t table) {
  return static_cast<std::uint8_t>(table < 256 ? table : RT_TABLE_UNSPEC);
}

std::optional<ike::IpAddress> address_attr(const Attributes& attrs, std::uint16_t type,
                                           std::uint8_t family) {
  auto raw = attrs.find(type);
  if (!raw) return std::nullopt;
  std::size_t size = family == AF_INET6 ? 16 : 4;
  if (raw->size() != size) return std::nullopt;
  return ike::IpAddress::from_bytes(*raw);
}

bool known_family(std::uint8_t family) { return family == AF_INET || family == AF_INET6; }

}  // namespace

ike::Bytes build_get_route(const ike::IpAddress& dst) {
  rtmsg rt{};
  rt.rtm_family = family_of(dst);
  rt.rtm_dst_len = bits_of(dst);
  MessageBuilder msg(RTM_GETROUTE, kRequest);
  msg.put_header(rt);
  msg.put_attr(RTA_DST, dst.bytes());
  return msg.finish();
}

ike::Result<ike::Bytes> build_add_route(const RouteSpec& route) {
  bool v6 = route.dst.is_v6();
  if ((route.gateway && route.gateway->is_v6() != v6) || (route.src && route.src->is_v6() != v6))
    return ike::fail("route next hop and source must be of the destination's family");
  rtmsg rt{};
  rt.rtm_family = family_of(v6);
  rt.rtm_dst_len = route.dst.prefix;
  rt.rtm_table = short_table(route.table);
  rt.rtm_protocol = kRouteProtocol;
  // Without a next hop the destination is on the link of oif.
  rt.rtm_scope = route.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rt.rtm_type = RTN_UNICAST;
  // NLM_F_REPLACE: installing the same route twice is not an error.
  MessageBuilder msg(RTM_NEWROUTE, kRequest | NLM_F_CREATE | NLM_F_REPLACE);
  msg.put_header(rt);
  msg.put_attr(RTA_DST, route.dst.network.bytes());
  msg.put_attr(RTA_TABLE, route.table);
  if (route.oif != 0) msg.put_attr(RTA_OIF, route.oif);
  if (route.gateway) msg.put_attr(RTA_GATEWAY, route.gateway->bytes());
  if (route.src) msg.put_attr(RTA_PREFSRC, route.src->bytes());
  return msg.finish();
}

ike::Bytes build_delete_route(const RouteEntry& route) {
  rtmsg rt{};
  rt.rtm_family = family_of(route.dst.is_v6());
  rt.rtm_dst_len = route.dst.prefix;
  rt.rtm_table = short_table(route.table);
  rt.rtm_protocol = route.protocol;  // the kernel deletes only a route of this protocol
  rt.rtm_scope = RT_SCOPE_NOWHERE;   // any scope
  MessageBuilder msg(RTM_DELROUTE, kRequest);
  msg.put_header(rt);
  msg.put_attr(RTA_DST, route.dst.network.bytes());
  msg.put_attr(RTA_TABLE, route.table);
  return msg.finish();
}

ike::Bytes build_dump_routes(bool v6) {
  rtmsg rt{};
  rt.rtm_family = family_of(v6);
  MessageBuilder msg(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
  msg.put_header(rt);
  return msg.finish();
}

namespace {

ike::Bytes rule_message(std::uint16_t type, std::uint16_t flags, const RuleSpec& rule) {
  fib_rule_hdr hdr{};
  hdr.family = family_of(rule.v6);
  hdr.table = short_table(rule.table);
  hdr.action = FR_ACT_TO_TBL;
  MessageBuilder msg(type, flags);
  msg.put_header(hdr);
  msg.put_attr(FRA_TABLE, rule.table);
  msg.put_attr(FRA_PRIORITY, rule.priority);
  return msg.finish();
}

}  // namespace

ike::Bytes build_add_rule(const RuleSpec& rule) {
  // NLM_F_EXCL: the kernel answers EEXIST for an identical rule instead of
  // adding a duplicate (fib_nl_newrule()).
  return rule_message(RTM_NEWRULE, kRequest | NLM_F_CREATE | NLM_F_EXCL, rule);
}

ike::Bytes build_delete_rule(const RuleSpec& rule) { return rule_message(RTM_DELRULE, kRequest, rule); }

ike::Bytes build_dump_addresses() {
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_UNSPEC;
  MessageBuilder msg(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
  msg.put_header(ifa);
  return msg.finish();
}

std::optional<OuterRoute> parse_outer_route(ike::ByteView payload) {
  auto rt = read_struct<rtmsg>(payload);
  auto attrs = Attributes::parse(payload, sizeof(rtmsg));
  if (!rt || !attrs || !known_family(rt->rtm_family)) return std::nullopt;
  OuterRoute out;
  auto oif = attrs->find(RTA_OIF);
  if (!oif || !read_struct<std::uint32_t>(*oif)) return std::nullopt;
  out.oif = *read_struct<std::uint32_t>(*oif);
  out.gateway = address_attr(*attrs, RTA_GATEWAY, rt->rtm_family);
  out.prefsrc = address_attr(*attrs, RTA_PREFSRC, rt->rtm_family);
  return out;
}

std::optional<RouteEntry> parse_route_entry(ike::ByteView payload) {
  auto rt = read_struct<rtmsg>(payload);
  auto attrs = Attributes::parse(payload, sizeof(rtmsg));
  if (!rt || !attrs || !known_family(rt->rtm_family)) return std::nullopt;
  auto dst = address_attr(*attrs, RTA_DST, rt->rtm_family);
  if (!dst && attrs->find(RTA_DST)) return std::nullopt;  // present but malformed
  if (!dst) dst = *ike::IpAddress::from_bytes(ike::Bytes(rt->rtm_family == AF_INET6 ? 16 : 4, 0));
  if (rt->rtm_dst_len > dst->size() * 8) return std::nullopt;
  RouteEntry out;
  out.dst = {dst->first_in_prefix(rt->rtm_dst_len), rt->rtm_dst_len};
  out.table = rt->rtm_table;
  if (auto table = attrs->find(RTA_TABLE))
    if (auto t = read_struct<std::uint32_t>(*table)) out.table = *t;
  out.protocol = rt->rtm_protocol;
  return out;
}

std::optional<ike::IpAddress> parse_address(ike::ByteView payload) {
  auto ifa = read_struct<ifaddrmsg>(payload);
  auto attrs = Attributes::parse(payload, sizeof(ifaddrmsg));
  if (!ifa || !attrs || !known_family(ifa->ifa_family)) return std::nullopt;
  // IFA_LOCAL is the interface's own address on point-to-point links;
  // elsewhere only IFA_ADDRESS is present.
  if (auto local = address_attr(*attrs, IFA_LOCAL, ifa->ifa_family)) return local;
  return address_attr(*attrs, IFA_ADDRESS, ifa->ifa_family);
}

}  // namespace kite::xfrm
