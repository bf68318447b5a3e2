// xfrm/route and xfrm/route_table: the rtnetlink messages for spd-mode
// routes (exact fields), their parsers, and — as root, in a throwaway
// network namespace — routes and rules installed, found and removed.
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "xfrm/route.hpp"
#include "xfrm/route_table.hpp"

using namespace kite::xfrm;
using ike::Bytes;

namespace {

ike::IpAddress ip(const char* s) { return *ike::IpAddress::parse(s); }
ike::Subnet net(const char* s) { return *ike::Subnet::parse(s); }

template <typename Fixed>
struct Decoded {
  nlmsghdr header{};
  Fixed fixed{};
  std::map<int, Bytes> attrs;
  std::uint32_t u32(int type) const {
    std::uint32_t v = 0;
    REQUIRE(attrs.at(type).size() == 4);
    std::memcpy(&v, attrs.at(type).data(), 4);
    return v;
  }
};

template <typename Fixed>
Decoded<Fixed> decode(const Bytes& msg) {
  Decoded<Fixed> d;
  REQUIRE(msg.size() >= 16 + sizeof(Fixed));
  std::memcpy(&d.header, msg.data(), 16);
  REQUIRE(d.header.nlmsg_len == msg.size());
  std::memcpy(&d.fixed, msg.data() + 16, sizeof(Fixed));
  std::size_t at = 16 + (sizeof(Fixed) + 3) / 4 * 4;
  while (at < msg.size()) {
    std::uint16_t len = 0, type = 0;
    std::memcpy(&len, &msg[at], 2);
    std::memcpy(&type, &msg[at + 2], 2);
    REQUIRE(len >= 4);
    REQUIRE(at + len <= msg.size());
    d.attrs[type] = Bytes(msg.begin() + static_cast<long>(at + 4), msg.begin() + static_cast<long>(at + len));
    at += (len + 3) / 4 * 4;
  }
  return d;
}

Bytes bytes_of(const char* address) {
  auto a = ip(address);
  return Bytes(a.bytes().begin(), a.bytes().end());
}

Bytes body(const Bytes& msg) { return Bytes(msg.begin() + 16, msg.end()); }

}  // namespace

TEST_CASE("route to a peer subnet in kite's table: exact rtmsg and attributes") {
  RouteSpec spec{net("10.2.0.0/24"), 220, 3, ip("192.0.2.2"), ip("10.1.0.1")};
  auto msg = build_add_route(spec);
  REQUIRE(msg.ok());
  auto d = decode<rtmsg>(*msg);
  CHECK(d.header.nlmsg_type == RTM_NEWROUTE);
  CHECK(d.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE));
  CHECK(d.fixed.rtm_family == AF_INET);
  CHECK(d.fixed.rtm_dst_len == 24);
  CHECK(d.fixed.rtm_table == 220);
  CHECK(d.fixed.rtm_protocol == kRouteProtocol);
  CHECK(d.fixed.rtm_scope == RT_SCOPE_UNIVERSE);
  CHECK(d.fixed.rtm_type == RTN_UNICAST);
  CHECK(d.attrs[RTA_DST] == bytes_of("10.2.0.0"));
  CHECK(d.u32(RTA_TABLE) == 220);
  CHECK(d.u32(RTA_OIF) == 3);
  CHECK(d.attrs[RTA_GATEWAY] == bytes_of("192.0.2.2"));
  CHECK(d.attrs[RTA_PREFSRC] == bytes_of("10.1.0.1"));
}

TEST_CASE("on-link IPv6 route in a table above 255") {
  RouteSpec spec{net("fd02::/64"), 1000, 4, std::nullopt, std::nullopt};
  auto d = decode<rtmsg>(*build_add_route(spec));
  CHECK(d.fixed.rtm_family == AF_INET6);
  CHECK(d.fixed.rtm_dst_len == 64);
  CHECK(d.fixed.rtm_table == RT_TABLE_UNSPEC);
  CHECK(d.u32(RTA_TABLE) == 1000);
  CHECK(d.fixed.rtm_scope == RT_SCOPE_LINK);
  CHECK(d.attrs.count(RTA_GATEWAY) == 0);
  CHECK(d.attrs.count(RTA_PREFSRC) == 0);
  CHECK_FALSE(build_add_route({net("fd02::/64"), 220, 4, ip("192.0.2.2"), std::nullopt}).ok());
  CHECK_FALSE(build_add_route({net("10.2.0.0/24"), 220, 4, std::nullopt, ip("fd01::1")}).ok());
}

TEST_CASE("route deletion, lookup and dump requests") {
  auto del = decode<rtmsg>(build_delete_route({net("10.2.0.0/24"), 220, kRouteProtocol}));
  CHECK(del.header.nlmsg_type == RTM_DELROUTE);
  CHECK(del.fixed.rtm_protocol == kRouteProtocol);
  CHECK(del.fixed.rtm_scope == RT_SCOPE_NOWHERE);
  CHECK(del.u32(RTA_TABLE) == 220);
  auto get = decode<rtmsg>(build_get_route(ip("2001:db8::2")));
  CHECK(get.header.nlmsg_type == RTM_GETROUTE);
  CHECK(get.fixed.rtm_dst_len == 128);
  CHECK(get.attrs[RTA_DST] == bytes_of("2001:db8::2"));
  auto dump = decode<rtmsg>(build_dump_routes(true));
  CHECK(dump.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_DUMP));
  CHECK(dump.fixed.rtm_family == AF_INET6);
}

TEST_CASE("rule: lookup kite's table at kite's priority") {
  auto add = decode<fib_rule_hdr>(build_add_rule({false, 220, 220}));
  CHECK(add.header.nlmsg_type == RTM_NEWRULE);
  CHECK(add.header.nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
  CHECK(add.fixed.family == AF_INET);
  CHECK(add.fixed.action == FR_ACT_TO_TBL);
  CHECK(add.fixed.table == 220);
  CHECK(add.u32(FRA_TABLE) == 220);
  CHECK(add.u32(FRA_PRIORITY) == 220);
  auto del = decode<fib_rule_hdr>(build_delete_rule({true, 300, 10}));
  CHECK(del.header.nlmsg_type == RTM_DELRULE);
  CHECK(del.fixed.family == AF_INET6);
  CHECK(del.fixed.table == RT_TABLE_UNSPEC);
  CHECK(del.u32(FRA_TABLE) == 300);
}

TEST_CASE("route and address parsers, including truncation") {
  RouteSpec spec{net("10.2.0.0/24"), 220, 3, ip("192.0.2.2"), ip("10.1.0.1")};
  auto payload = body(*build_add_route(spec));
  auto outer = parse_outer_route(payload);
  REQUIRE(outer.has_value());
  CHECK(outer->oif == 3);
  CHECK(outer->gateway == ip("192.0.2.2"));
  CHECK(outer->prefsrc == ip("10.1.0.1"));
  auto entry = parse_route_entry(payload);
  REQUIRE(entry.has_value());
  CHECK(entry->dst == net("10.2.0.0/24"));
  CHECK(entry->table == 220);
  CHECK(entry->protocol == kRouteProtocol);
  for (std::size_t n = 0; n < sizeof(rtmsg); ++n) {
    CHECK_FALSE(parse_route_entry(ike::ByteView(payload).first(n)).has_value());
    CHECK_FALSE(parse_outer_route(ike::ByteView(payload).first(n)).has_value());
  }
  // A default route has no RTA_DST.
  rtmsg rt{};
  rt.rtm_family = AF_INET6;
  rt.rtm_table = RT_TABLE_MAIN;
  Bytes raw(sizeof rt);
  std::memcpy(raw.data(), &rt, sizeof rt);
  CHECK(parse_route_entry(raw)->dst == net("::/0"));
  CHECK_FALSE(parse_outer_route(raw).has_value());  // no RTA_OIF

  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  Bytes addr(sizeof ifa);
  std::memcpy(addr.data(), &ifa, sizeof ifa);
  Bytes attr{8, 0, IFA_ADDRESS, 0, 10, 1, 0, 1};
  addr.insert(addr.end(), attr.begin(), attr.end());
  CHECK(parse_address(addr) == ip("10.1.0.1"));
  CHECK_FALSE(parse_address(ike::ByteView(addr).first(10)).has_value());
}

namespace {

std::string capture(const char* command) {
  std::string out;
  FILE* p = popen(command, "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

}  // namespace

TEST_CASE("routes and rules in a throwaway namespace", "[root]") {
  if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
    SUCCEED("skipped: needs root to create a network namespace");
    return;
  }
  REQUIRE(std::system("ip link add wan0 type veth peer name wan1 && ip link set wan0 up && "
                      "ip link set wan1 up && ip addr add 192.0.2.1/24 dev wan0 && "
                      "ip addr add 10.1.0.1/24 dev wan1 && "
                      "ip -6 addr add 2001:db8::1/64 dev wan0 nodad") == 0);
  auto routes = RouteTable::open();
  REQUIRE(routes.ok());
  auto outer = routes->route_to(ip("192.0.2.2"));
  REQUIRE(outer.ok());
  CHECK(outer->oif != 0);
  CHECK_FALSE(outer->gateway.has_value());

  auto src = routes->local_address_in(net("10.1.0.0/24"));
  REQUIRE(src.ok());
  CHECK(*src == ip("10.1.0.1"));
  REQUIRE(routes->add_route(net("10.2.0.0/24"), ip("192.0.2.2"), *src).ok());
  REQUIRE(routes->add_route(net("10.2.0.0/24"), ip("192.0.2.2"), *src).ok());  // replaces
  REQUIRE(routes->add_route(net("fd02::/64"), ip("2001:db8::2"), std::nullopt).ok());
  REQUIRE(routes->add_rule({false}).ok());
  REQUIRE(routes->add_rule({false}).ok());  // present already
  REQUIRE(routes->add_rule({true}).ok());
  CHECK(capture("ip route show table 220") ==
        "10.2.0.0/24 via 192.0.2.2 dev wan0 proto 107 src 10.1.0.1 \n");
  CHECK(capture("ip -6 route show table 220").rfind("fd02::/64 via 2001:db8::2 dev wan0 proto 107", 0) == 0);
  CHECK(capture("ip rule show pref 220") == "220:\tfrom all lookup 220\n");
  CHECK(capture("ip route get 10.2.0.7").rfind("10.2.0.7 via 192.0.2.2 dev wan0 table 220 src 10.1.0.1", 0) == 0);

  // A route of somebody else in the same table stays.
  REQUIRE(std::system("ip route add 10.9.0.0/24 dev wan0 table 220") == 0);
  REQUIRE(routes->flush_owned_routes().ok());
  CHECK(capture("ip route show table 220") == "10.9.0.0/24 dev wan0 scope link \n");
  CHECK(capture("ip -6 route show table 220").empty());
  CHECK(routes->delete_route(net("10.2.0.0/24")).ok());  // already gone
  REQUIRE(routes->delete_rule({false}).ok());
  REQUIRE(routes->delete_rule({true}).ok());
  CHECK(routes->delete_rule({true}).ok());  // already gone
  CHECK(capture("ip rule show pref 220").empty());
}
